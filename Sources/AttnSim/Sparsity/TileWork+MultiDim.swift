/// Multi-dimensional tiling: separable per axis (gna.md §2.3).
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
                let q1 = min(q0 + qTile, n) - 1          // last real query of the tile
                let first = axis.keys(ofQuery: q0, groupLength: n)
                let last = axis.keys(ofQuery: q1, groupLength: n)
                let union = first.lowerBound ..< last.upperBound
                // Keys every real query of the tile attends: windows are monotone in q.
                let common = last.lowerBound ..< max(last.lowerBound, first.upperBound)
                tiles.append(visit(union: union, common: common, length: n, kvTile: kvTile, kvTiling: kvTiling))
                q0 += qTile
            }
        }
        return tiles
    }

    /// KV tiles over `union` (static grid from 0, or dynamic from the union's start, clipped at its end) and how
    /// many lie inside `common`. A tile clipped by the axis end counts as ending there.
    static func visit(union: Range<Int>, common: Range<Int>, length: Int, kvTile t: Int,
                      kvTiling: KernelChoice.KVTiling) -> AxisTile {
        var tile = AxisTile(visited: 0, full: 0)
        var begin: Int
        let stop: Int
        switch kvTiling {
        case .static:
            begin = (union.lowerBound / t) * t
            stop = union.upperBound
        case .dynamic:
            begin = union.lowerBound
            stop = union.upperBound
        }
        while begin < stop {
            let end = kvTiling == .static ? min(begin + t, length) : min(begin + t, stop)
            tile.visited += 1
            if begin >= common.lowerBound && end <= common.upperBound { tile.full += 1 }
            begin += t
        }
        return tile
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
