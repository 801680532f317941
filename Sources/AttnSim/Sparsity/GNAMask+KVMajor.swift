/// GNA seen from the keys: the inverse neighbourhoods (references.md [NATTEN-src] `get_bwd_win_start/end`), tiled.
///
/// The mask is separable per axis (a query attends a key when it does along every axis), so a (Q tile, KV tile)
/// pair of boxes is visited when it is along every axis and full when it is along every axis: the KV-major grid
/// is the product of per-axis ones, in the row-major order of the Q-major grid. Per axis, each Q tile's KV tiles
/// (`TileWork.forEachKVTile`, the tiles the forward counts) are credited to those KV tiles. KV tiles sit on the
/// static grid of each dilation group; a dynamic KV tiling (tiles that start where a Q tile's window starts) has no
/// fixed KV tiles for a backward CTA to own, so the backward view uses the static grid there too.
extension GNAMask {
    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        let perAxis = tiling.tiling == .multi_dim || (axes.count == 1 && axes[0].dilation == 1)
        guard perAxis else { return .kvMajorCovering(self, tiling, head: head, queries: queries, keys: keys) }
        let qTile = tiling.tiling == .multi_dim ? tiling.qTile : [tiling.qTileTokens]
        let kvTile = tiling.tiling == .multi_dim ? tiling.kvTile : [tiling.kvTileTokens]
        var tiles = [QTileVisit(visited: 1, full: 1)]
        var qTiles = 1
        for (i, axis) in axes.enumerated() {
            let along = Self.axisKVMajor(axis, qTile: qTile[i], kvTile: kvTile[i])
            qTiles *= TileWork.qTileCount(axis, qTile: qTile[i])
            tiles = tiles.flatMap { outer in
                along.map { QTileVisit(visited: outer.visited * $0.visited, full: outer.full * $0.full) }
            }
        }
        return QTileGrid(tiles: tiles, denseKVTiles: qTiles, qTileTokens: tiling.kvTileTokens,
                         kvTileTokens: tiling.qTileTokens)
    }

    /// The KV tiles along one axis (every dilation group, static grid), each with the Q tiles along the axis that
    /// visit it and find it full.
    /// - Complexity: O(L / TQ · KV tiles a Q tile visits + d).
    static func axisKVMajor(_ axis: GNAAxis, qTile: Int, kvTile t: Int) -> [QTileVisit] {
        var tiles: [QTileVisit] = []
        for group in 0..<axis.dilation {
            let n = axis.groupLength(group)
            var counts = [QTileVisit](repeating: QTileVisit(visited: 0, full: 0), count: ceilDiv(n, t))
            var q0 = 0
            while q0 < n {
                TileWork.forEachKVTile(axis, groupLength: n, qStart: q0, qTile: qTile, kvTile: t,
                                       kvTiling: .static) { range, full in
                    counts[range.lowerBound / t].visited += 1
                    if full { counts[range.lowerBound / t].full += 1 }
                }
                q0 += qTile
            }
            tiles += counts
        }
        return tiles
    }
}
