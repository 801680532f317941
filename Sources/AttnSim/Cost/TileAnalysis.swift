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

    /// Generic so a caller holding a concrete family (`attnsim gna`'s `GNAMask`) gets a specialized path.
    /// - Parameters: `queries`, `keys`: the problem's P and M tokens.
    public init<M: Mask>(mask: M, queries: Int, keys: Int, tiling: MaskTiling) {
        self.tiling = tiling
        patterns = mask.headPatterns
        work = mask.combinedTileWork(tiling)
        if patterns > 1 { work.kvTilesSelfAttention = mask.tileGrid(tiling, head: 0).denseKVTiles }
        let flop = mask.attendedPairs.map { Double(queries) * Double(keys) / $0 }
        bounds = TileBounds(work: work, flop: flop, queries: queries, keys: keys, patterns: patterns)
        kernelSkipsMask = mask.kernelSkipsElementMask(tiling)
    }

    /// The contract's `tiles` object (counts per (batch, head) instance; summed over heads for per-head masks).
    public var tilesRecord: SimulationRecord.Tiles {
        SimulationRecord.Tiles(qTiles: work.qTiles, kvTilesSelfAttention: work.kvTilesSelfAttention, visited: work.visited,
                               full: work.full, partial: work.partial, worstVisited: work.worstVisited,
                               worstFull: work.worstFull, tiling: work.tiling.rawValue, kvTiling: work.kvTiling.rawValue,
                               qTile: work.qTile, kvTile: work.kvTile, headPatterns: patterns > 1 ? patterns : nil)
    }

    /// `block_sparse`: the exact verdict and the kernel's fast-path predicate.
    public var blockSparseRecord: SimulationRecord.BlockSparse {
        SimulationRecord.BlockSparse(exact: work.isFullyBlockSparse, kernelFastPath: kernelSkipsMask)
    }
}

/// The backward's view of a mask under a tiling: its KV-major grid (`Mask.kvMajorGrid`) counted as tile work with the
/// roles swapped (`qTiles` are KV tiles, `kvTilesSelfAttention` the Q tiles a KV tile meets in dense attention,
/// `worstVisited` the Q tiles of the busiest KV tile), and the tile bounds of a grid of KV-major CTAs: what `simulate`
/// reports under `tiles.kv_major` and `attnsim gna --backward` prints.
public struct KVMajorAnalysis: Sendable {
    public var work: TileWork
    public var bounds: TileBounds

    /// - Parameters: `grid`, the KV-major grid already counted (the GPU engine's), else counted here.
    public init(mask: some Mask, queries: Int, keys: Int, tiling: MaskTiling, grid: QTileGrid? = nil) {
        let grid = grid ?? mask.combinedKVMajorGrid(tiling, queries: queries, keys: keys)
        let swapped = MaskTiling(qTile: tiling.kvTile, kvTile: tiling.qTile, tiling: tiling.tiling, kvTiling: .static)
        work = TileWork(grid: grid, tiling: swapped)
        bounds = TileBounds(work: work, flop: nil, queries: keys, keys: queries, patterns: mask.headPatterns)
    }

    /// `tiles.kv_major`.
    public var record: SimulationRecord.Tiles.KVMajor {
        .init(kvTiles: work.qTiles, qTilesSelfAttention: work.kvTilesSelfAttention, visited: work.visited, full: work.full,
              partial: work.partial, worstVisited: work.worstVisited)
    }
}
