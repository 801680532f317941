/// Runs attention on a GPU through the event simulator: builds the Q-tile grid of a workload under a mapping,
/// costs it with the backend profile, and runs the same machinery on the dense problem for the baseline.
public enum GPUEngine {
    public struct Outcome: Sendable {
        public var mapping: GPUMapping
        public var sparse: GPUSimulation
        public var dense: GPUSimulation
        public var grid: QTileGrid
        /// Query heads each CTA holds (GQA packed into a Q tile's rows; 1 otherwise).
        public var packedHeads: Int = 1
        /// The sparse and dense calls as the engine timed them (`KernelCall`), for the speedup waterfall.
        public var sparseCall: KernelCall? = nil
        public var denseCall: KernelCall? = nil
        /// The backward kernels of a `pass: backward | training` workload (nil for a forward one).
        public var sparseBackward: BackwardRun? = nil
        public var denseBackward: BackwardRun? = nil

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

    /// `grid` with the KV tiles a scanning kernel (`KernelProfile.skippedTile`) tests and skips: it walks its row from
    /// the first KV tile to the last it computes (`BlockMask.walkedTiles`; Radial's block mask likewise). Other masks
    /// are left as they are (a scanning kernel's profile lists `masks: [block, radial]`; dense and causal rows have
    /// no gaps).
    static func scanning(_ grid: QTileGrid, workload: Workload, tiling: MaskTiling) -> QTileGrid {
        guard let block = (workload.mask as? BlockMask) ?? (workload.mask as? RadialMask)?.blocks else { return grid }
        let walked = (0..<block.headPatterns).flatMap { block.walkedTiles(tiling, head: $0) }
        guard walked.count == grid.tiles.count else { return grid }
        var scanned = grid
        for index in scanned.tiles.indices {
            scanned.tiles[index].skipped = max(0, walked[index] - scanned.tiles[index].visited)
        }
        return scanned
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
        let problem = workload.problem
        let layout = GPUHeadLayout(workload, qTileTokens: mapping.qTileTokens)
        // The grid is simulated CTA by CTA: keep it to a size that takes seconds, not hours or all memory.
        let qTiles = (Double(problem.queryTokens) / Double(mapping.qTileTokens)).rounded(.up)
        let ctas = layout.ctas(problem, qTileTokens: mapping.qTileTokens, kvSplits: mapping.kvSplits)
        guard ctas <= maxCTAs else {
            let splits = mapping.kvSplits > 1 ? " × \(mapping.kvSplits) KV splits" : ""
            throw Diagnostic(file: workload.file, path: "problem",
                             message: "the kernel grid would have \(Quantity.formatExactCount(ctas)) CTAs (batch × heads × "
                                + "\(Quantity.formatExactCount(qTiles)) Q tiles of \(mapping.qTileTokens) tokens\(splits)); "
                                + "the event simulator takes up to \(Quantity.formatExactCount(maxCTAs)) (README.md, "
                                + "\"Limits\"): use fewer heads, a smaller batch or larger Q tiles")
        }
        let baselineProfile = try baseline.map { (name) throws(Diagnostic) in
            try Self.profile(hardware, backend: name, file: workload.file)
        } ?? profile
        var grid = grid(workload, mapping: mapping)
        if profile.skippedTile != nil { grid = scanning(grid, workload: workload, tiling: mapping.maskTiling) }
        let maskAllTiles = profile.maskScope == .problem && !workload.mask.kernelSkipsElementMask(mapping.maskTiling)
        let launch = workload.kernel?.launch ?? .eager
        let (sparseCall, untraced) = try call(hardware: hardware, profile: profile, problem: problem, grid: grid,
                                  qTileTokens: mapping.qTileTokens, kvTileTokens: mapping.kvTileTokens, layout: layout,
                                  kvSplits: mapping.kvSplits, persistent: mapping.persistent,
                                  mask: MaskEvaluation(workload), maskAllTiles: maskAllTiles, launch: launch)
        let forwardSparse = trace ? sparseCall.simulate(trace: true) : untraced
        let pass = workload.pass
        var sparseBackward: BackwardRun?
        if pass.runsBackward {
            sparseBackward = try backward(hardware: hardware, profile: profile, backend: mapping.backend,
                                          workload: workload, mapping: mapping, dense: false, launch: launch)
        }
        let sparse = Self.passRun(pass, forward: forwardSparse, backward: sparseBackward)
        // The waterfall re-runs one forward call's mechanisms; a backward or training pass is several kernels.
        let waterfallCall = pass == .forward ? sparseCall : nil
        guard runDense else {
            return Outcome(mapping: mapping, sparse: sparse, dense: sparse, grid: grid, packedHeads: layout.packedHeads,
                           sparseCall: waterfallCall, sparseBackward: sparseBackward)
        }
        let denseQ = baseline == nil ? mapping.qTileTokens : (baselineProfile.qTileTokens ?? mapping.qTileTokens)
        let denseKV = baseline == nil ? mapping.kvTileTokens : (baselineProfile.kvTileTokens ?? mapping.kvTileTokens)
        let denseGrid = QTileGrid.dense(queries: problem.queryTokens, keys: problem.keyTokens, qTile: denseQ,
                                        kvTile: denseKV)
        let denseLayout = GPUHeadLayout(problem, perHeadMasks: false, qTileTokens: denseQ)
        // Another backend's dense run splits as FlashAttention-2 would for its grid, when that backend can split.
        let denseSplits = baseline == nil ? mapping.kvSplits : baselineProfile.splitKV != true ? 1
            : SplitKV.flashAttention2Splits(batchHeadsMBlocks: denseGrid.tiles.count * denseLayout.instances,
                                            sms: 2 * (hardware.units?.count ?? 1), nBlocks: denseGrid.denseKVTiles)
        let (denseCall, forwardDense) = try call(hardware: hardware, profile: baselineProfile, problem: problem, grid: denseGrid,
                                 qTileTokens: denseQ, kvTileTokens: denseKV, layout: denseLayout, kvSplits: denseSplits,
                                 persistent: baseline == nil ? mapping.persistent : (baselineProfile.persistent ?? false),
                                 launch: launch)
        var denseBackward: BackwardRun?
        if pass.runsBackward {
            var denseMapping = mapping
            denseMapping.backend = baseline ?? mapping.backend
            if baseline != nil {
                denseMapping.qTile = [denseQ]
                denseMapping.kvTile = [denseKV]
                denseMapping.tiling = .single_dim
            }
            denseBackward = try backward(hardware: hardware, profile: baselineProfile, backend: denseMapping.backend,
                                         workload: workload, mapping: denseMapping, dense: true, launch: launch)
        }
        let dense = Self.passRun(pass, forward: forwardDense, backward: denseBackward)
        return Outcome(mapping: mapping, sparse: sparse, dense: dense, grid: grid,
                       packedHeads: layout.packedHeads, sparseCall: waterfallCall,
                       denseCall: pass == .forward ? denseCall : nil,
                       sparseBackward: sparseBackward, denseBackward: denseBackward)
    }

