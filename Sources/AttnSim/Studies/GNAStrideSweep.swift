/// The strides worth using for a window: the tile-wise bound is a product of per-axis factors
/// K_i / max_t n_i(t) (multi-dimensional tiling, references.md [NATTEN-src] `get_trip_count`), so each axis has its own
/// Pareto front — the strides that strictly improve the axis factor as the stride grows — and the candidates are the
/// products of the fronts (they include every stride GNA paper Tables 2–4 list; the paper, App. B.1, prunes "increased
/// strides that do not result in better speedups").
public struct GNAStrideSweep: Sendable {
    public struct AxisPoint: Sendable, Equatable {
        public var stride: Int
        /// K_i / worst n_i: this axis' factor of the tile-wise bound.
        public var factor: Double
    }

    public struct Point: Sendable {
        public var stride: [Int]
        public var analysis: GNAAnalysis
    }

    /// Per axis, its Pareto front of strides, smallest first.
    public var fronts: [[AxisPoint]]
    /// Every combination of front strides, by increasing tile-wise bound.
    public var points: [Point]

    /// The most steps the fronts may take (README.md, "Limits"): one O(1) count per Q tile along an axis for each of
    /// the axis' strides 1…w (`frontSteps`); 13 ns each in a release build, 6·10⁸ about 8 s. The combinations, a
    /// tile analysis each, are held to `TileWork.maxMultiDimSteps` together.
    public static let maxFrontSteps = 6e8

    /// Steps of the per-axis fronts: Σ_i w_i · (⌈L_i / TQ_i⌉ + d_i).
    public static func frontSteps(_ mask: GNAMask, qTile: [Int]) -> Double {
        zip(mask.axes, qTile).reduce(0) { total, pair in
            total + Double(pair.0.window) * ((Double(pair.0.length) / Double(pair.1)).rounded(.up) + Double(pair.0.dilation))
        }
    }

    /// Steps of analysing every combination of `fronts`.
    public static func pointSteps(_ mask: GNAMask, qTile: [Int], fronts: [[AxisPoint]]) -> Double {
        fronts.reduce(1) { $0 * Double($1.count) } * TileWork.multiDimSteps(mask, qTile: qTile)
    }

    /// - Complexity: O(Σ_i w_i · L_i / TQ_i) for the fronts, then one analysis per combination.
    public init(mask: GNAMask, qTile: [Int], kvTile: [Int], kvTiling: KernelChoice.KVTiling) {
        self.init(mask: mask, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling,
                  fronts: Self.fronts(mask: mask, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling))
    }

    /// The sweep over the combinations of `fronts` (from `fronts(mask:…)`, so a caller can check `pointSteps` first).
    public init(mask: GNAMask, qTile: [Int], kvTile: [Int], kvTiling: KernelChoice.KVTiling, fronts: [[AxisPoint]]) {
        self.fronts = fronts
        var combos: [[Int]] = [[]]
        for front in fronts { combos = combos.flatMap { c in front.map { c + [$0.stride] } } }
        points = combos.map { stride in
            var swept = mask
            for i in swept.axes.indices { swept.axes[i].stride = stride[i] }
            return Point(stride: stride, analysis: GNAAnalysis(mask: swept, qTile: qTile, kvTile: kvTile,
                                                               tiling: .multi_dim, kvTiling: kvTiling))
        }.sorted { ($0.analysis.bounds.tile, $0.stride.reduce(1, *)) < ($1.analysis.bounds.tile, $1.stride.reduce(1, *)) }
    }

    /// Per axis, its Pareto front of strides, smallest first.
    /// - Complexity: `frontSteps`.
    public static func fronts(mask: GNAMask, qTile: [Int], kvTile: [Int], kvTiling: KernelChoice.KVTiling) -> [[AxisPoint]] {
        mask.axes.enumerated().map { i, axis in
            var front: [AxisPoint] = []
            for stride in 1...axis.window {
                var candidate = axis
                candidate.stride = stride
                var worst = 0
                for group in 0..<axis.dilation {
                    // Dilation groups share the axis' tile grid; the worst over groups bounds the axis.
                    var single = candidate
                    single.length = axis.groupLength(group)
                    single.dilation = 1
                    let factor = TileWork.axisFactor(single, qTile: qTile[i], kvTile: kvTile[i], kvTiling: kvTiling)
                    worst = max(worst, factor.worst)
                }
                let factor = Double(ceilDiv(axis.length, kvTile[i])) / Double(worst)
                if factor > (front.last?.factor ?? 0) + 1e-12 { front.append(AxisPoint(stride: stride, factor: factor)) }
            }
            return front
        }
    }
}
