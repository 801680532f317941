/// Single-dimensional tiling: tiles are runs of the row-major flattened sequence (references.md [GNA Fig. 5]:
/// the "curse of multi-dimensionality"). Counted exactly: a run of tokens is a union of at most 2D − 1 boxes, and
/// the neighborhoods of a box of queries are a box per axis (windows are contiguous and monotone).
extension TileWork {
    /// An axis-aligned box of token coordinates, one half-open range per axis.
    struct Box: Sendable, Equatable {
        var ranges: [Range<Int>]

        func overlaps(_ other: Box) -> Bool {
            zip(ranges, other.ranges).allSatisfy { $0.overlaps($1) }
        }

        func isInside(_ other: Box) -> Bool {
            zip(ranges, other.ranges).allSatisfy { $1.lowerBound <= $0.lowerBound && $0.upperBound <= $1.upperBound }
        }
    }

    /// The boxes whose union is the flattened range `range` of a row-major layout of `shape`.
    /// - Complexity: O(D²); at most 2D − 1 boxes.
    static func boxes(of range: Range<Int>, shape: [Int]) -> [Box] {
        guard !range.isEmpty else { return [] }
        guard shape.count > 1 else { return [Box(ranges: [range])] }
        let inner = shape.dropFirst().reduce(1, *)
        let innerShape = Array(shape.dropFirst())
        func rows(_ rows: Range<Int>, _ innerRange: Range<Int>) -> [Box] {
            boxes(of: innerRange, shape: innerShape).map { Box(ranges: [rows] + $0.ranges) }
        }
        let firstRow = range.lowerBound / inner
        let lastRow = (range.upperBound - 1) / inner
        if firstRow == lastRow {
            let base = firstRow * inner
            return rows(firstRow ..< firstRow + 1, range.lowerBound - base ..< range.upperBound - base)
        }
        var result: [Box] = []
        var fullFrom = firstRow
        if range.lowerBound % inner != 0 {
            result += rows(firstRow ..< firstRow + 1, range.lowerBound % inner ..< inner)
            fullFrom += 1
        }
        var fullTo = lastRow + 1
        if range.upperBound % inner != 0 { fullTo = lastRow }
        if fullFrom < fullTo {
            result.append(Box(ranges: [fullFrom ..< fullTo] + innerShape.map { 0 ..< $0 }))
        }
        if range.upperBound % inner != 0 {
            result += rows(lastRow ..< lastRow + 1, 0 ..< range.upperBound % inner)
        }
        return result
    }

    /// Row-major flattened index of a coordinate.
    static func flatten(_ coordinate: [Int], shape: [Int]) -> Int {
        zip(coordinate, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    static func singleDimensional(mask: GNAMask, qTile: Int, kvTile: Int,
                                  kvTiling: KernelChoice.KVTiling) -> TileWork {
        var unused: [QTileVisit]? = nil
        return singleDimensional(mask: mask, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling, perTile: &unused)
    }

    /// As above, and when `perTile` is non-nil, appends every Q tile's visited and full counts to it.
    static func singleDimensional(mask: GNAMask, qTile: Int, kvTile: Int, kvTiling: KernelChoice.KVTiling,
                                  perTile: inout [QTileVisit]?) -> TileWork {
        var work = TileWork(qTile: [qTile], kvTile: [kvTile], tiling: .single_dim, kvTiling: kvTiling,
                            qTiles: 0,
                            kvTilesSelfAttention: selfAttentionTiles(mask, kvTile: [kvTile], tiling: .single_dim),
                            visited: 0, full: 0, worstVisited: 0, worstFull: 0, visitedRange: 0, worstVisitedRange: 0)
        // Dilation groups are independent problems (NATTEN folds them into the batch, references.md [FNA §3.4]).
        var groupCombos: [[Int]] = [[]]
        for axis in mask.axes { groupCombos = groupCombos.flatMap { combo in (0..<axis.dilation).map { combo + [$0] } } }
        for groups in groupCombos {
            let shape = zip(mask.axes, groups).map { $0.groupLength($1) }
            accumulateGroup(mask: mask, shape: shape, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling, into: &work,
                            perTile: &perTile)
        }
        return work
    }

    private static func accumulateGroup(mask: GNAMask, shape: [Int], qTile: Int, kvTile: Int,
                                        kvTiling: KernelChoice.KVTiling, into work: inout TileWork,
                                        perTile: inout [QTileVisit]?) {
        let n = shape.reduce(1, *)
        let axes = mask.axes
        // Static KV tiles never change: decompose each once.
        let staticTiles: [[Box]] = kvTiling == .static
            ? stride(from: 0, to: n, by: kvTile).map { boxes(of: $0 ..< min($0 + kvTile, n), shape: shape) }
            : []
        var q0 = 0
        while q0 < n {
            let queryBoxes = boxes(of: q0 ..< min(q0 + qTile, n), shape: shape)
            // Keys attended by some query: per query box, the box of its windows' union.
            let unionBoxes = queryBoxes.map { box in
                Box(ranges: box.ranges.enumerated().map { i, r in
                    axes[i].keys(ofQuery: r.lowerBound, groupLength: shape[i]).lowerBound
                        ..< axes[i].keys(ofQuery: r.upperBound - 1, groupLength: shape[i]).upperBound
                })
            }
            // Keys attended by every query: per axis, the windows of the extreme coordinates intersect.
            let common = Box(ranges: axes.indices.map { i in
                let low = queryBoxes.map { $0.ranges[i].lowerBound }.min()!
                let high = queryBoxes.map { $0.ranges[i].upperBound }.max()! - 1
                let start = axes[i].keys(ofQuery: high, groupLength: shape[i]).lowerBound
                let end = axes[i].keys(ofQuery: low, groupLength: shape[i]).upperBound
                return start ..< max(start, end)
            })
            let firstKey = unionBoxes.map { flatten($0.ranges.map(\.lowerBound), shape: shape) }.min()!
            let lastKey = unionBoxes.map { flatten($0.ranges.map { $0.upperBound - 1 }, shape: shape) }.max()!

            var visited = 0, full = 0, firstVisited = -1, lastVisited = -1
            func consider(_ tileBoxes: [Box], index: Int) {
                guard tileBoxes.contains(where: { kb in unionBoxes.contains { kb.overlaps($0) } }) else { return }
                visited += 1
                if firstVisited < 0 { firstVisited = index }
                lastVisited = index
                if tileBoxes.allSatisfy({ $0.isInside(common) }) { full += 1 }
            }
            switch kvTiling {
            case .static:
                for index in (firstKey / kvTile)...(lastKey / kvTile) { consider(staticTiles[index], index: index) }
            case .dynamic:
                var index = 0
                for begin in stride(from: firstKey, through: lastKey, by: kvTile) {
                    consider(boxes(of: begin ..< min(begin + kvTile, lastKey + 1), shape: shape), index: index)
                    index += 1
                }
            }
            let range = lastVisited - firstVisited + 1
            perTile?.append(QTileVisit(visited: visited, full: full))
            work.qTiles += 1
            work.visited += visited
            work.full += full
            work.visitedRange += range
            work.worstVisitedRange = max(work.worstVisitedRange, range)
            if visited > work.worstVisited || (visited == work.worstVisited && full < work.worstFull) {
                work.worstVisited = visited
                work.worstFull = full
            }
            q0 += qTile
        }
    }
}
