/// Everything attnsim knows about one GNA problem without a device: the exact work, the tile work of a
/// tiling, the speedup bounds and the block-sparsity verdicts. `attnsim gna` prints it; `attnsim simulate`
/// reports the same `TileAnalysis` for every mask family.
public struct GNAAnalysis: Sendable {
    public var mask: GNAMask
    public var tiles: TileAnalysis

    public init(mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling,
                kvTiling: KernelChoice.KVTiling) {
        self.mask = mask
        tiles = TileAnalysis(mask: mask, queries: mask.tokens, keys: mask.tokens,
                             tiling: MaskTiling(qTile: qTile, kvTile: kvTile, tiling: tiling, kvTiling: kvTiling))
    }

    public var work: TileWork { tiles.work }
    public var bounds: TileBounds { tiles.bounds }
    /// NATTEN's closed-form predicate: would Hopper/Blackwell FNA skip masking (references.md [NATTEN-src] fna_fusion.hpp)?
    public var kernelFastPath: Bool { tiles.kernelSkipsMask }
    public var tilesRecord: SimulationRecord.Tiles { tiles.tilesRecord }
    public var blockSparseRecord: SimulationRecord.BlockSparse { tiles.blockSparseRecord }
}
