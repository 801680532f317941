/// `mask: {kind: sliding_window, window: W}` (causal local attention) or `{…, causal: false}` (a band): over the 1-D
/// token order, query i (at key position i' = i + M − P) attends
/// - causal (the default): keys j with j ≤ i' and i' − j < W, the W most recent keys including its own — Mistral 7B's
///   sliding window (references.md [Mistral-7B §2], W = 4096) and FlexAttention's `sliding_window_causal`
///   (references.md [FlexAttention-blog], [attention-gym masks/sliding_window.py]; those examples write
///   `q_idx - kv_idx <= W`, W + 1 keys, where attnsim's rule (README.md, "1-D masks") and `validation/gpu/flex_block_bench.py` take W);
/// - band: keys j with |i' − j| ≤ ⌊W / 2⌋, cut at the sequence's ends (not shifted inward as GNA's windows are), as
///   Longformer-style local attention (references.md [attention-gym masks/global_sliding_window.py]). An odd W
///   attends W keys away from the ends; an even W, W + 1 (the rule is symmetric).
///
/// ```yaml
/// mask: {kind: sliding_window, window: 4096}
/// mask: {kind: sliding_window, window: 4097, causal: false}
/// ```
/// A window that covers the whole sequence is a causal mask (causal) or dense (band, `isDense`).
public struct SlidingWindowMask: KeyRunMask, Equatable {
    public static let kind = "sliding_window"
    public static let keys = ["window", "causal"]

    public var queries: Int
    public var keys: Int
    public var window: Int
    public var causal: Bool

    public init(queries: Int, keys: Int, window: Int, causal: Bool = true) {
        self.queries = queries
        self.keys = keys
        self.window = window
        self.causal = causal
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        let window = try fields.required("window", expecting: "the keys each query attends, e.g. 4096").int(atLeast: 1)
        let causal = try fields.optional("causal")?.bool() ?? true
        return SlidingWindowMask(queries: p, keys: m, window: window, causal: causal)
    }

    /// Causal: W, at most M (a longer window changes nothing). Band: ⌊W / 2⌋ on each side, at most M.
    var reach: Int { causal ? min(window, keys) : min(window / 2, keys) }

    public func keyRuns(ofQuery query: Int) -> KeyRuns {
        let i = position(query)
        if causal { return KeyRuns(KeyRun(max(0, i - reach + 1), i)) }
        return KeyRuns(KeyRun(max(0, i - reach), clampedEnd(i, plus: reach, limit: keys - 1)))
    }

    /// Causal: Σ_{x = M−P+1}^{M} min(x, W). Band: a row at i' attends min(i', h) keys before it, min(M − 1 − i', h)
    /// after it and its own, h = ⌊W / 2⌋.
    /// - Complexity: O(1).
    public var attendedPairs: Double? {
        let (a, b) = (keys - queries, keys - 1)          // the queries' positions
        if causal { return sumOfMin(from: a + 1, through: b + 1, cap: reach) }
        return sumOfMin(from: a, through: b, cap: reach) + sumOfMin(from: keys - 1 - b, through: keys - 1 - a, cap: reach)
            + Double(queries)
    }

    /// Causal: no, as for `causal` — early Q tiles (the first W / TQ) visit fewer KV tiles and find their K and V
    /// in cache, which the equal-cost bound does not grant them (`CausalMask.waveBoundHolds`). Band: yes; every Q
    /// tile away from the ends visits the same number of KV tiles.
    public var waveBoundHolds: Bool { !causal }

    /// What FlexAttention's mask function evaluates per element of a partial tile: causal,
    /// `(q_idx >= kv_idx) & (q_idx - kv_idx < W)` (references.md [FlexAttention-blog] `sliding_window_causal`): one
    /// subtraction and two comparisons of it (with M > P the offset folds into the constants); band,
    /// `abs(q_idx - kv_idx) <= W // 2` (references.md [attention-gym masks/global_sliding_window.py]): one
    /// subtraction, an absolute value (counted as a comparison) and a comparison.
    public var elementWork: MaskElementWork { MaskElementWork(compares: 2, arithmetic: 1) }
}
