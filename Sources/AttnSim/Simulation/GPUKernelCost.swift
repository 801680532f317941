/// What the kernel's mask function does per element of a partially masked tile: the family's operations
/// (`Mask.elementWork`; the table lookups instead with `mask_params: table`), whether its parameters are compiled in
/// or read from a tensor (`kernel.mask_params`), and
/// the workload's override of the operation count (`kernel.mask_cost.ops_per_element`).
public struct MaskEvaluation: Sendable, Equatable {
    public var work: MaskElementWork
    public var parameters: KernelChoice.MaskParams
    public var opsPerElement: Double?

    public init(work: MaskElementWork, parameters: KernelChoice.MaskParams = .constant, opsPerElement: Double? = nil) {
        self.work = work
        self.parameters = parameters
        self.opsPerElement = opsPerElement
    }

    public init(_ workload: Workload) {
        let parameters = workload.kernel?.maskParams ?? .constant
        let work = parameters == .table ? MaskElementWork.tableLookup(axes: workload.mask.elementWork.axes)
            : workload.mask.elementWork
        self.init(work: work, parameters: parameters,
                  opsPerElement: workload.kernel?.maskOpsPerElement)
    }

    public static let none = MaskEvaluation(work: .none)
}

/// What one CTA's work costs on one SM (or one Q tile's on one CPU core) for a backend profile: its tensor-core
/// work, its DRAM bytes, the factor for a partially masked tile, the fixed cost per CTA, and how many CTAs fit on an
/// SM at once. `GPUSimulation` shares the SMs and the bandwidth among the CTAs that run.
///
/// - Compute: a tile does 2·TQ·TKV·(E + F) FLOP at `efficiency` × one SM's dense peak (`computeTileTime` is a
///   tile's time when r CTAs share the SM, each at 1/r; `soloWork` a CTA's work with the SM to itself).
/// - Memory: a CTA reads its Q tile and writes its O tile, TQ·(E + F) elements; a KV tile is TKV·(E + F)
///   elements, and the CTAs of one (batch, head) share its K and V through L2, so DRAM serves each KV tile once
///   per instance (or once per wave of the instance's Q tiles when its K and V outgrow its share of L2). With
///   grouped-query attention the `kvSharing` consecutive instances of a group read one K/V head: DRAM serves it once
///   per group when the group's K and V stay in L2 or its CTAs run in one wave.
/// - Split-KV (`kvSplits` > 1, FlashDecoding): a CTA reads its Q tile and writes a partial output in fp32 and its
///   log-sum-exp, R·(F + 1)·4 bytes for the R query rows of its Q tile (references.md [FlashAttention-src]
///   `out_accum`, `softmax_lse_accum`); a second kernel combines the partials (`GPUEngine`).
/// - A CTA alone draws at most its in-flight bytes (`stages` K/V tiles) over the DRAM latency (`ctaBandwidth`).
/// - Occupancy: shared memory holds the Q tile and `stages` K and V tiles (fewer stages where the profile's do not fit,
///   down to one); registers hold the fp32 output
///   accumulator and score tile (TQ·(F + TKV)·4 bytes) out of the 64K 32-bit registers every NVIDIA SM since
///   Volta has (CUDA C++ Programming Guide, "Compute Capabilities" table).
public struct GPUKernelCost: Sendable, Equatable {
    public var sms: Int
    public var ctasPerSM: Int
    /// Seconds of one full KV tile's tensor-core work when every slot of the SM is busy.
    public var computeTileTime: Double
    /// Seconds to stream one visited KV tile's DRAM bytes at one slot's share of the bandwidth.
    public var memoryTileTime: Double
    /// DRAM bytes of one CTA's Q tile (read) and O tile (written).
    public var qoBytesPerCTA: Double = 0
    /// Off-chip bandwidth the CTAs share, bytes per second.
    public var bandwidth: Double = .infinity
    /// The most one CTA draws alone, bytes per second: the bytes it keeps in flight (its K/V pipeline stages) over
    /// the off-chip level's `latency` (Little's law); infinite where the hardware file gives no latency.
    public var ctaBandwidth: Double = .infinity
    public var maskedTileCost: Double
    /// Every visited tile pays the mask (a `problem`-scope kernel on a problem that is not fully block-sparse).
    public var maskAllTiles = false
    public var perCTA: Double
    /// SM seconds per KV tile a CTA walks past without computing, when every slot of the SM is busy
    /// (`KernelProfile.skippedTile`; 0 for kernels that read a list of the tiles they compute).
    public var skippedTileTime: Double = 0
    public var launch: Double
    /// DRAM bytes of one visited KV tile, after L2 hits.
    public var dramBytesPerTile: Double
    /// Bytes of one KV tile (K and V).
    public var kvTileBytes: Double
    public var tileFLOPs: Double

