/// Runs the performance model for a (hardware, workload) pair.
///
/// Bounds come from the work alone (FLOPs, GNA tile work). Time comes from the engine for the hardware kind:
/// GPUs with kernel profiles go through the event simulator (`GPUEngine`, model `gpu-event`); everything else
/// — and GPU workloads the event simulator does not model yet (pruning, block masks) — through the roofline
/// (`Roofline`, model `roofline`: FLOPs over peak or bytes over bandwidth, a lower bound on time).
public enum Simulator {
    /// - Parameters:
    ///   - baseline: the backend of the dense GPU run (default: the mapping's own backend).
    ///   - energyAccounting: how register-file accesses are charged on spatial arrays (default: every PE).
    public static func run(hardware: HardwareSpec, workload: Workload, trace: Bool = false,
                           baseline: String? = nil, energyAccounting: EnergyAccounting = .full)
        throws(Diagnostic) -> SimulationResult {
        let problem = workload.problem
        guard let peak = hardware.peakFLOPs(problem.dtype) else {
            let known = hardware.supportedDTypes.map(\.rawValue).joined(separator: ", ")
            throw Diagnostic(file: workload.file, path: "problem.dtype",
                             message: "\(hardware.name) has no peak for \(problem.dtype.rawValue) in \(hardware.file); "
                                + "it lists: \(known)")
        }
        let bandwidth = hardware.offChip.bandwidth!   // validated on load: the outermost level has a bandwidth
        if let pruning = workload.pruning {
            return try runPruning(hardware: hardware, workload: workload, spec: pruning)
        }
        let cost = AttentionCost(problem, mask: workload.mask)
        var notes: [String] = []
        if cost.effectiveFLOPs == nil {
            notes.append("the \(workload.mask.kind.rawValue) mask has no closed-form work count in this model; "
                + "masked time and FLOPs are left null")
        }

        // The GPU event simulator, when it applies; its mapping also fixes the tiles of the GNA analysis.
        var gpu: GPUEngine.Outcome?
        if hardware.kind != .spatial, GPUEngine.supports(workload) {
            if hardware.kernels.isEmpty {
                notes.append("\(hardware.file) lists no kernel profiles (`kernels:`), so time is the roofline's")
            } else {
                let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
                gpu = try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: mapping,
                                             baseline: baseline, trace: trace)
            }
        }

        // The spatial engine for dense (unmasked, unpruned) attention on a 2D + 1D array.
        var spatial: SpatialEvaluation?
        if hardware.kind == .spatial {
            if workload.mask.kind == .none {
                let mapping: SpatialMapping
                if let file = workload.kernel?.mapping {
                    mapping = try SpatialMapping.load(path: workload.resolve(file), hardware: hardware)
                } else {
                    mapping = try SpatialEngine.rank(hardware: hardware, workload: workload)[0].mapping
                }
                spatial = try SpatialEngine.evaluate(mapping, hardware: hardware, problem: problem)
            } else {
                notes.append("the spatial engine models dense and pruned attention; masked time is the roofline's")
            }
        }

        var result = SimulationResult(
            hardware: hardware.name, workload: workload.name,
            denseFLOPs: cost.denseFLOPs, effectiveFLOPs: cost.effectiveFLOPs,
            tiles: nil,
            bounds: .init(flopSpeedup: cost.flopSpeedup, tileSpeedup: nil, tileSpeedupMean: nil, waveSpeedup: nil),
            simulated: gpu.map { simulated($0, hardware: hardware, peak: peak) }
                ?? spatial.map(simulated)
                ?? roofline(cost, hardware: hardware, peak: peak, bandwidth: bandwidth),
            endToEndSpeedup: nil,
            notes: notes)
        result.gpu = gpu
        result.spatial = spatial
        if let spatial {
            result.energy = spatial.energy(hardware: hardware, accounting: energyAccounting)
            result.simulated.energy = result.energy?.total
            if let energy = result.energy, !energy.unpriced.isEmpty {
                result.notes.append("\(hardware.file) gives no energy for "
                    + energy.unpriced.map(\.rawValue).joined(separator: ", ") + "; those actions are charged nothing")
            } else if result.energy == nil {
                result.notes.append("\(hardware.file) gives no per-action energies (`energy:`), so energy is null")
            }
        }

