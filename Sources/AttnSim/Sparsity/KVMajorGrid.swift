/// The KV-major view of a mask, the work list of a backward kernel's grid: every KV tile of one instance with the Q
/// tiles that touch it (FlashAttention-2's backward, references.md [FlashAttention-2] Algorithm 2, runs one CTA per
/// KV tile and walks the Q tiles; NATTEN's backward walks a key's inverse neighbourhood, references.md [NATTEN-src]
/// `get_bwd_win_start/end`).
///
/// It is a `QTileGrid` with the roles of the axes swapped: `tiles[j]` is KV tile j, its `visited` the Q tiles whose
/// pair with it holds an attended score, `full` those whose every score is attended; `denseKVTiles` is the Q tiles
/// of the dense problem, `qTileTokens` the KV tile's tokens and `kvTileTokens` the Q tile's. Transposing the pairs
/// keeps their count: Σ visited and Σ full equal the Q-major grid's (tested), while the worst tile differs (a
/// sliding window's last KV tiles see fewer queries; a causal mask's first KV tile is seen by every Q tile).
///
/// ```swift
/// let grid = mask.kvMajorGrid(MaskTiling(qTile: [128], kvTile: [128]), head: 0, queries: 8192, keys: 8192)
/// grid.tiles.count      // KV tiles
/// grid.tiles[0].visited // Q tiles that touch the first KV tile
/// ```
extension Mask {
    /// Any mask, from the Q-major walk of its covered tiles (`forEachCoveredTile`): each visited pair is counted on
    /// its KV tile. Exact for every family; as fast as the family's `cover`.
    /// - Complexity: O(P/TQ · reached KV tiles) covers.
    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        QTileGrid.kvMajorCovering(self, tiling, head: head, queries: queries, keys: keys)
    }

    /// `kvMajorGrid` over every head pattern, concatenated as `combinedTileGrid` does.
    public func combinedKVMajorGrid(_ tiling: MaskTiling, queries: Int, keys: Int) -> QTileGrid {
        guard headPatterns > 1 else { return kvMajorGrid(tiling, head: 0, queries: queries, keys: keys) }
        return QTileGrid.concatenating((0..<headPatterns).map {
            kvMajorGrid(tiling, head: $0, queries: queries, keys: keys)
        })
    }
}

extension QTileGrid {
    /// The KV-major grid of any mask over 1-D tiles, from its covers.
    public static func kvMajorCovering(_ mask: some Mask, _ tiling: MaskTiling, head: Int, queries: Int,
                                       keys: Int) -> QTileGrid {
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        var tiles = [QTileVisit](repeating: QTileVisit(visited: 0, full: 0), count: ceilDiv(keys, tkv))
        mask.forEachCoveredTile(queries: queries, keys: keys, qTile: tq, kvTile: tkv, head: head) { _ in
        } kvTile: { tile, cover in
            tiles[tile].visited += 1
            if cover == .full { tiles[tile].full += 1 }
        }
        return QTileGrid(tiles: tiles, denseKVTiles: ceilDiv(queries, tq), qTileTokens: tkv, kvTileTokens: tq)
    }

    /// Dense attention seen from the keys: every KV tile is touched by every Q tile, all full.
    public static func denseKVMajor(queries: Int, keys: Int, qTile: Int, kvTile: Int) -> QTileGrid {
        let q = ceilDiv(queries, qTile)
        return QTileGrid(tiles: Array(repeating: QTileVisit(visited: q, full: q), count: ceilDiv(keys, kvTile)),
                         denseKVTiles: q, qTileTokens: kvTile, kvTileTokens: qTile)
    }

    /// Causal attention (query i sees keys ≤ i + M − P) seen from the keys: KV tile [k0, k1] is touched by the Q
    /// tiles holding a query at or after position k0 − (M − P), and full for those whose first query is at or after
    /// k1 − (M − P).
    /// - Complexity: O(M / TKV).
    public static func causalKVMajor(queries p: Int, keys m: Int, qTile: Int, kvTile: Int) -> QTileGrid {
        let qTiles = ceilDiv(p, qTile)
        var tiles: [QTileVisit] = []
        var k0 = 0
        while k0 < m {
            let k1 = min(k0 + kvTile, m) - 1
            // Query i attends key k when i ≥ k − (M − P); the first such query of the tile's first key, then its last key.
            let firstAny = max(0, k0 - (m - p))
            let firstAll = max(0, k1 - (m - p))
            let visited = firstAny >= p ? 0 : qTiles - firstAny / qTile
            // A Q tile is full when its first query sees the tile's last key.
            let full = firstAll >= p ? 0 : qTiles - ceilDiv(firstAll, qTile)
            tiles.append(QTileVisit(visited: visited, full: min(full, visited)))
            k0 += kvTile
        }
        return QTileGrid(tiles: tiles, denseKVTiles: qTiles, qTileTokens: kvTile, kvTileTokens: qTile)
    }
}