    public var slots: Int { sms * ctasPerSM }

    static let registerFileBytes = 65_536.0 * 4
    /// Rows of one tensor-core matrix multiply: `mma.sync.m16n8k16` (PTX ISA, "Warp-level matrix multiply-accumulate
    /// instructions"), the smallest M a CTA can issue for bf16/fp16.
    static let mmaRows = 16

    /// A cost given directly (tests, calibration tools).
    public init(sms: Int, ctasPerSM: Int, computeTileTime: Double, memoryTileTime: Double,
                maskedTileCost: Double, perCTA: Double, launch: Double, dramBytesPerTile: Double, kvTileBytes: Double,
                tileFLOPs: Double) {
        self.sms = sms
        self.ctasPerSM = ctasPerSM
        self.computeTileTime = computeTileTime
        self.memoryTileTime = memoryTileTime
        self.maskedTileCost = maskedTileCost
        self.perCTA = perCTA
        self.launch = launch
        self.dramBytesPerTile = dramBytesPerTile
        self.kvTileBytes = kvTileBytes
        self.tileFLOPs = tileFLOPs
    }

    /// - Parameters: `grid` (unsplit) gives the KV reuse (unique KV tiles per instance vs visited), `instances` the
    ///   number of (batch, head) problems sharing L2, `kvSharing` how many consecutive instances read the same K and
    ///   V (a GQA group; 1 without GQA or with the group packed into one CTA), `kvSplits` the CTAs per Q tile and
    ///   `queryRows` the query rows of an instance (the rows of a split CTA's Q tile and partial output, at most TQ),
    ///   `headsPerInstance` the heads `grid` holds one after another, each with its own K and V (per-head masks).
    public init(hardware: HardwareSpec, profile: KernelProfile, problem: Problem, qTileTokens tq: Int,
                kvTileTokens tkv: Int, grid: QTileGrid, instances: Int, mask: MaskEvaluation = .none, kvSharing: Int = 1,
                kvSplits: Int = 1, queryRows: Int? = nil, headsPerInstance: Int = 1,
                work: KernelWork = .forward) throws(Diagnostic) {
        guard hardware.kind != .spatial, let units = hardware.units, let peak = hardware.peakFLOPs(problem.dtype) else {
            throw Diagnostic(file: hardware.file, message: "\(hardware.name) has no peak for \(problem.dtype.rawValue) per unit")
        }
        let bytes = problem.dtype.bytes
        let e = Double(problem.headDim), f = Double(problem.valueDim)
        let smem = hardware.memory.first { $0.perUnit }?.size ?? 228 * 1024
        // A kernel compiled for a large head dimension pipelines fewer K/V stages so that its tiles fit in shared
        // memory (FlashAttention's and Triton's configurations do): the most stages, up to the profile's, that fit.
        // The CTA's own tile (`tq` tokens) stays in shared memory while the streamed tiles (`tkv` tokens) pass
        // through `stages` buffers; its fp32 accumulators and score tiles sit in registers (`KernelWork`).
        let streamed = work.streamedBytesPerToken(headDim: e, valueDim: f, bytes: bytes)
        let stageBytes = Double(tkv) * streamed, qBytes = Double(tq) * work.ownBytesPerToken(headDim: e, valueDim: f, bytes: bytes)
        let stages = max(1, min(Double(profile.stages ?? 2), ((smem - qBytes) / stageBytes).rounded(.down)))
        let smemPerCTA = qBytes + stages * stageBytes
        let regsPerCTA = work.registerBytes(ownTokens: Double(tq), streamedTokens: Double(tkv), headDim: e, valueDim: f)
        let fit = min(smem / smemPerCTA, Self.registerFileBytes / regsPerCTA)
        sms = units.count
        // A CPU runs one work item per core (one thread each); a GPU SM as many CTAs as fit.
        ctasPerSM = hardware.kind == .cpu ? 1 : max(1, min(32, Int(fit.rounded(.down))))
        let smPeak = peak / Double(units.count) * (profile.efficiency(headDim: problem.headDim) ?? 1)
        // A CTA with fewer query rows than its tile (decode: one token, or a GQA group packed) multiplies only the
        // rows it has, padded to the tensor cores' MMA height (`mmaRows`), as decode kernels do (cuDNN's measured on
        // the H200 is 16×128×128; FlashDecoding packs the group into the M dimension).
        let rows = min(tq, queryRows.map { ceilDiv(max(1, $0), Self.mmaRows) * Self.mmaRows } ?? tq)
        tileFLOPs = Double(rows) * Double(tkv) * work.flopsPerPair(headDim: problem.headDim, valueDim: problem.valueDim)
        // A tile set too large for one SM still runs (spilling), but slower: charge the overflow.
        computeTileTime = tileFLOPs / smPeak * Double(ctasPerSM) / (hardware.kind == .cpu ? 1 : min(1, fit))

        kvTileBytes = Double(tkv) * streamed
        // DRAM serves each KV tile of an instance once per pass of its Q tiles: once if the instance's K and V
        // stay in its share of L2 while its CTAs run, else once per wave of its Q tiles (the CTAs of a wave
        // stream K and V in step, so within a wave L2 catches the rest).
        // A GQA group's instances share one K/V head in L2, once per group while the group's K and V stay in L2
        // (or its instances' CTAs run in one wave). A grid holding several heads (per-head masks) is that many
        // instances in a row, each with its own K and V.
        let visited = Double(grid.visited)
        let unique = Double(grid.denseKVTiles)
        let heads = max(1, headsPerInstance)
        let l2 = hardware.sharedBufferBytes
        let slots = sms * ctasPerSM
        let ctasPerHead = max(1, grid.tiles.count * kvSplits / heads)
        let activeHeads = min(instances * heads, ceilDiv(slots, ctasPerHead))
        let activeKV = Double(ceilDiv(activeHeads, max(1, kvSharing)))
        let fits = unique / Double(heads) * kvTileBytes * activeKV <= l2
        let passes = fits ? 1 : Double(ceilDiv(grid.tiles.count / heads, slots))
        let sharing = Double(fits ? max(1, kvSharing) : min(max(1, kvSharing), max(1, slots / ctasPerHead)))
        dramBytesPerTile = visited > 0 ? min(kvTileBytes, unique * passes * kvTileBytes / visited) / sharing : 0
        let bandwidth = hardware.offChip.bandwidth!
        memoryTileTime = dramBytesPerTile / (bandwidth / Double(slots))
        if kvSplits > 1 {
            let rows = Double(min(tq, queryRows ?? tq))
            qoBytesPerCTA = rows * e * bytes + rows * Self.partialBytesPerRow(valueDim: problem.valueDim)
        } else {
            qoBytesPerCTA = Double(tq) * work.ownTrafficPerToken(headDim: e, valueDim: f, bytes: bytes)
        }
        self.bandwidth = bandwidth
        if let latency = hardware.offChip.latency { ctaBandwidth = stages * stageBytes / latency }
        maskedTileCost = Self.maskedTileFactor(profile: profile, mask: mask, tileElements: Double(rows) * Double(tkv),
                                               soloTileTime: tileFLOPs / smPeak, clock: hardware.clock,
                                               headDim: problem.headDim)
        perCTA = profile.perCTA ?? 0
        skippedTileTime = profile.skippedTile ?? 0
        launch = hardware.launchOverhead ?? 0
    }