    /// The run of `pass`: the forward call, the backward's kernels, or both in sequence.
    static func passRun(_ pass: TrainingPass, forward: GPUSimulation, backward: BackwardRun?) -> GPUSimulation {
        switch pass {
        case .forward: forward
        case .backward: backward?.total ?? forward
        case .training: backward.map { GPUSimulation.sequence([forward, $0.total]) } ?? forward
        }
    }

    /// Costs `grid` (one instance's Q tiles) for `profile` at the clock the GPU sustains for the call, split
    /// `kvSplits` ways over the instances of `layout`, with the split-KV combine kernel when there is one, and the
    /// host's issue time for an eager call (a graph-replayed one does not wait for the host): `KernelCall`.
    static func call(hardware: HardwareSpec, profile: KernelProfile, problem: Problem, grid: QTileGrid,
                     qTileTokens: Int, kvTileTokens: Int, layout: GPUHeadLayout, kvSplits: Int, persistent: Bool,
                     mask: MaskEvaluation = .none, maskAllTiles: Bool = false,
                     launch: KernelChoice.Launch = .eager,
                     work: KernelWork = .forward,
                     ownTilesPerCTA: Double = 1) throws(Diagnostic) -> (call: KernelCall, run: GPUSimulation) {
        var cost = try GPUKernelCost(hardware: hardware, profile: profile, problem: problem, qTileTokens: qTileTokens,
                                     kvTileTokens: kvTileTokens, grid: grid, instances: layout.instances,
                                     mask: mask, kvSharing: work == .forward ? layout.kvSharing : 1, kvSplits: kvSplits,
                                     queryRows: work == .forward ? layout.rows : nil,
                                     headsPerInstance: layout.headsPerInstance, work: work)
        cost.maskAllTiles = maskAllTiles
        // A CTA that owns several tiles in turn (the deterministic backward) loads and stores each and pays each one's
        // prologue and epilogue.
        cost.qoBytesPerCTA *= ownTilesPerCTA
        cost.perCTA *= ownTilesPerCTA
        let splitGrid = grid.splittingKV(into: kvSplits)
        var call = KernelCall(grid: splitGrid, instances: layout.instances, cost: cost, persistent: persistent,
                              problemBytes: problem.queryOutputBytes,
                              hostOverhead: launch == .graph ? nil : profile.hostOverhead)
        if kvSplits > 1 {
            // Every split CTA wrote R rows of partials (R: the rows of its Q tile, at most TQ); the combine kernel
            // reads them all and writes each Q tile's R output rows.
            let rows = Double(min(qTileTokens, layout.rows))
            let partials = Double(splitGrid.tiles.count) * Double(layout.instances) * rows
                * GPUKernelCost.partialBytesPerRow(valueDim: problem.valueDim)
            let outputs = Double(grid.tiles.count) * Double(layout.instances) * rows * Double(problem.valueDim)
                * problem.dtype.bytes
            call.combine = .init(partialBytes: partials, outputBytes: outputs)
        }
        // The tensor cores run at the clock the GPU sustains for a call of this length
        // (`HardwareSpec.clockFactor`): rerun until the duration settles (a few rounds; the factor is monotone).
        var run = call.gridRun()
        if hardware.sustainedClock != nil {
            let base = cost
            var factor = 1.0
            for _ in 0..<4 {
                let next = hardware.clockFactor(forDuration: run.time)
                if abs(next - factor) < 1e-4 { break }
                factor = next
                call.cost = base.atClockFactor(factor)
                run = call.gridRun()
            }
        }
        return (call, call.finishing(run))
    }

