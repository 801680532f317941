/// The size of every rank of a cascade: rank name → size (references.md [FuseMax §IV]).
///
/// ```swift
/// let binding = RankBinding.attention(M: 1024, P: 1024, E: 64, F: 64, M0: 256)
/// try binding.size(of: "m1")   // 4 = ceil(1024 / 256)
/// try binding.size(of: "x")    // throws RankBindingError (rank x is not bound)
/// ```
public struct RankBinding: Sendable, Equatable, CustomStringConvertible {
    public private(set) var sizes: [String: Int]

    public init(_ sizes: [String: Int] = [:]) {
        self.sizes = sizes
    }

    /// The attention ranks of FuseMax §IV (references.md [FuseMax]): m = M (keys), p = P (queries), e = E, f = F, the
    /// tiling M → (M1, M0) with m1 = ceil(M/M0), and P → (P2, P1, P0) with p0 = P0, p1 = 1, p2 = ceil(P/P0).
    /// `k` and `i` (the pedagogical cascades' ranks, FuseMax §III) are bound to M too. The artifact's tiles are
    /// M0 = P0 = 256 (references.md [FuseMax-artifact] `proposal.py`). A tile size below 1 leaves the tile ranks at 0,
    /// which ``size(of:)`` rejects.
    public static func attention(M: Int, P: Int, E: Int, F: Int, M0: Int = 256, P0: Int = 256) -> RankBinding {
        RankBinding([
            "m": M, "p": P, "e": E, "f": F,
            "m0": M0, "m1": ceilDiv(M, M0),
            "p0": P0, "p1": 1, "p2": ceilDiv(P, P0),
            "k": M, "i": M,
        ])
    }

    /// The size bound to `rank`, or nil.
    public subscript(rank: String) -> Int? {
        get { sizes[rank] }
        set { sizes[rank] = newValue }
    }

    /// The size bound to `rank`; throws when it is unbound or below 1.
    public func size(of rank: String) throws(RankBindingError) -> Int {
        guard let size = sizes[rank] else { throw RankBindingError(rank: rank, reason: .unbound) }
        guard size >= 1 else { throw RankBindingError(rank: rank, reason: .nonPositive(size)) }
        return size
    }

    /// The number of points of the iteration space spanned by `ranks` (1 for no rank).
    public func points(of ranks: [String]) throws(RankBindingError) -> Double {
        var points = 1.0
        for rank in ranks { points *= Double(try size(of: rank)) }
        return points
    }

    public var description: String {
        sizes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        b >= 1 ? (a + b - 1) / b : 0
    }
}

/// A rank a cascade needs is missing from its ``RankBinding`` or bound to a size below 1.
public struct RankBindingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unbound
        case nonPositive(Int)
    }

    public var rank: String
    public var reason: Reason
    /// The output tensor of the Einsum that needed the rank, when known.
    public var einsum: String?

    public init(rank: String, reason: Reason, einsum: String? = nil) {
        self.rank = rank
        self.reason = reason
        self.einsum = einsum
    }

    public var description: String {
        let place = einsum.map { " (needed by Einsum \($0))" } ?? ""
        switch reason {
        case .unbound: return "rank \(rank) is not bound to a size\(place)"
        case .nonPositive(let size): return "rank \(rank) has size \(size)\(place); sizes must be at least 1"
        }
    }
}

extension RankBinding {
    /// Binds the attention ranks from a workload's problem: m = M (key tokens), p = P (query tokens), e = E,
    /// f = F, with the FuseMax tile sizes M0 = P0 = 256 (references.md [FuseMax-artifact]) cut down to M and P for
    /// short sequences.
    public static func attention(_ problem: Problem) -> RankBinding {
        let m = problem.keyTokens
        let p = problem.queryTokens
        return attention(M: m, P: p, E: problem.headDim, F: problem.valueDim, M0: min(256, m), P0: min(256, p))
    }
}
