/// A mask's tile work under a kernel's tiling, with the bounds it gives and whether a kernel can skip the element
/// mask: what `attnsim simulate` reports under `tiles`, `bounds` and `block_sparse` for any mask family.
public struct TileAnalysis: Sendable {
    public var tiling: MaskTiling
    public var work: TileWork
    public var bounds: TileBounds
    /// Head patterns summed in `work` (per-head masks), 1 otherwise.
    public var patterns: Int
    /// Whether a `problem`-scope kernel skips the element mask (NATTEN's fast-path predicate for GNA).
    public var kernelSkipsMask: Bool

    public init(mask: any Mask, problem: Problem, tiling: MaskTiling) {
        self.tiling = tiling
        patterns = mask.headPatterns
        work = mask.combinedTileWork(tiling)
        if patterns > 1 { work.kvTilesSelfAttention = mask.tileGrid(tiling, head: 0).denseKVTiles }
        bounds = TileBounds(work: work, flop: mask.flopSpeedup(problem), queries: problem.queryTokens,
                            keys: problem.keyTokens, patterns: patterns)
        kernelSkipsMask = mask.kernelSkipsElementMask(tiling)
    }

    /// The contract's `tiles` object (counts per (batch, head) instance; summed over heads for per-head masks).
    public var tilesJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [
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
        ]
        if patterns > 1 { pairs.append(("head_patterns", .number(Double(patterns)))) }
        return .object(pairs)
    }

    /// `block_sparse`: the exact verdict and the kernel's fast-path predicate.
    public var blockSparseJSON: JSONValue {
        .object([("exact", .bool(work.isFullyBlockSparse)), ("kernel_fast_path", .bool(kernelSkipsMask))])
    }
}
