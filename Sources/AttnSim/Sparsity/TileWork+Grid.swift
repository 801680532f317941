extension TileWork {
    /// The counts of any mask's tile grid: Q tiles, visited and full KV tiles, the worst Q tile.
    /// - Complexity: O(Q tiles).
    public init(grid: QTileGrid, tiling: MaskTiling) {
        var worst = QTileVisit(visited: 0, full: 0)
        for tile in grid.tiles where tile.visited > worst.visited { worst = tile }
        let visited = grid.visited
        self.init(qTile: tiling.qTile, kvTile: tiling.kvTile, tiling: tiling.tiling, kvTiling: tiling.kvTiling,
                  qTiles: grid.tiles.count, kvTilesSelfAttention: grid.denseKVTiles, visited: visited, full: grid.full,
                  worstVisited: worst.visited, worstFull: worst.full, visitedRange: visited,
                  worstVisitedRange: worst.visited)
    }
}
