/// What a mask leaves a spatial array to do, tile by tile: the array runs M0 × P0 tiles of scores (M0 = P0 = the
/// mapping's tile); it skips tiles the mask's tile grid does not visit, runs visited tiles as dense ones, and
/// evaluates the element mask on every element of a partial tile on the 1D array (`Mask.elementWork` operations
/// each, one per PE per cycle).
///
/// Work that grows with M (the Einsums over a key rank and a query rank, K/V traffic, per-tile stalls, register
/// and buffer actions) is scaled by the visited fraction of tiles; work over queries alone (the final division,
/// Q and output traffic) is not.
struct SpatialMaskWork {
    /// Visited tiles over all tiles of the dense problem (1 without a mask).
    var visitedFraction = 1.0
    /// 1D-array operations of the element mask, all instances.
    var maskOperations = 0.0

    init(_ mask: (any Mask)?, tile: Int, problem: Problem) {
        guard let mask, !mask.isDense else { return }
        let grid = mask.combinedTileGrid(SpatialMapping.maskTiling(tile: tile))
        let all = Double(grid.tiles.count) * Double(grid.denseKVTiles) / Double(mask.headPatterns)
        guard all > 0 else { return }
        visitedFraction = Double(grid.visited) / all
        let instances = Double(problem.instances) / Double(mask.headPatterns)
        maskOperations = Double(grid.visited - grid.full) * Double(tile * tile) * Double(mask.elementWork.operations)
            * instances
    }

    /// The first Einsum after the one producing the scores (the first over a key and a query rank) whose
    /// iteration space covers every score (all the producer's output ranks): where a kernel applies the element
    /// mask (the exp of 1-pass FuseMax, the row max of a 3-pass softmax).
    static func firstElementwiseConsumer(_ order: [String], _ cost: CascadeCost) -> String? {
        let einsums = order.compactMap { cost[$0] }
        guard let producer = einsums.first(where: {
            $0.ranks.contains { $0.hasPrefix("m") } && $0.ranks.contains { $0.hasPrefix("p") }
        }) else { return nil }
        let scores = Set(producer.ranks).subtracting(producer.reducedRanks)
        return einsums.first { $0.index > producer.index && scores.isSubset(of: $0.ranks) }?.name
    }

    /// The cascade's costs with every Einsum over a key rank scaled by the visited fraction.
    func scaled(_ cost: CascadeCost) -> CascadeCost {
        guard visitedFraction < 1 else { return cost }
        var result = cost
        result.total = OpCounts()
        for index in result.einsums.indices {
            if result.einsums[index].ranks.contains(where: { $0.hasPrefix("m") }) {
                result.einsums[index].iterationPoints *= visitedFraction
                result.einsums[index].ops = result.einsums[index].ops * visitedFraction
            }
            result.total += result.einsums[index].ops
        }
        return result
    }
}
