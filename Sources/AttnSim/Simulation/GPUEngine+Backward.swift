/// The backward pass of attention on a GPU (`pass: backward | training`), from the backend's `backward:` profile
/// (`BackwardKernel`): the kernels FlashAttention-2's backward launches (references.md [FlashAttention-2] §3.2,
/// Algorithm 2), each run through the same event simulator as the forward.
///
/// 1. **Preprocessing** (`preprocess`): D = rowsum(dO ∘ O), a memory-bound kernel reading O and dO and writing D in
///    fp32; with atomic dQ it also zeroes the fp32 dQ buffer.
/// 2. **The KV-major kernel**: one CTA per KV tile of each instance (the mask's KV-major grid, `Mask.kvMajorGrid`),
///    walking the Q tiles that touch it: S recomputed from the saved log-sum-exp, dV, dP, dS, dK and, with
///    `dq: atomic`, dQ added into the fp32 buffer with atomics (`KernelWork.backwardKeyValue`).
/// 3. **dQ**: `atomic` — a memory-bound kernel converts the fp32 buffer to the input dtype (cuDNN's
///    `convert_dq_to_16bits`); `separate` — a Q-major grid over the Q-major mask grid recomputes S and dP and writes
///    dQ (`KernelWork.backwardQuery`), in the same launch as the KV-major programs (FlexAttention), so without a
///    second launch.
///
/// **Deterministic** (`kernel.deterministic`, a profile with `deterministic: true`): FlashAttention-2 launches
/// ⌈SMs ÷ (batch × heads)⌉ CTAs per instance instead of one per KV tile, CTA s walking KV tiles s, s + n, s + 2n, …
/// and adding its dQ into its own fp32 buffer, which the conversion sums (PyTorch's vendored FlashAttention-2,
/// `run_flash_bwd_seqk_parallel` and `mha_bwd`: `gridDimx = (multiProcessorCount + b·h − 1) / (b·h)` when
/// `deterministic`; references.md [FlashAttention-src]): fewer, longer CTAs (`deterministicGrid`) and n dQ buffers.
///
/// The host's issue time for the whole backward (`host_overhead`) is a floor on the sum, as for a forward call.
/// Memory-bound kernels take the launch and their bytes at the off-chip bandwidth.
extension GPUEngine {
    /// What the backward of one call ran.
    public struct BackwardRun: Sendable {
        /// Kernels in launch order, with their runs.
        public var kernels: [(name: String, run: GPUSimulation)]
        /// The KV-major grid (one instance) and the tiling it was counted under.
        public var kvMajorGrid: QTileGrid
        public var tiling: MaskTiling
        /// Everything in sequence, floored by the host's issue time.
        public var total: GPUSimulation
    }

    /// The backend's backward profile, or an error naming the file and the key to add.
    public static func backwardKernel(_ hardware: HardwareSpec, backend: String, profile: KernelProfile,
                               file: String) throws(Diagnostic) -> BackwardKernel {
        guard let backward = profile.backward else {
            let with = hardware.kernels.filter { $0.value.backward != nil }.keys.sorted()
            throw Diagnostic(file: file, path: "pass",
                             message: "backend `\(backend)` has no backward profile (`backward:` under kernels.\(backend) in "
                                + "\(hardware.file)), so its backward pass cannot be timed"
                                + (with.isEmpty ? "; that file gives none" : "; backends with one: \(with.joined(separator: ", "))"))
        }
        return backward
    }

    /// The tiling of the backward: the backward profile's token counts over 1-D tiles, or the forward mapping's tile
    /// shapes where it tiles several axes (a multi-dimensional backward keeps the forward's boxes).
    static func backwardTiling(_ mapping: GPUMapping, backward: BackwardKernel) -> MaskTiling {
        guard mapping.tiling == .single_dim else { return mapping.maskTiling }
        var tiling = mapping.maskTiling
        tiling.qTile = [backward.qTileTokens ?? mapping.qTileTokens]
        tiling.kvTile = [backward.kvTileTokens ?? mapping.kvTileTokens]
        return tiling
    }

