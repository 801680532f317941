/// Runs attention on a GPU through the event simulator: builds the Q-tile grid of a workload under a mapping,
/// costs it with the backend profile, and runs the same machinery on the dense problem for the baseline.
public enum GPUEngine {
    public struct Outcome: Sendable {
        public var mapping: GPUMapping
        public var sparse: GPUSimulation
        public var dense: GPUSimulation
        public var grid: QTileGrid

        public var speedup: Double { dense.time / sparse.time }
    }

    /// Every unpruned workload on a GPU with kernel profiles.
    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        hardware.kernels.isEmpty ? noKernelProfiles(hardware) : .yes
    }

    /// The note when a GPU or CPU file has no kernel profiles, so the roofline times the workload.
    static func noKernelProfiles(_ hardware: HardwareSpec) -> EngineSupport {
        .declined(hardware.file + " lists no kernel profiles (`kernels:`), so time is the roofline's")
    }

    public static func profile(_ hardware: HardwareSpec, backend: String, file: String) throws(Diagnostic) -> KernelProfile {
        guard let profile = hardware.kernels[backend] else {
            let known = hardware.kernels.keys.sorted()
            throw Diagnostic(file: file, path: "kernel.backend",
                             message: "backend `\(backend)` has no profile under `kernels:` in \(hardware.file)"
                                + DidYouMean.hint(for: backend, among: known)
                                + (known.isEmpty ? "; that file lists none" : "; it lists: \(known.joined(separator: ", "))"))
        }
        return profile
    }

    /// The Q tiles of one instance under `mapping` (with per-head masks, one instance is a batch element).
    public static func grid(_ workload: Workload, mapping: GPUMapping) -> QTileGrid {
        workload.mask.combinedTileGrid(mapping.maskTiling)
    }

    /// Instances of `grid`: batch × heads, or the batch alone when the grid already holds every head.
    static func instances(_ workload: Workload) -> Int {
        workload.mask.headPatterns > 1 ? workload.problem.batch : workload.problem.instances
    }

    /// - Parameter baseline: the backend of the dense run (default: the mapping's own), e.g. `flash` to compare
    ///   a sparse kernel with cuDNN/FlashAttention as NATTEN's measurements do.
    public static func simulate(hardware: HardwareSpec, workload: Workload, mapping: GPUMapping,
                                baseline: String? = nil, trace: Bool = false) throws(Diagnostic) -> Outcome {
        try simulate(hardware: hardware, workload: workload, mapping: mapping, baseline: baseline, trace: trace,
                     dense: true)
    }

    /// The most CTAs the mapper simulates over all the mappings it ranks (about 75 ns each in a release build, so
    /// 10⁸ take about 8 s): README.md, "Limits".
    public static let maxRankedCTAs = 1e8

    /// The most CTAs the event simulator runs (sparse and dense grids, several rounds for the sustained clock):
    /// README.md, "Limits".
    public static let maxCTAs = 1e7

    /// - Parameter dense: whether to run the dense baseline too (the mapper ranks on the sparse time alone).
    static func simulate(hardware: HardwareSpec, workload: Workload, mapping: GPUMapping, baseline: String?,
                         trace: Bool, dense runDense: Bool) throws(Diagnostic) -> Outcome {
        let profile = try profile(hardware, backend: mapping.backend, file: workload.file)
        // The grid is simulated CTA by CTA: keep it to a size that takes seconds, not hours or all memory.
        let qTiles = (Double(workload.problem.queryTokens) / Double(mapping.qTileTokens)).rounded(.up)
        let ctas = qTiles * Double(workload.problem.instances)
        guard ctas <= maxCTAs else {
            throw Diagnostic(file: workload.file, path: "problem",
                             message: "the kernel grid would have \(Quantity.formatExactCount(ctas)) CTAs (batch × heads × "
                                + "\(Quantity.formatExactCount(qTiles)) Q tiles of \(mapping.qTileTokens) tokens); the event simulator "
                                + "takes up to \(Quantity.formatExactCount(maxCTAs)) (README.md, \"Limits\"): use fewer heads, a "
                                + "smaller batch or larger Q tiles")
        }
        let baselineProfile = try baseline.map { (name) throws(Diagnostic) in
            try Self.profile(hardware, backend: name, file: workload.file)
        } ?? profile
        let problem = workload.problem
        let instances = Self.instances(workload)
        let qoBytes = Double(problem.instances) * Double(problem.queryTokens) * Double(problem.headDim + problem.valueDim)
            * problem.dtype.bytes
        let grid = grid(workload, mapping: mapping)
        var cost = try GPUKernelCost(hardware: hardware, profile: profile, problem: problem,
                                     qTileTokens: mapping.qTileTokens, kvTileTokens: mapping.kvTileTokens,
                                     grid: grid, instances: instances,
                                     mask: MaskEvaluation(workload))
        if profile.maskScope == .problem {
            cost.maskAllTiles = !workload.mask.kernelSkipsElementMask(mapping.maskTiling)
        }
        var sparse = runSustained(hardware: hardware, grid: grid, instances: instances, cost: cost,
                                  persistent: mapping.persistent, problemBytes: qoBytes, trace: trace)
        sparse.waitForHost(profile.hostOverhead)
        guard runDense else { return Outcome(mapping: mapping, sparse: sparse, dense: sparse, grid: grid) }
        let denseQ = baseline == nil ? mapping.qTileTokens : (baselineProfile.qTileTokens ?? mapping.qTileTokens)
        let denseKV = baseline == nil ? mapping.kvTileTokens : (baselineProfile.kvTileTokens ?? mapping.kvTileTokens)
        let denseGrid = QTileGrid.dense(queries: problem.queryTokens, keys: problem.keyTokens, qTile: denseQ,
                                        kvTile: denseKV)
        let denseCost = try GPUKernelCost(hardware: hardware, profile: baselineProfile, problem: problem,
                                          qTileTokens: denseQ, kvTileTokens: denseKV,
                                          grid: denseGrid, instances: problem.instances)
        var dense = runSustained(hardware: hardware, grid: denseGrid, instances: problem.instances, cost: denseCost,
                                 persistent: baseline == nil ? mapping.persistent : (baselineProfile.persistent ?? false),
                                 problemBytes: qoBytes, trace: false)
        dense.waitForHost(baselineProfile.hostOverhead)
        return Outcome(mapping: mapping, sparse: sparse, dense: dense, grid: grid)
    }

    /// Runs the grid, then again with the tensor-core rate scaled by the clock the GPU sustains for a kernel of
    /// that length (`HardwareSpec.clockFactor`), until the duration settles (a few rounds; the factor is monotone).
    static func runSustained(hardware: HardwareSpec, grid: QTileGrid, instances: Int, cost: GPUKernelCost,
                             persistent: Bool, problemBytes: Double, trace: Bool) -> GPUSimulation {
        var result = GPUSimulation.run(grid: grid, instances: instances, cost: cost, persistent: persistent,
                                       problemBytes: problemBytes, recordTrace: trace && hardware.sustainedClock == nil)
        guard hardware.sustainedClock != nil else { return result }
        var factor = 1.0
        for _ in 0..<4 {
            let next = hardware.clockFactor(forDuration: result.time)
            if abs(next - factor) < 1e-4 { break }
            factor = next
            result = GPUSimulation.run(grid: grid, instances: instances, cost: cost.atClockFactor(factor),
                                       persistent: persistent, problemBytes: problemBytes, recordTrace: false)
        }
        if trace {
            result = GPUSimulation.run(grid: grid, instances: instances, cost: cost.atClockFactor(factor),
                                       persistent: persistent, problemBytes: problemBytes, recordTrace: true)
        }
        return result
    }

    /// The mapper's ranking of every legal mapping by simulated time.
    public static func rank(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [RankedMapping<GPUMapping>] {
        let space = GPUMapspace(hardware: hardware, workload: workload)
        if let backend = workload.kernel?.backend?.value { _ = try profile(hardware, backend: backend, file: workload.file) }
        let candidates = space.candidates()
        let total = candidates.reduce(0.0) {
            $0 + (Double(workload.problem.queryTokens) / Double($1.qTileTokens)).rounded(.up) * Double(workload.problem.instances)
        }
        guard total <= maxRankedCTAs else {
            throw Diagnostic(file: workload.file, path: "kernel",
                             message: "ranking \(candidates.count) mappings would simulate \(Quantity.formatExactCount(total)) CTAs "
                                + "in all; the mapper takes up to \(Quantity.formatExactCount(maxRankedCTAs)) (README.md, \"Limits\"): "
                                + "pin the kernel (backend and tiles) in `kernel:`, or use fewer heads or a smaller batch")
        }
        let ranked = try Mapper.rank(space) { (mapping) throws(Diagnostic) -> Double? in
            try simulate(hardware: hardware, workload: workload, mapping: mapping, baseline: nil, trace: false,
                         dense: false).sparse.time
        }
        guard !ranked.isEmpty else { throw space.noLegalMapping }
        return ranked
    }

    /// The workload's own mapping when `kernel:` fixes everything, else the mapper's best.
    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> GPUMapping {
        var fixedProfile: KernelProfile?
        if let backend = workload.kernel?.backend?.value {
            let profile = try profile(hardware, backend: backend, file: workload.file)
            fixedProfile = profile
            if let masks = profile.masks, !masks.contains(workload.mask.kind) {
                throw Diagnostic(file: workload.file, path: "kernel.backend",
                                 message: "backend `\(backend)` does not implement a \(workload.mask.kind) mask "
                                    + "(its profile lists: \(masks.joined(separator: ", ")))")
            }
        }
        if let kernel = workload.kernel, let backend = kernel.backend?.value, let profile = fixedProfile,
           let q = kernel.qTile?.value, let kv = kernel.kvTile?.value {
            let tiling = workload.mask.allowsMultiDimTiling ? (kernel.tiling?.value ?? .multi_dim) : .single_dim
            let flatten = tiling == .single_dim
            let mapping = GPUMapping(backend: backend, qTile: flatten ? [q.reduce(1, *)] : q,
                                     kvTile: flatten ? [kv.reduce(1, *)] : kv, tiling: tiling,
                                     kvTiling: kernel.kvTiling?.value ?? .static, persistent: profile.persistent ?? false)
            let space = GPUMapspace(hardware: hardware, workload: workload)
            guard space.isLegal(mapping) else { throw space.noLegalMapping }
            return mapping
        }
        return try rank(hardware: hardware, workload: workload)[0].mapping
    }
}