        if workload.mask.kind == .gna {
            if let analysis = gnaAnalysis(workload, mapping: gpu?.mapping) {
                result.tiles = SimulationResult.Tiles(analysis.work)
                result.gna = analysis
                result.bounds.tileSpeedup = analysis.bounds.tile
                result.bounds.tileSpeedupMean = analysis.bounds.tileMean
                if hardware.kind != .spatial, let units = hardware.units {
                    // A dense kernel long enough to run at the power-limited clock is slower per tile than a short
                    // sparse one can be; the bound grants the sparse kernel the full clock (a bound is never below
                    // what a real kernel achieves, references.md [attnsim-design]).
                    let clock = gpu.map { hardware.clockFactor(forDuration: $0.dense.time) } ?? 1
                    result.bounds.waveSpeedup = analysis.bounds.wave(units: units.count, instances: problem.instances)
                        / clock
                }
            } else {
                result.notes.append("tile bounds need fixed tile shapes: set kernel.q_tile and kernel.kv_tile")
            }
        }
        if let layer = workload.layer, let attention = result.simulated.time {
            result.linearTime = layer.linearTime(batch: problem.batch, tokens: problem.queryTokens, hardware: hardware,
                                                 dtype: problem.dtype)
            result.layerTime = result.linearTime.map { $0 + attention }
        }
        if let model = workload.model {
            result.endToEndSpeedup = result.simulated.speedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndFLOPBound = result.bounds.flopSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndTileBound = result.bounds.tileSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
        }
        return result
    }

    /// A pruning schedule: every step and layer it covers, timed by `PruningEngine` next to the same steps dense.
    static func runPruning(hardware: HardwareSpec, workload: Workload, spec: PruningSpec) throws(Diagnostic)
        -> SimulationResult {
        let outcome = try PruningEngine.run(hardware: hardware, workload: workload, spec: spec)
        let cost = outcome.cost
        let time = outcome.time
        let bandwidth = hardware.offChip.bandwidth!
        var result = SimulationResult(
            hardware: hardware.name, workload: workload.name, denseFLOPs: cost.denseFLOPs, effectiveFLOPs: cost.flops,
            tiles: nil,
            // The FLOP ratio is no bound here: a memory-bound step gains from quantized bytes beyond it. The pruning
            // object carries the roofline ratio (equal rates assumed), which is not a strict bound either.
            bounds: .init(flopSpeedup: nil, tileSpeedup: nil, tileSpeedupMean: nil, waveSpeedup: nil),
            simulated: .init(model: outcome.model, time: time, denseTime: outcome.denseTime, dramBytes: cost.dramBytes,
                             denseDRAMBytes: cost.denseDRAMBytes,
                             utilization: [(hardware.offChip.name, cost.dramBytes / (bandwidth * time))],
                             energy: nil,
                             bottleneck: bottleneck(time: time, topK: outcome.topKTime, memory: cost.dramBytes / bandwidth)),
            endToEndSpeedup: nil, notes: [])
        result.pruning = outcome
        result.notes += outcome.notes
        let steps = Set(cost.layers.map(\.step)).count
        result.notes.append("times cover \(steps) step\(steps == 1 ? "" : "s") × \(spec.layers) layer\(spec.layers == 1 ? "" : "s") "
            + "(\(cost.layers.count) layer calls) of the \(spec.mode.rawValue) schedule; the dense baseline runs the same steps unpruned")
        if hardware.kind == .gpu && hardware.topK.isEmpty && cost.layers.contains(where: { $0.tokenTopK != nil || !$0.localTopK.isEmpty }) {
            result.notes.append("\(hardware.file) has no measured `topk:` table; top-k is charged nothing")
        }
        if let model = workload.model {
            result.endToEndSpeedup = result.simulated.speedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
        }
        return result
    }

    /// What a pruned run spends most of its time on: top-k, moving bytes, or the rest (compute, fixed costs).
    static func bottleneck(time: Double, topK: Double, memory: Double) -> String {
        let rest = max(0, time - topK - memory)
        return [("top-k", topK), ("memory", memory), ("compute", rest)].max { $0.1 < $1.1 }!.0
    }

    static func roofline(_ cost: AttentionCost, hardware: HardwareSpec, peak: Double, bandwidth: Double)
        -> SimulationResult.Simulated {
        let dense = Roofline(flops: cost.denseFLOPs, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        let masked = cost.effectiveFLOPs.map {
            Roofline(flops: $0, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        }
        var utilization: [(String, Double)] = []
        if let masked {
            for unit in computeUnitNames(hardware) { utilization.append((unit, masked.computeUtilization)) }
            utilization.append((hardware.offChip.name, masked.memoryTime / masked.time))
        }
        return SimulationResult.Simulated(
            model: "roofline", time: masked?.time, denseTime: dense.time,
            dramBytes: masked == nil ? nil : cost.denseBytes, denseDRAMBytes: cost.denseBytes,
            utilization: utilization, energy: nil, bottleneck: masked?.bottleneck.rawValue)
    }

    static func simulated(_ run: SpatialEvaluation) -> SimulationResult.Simulated {
        SimulationResult.Simulated(
            model: "spatial", time: run.time, denseTime: run.time, dramBytes: run.dramBytes,
            denseDRAMBytes: run.dramBytes, utilization: run.utilization, energy: nil, bottleneck: run.bottleneck)
    }

    static func simulated(_ outcome: GPUEngine.Outcome, hardware: HardwareSpec, peak: Double)
        -> SimulationResult.Simulated {
        let sparse = outcome.sparse
        let bandwidth = hardware.offChip.bandwidth!
        return SimulationResult.Simulated(
            model: hardware.kind == .cpu ? "cpu-event" : "gpu-event", time: sparse.time, denseTime: outcome.dense.time,
            dramBytes: sparse.dramBytes, denseDRAMBytes: outcome.dense.dramBytes,
            utilization: [(hardware.units?.name ?? "SM", sparse.executedFLOPs / (peak * sparse.time)),
                          (hardware.offChip.name, sparse.dramBytes / (bandwidth * sparse.time))],
            energy: nil, bottleneck: sparse.bottleneck)
    }

    /// The GNA tile analysis of a workload, when its kernel fixes the tile shapes (static multi-dimensional
    /// tiling unless the workload says otherwise).
    static func gnaAnalysis(_ workload: Workload, mapping: GPUMapping? = nil) -> GNAAnalysis? {
        guard workload.mask.kind == .gna else { return nil }
        let kernel = workload.kernel
        guard let qTile = mapping?.qTile ?? kernel?.qTile?.value, let kvTile = mapping?.kvTile ?? kernel?.kvTile?.value else {
            return nil
        }
        let tiling = mapping?.tiling ?? kernel?.tiling?.value ?? .multi_dim
        let mask = GNAMask(tokens: workload.problem.tokens, mask: workload.mask)
        guard TileWork.isTractable(mask: mask, qTile: qTile, kvTile: kvTile, tiling: tiling) else { return nil }
        return GNAAnalysis(mask: mask, qTile: qTile, kvTile: kvTile, tiling: tiling,
                           kvTiling: mapping?.kvTiling ?? kernel?.kvTiling?.value ?? .static)
    }

    /// Names under which compute utilization is reported: the unit name (SM, core) or each MAC array.
    static func computeUnitNames(_ hardware: HardwareSpec) -> [String] {
        switch hardware.kind {
        case .gpu, .cpu: return [hardware.units?.name ?? "unit"]
        case .spatial: return hardware.arrays.filter { $0.ops.contains(.mac) }.map(\.name)
        }
    }
}
