/// Which KV tiles each Q tile of a GNA problem visits, and how many of them are full (no element masked) or
/// partial — per (batch, head) instance, summed over dilation groups.
///
/// This is the NATTEN simulator's model (references.md [GNA App. B.1], with the trip counts of NATTEN's kernels,
/// [NATTEN-src] `get_trip_count`), made exact:
/// - **multi-dimensional tiling** (Q and KV tiles are N-D boxes; NATTEN's token permutation): per axis, the Q
///   tile's visited KV range is `[start(first query), end(last real query))`, snapped to the KV grid (static) or
///   tiled from its start (dynamic); the N-D count is the product over axes (separable, closed form);
/// - **single-dimensional tiling** (tiles are runs of the row-major flattened sequence): the exact set of KV
///   tiles holding at least one attended key, from the boxes a run of tokens decomposes into.
///
/// A tile is *full* when every real query of the Q tile attends every real key of the KV tile; padding (when
/// tiles do not divide the layout) is masked but does not make a tile partial (as in NATTEN's kernels, references.md
/// [NATTEN-src] fna_fusion.hpp).
///
/// ```swift
/// let work = TileWork(mask: hunyuan, qTile: [4, 8, 8], kvTile: [2, 8, 8], tiling: .multi_dim, kvTiling: .static)
/// work.worstVisited   // 275 for stride 1
/// ```
public struct TileWork: Sendable, Equatable {
    public var qTile: [Int]
    public var kvTile: [Int]
    public var tiling: KernelChoice.Tiling
    public var kvTiling: KernelChoice.KVTiling

    /// Q tiles of one instance (all dilation groups; a partial tile at an axis end counts as one).
    public var qTiles: Int
    /// KV tiles a Q tile of dense self attention visits over the undilated layout: Π ⌈L_i / TKV_i⌉.
    public var kvTilesSelfAttention: Int
    /// Σ over Q tiles of visited KV tiles.
    public var visited: Int
    /// Σ over Q tiles of full KV tiles (every attended pair, no element masked).
    public var full: Int
    /// The most KV tiles any one Q tile visits.
    public var worstVisited: Int
    /// Full tiles of one worst-visited Q tile (multi-dim: product over axes of the worst axis tile's full count).
    public var worstFull: Int
    /// Σ over Q tiles of the contiguous KV range from the first to the last visited tile (single-dim only:
    /// what a kernel that iterates a range instead of a tile list pays); equals `visited` for multi-dim tiling.
    public var visitedRange: Int
    /// The largest such range.
    public var worstVisitedRange: Int

    public var partial: Int { visited - full }
}

extension TileWork {
    /// Computes the tile work of `mask` with the given tile shapes (one entry per axis; for single-dimensional
    /// tiling the shapes' products are the token counts per tile).
    /// - Complexity: multi-dim O(Σ_i L_i); single-dim O(N/TQ · span/TKV) box tests per dilation group.
    public init(mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling,
                kvTiling: KernelChoice.KVTiling) {
        switch tiling {
        case .multi_dim:
            self = TileWork.multiDimensional(mask: mask, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling)
        case .single_dim:
            self = TileWork.singleDimensional(mask: mask, qTile: qTile.reduce(1, *), kvTile: kvTile.reduce(1, *),
                                              kvTiling: kvTiling)
            self.qTile = qTile
            self.kvTile = kvTile
        }
    }

    /// Whether computing this tile work is cheap enough to do interactively (`intractability` is nil).
    public static func isTractable(mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling) -> Bool {
        intractability(mask: mask, qTile: qTile, kvTile: kvTile, tiling: tiling) == nil
    }

    /// The most steps multi-dimensional tile work may take: one O(1) count per Q tile along each axis (and dilation
    /// group), plus one per token of a causal axis for its attended pairs (README.md, "Limits": a step of
    /// `attnsim gna` takes about 22 ns in a release build, so 3·10⁸ steps about 7 s).
    public static let maxMultiDimSteps = 3e8
    /// The most box tests the exact single-dimensional tile set may take, about (N/TQ)·(N/TKV) (README.md, "Limits":
    /// 11 ns each in a release build, 8·10⁸ about 9 s; HunyuanVideo's 115,200 tokens with 256/128-token tiles need
    /// 4·10⁵).
    public static let maxSingleDimTests = 8e8

    /// Steps of multi-dimensional tile work (see `maxMultiDimSteps`).
    public static func multiDimSteps(_ mask: GNAMask, qTile: [Int]) -> Double {
        zip(mask.axes, qTile).reduce(0) { total, pair in
            let (axis, tile) = pair
            return total + (Double(axis.length) / Double(tile)).rounded(.up) + Double(axis.dilation)
                + (axis.causal ? Double(axis.length) : 0)
        }
    }

    /// Why computing this tile work would take more than seconds, with the limit and how to get under it; nil
    /// when it is cheap enough.
    public static func intractability(mask: GNAMask, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling) -> String? {
        switch tiling {
        case .multi_dim:
            let steps = multiDimSteps(mask, qTile: qTile)
            guard steps > maxMultiDimSteps else { return nil }
            return "multi_dim tile work of \(mask.tokens) tokens with Q tiles of \(qTile.map(String.init).joined(separator: "×")) "
                + "takes \(Quantity.formatExactCount(steps)) steps (a count per Q tile along each axis, one per token of a "
                + "causal axis); attnsim takes up to \(Quantity.formatExactCount(maxMultiDimSteps)): use larger Q tiles or fewer tokens"
        case .single_dim:
            let n = Double(mask.tokens)
            let tests = (n / Double(qTile.reduce(1, *))).rounded(.up) * (n / Double(kvTile.reduce(1, *))).rounded(.up)
            guard tests > maxSingleDimTests else { return nil }
            return "single_dim tiling of \(mask.tokens) tokens with these tiles needs \(Quantity.formatExactCount(tests)) tile "
                + "tests; attnsim takes up to \(Quantity.formatExactCount(maxSingleDimTests)): use multi_dim (closed form) or larger tiles"
        }
    }

    /// K_SA: KV tiles a dense self-attention Q tile visits.
    static func selfAttentionTiles(_ mask: GNAMask, kvTile: [Int], tiling: KernelChoice.Tiling) -> Int {
        switch tiling {
        case .multi_dim:
            return zip(mask.axes, kvTile).reduce(1) { $0 * ceilDiv($1.0.length, $1.1) }
        case .single_dim:
            return ceilDiv(mask.tokens, kvTile.reduce(1, *))
        }
    }
}

@inlinable
func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

extension RandomAccessCollection where Element: Comparable {
    /// The first index of this ascending collection whose element is ≥ `value` (`endIndex` if none): the binary
    /// search of block tables, document starts and vertical-slash lines.
    /// - Complexity: O(log n).
    @inlinable
    public func sortedLowerBound(_ value: Element) -> Index {
        var (lo, count) = (startIndex, distance(from: startIndex, to: endIndex))
        while count > 0 {
            let half = count / 2
            let mid = index(lo, offsetBy: half)
            if self[mid] < value {
                lo = index(after: mid)
                count -= half + 1
            } else {
                count = half
            }
        }
        return lo
    }
}