    /// The mapper's ranking of every legal mapping by simulated time.
    public static func rank(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [RankedMapping<GPUMapping>] {
        let space = GPUMapspace(hardware: hardware, workload: workload)
        var fixedProfile: KernelProfile?
        if let backend = workload.kernel?.backend?.value {
            fixedProfile = try profile(hardware, backend: backend, file: workload.file)
        }
        try checkSplits(hardware: hardware, workload: workload, profile: fixedProfile)
        let candidates = space.candidates()
        let total = candidates.reduce(0.0) {
            $0 + GPUHeadLayout(workload, qTileTokens: $1.qTileTokens).ctas(workload.problem, qTileTokens: $1.qTileTokens,
                                                                         kvSplits: $1.kvSplits)
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
        try checkSplits(hardware: hardware, workload: workload, profile: fixedProfile)
        if let kernel = workload.kernel, let backend = kernel.backend?.value, let profile = fixedProfile,
           let q = kernel.qTile?.value, let kv = kernel.kvTile?.value, kernel.kvSplits != .auto, kernel.dq != .auto {
            let tiling = workload.mask.allowsMultiDimTiling ? (kernel.tiling?.value ?? .multi_dim) : .single_dim
            let flatten = tiling == .single_dim
            var mapping = GPUMapping(backend: backend, qTile: flatten ? [q.reduce(1, *)] : q,
                                     kvTile: flatten ? [kv.reduce(1, *)] : kv, tiling: tiling,
                                     kvTiling: kernel.kvTiling?.value ?? .static, persistent: profile.persistent ?? false,
                                     kvSplits: kernel.kvSplits?.value ?? 1)
            mapping.dq = kernel.dq?.value
            let space = GPUMapspace(hardware: hardware, workload: workload)
            guard space.isLegal(mapping) else { throw space.noLegalMapping }
            return mapping
        }
        return try rank(hardware: hardware, workload: workload)[0].mapping
    }

    /// `kernel.kv_splits` above 1 needs a backend that splits KV: the fixed one's profile, or some profile of the file.
    static func checkSplits(hardware: HardwareSpec, workload: Workload, profile: KernelProfile?) throws(Diagnostic) {
        guard let splits = workload.kernel?.kvSplits?.value, splits > 1 else { return }
        let splitting = hardware.kernels.filter { $0.value.splitKV == true }.keys.sorted()
        if let backend = workload.kernel?.backend?.value, profile?.splitKV != true {
            throw Diagnostic(file: workload.file, path: "kernel.kv_splits",
                             message: "backend `\(backend)` does not split KV (its profile in \(hardware.file) has no "
                                + "`split_kv: true`); use kv_splits: 1"
                                + (splitting.isEmpty ? ""
                                    : " or a backend that splits: \(splitting.joined(separator: ", "))"))
        }
        guard !splitting.isEmpty else {
            throw Diagnostic(file: workload.file, path: "kernel.kv_splits",
                             message: "no kernel profile in \(hardware.file) splits KV (`split_kv: true`); use kv_splits: 1")
        }
    }
}
