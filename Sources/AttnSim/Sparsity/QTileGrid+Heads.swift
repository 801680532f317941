extension QTileGrid {
    /// One grid running `grids` back to back (a kernel's Q tiles of several heads, each with its own mask): the
    /// tiles in order, and the dense KV tiles of all of them (K and V of every head are distinct data).
    public static func concatenating(_ grids: [QTileGrid]) -> QTileGrid {
        guard let first = grids.first else { return QTileGrid(tiles: [], denseKVTiles: 0, qTileTokens: 1, kvTileTokens: 1) }
        return QTileGrid(tiles: grids.flatMap(\.tiles), denseKVTiles: grids.reduce(0) { $0 + $1.denseKVTiles },
                         qTileTokens: first.qTileTokens, kvTileTokens: first.kvTileTokens)
    }
}
