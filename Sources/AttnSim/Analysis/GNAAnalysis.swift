/// Everything attnsim knows about one GNA problem without a device: the exact work, the tile work of a
/// tiling, the speedup bounds and the block-sparsity verdicts. `attnsim gna` prints it; `attnsim simulate`
/// embeds it for `mask: {kind: gna}` workloads, so both answer from the same code.
public struct GNAAnalysis: Sendable {
    public var mask: GNAMask
    public var work: TileWork
    public var bounds: GNABounds
    /// NATTEN's closed-form predicate: would Hopper/Blackwell FNA skip masking (references.md [NATTEN-src]
    /// `is_fully_block_sparse_int`)?
    public var kernelFastPath: Bool

    public init(mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling,
                kvTiling: KernelChoice.KVTiling) {
        self.mask = mask
        work = TileWork(mask: mask, qTile: qTile, kvTile: kvTile, tiling: tiling, kvTiling: kvTiling)
        bounds = GNABounds(mask: mask, work: work)
        kernelFastPath = tiling == .multi_dim && mask.kernelFastPath(qTile: qTile, kvTile: kvTile)
    }

    /// The contract's `tiles` object (counts per (batch, head) instance).
    public var tilesJSON: JSONValue {
        .object([
            ("q_tiles", .number(Double(work.qTiles))),
            ("kv_tiles_self_attention", .number(Double(work.kvTilesSelfAttention))),
            ("visited", .number(Double(work.visited))),
            ("full", .number(Double(work.full))),
            ("partial", .number(Double(work.partial))),
            ("worst_visited", .number(Double(work.worstVisited))),
            ("worst_full", .number(Double(work.worstFull))),
            ("tiling", .string(work.tiling.rawValue)),
            ("kv_tiling", .string(work.kvTiling.rawValue)),
            ("q_tile", .array(work.qTile.map { .number(Double($0)) })),
            ("kv_tile", .array(work.kvTile.map { .number(Double($0)) })),
        ])
    }

    /// `block_sparse`: the exact verdict and the kernel's fast-path predicate.
    public var blockSparseJSON: JSONValue {
        .object([("exact", .bool(work.isFullyBlockSparse)), ("kernel_fast_path", .bool(kernelFastPath))])
    }
}

extension SimulationResult.Tiles {
    public init(_ work: TileWork) {
        self.init(qTiles: work.qTiles, kvTilesSelfAttention: work.kvTilesSelfAttention, visited: work.visited,
                  full: work.full, partial: work.partial, worstVisited: work.worstVisited)
    }
}
