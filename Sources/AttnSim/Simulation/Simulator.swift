/// Runs the performance model for a (hardware, workload) pair: load → engine → tile analysis → roll-ups.
///
/// Bounds come from the work alone (FLOPs, the mask's tile work). Time comes from the first engine of
/// `EngineRegistry` that models the pair; engines for this hardware that declined say why in the notes.
public enum Simulator {
    /// - Parameters:
    ///   - baseline: the backend of the dense GPU run (default: the mapping's own backend).
    ///   - energyAccounting: how register-file accesses are charged on spatial arrays (default: every PE).
    public static func run(hardware: HardwareSpec, workload: Workload, trace: Bool = false,
                           baseline: String? = nil, energyAccounting: EnergyAccounting = .full)
        throws(Diagnostic) -> SimulationResult {
        let problem = workload.problem
        var options = EngineOptions(trace: trace, baseline: baseline, energyAccounting: energyAccounting)
        options.peak = try peak(hardware, workload)
        let (engine, declined) = try EngineRegistry.engine(for: hardware, workload: workload)
        let run = try engine.run(hardware: hardware, workload: workload, options: options)
        let pruned = workload.pruning != nil
        let cost = pruned ? nil : run.cost ?? AttentionCost(problem, mask: workload.mask, pass: workload.pass)
        var notes: [String] = []
        if let cost, cost.effectiveFLOPs == nil {
            notes.append("the \(workload.mask.kind) mask does not fix its attended pairs; "
                + "masked FLOPs and the FLOP bound are left null")
        }
        var result = SimulationResult(
            hardware: hardware.name, workload: workload.name,
            denseFLOPs: cost?.denseFLOPs ?? 0, effectiveFLOPs: cost?.effectiveFLOPs,
            tiles: nil,
            // Pruning: the FLOP ratio is no bound (a memory-bound step gains from quantized bytes beyond it); the
            // pruning object carries the roofline ratio, which is not a strict bound either.
            bounds: .init(flopSpeedup: cost?.flopSpeedup, tileSpeedup: nil, tileSpeedupMean: nil, waveSpeedup: nil),
            simulated: run.simulated, endToEndSpeedup: nil, notes: notes)
        if problem.kvHeads < problem.heads {
            result.heads = problem.heads
            result.kvHeads = problem.kvHeads
            if case .spatial = run.detail {
                result.notes.append("the spatial dataflows read K and V once per query head: the \(problem.kvHeads) K/V "
                    + "heads' sharing (grouped-query attention) is not modelled, so traffic and time are upper bounds")
            }
        }
        if !declined.isEmpty { result.notes += declined }
        if !run.notes.isEmpty { result.notes += run.notes }
        switch run.detail {
        case .gpu(let outcome): result.gpu = outcome
        case .spatial(let evaluation, let energy):
            result.spatial = evaluation
            result.energy = energy
        case .pruning(let outcome):
            result.pruning = outcome
            result.denseFLOPs = outcome.cost.denseFLOPs
            result.effectiveFLOPs = outcome.cost.flops
        case .roofline: break
        }

        if !pruned && !workload.mask.isDense {
            if let tiling = run.tiling ?? fixedTiling(workload), workload.mask.isTractable(tiling) {
                let analysis = TileAnalysis(mask: workload.mask, queries: problem.queryTokens, keys: problem.keyTokens,
                                            tiling: tiling)
                result.tileAnalysis = analysis
                result.tiles = SimulationResult.Tiles(analysis.work)
                result.bounds.tileSpeedup = analysis.bounds.tile
                result.bounds.tileSpeedupMean = analysis.bounds.tileMean
                if workload.mask.waveBoundHolds, let units = hardware.units {
                    // A dense kernel long enough to run at the power-limited clock is slower per tile than a short
                    // sparse one can be; the bound grants the sparse kernel the full clock (a bound is never below
                    // what a real kernel achieves).
                    let clock = result.gpu.map { hardware.clockFactor(forDuration: $0.dense.time) } ?? 1
                    let instances = workload.mask.headPatterns > 1 ? problem.batch : problem.instances
                    result.bounds.waveSpeedup = analysis.bounds.wave(units: units.count, instances: instances) / clock
                }
            } else {
                result.notes.append("tile bounds need fixed tile shapes: set kernel.q_tile and kernel.kv_tile")
            }
        }
        result.pass = workload.pass
        if workload.pass.runsBackward && !pruned { backwardBounds(&result, hardware: hardware, workload: workload) }
        if let layer = workload.layer, let attention = result.simulated.time {
            result.linearTime = layer.linearTime(batch: problem.batch, tokens: problem.queryTokens, hardware: hardware,
                                                 dtype: problem.dtype, pass: workload.pass)
            if workload.pass == .training { result.optimizerTime = layer.optimizerTime(layer.optimizer, hardware: hardware) }
            let rest = result.linearTime.map { $0 + (result.optimizerTime ?? 0) }
            result.layerTime = rest.map { $0 + attention }
            // A training step's end-to-end speedup from its own parts, where no `attention_share` is given: dense
            // attention and the same linear layers and update, over the sparse step.
            if workload.pass == .training, workload.model == nil, let rest, let dense = result.simulated.denseTime {
                result.endToEndSpeedup = (dense + rest) / (attention + rest)
            }
        }
        if let model = workload.model {
            result.endToEndSpeedup = result.simulated.speedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndFLOPBound = result.bounds.flopSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
            result.endToEndTileBound = result.bounds.tileSpeedup.map { EndToEnd.speedup(attentionSpeedup: $0, model: model) }
        }
        result.roofs = hardware.roofs(problem.dtype)
        result.waterfall = SpeedupWaterfall.of(result, workload: workload)
        try PhysicalInvariants.check(result, hardware: hardware, workload: workload)
        return result
    }

