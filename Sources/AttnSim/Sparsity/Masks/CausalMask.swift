/// `mask: {kind: causal}`: query i (0-based, of P) attends keys 0…i + (M − P), queries aligned to the last keys
/// (FlashAttention's and PyTorch's `is_causal` convention with a KV cache; M ≥ P is checked on load).
public struct CausalMask: Mask, Equatable {
    public static let kind = "causal"
    public static let keys: [String] = []

    public var queries: Int
    public var keys: Int

    public init(queries: Int, keys: Int) {
        self.queries = queries
        self.keys = keys
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        guard problem.keyTokens >= problem.queryTokens else {
            throw fields.node.error("a causal mask needs kv_tokens ≥ tokens (queries are aligned to the last keys)")
        }
        return CausalMask(queries: problem.queryTokens, keys: problem.keyTokens)
    }

    /// Σ_{i=0}^{P−1} (i + M − P + 1) = P·(M − P + 1) + P(P − 1)/2.
    /// - Complexity: O(1).
    public var attendedPairs: Double? {
        let p = Double(queries), m = Double(keys)
        return p * (m - p + 1) + p * (p - 1) / 2
    }

    public var isDense: Bool { false }

    /// No: the equal-cost bound would be 1.97× at 8K tokens, and the CPU kernel measured 1.98× (the short early Q
    /// tiles find their K and V in cache; validation/cpu/results.txt).
    public var waveBoundHolds: Bool { false }

    public func attends(query: Int, key: Int, head: Int) -> Bool { key <= query + keys - queries }

    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        .causal(queries: queries, keys: keys, qTile: tiling.qTileTokens, kvTile: tiling.kvTileTokens)
    }

    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        .causalKVMajor(queries: queries, keys: keys, qTile: tiling.qTileTokens, kvTile: tiling.kvTileTokens)
    }

    /// Rows at positions a' … b' (i + M − P) attend keys ≤ b', and all of them keys ≤ a'.
    /// - Complexity: O(1).
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        let (first, last) = (rows.lowerBound + keys - queries, rows.upperBound - 1 + keys - queries)
        if columns.lowerBound > last { return .empty }
        return columns.upperBound - 1 <= first ? .full : .partial
    }

    /// Σ over rows of the keys ≤ i' inside `columns`.
    /// - Complexity: O(rows).
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        rows.reduce(0) { $0 + max(0, min($1 + keys - queries + 1, columns.upperBound) - columns.lowerBound) }
    }

    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? { 0 ..< rows.upperBound + keys - queries }
    public var coversRectanglesFast: Bool { true }
    public func rowRuns(query: Int, head: Int) -> KeyRuns? { KeyRuns(KeyRun(0, query + keys - queries)) }

    /// One comparison of the key index with the query's last key (an add folded into the bound).
    public var elementWork: MaskElementWork { MaskElementWork(compares: 1, arithmetic: 1) }
}
