/// A GNA mask over a 1-D to 3-D token layout: the product of per-axis neighborhoods, inside one dilation
/// group on every axis (references.md [GNA §3.1]).
public struct GNAMask: Sendable, Hashable {
    public var axes: [GNAAxis]

    public init(axes: [GNAAxis]) { self.axes = axes }

    /// A mask from per-axis parameters (one entry per token axis; checked by `GNAMask.check`).
    public init(tokens: [Int], window: [Int], stride: [Int], dilation: [Int], causal: [Bool]) {
        axes = tokens.indices.map { i in
            GNAAxis(length: tokens[i], window: window[i], stride: stride[i], dilation: dilation[i], causal: causal[i])
        }
    }

    public var tokens: Int { axes.reduce(1) { $0 * $1.length } }

    /// Σ_q |N(q)|: the exact number of attended (query, key) pairs. Neighborhoods are products of per-axis
    /// windows chosen by per-axis coordinates, so the sum factorizes into per-axis sums.
    /// - Complexity: O(Σ L_i).
    public var attendedPairCount: Double {
        axes.reduce(1.0) { $0 * Double($1.attendedSum) }
    }

    /// Dense pairs over attended pairs: the FLOP-wise speedup bound (references.md [GNA App. B.1]).
    public var flopSpeedup: Double {
        Double(tokens) * Double(tokens) / attendedPairCount
    }
}