    /// Times the backward of `workload` (or of the dense problem with `dense`) under the forward `mapping`.
    static func backward(hardware: HardwareSpec, profile forward: KernelProfile, backend: String, workload: Workload,
                         mapping: GPUMapping, dense: Bool, launch: KernelChoice.Launch) throws(Diagnostic) -> BackwardRun {
        var spec = try backwardKernel(hardware, backend: backend, profile: forward, file: workload.file)
        if let dq = mapping.dq {
            guard spec.variants.contains(dq) else {
                throw Diagnostic(file: workload.file, path: "kernel.dq",
                                 message: "backend `\(backend)` forms dQ \(spec.variants.map(\.rawValue).joined(separator: " or ")) "
                                    + "(its `backward.dq` in \(hardware.file)), not \(dq.rawValue)")
            }
            spec.dq = dq
        }
        let deterministic = workload.kernel?.deterministic == true && spec.dq == .atomic
        if deterministic && !spec.deterministic {
            throw Diagnostic(file: workload.file, path: "kernel.deterministic",
                             message: "backend `\(backend)` has no deterministic backward (its `backward:` in \(hardware.file) "
                                + "has no `deterministic: true`); drop `deterministic`, or use a backend whose dQ is a separate "
                                + "pass (deterministic already)")
        }
        let profile = spec.profile(from: forward)
        let problem = workload.problem
        let tiling = backwardTiling(mapping, backward: spec)
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        let mask = workload.mask
        let kvGrid = dense
            ? QTileGrid.denseKVMajor(queries: problem.queryTokens, keys: problem.keyTokens, qTile: tq, kvTile: tkv)
            : mask.combinedKVMajorGrid(tiling, queries: problem.queryTokens, keys: problem.keyTokens)
        let layout = GPUHeadLayout(problem, perHeadMasks: !dense && mask.headPatterns > 1, qTileTokens: tkv)
        let evaluation = dense ? MaskEvaluation.none : MaskEvaluation(workload)
        let maskAll = !dense && profile.maskScope == .problem && !mask.kernelSkipsElementMask(tiling)
        let bytes = problem.dtype.bytes
        let rows = Double(problem.batch * problem.heads) * Double(problem.queryTokens)
        let e = Double(problem.headDim), f = Double(problem.valueDim)
        let bandwidth = hardware.offChip.bandwidth ?? .infinity
        let launchTime = hardware.launchOverhead ?? 0
        var kernels: [(name: String, run: GPUSimulation)] = []

        // The deterministic mode's dQ buffers, one per CTA of an instance (1 otherwise).
        var buffers = 1.0
        var mainGrid = kvGrid
        var ownTiles = 1.0
        if deterministic {
            let splits = ceilDiv(hardware.units?.count ?? 1, layout.instances)
            mainGrid = Self.deterministicGrid(kvGrid, splits: splits, heads: layout.headsPerInstance)
            buffers = Double(splits)
            ownTiles = Double(kvGrid.tiles.count) / Double(max(1, mainGrid.tiles.count))
        }
        if spec.preprocess {
            // Reads O and dO, writes D (fp32); zeroes the fp32 dQ buffer(s) when dQ is accumulated atomically.
            var traffic = rows * (2 * f * bytes + 4)
            if spec.dq == .atomic { traffic += rows * e * 4 * buffers }
            kernels.append(("preprocess", .memoryKernel(bytes: traffic, bandwidth: bandwidth, launch: launchTime)))
        }
        var (_, main) = try call(hardware: hardware, profile: profile, problem: problem, grid: mainGrid,
                                 qTileTokens: tkv, kvTileTokens: tq, layout: layout, kvSplits: 1, persistent: false,
                                 mask: evaluation, maskAllTiles: maskAll, launch: .graph,
                                 work: .backwardKeyValue(dq: spec.dq == .atomic), ownTilesPerCTA: ownTiles)
        if spec.dq == .atomic {
            // The fp32 dQ buffer(s) leave L2 for DRAM once (the atomics land in L2).
            main.dramBytes += rows * e * 4 * buffers
        }
        kernels.append(("dk_dv" + (spec.dq == .atomic ? "_dq_atomic" : ""), main))
        switch spec.dq {
        case .atomic:
            // Reads the fp32 dQ buffer(s), writes dQ in the input dtype.
            kernels.append(("convert_dq", .memoryKernel(bytes: rows * e * (4 * buffers + bytes), bandwidth: bandwidth,
                                                        launch: launchTime)))
        case .separate:
            var qGrid = dense
                ? QTileGrid.dense(queries: problem.queryTokens, keys: problem.keyTokens, qTile: tq, kvTile: tkv)
                : mask.combinedTileGrid(tiling)
            if !dense, profile.skippedTile != nil { qGrid = scanning(qGrid, workload: workload, tiling: tiling) }
            let qLayout = GPUHeadLayout(problem, perHeadMasks: !dense && mask.headPatterns > 1, qTileTokens: tq)
            var (_, dq) = try call(hardware: hardware, profile: profile, problem: problem, grid: qGrid,
                                   qTileTokens: tq, kvTileTokens: tkv, layout: qLayout, kvSplits: 1, persistent: false,
                                   mask: evaluation, maskAllTiles: maskAll, launch: .graph, work: .backwardQuery)
            // The dQ programs share the KV-major programs' launch.
            dq.time = max(0, dq.time - launchTime)
            kernels.append(("dq", dq))
        }
        var total = GPUSimulation.sequence(kernels.map(\.run))
        if launch == .eager { total = total.waitingForHost(profile.hostOverhead) }
        return BackwardRun(kernels: kernels, kvMajorGrid: kvGrid, tiling: tiling, total: total)
    }
}

