/// Every Q tile of one (batch, head) instance with its visits, in launch order — the work list a GPU kernel's
/// grid runs. Built for any mask: dense, causal (queries aligned to the last keys) and GNA in either tiling.
public struct QTileGrid: Sendable, Equatable {
    public var tiles: [QTileVisit]
    /// KV tiles a Q tile of the dense problem visits.
    public var denseKVTiles: Int
    public var qTileTokens: Int
    public var kvTileTokens: Int

    /// Dense attention: every Q tile visits every KV tile, all full.
    public static func dense(queries: Int, keys: Int, qTile: Int, kvTile: Int) -> QTileGrid {
        let k = ceilDiv(keys, kvTile)
        return QTileGrid(tiles: Array(repeating: QTileVisit(visited: k, full: k), count: ceilDiv(queries, qTile)),
                         denseKVTiles: k, qTileTokens: qTile, kvTileTokens: kvTile)
    }

    /// Causal attention, query i seeing keys 0…i + (M − P): a Q tile [q0, q1] visits the KV tiles up to key
    /// q1 + M − P and finds full those that end by key q0 + M − P (a tile cut short by M counts as ending there).
    /// - Complexity: O(P / TQ).
    public static func causal(queries p: Int, keys m: Int, qTile: Int, kvTile: Int) -> QTileGrid {
        var tiles: [QTileVisit] = []
        var q0 = 0
        while q0 < p {
            let q1 = min(q0 + qTile, p) - 1
            let lastKey = q1 + m - p                 // inclusive
            let commonEnd = q0 + m - p + 1           // keys [0, commonEnd) seen by every query of the tile
            let visited = lastKey / kvTile + 1
            let full = commonEnd >= m ? ceilDiv(m, kvTile) : commonEnd / kvTile
            tiles.append(QTileVisit(visited: visited, full: min(full, visited)))
            q0 += qTile
        }
        return QTileGrid(tiles: tiles, denseKVTiles: ceilDiv(m, kvTile), qTileTokens: qTile, kvTileTokens: kvTile)
    }

    /// GNA: per Q tile of every dilation group. Multi-dimensional tiles are the product of per-axis tiles
    /// (row-major over axes, so consecutive tiles are neighbours along the last axis, as after token permutation).
    public static func gna(_ mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling,
                           kvTiling: KernelChoice.KVTiling) -> QTileGrid {
        let qTokens = qTile.reduce(1, *)
        let kvTokens = kvTile.reduce(1, *)
        switch tiling {
        case .multi_dim:
            var tiles = [QTileVisit(visited: 1, full: 1)]
            for (i, axis) in mask.axes.enumerated() {
                let axisTiles = TileWork.axisTiles(axis, qTile: qTile[i], kvTile: kvTile[i], kvTiling: kvTiling)
                tiles = tiles.flatMap { outer in
                    axisTiles.map { QTileVisit(visited: outer.visited * $0.visited, full: outer.full * $0.full) }
                }
            }
            let k = zip(mask.axes, kvTile).reduce(1) { $0 * ceilDiv($1.0.length, $1.1) }
            return QTileGrid(tiles: tiles, denseKVTiles: k, qTileTokens: qTokens, kvTileTokens: kvTokens)
        case .single_dim:
            var perTile: [QTileVisit]? = []
            let work = TileWork.singleDimensional(mask: mask, qTile: qTokens, kvTile: kvTokens, kvTiling: kvTiling,
                                                  perTile: &perTile)
            return QTileGrid(tiles: perTile ?? [], denseKVTiles: work.kvTilesSelfAttention, qTileTokens: qTokens,
                             kvTileTokens: kvTokens)
        }
    }

    public var visited: Int { tiles.reduce(0) { $0 + $1.visited } }
    public var full: Int { tiles.reduce(0) { $0 + $1.full } }
}