    /// What a partially masked tile costs relative to a full one. With the profile's per-operation `mask_cost`:
    /// 1 + (the tile's elements × the mask function's cycles per element ÷ the clock) ÷ the full tile's time with
    /// the SM to itself — the mask runs on the SM's integer and FP32 pipes, in series with the tile's tensor-core
    /// work; `mask_cost_by_head_dim` scales the cycles for the kernel configuration of that head dimension. Without
    /// it, the profile's fitted `masked_tile_cost` (+ `masked_tile_cost_per_axis` per token axis
    /// beyond the first).
    static func maskedTileFactor(profile: KernelProfile, mask: MaskEvaluation, tileElements: Double,
                                 soloTileTime: Double, clock: Double, headDim: Int) -> Double {
        guard let cost = profile.maskCost else {
            return (profile.maskedTileCost ?? 1) + (profile.maskedTileCostPerAxis ?? 0) * Double(max(0, mask.work.axes - 1))
        }
        let cycles = cost.cycles(mask.work, parameters: mask.parameters, opsPerElement: mask.opsPerElement)
            * profile.maskCostScale(headDim: headDim)
        return 1 + tileElements * cycles / clock / soloTileTime
    }

    /// Bytes a split-KV CTA writes per query row: its partial output row in fp32 and its log-sum-exp (fp32), as
    /// FlashAttention-2's `out_accum` and `softmax_lse_accum` (references.md [FlashAttention-src]
    /// csrc/flash_attn/flash_api.cpp, `set_params_splitkv`).
    public static func partialBytesPerRow(valueDim f: Int) -> Double { Double(f + 1) * 4 }

    /// Seconds of a CTA's work with its SM to itself: its full tiles, its partially masked tiles at
    /// `maskedTileCost` times a full one's, and the tiles it tests and skips.
    @inlinable
    public func soloWork(_ tile: QTileVisit) -> Double {
        let masked = maskAllTiles ? Double(tile.visited) : Double(tile.partial)
        return ((Double(tile.visited) - masked + masked * maskedTileCost) * computeTileTime
                + Double(tile.skipped) * skippedTileTime) / Double(ctasPerSM)
    }