    /// The KV-major tiles of a backward or training pass (`tiles.kv_major`) and the bounds of the pass: the backward's
    /// from its KV-major grid as the forward's come from the Q-major one (a KV tile's CTA walks the Q tiles that
    /// touch it), and a training pass's as the harmonic combination of the two weighted by the passes' dense FLOPs
    /// (`PassFLOPs`: each pass can gain at most its own bound on its own share of the work).
    static func backwardBounds(_ result: inout SimulationResult, hardware: HardwareSpec, workload: Workload) {
        let problem = workload.problem
        let mask = workload.mask
        let backward = result.gpu?.sparseBackward
        guard let tiling = backward?.tiling ?? result.tileAnalysis?.tiling ?? fixedTiling(workload),
              mask.isDense || mask.isTractable(tiling) else { return }
        let analysis = KVMajorAnalysis(mask: mask, queries: problem.queryTokens, keys: problem.keyTokens, tiling: tiling,
                                       grid: backward?.kvMajorGrid)
        result.kvMajor = analysis
        guard !mask.isDense else { return }
        let bounds = analysis.bounds
        var tile = bounds.tile, mean = bounds.tileMean
        var wave: Double? = nil
        if mask.waveBoundHolds, let units = hardware.units {
            wave = bounds.wave(units: units.count, instances: mask.headPatterns > 1 ? problem.batch : problem.instances)
        }
        if workload.pass == .training {
            let f = PassFLOPs.forward(headDim: problem.headDim, valueDim: problem.valueDim)
            let b = PassFLOPs.backward(headDim: problem.headDim, valueDim: problem.valueDim)
            func combined(_ forward: Double?, _ backward: Double?) -> Double? {
                guard let forward, let backward else { return nil }
                return (f + b) / (f / forward + b / backward)
            }
            tile = combined(result.bounds.tileSpeedup, tile) ?? tile
            mean = combined(result.bounds.tileSpeedupMean, mean) ?? mean
            wave = combined(result.bounds.waveSpeedup, wave)
        }
        result.bounds.tileSpeedup = tile
        result.bounds.tileSpeedupMean = mean
        result.bounds.waveSpeedup = wave
    }

    /// The hardware's peak rate for the workload's element type, or an error naming the types it has.
    static func peak(_ hardware: HardwareSpec, _ workload: Workload) throws(Diagnostic) -> Double {
        guard let peak = hardware.peakFLOPs(workload.problem.dtype) else {
            let known = hardware.supportedDTypes.map(\.rawValue).joined(separator: ", ")
            throw Diagnostic(file: workload.file, path: "problem.dtype",
                             message: "\(hardware.name) has no peak for \(workload.problem.dtype.rawValue) in \(hardware.file); "
                                + "it lists: \(known)")
        }
        return peak
    }

    /// The tiling the workload's `kernel:` fixes (static multi-dimensional tiling for masks with N-D tiles unless
    /// it says otherwise), when no engine ran one.
    static func fixedTiling(_ workload: Workload) -> MaskTiling? {
        let kernel = workload.kernel
        guard let qTile = kernel?.qTile?.value, let kvTile = kernel?.kvTile?.value else { return nil }
        let tiling = workload.mask.allowsMultiDimTiling ? (kernel?.tiling?.value ?? .multi_dim) : .single_dim
        return MaskTiling(qTile: qTile, kvTile: kvTile, tiling: tiling, kvTiling: kernel?.kvTiling?.value ?? .static)
    }
}
