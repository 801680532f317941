/// Multi-dimensional tiling: separable per axis (references.md [NATTEN-src] `get_trip_count`).
extension TileWork {
    /// Per-axis tile work of one Q tile: KV tiles visited and full along this axis.
    struct AxisTile: Sendable, Equatable {
        var visited: Int
        var full: Int
    }

    /// The Q tiles along one axis, over all its dilation groups, each with its visited and full KV tile counts.
    /// - Complexity: O(L / TQ + visited tiles).
    static func axisTiles(_ axis: GNAAxis, qTile: Int, kvTile: Int, kvTiling: KernelChoice.KVTiling) -> [AxisTile] {
        var tiles: [AxisTile] = []
        for group in 0..<axis.dilation {
            let n = axis.groupLength(group)
            var q0 = 0
            while q0 < n {
                var tile = AxisTile(visited: 0, full: 0)
                forEachKVTile(axis, groupLength: n, qStart: q0, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling) { _, full in
                    tile.visited += 1
                    if full { tile.full += 1 }
                }
                tiles.append(tile)
                q0 += qTile
            }
        }
        return tiles
    }

    /// The KV tiles (in-group key ranges) that the Q tile of in-group queries [q0, q0 + qTile) visits along one
    /// axis, and whether every real query of the tile attends all of a tile's keys (a full tile): the union of
    /// the tile's windows cut into KV tiles (a static grid from 0, or dynamic from the union's start, clipped at
    /// its end), full when inside the windows' common part (windows are monotone in q). A tile clipped by the axis
    /// end counts as ending there. CPU kernels walk the same tiles this counts.
    @inlinable
    public static func forEachKVTile(_ axis: GNAAxis, groupLength n: Int, qStart q0: Int, qTile: Int, kvTile t: Int,
                                     kvTiling: KernelChoice.KVTiling, _ body: (Range<Int>, Bool) -> Void) {
        let q1 = min(q0 + qTile, n) - 1          // last real query of the tile
        let first = axis.keys(ofQuery: q0, groupLength: n)
        let last = axis.keys(ofQuery: q1, groupLength: n)
        let union = first.lowerBound ..< last.upperBound
        let common = last.lowerBound ..< max(last.lowerBound, first.upperBound)
        var begin = kvTiling == .static ? (union.lowerBound / t) * t : union.lowerBound
        let stop = union.upperBound
        while begin < stop {
            let end = kvTiling == .static ? min(begin + t, n) : min(begin + t, stop)
            body(begin ..< end, begin >= common.lowerBound && end <= common.upperBound)
            begin += t
        }
    }

    static func multiDimensional(mask: GNAMask, qTile: [Int], kvTile: [Int],
                                 kvTiling: KernelChoice.KVTiling) -> TileWork {
        var qTiles = 1, visited = 1, full = 1, worst = 1, worstFull = 1
        for (i, axis) in mask.axes.enumerated() {
            let tiles = axisTiles(axis, qTile: qTile[i], kvTile: kvTile[i], kvTiling: kvTiling)
            qTiles *= tiles.count
            visited *= tiles.reduce(0) { $0 + $1.visited }
            full *= tiles.reduce(0) { $0 + $1.full }
            // The worst Q tile is the product of per-axis worst tiles; among equally bad ones take the fewest full.
            let axisWorst = tiles.max { ($0.visited, -$0.full) < ($1.visited, -$1.full) }!
            worst *= axisWorst.visited
            worstFull *= axisWorst.full
        }
        return TileWork(qTile: qTile, kvTile: kvTile, tiling: .multi_dim, kvTiling: kvTiling, qTiles: qTiles,
                        kvTilesSelfAttention: selfAttentionTiles(mask, kvTile: kvTile, tiling: .multi_dim),
                        visited: visited, full: full, worstVisited: worst, worstFull: worstFull,
                        visitedRange: visited, worstVisitedRange: worst)
    }

    /// Per axis, the most KV tiles a Q tile visits and K_SA along that axis: the axis' factor of the tile-wise
    /// bound, which is separable (used by the stride sweep).
    static func axisFactor(_ axis: GNAAxis, qTile: Int, kvTile: Int, kvTiling: KernelChoice.KVTiling)
        -> (worst: Int, selfAttention: Int) {
        let tiles = axisTiles(axis, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling)
        return (tiles.map(\.visited).max() ?? 0, ceilDiv(axis.length, kvTile))
    }
}