extension GPUEngine {
    /// The deterministic backward's grid: per head of the instance, `splits` CTAs, CTA s owning KV tiles s, s + splits,
    /// s + 2·splits, … (their visits summed).
    /// - Complexity: O(KV tiles).
    static func deterministicGrid(_ grid: QTileGrid, splits: Int, heads: Int) -> QTileGrid {
        let perHead = max(1, grid.tiles.count / max(1, heads))
        var tiles: [QTileVisit] = []
        for head in 0..<max(1, heads) {
            let segment = grid.tiles[(head * perHead) ..< min((head + 1) * perHead, grid.tiles.count)]
            let count = min(splits, segment.count)
            var grouped = [QTileVisit](repeating: QTileVisit(visited: 0, full: 0), count: count)
            for (index, tile) in segment.enumerated() {
                grouped[index % count].visited += tile.visited
                grouped[index % count].full += tile.full
                grouped[index % count].skipped += tile.skipped
            }
            tiles += grouped
        }
        var result = grid
        result.tiles = tiles
        return result
    }
}

extension GPUSimulation {
    /// A memory-bound elementwise kernel: its launch, then `bytes` at the off-chip bandwidth.
    static func memoryKernel(bytes: Double, bandwidth: Double, launch: Double) -> GPUSimulation {
        GPUSimulation(time: launch + bytes / bandwidth, ctas: 0, slots: 0, ctasPerSM: 0, waves: 0, waveEfficiency: 0,
                      smBusy: [], dramBytes: bytes, executedFLOPs: 0, bottleneck: "memory", trace: [])
    }

    /// Kernels run one after another: times, bytes and FLOPs add; the SMs' busy fractions are time-weighted; the
    /// grid figures (CTAs, waves, slots) and the bottleneck are those of the longest kernel; traces are laid end to end.
    static func sequence(_ runs: [GPUSimulation]) -> GPUSimulation {
        guard var result = runs.max(by: { $0.time < $1.time }) else {
            return .memoryKernel(bytes: 0, bandwidth: .infinity, launch: 0)
        }
        let time = runs.reduce(0) { $0 + $1.time }
        let sms = runs.map(\.smBusy.count).max() ?? 0
        var busy = [Double](repeating: 0, count: sms)
        for run in runs {
            for (sm, fraction) in run.smBusy.enumerated() { busy[sm] += fraction * run.time }
        }
        result.smBusy = time > 0 ? busy.map { $0 / time } : busy
        result.waveEfficiency = time > 0 ? runs.reduce(0) { $0 + $1.waveEfficiency * $1.time } / time : 0
        var offset = 0.0
        var trace: [TraceSlice] = []
        for run in runs {
            trace += run.trace.map { var slice = $0; slice.start += offset; return slice }
            offset += run.time
        }
        result.trace = trace
        result.time = time
        result.dramBytes = runs.reduce(0) { $0 + $1.dramBytes }
        result.executedFLOPs = runs.reduce(0) { $0 + $1.executedFLOPs }
        result.combineTime = runs.reduce(0) { $0 + $1.combineTime }
        return result
    }
}
