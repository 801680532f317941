/// Runs the performance model for a (hardware, workload) pair.
///
/// This version has one model for every kind of hardware: the roofline of `Roofline`, fed with the attention
/// FLOPs of `AttentionCost` (dense and masked) and the compulsory traffic of a fused kernel, against the
/// device's dense peak for the workload's element type and its off-chip bandwidth. Engines that schedule
/// tiles on SMs, arrays or cores replace it per kind and keep this result shape.
public enum Simulator {
    public static func run(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> SimulationResult {
        let problem = workload.problem
        guard let peak = hardware.peakFLOPs(problem.dtype) else {
            let known = hardware.supportedDTypes.map(\.rawValue).joined(separator: ", ")
            throw Diagnostic(file: workload.file, path: "problem.dtype",
                             message: "\(hardware.name) has no peak for \(problem.dtype.rawValue) in \(hardware.file); "
                                + "it lists: \(known)")
        }
        let bandwidth = hardware.offChip.bandwidth!   // validated on load: the outermost level has a bandwidth
        var cost = AttentionCost(problem, mask: workload.mask)
        var notes: [String] = []
        if workload.pruning != nil {
            // A pruning schedule changes the work per layer; the roofline model does not apply it, and a dense
            // number in its place would look plausible and be wrong.
            cost.effectiveFLOPs = nil
            notes.append("the pruning schedule is not modelled by the roofline model; pruned time and FLOPs are left null")
        } else if cost.effectiveFLOPs == nil {
            notes.append("the \(workload.mask.kind.rawValue) mask has no closed-form work count in this model; "
                + "masked time and FLOPs are left null")
        }
        let dense = Roofline(flops: cost.denseFLOPs, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        let masked = cost.effectiveFLOPs.map {
            Roofline(flops: $0, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        }

        var utilization: [(String, Double)] = []
        if let masked {
            for unit in computeUnitNames(hardware) { utilization.append((unit, masked.computeUtilization)) }
            utilization.append((hardware.offChip.name, masked.memoryTime / masked.time))
        }
        let simulated = SimulationResult.Simulated(
            model: "roofline",
            time: masked?.time,
            denseTime: dense.time,
            dramBytes: masked == nil ? nil : cost.denseBytes,
            denseDRAMBytes: cost.denseBytes,
            utilization: utilization,
            energy: nil,
            bottleneck: masked?.bottleneck.rawValue)
        var result = SimulationResult(
            hardware: hardware.name, workload: workload.name,
            denseFLOPs: cost.denseFLOPs, effectiveFLOPs: cost.effectiveFLOPs,
            tiles: nil,
            bounds: .init(flopSpeedup: cost.flopSpeedup, tileSpeedup: nil, tileSpeedupMean: nil, waveSpeedup: nil),
            simulated: simulated,
            endToEndSpeedup: nil,
            notes: notes)
        if workload.mask.kind == .gna {
            if let analysis = gnaAnalysis(workload) {
                result.tiles = SimulationResult.Tiles(analysis.work)
                result.gna = analysis
                result.bounds.tileSpeedup = analysis.bounds.tile
                result.bounds.tileSpeedupMean = analysis.bounds.tileMean
                if hardware.kind != .spatial, let units = hardware.units {
                    result.bounds.waveSpeedup = analysis.bounds.wave(units: units.count, instances: problem.instances)
                }
            } else {
                result.notes.append("tile bounds need fixed tile shapes: set kernel.q_tile and kernel.kv_tile")
            }
        }
        if let model = workload.model {
            result.endToEndSpeedup = simulated.speedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndFLOPBound = result.bounds.flopSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndTileBound = result.bounds.tileSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
        }
        return result
    }

    /// The GNA tile analysis of a workload, when its kernel fixes the tile shapes (static multi-dimensional
    /// tiling unless the workload says otherwise).
    static func gnaAnalysis(_ workload: Workload) -> GNAAnalysis? {
        guard workload.mask.kind == .gna, let kernel = workload.kernel,
              let qTile = kernel.qTile?.value, let kvTile = kernel.kvTile?.value else { return nil }
        return GNAAnalysis(mask: GNAMask(tokens: workload.problem.tokens, mask: workload.mask),
                           qTile: qTile, kvTile: kvTile,
                           tiling: kernel.tiling?.value ?? .multi_dim,
                           kvTiling: kernel.kvTiling?.value ?? .static)
    }

    /// Names under which compute utilization is reported: the unit name (SM, core) or each MAC array.
    static func computeUnitNames(_ hardware: HardwareSpec) -> [String] {
        switch hardware.kind {
        case .gpu, .cpu: return [hardware.units?.name ?? "unit"]
        case .spatial: return hardware.arrays.filter { $0.ops.contains(.mac) }.map(\.name)
        }
    }
}
