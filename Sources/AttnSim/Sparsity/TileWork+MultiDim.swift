/// Multi-dimensional tiling: separable per axis (references.md [NATTEN-src] `get_trip_count`).
extension TileWork {
    /// Per-axis tile work of one Q tile: KV tiles visited and full along this axis.
    struct AxisTile: Sendable, Equatable {
        var visited: Int
        var full: Int
    }

    /// The Q tiles along one axis, over all its dilation groups, each with its visited and full KV tile counts.
    /// - Complexity: O(L / TQ + d) time and memory.
    static func axisTiles(_ axis: GNAAxis, qTile: Int, kvTile: Int, kvTiling: KernelChoice.KVTiling) -> [AxisTile] {
        var tiles: [AxisTile] = []
        tiles.reserveCapacity(qTileCount(axis, qTile: qTile))
        forEachAxisTile(axis, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling) { tiles.append($0) }
        return tiles
    }

    /// Q tiles along one axis over all its dilation groups: Σ_g ⌈n_g / TQ⌉.
    static func qTileCount(_ axis: GNAAxis, qTile: Int) -> Int {
        (0..<axis.dilation).reduce(0) { $0 + ceilDiv(axis.groupLength($1), qTile) }
    }

    /// Each Q tile along one axis (all dilation groups, in order) with its KV tile counts.
    /// - Complexity: O(L / TQ + d) time, O(1) memory.
    static func forEachAxisTile(_ axis: GNAAxis, qTile: Int, kvTile: Int, kvTiling: KernelChoice.KVTiling,
                                _ body: (AxisTile) -> Void) {
        for group in 0..<axis.dilation {
            let n = axis.groupLength(group)
            var q0 = 0
            while q0 < n {
                body(kvTileCounts(axis, groupLength: n, qStart: q0, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling))
                q0 += qTile
            }
        }
    }

    /// The KV tiles `forEachKVTile` walks for one Q tile, counted in O(1) instead of visited one by one (a
    /// 1-token KV tile under a million-token window is a million steps per Q tile there): tile k of the walk starts
    /// at b₀ + k·t and is full when it starts at or after the windows' common start and ends by their common end.
    static func kvTileCounts(_ axis: GNAAxis, groupLength n: Int, qStart q0: Int, qTile: Int, kvTile t: Int,
                             kvTiling: KernelChoice.KVTiling) -> AxisTile {
        let q1 = min(q0 + qTile, n) - 1
        let first = axis.keys(ofQuery: q0, groupLength: n)
        let last = axis.keys(ofQuery: q1, groupLength: n)
        let stop = last.upperBound
        let commonStart = last.lowerBound
        let commonEnd = max(last.lowerBound, first.upperBound)
        let begin0 = kvTiling == .static ? (first.lowerBound / t) * t : first.lowerBound
        guard stop > begin0 else { return AxisTile(visited: 0, full: 0) }
        let count = ceilDiv(stop - begin0, t)
        // Tile ends are clipped at `limit` (the axis end, or the union's end for dynamic tiling).
        let limit = kvTiling == .static ? n : stop
        let firstFull = commonStart > begin0 ? ceilDiv(commonStart - begin0, t) : 0
        let lastFull: Int
        if limit <= commonEnd {
            lastFull = count - 1                                   // every tile ends by the common end
        } else {
            let room = commonEnd - t - begin0                      // begin + t ≤ commonEnd
            lastFull = room < 0 ? -1 : min(count - 1, room / t)
        }
        return AxisTile(visited: count, full: max(0, lastFull - firstFull + 1))
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
            var count = 0, axisVisited = 0, axisFull = 0
            var axisWorst = AxisTile(visited: 0, full: 0)
            forEachAxisTile(axis, qTile: qTile[i], kvTile: kvTile[i], kvTiling: kvTiling) { tile in
                count += 1
                axisVisited += tile.visited
                axisFull += tile.full
                // The worst Q tile is the product of per-axis worst tiles; among equally bad ones take the fewest full.
                if count == 1 || (axisWorst.visited, -axisWorst.full) < (tile.visited, -tile.full) { axisWorst = tile }
            }
            qTiles *= count
            visited *= axisVisited
            full *= axisFull
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
        var worst = 0
        forEachAxisTile(axis, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling) { worst = max(worst, $0.visited) }
        return (worst, ceilDiv(axis.length, kvTile))
    }
}
