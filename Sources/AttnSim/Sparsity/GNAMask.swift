/// A GNA mask over a 1-D to 3-D token layout: the product of per-axis neighborhoods, inside one dilation
/// group on every axis (gna.md §1.1).
public struct GNAMask: Sendable, Hashable {
    public var axes: [GNAAxis]

    public init(axes: [GNAAxis]) { self.axes = axes }

    /// The mask of a workload (`mask.kind: gna`), validated on load.
    public init(tokens: [Int], mask: MaskSpec) {
        axes = tokens.indices.map { i in
            GNAAxis(length: tokens[i], window: mask.window[i], stride: mask.stride[i],
                    dilation: mask.dilation[i], causal: mask.causal[i])
        }
    }

    public var tokens: Int { axes.reduce(1) { $0 * $1.length } }

    /// Σ_q |N(q)|: the exact number of attended (query, key) pairs. Neighborhoods are products of per-axis
    /// windows chosen by per-axis coordinates, so the sum factorizes into per-axis sums.
    /// - Complexity: O(Σ L_i).
    public var attendedPairs: Double {
        axes.reduce(1.0) { $0 * Double($1.attendedSum) }
    }

    /// Dense pairs over attended pairs: the FLOP-wise speedup bound (gna.md §2.4).
    public var flopSpeedup: Double {
        Double(tokens) * Double(tokens) / attendedPairs
    }
}
