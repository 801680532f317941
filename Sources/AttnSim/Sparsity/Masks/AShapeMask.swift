/// `mask: {kind: a_shape, sink: S, window: W}`: causal attention to the first S keys (attention sinks) and the W most
/// recent ones — StreamingLLM's pattern (references.md [StreamingLLM]), named "A-shape" by MInference
/// (references.md [MInference]). Over the 1-D token order, query i (at key position i' = i + M − P) attends keys j
/// with j ≤ i' and (j < S or i' − j < W).
///
/// ```yaml
/// mask: {kind: a_shape, sink: 64, window: 4096}
/// ```
/// A row attends [0, i'] less the gap [S, i' − W] between the sink and the window. For queries `first…last` the gaps
/// grow with the query, so the keys some query attends are [0, last'] less the first query's gap, and the keys every
/// query attends are [0, first'] less the last query's gap: two runs each, counted per Q tile in O(1).
public struct AShapeMask: KeyRunMask, Equatable {
    public static let kind = "a_shape"
    public static let keys = ["sink", "window"]

    public var queries: Int
    public var keys: Int
    public var sink: Int
    public var window: Int

    public init(queries: Int, keys: Int, sink: Int, window: Int) {
        self.queries = queries
        self.keys = keys
        self.sink = sink
        self.window = window
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        let sink = try fields.required("sink", expecting: "the first keys every query attends, e.g. 64").int(atLeast: 0)
        let window = try fields.required("window", expecting: "the recent keys each query attends, e.g. 4096").int(atLeast: 1)
        return AShapeMask(queries: p, keys: m, sink: sink, window: window)
    }

    /// S and W, at most M (longer ones change nothing).
    var sinkKeys: Int { min(sink, keys) }
    var reach: Int { min(window, keys) }

    /// [0, min(S, i + 1)) and [i − W + 1, i], as runs (overlapping ones are one set).
    func runs(sinkUpTo sinkRow: Int, windowFrom windowRow: Int, through last: Int) -> KeyRuns {
        KeyRuns(KeyRun(0, min(sinkKeys, sinkRow + 1) - 1), KeyRun(max(0, windowRow - reach + 1), last))
    }

    public func keyRuns(ofQuery query: Int) -> KeyRuns {
        let i = position(query)
        return runs(sinkUpTo: i, windowFrom: i, through: i)
    }

    /// Any: [0, last'] less the first query's gap [S, first' − W]. All: [0, first'] less the last query's gap.
    public func keyRuns(ofQueries first: Int, _ last: Int) -> (any: KeyRuns, all: KeyRuns) {
        let (top, bottom) = (position(first), position(last))
        return (runs(sinkUpTo: bottom, windowFrom: top, through: bottom),
                runs(sinkUpTo: top, windowFrom: bottom, through: top))
    }

    /// A row at i' attends i' + 1 keys less its gap, max(0, i' + 1 − (W + S)): min(i' + 1, W + S), summed.
    /// - Complexity: O(1).
    public var attendedPairs: Double? {
        let (a, b) = (keys - queries, keys - 1)
        return sumOfMin(from: a + 1, through: b + 1, cap: clampedEnd(reach, plus: sinkKeys, limit: keys))
    }

    /// No, as for `causal`: the first W / TQ Q tiles visit fewer KV tiles and find their K and V in cache, which the
    /// equal-cost bound does not grant them (`CausalMask.waveBoundHolds`).
    public var waveBoundHolds: Bool { false }

    /// What FlexAttention's mask function evaluates per element of a partial tile:
    /// `(q_idx >= kv_idx) & ((kv_idx < S) | (q_idx - kv_idx < W))`, the causal sliding window of references.md
    /// [FlexAttention-blog] with StreamingLLM's sink `or`-ed in: one subtraction and three comparisons (with M > P
    /// the offset folds into the constants).
    public var elementWork: MaskElementWork { MaskElementWork(compares: 3, arithmetic: 1) }
}