    /// DRAM bytes a CTA moves: its Q and O tiles and its visited KV tiles' share after L2 hits.
    @inlinable
    public func bytes(_ tile: QTileVisit) -> Double {
        qoBytesPerCTA + Double(tile.visited) * dramBytesPerTile
    }

    /// Duration of a CTA that visits `tile` KV tiles when every slot is busy: its tensor-core work (the SM shared
    /// by `ctasPerSM` CTAs) or its transfers (the bandwidth shared by every slot), whichever is longer, then its
    /// fixed cost.
    @inlinable
    public func ctaTime(_ tile: QTileVisit) -> Double {
        perCTA + max(soloWork(tile) * Double(ctasPerSM), bytes(tile) / bandwidth * Double(slots))
    }

    /// The same costs with the tensor cores at `factor` of their peak clock (memory time unchanged).
    public func atClockFactor(_ factor: Double) -> GPUKernelCost {
        var scaled = self
        scaled.computeTileTime = computeTileTime / factor
        return scaled
    }
}

/// Which kernel of a training step a CTA runs, and so what its own tile, its streamed tiles and one (own, streamed)
/// pair of tiles hold and cost (references.md [FlashAttention-2] Algorithms 1 and 2).
///
/// | work | own tile (stays on chip) | streamed tile | FLOPs per pair of tokens | DRAM per own token |
/// |---|---|---|---|---|
/// | forward | Q (read), O (written) | K, V | 2(E + F) | (E + F) elements |
/// | backward, KV-major | K, V (read), dK, dV (written) | Q, dO, and L, Delta in fp32 | 2(3E + 2F) with dQ, 2(2E + 2F) without | 2(E + F) elements |
/// | backward, dQ pass | Q, dO, L, Delta (read), dQ (written) | K, V | 2(2E + F) | (2E + F) elements + 8 bytes |
///
/// Registers hold the own tile's fp32 accumulators (O; dK and dV; dQ) and the score tiles of one pair (S; in the
/// backward S/P and dP/dS), 4 bytes each.
public enum KernelWork: Sendable, Equatable {
    case forward
    /// A CTA owns a K, V tile and walks the Q tiles that touch it (the KV-major grid); with `dq` it also adds its
    /// share of dQ = dS K to an fp32 buffer with atomics, else a separate pass computes dQ.
    case backwardKeyValue(dq: Bool)
    /// A CTA owns a Q tile and walks its KV tiles, recomputing S and dP to form dQ (the separate dQ pass).
    case backwardQuery

    /// fp32 log-sum-exp and Delta per query row: what a backward CTA streams or holds beside Q and dO.
    static let rowStatisticsBytes = 8.0

    func flopsPerPair(headDim e: Int, valueDim f: Int) -> Double {
        switch self {
        case .forward: PassFLOPs.forward(headDim: e, valueDim: f)
        case .backwardKeyValue(let dq): dq ? PassFLOPs.backward(headDim: e, valueDim: f)
            : PassFLOPs.backwardKeyValue(headDim: e, valueDim: f)
        case .backwardQuery: PassFLOPs.backwardQuery(headDim: e, valueDim: f)
        }
    }

    /// Shared-memory bytes per token of the own tile.
    func ownBytesPerToken(headDim e: Double, valueDim f: Double, bytes: Double) -> Double {
        switch self {
        case .forward: e * bytes
        case .backwardKeyValue: (e + f) * bytes
        case .backwardQuery: (e + f) * bytes + Self.rowStatisticsBytes
        }
    }

    /// Bytes per token of a streamed tile (what DRAM or L2 serves for each visit).
    func streamedBytesPerToken(headDim e: Double, valueDim f: Double, bytes: Double) -> Double {
        switch self {
        case .forward, .backwardQuery: (e + f) * bytes
        case .backwardKeyValue: (e + f) * bytes + Self.rowStatisticsBytes
        }
    }

    /// DRAM bytes per token of the own tile, read and written once per CTA.
    func ownTrafficPerToken(headDim e: Double, valueDim f: Double, bytes: Double) -> Double {
        switch self {
        case .forward: (e + f) * bytes
        case .backwardKeyValue: 2 * (e + f) * bytes
        case .backwardQuery: (2 * e + f) * bytes + Self.rowStatisticsBytes
        }
    }

    /// Register bytes of one CTA: fp32 accumulators of the own tile and the pair's fp32 score tiles.
    func registerBytes(ownTokens t: Double, streamedTokens s: Double, headDim e: Double, valueDim f: Double) -> Double {
        switch self {
        case .forward: t * (f + s) * 4
        case .backwardKeyValue: t * (e + f + 2 * s) * 4
        case .backwardQuery: t * (e + 2 * s) * 4
        }
    }
}
