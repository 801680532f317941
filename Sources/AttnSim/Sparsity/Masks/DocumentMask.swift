/// `mask: {kind: document, lengths: [L₀, L₁, …], causal: true}`: documents packed into one sequence, each attending
/// only itself — FlexAttention's document masking (references.md [FlexAttention-blog], [attention-gym
/// masks/document_mask.py]). The lengths split the key sequence (they sum to kv_tokens, M); query i sits at key
/// position i' = i + M − P and attends the keys j of its own document, with j ≤ i' when `causal` (the default,
/// packed causal language-model training).
///
/// ```yaml
/// mask: {kind: document, lengths: [4096, 8192, 4096], causal: true}
/// ```
/// One document, not causal (or causal with a single query at the end), is dense.
public struct DocumentMask: KeyRunMask, Equatable {
    public static let kind = "document"
    public static let keys = ["lengths", "causal"]

    public var queries: Int
    public var keys: Int
    /// Each document's first key, and M after the last: `starts[d] ..< starts[d + 1]` is document d.
    public var starts: [Int]
    public var causal: Bool

    /// - Precondition: `lengths` are ≥ 1 and sum to `keys`.
    public init(queries: Int, keys: Int, lengths: [Int], causal: Bool = true) {
        self.queries = queries
        self.keys = keys
        var starts = [0]
        for length in lengths { starts.append(starts[starts.count - 1] + length) }
        self.starts = starts
        self.causal = causal
    }

    public var lengths: [Int] { zip(starts.dropFirst(), starts).map { $0 - $1 } }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        let node = try fields.required("lengths", expecting: "each document's tokens, in order, e.g. [4096, 8192, 4096]")
        let lengths = try node.intList(atLeast: 1)
        let total = lengths.reduce(0.0) { $0 + Double($1) }
        guard total == Double(m) else {
            let field = p == m ? "tokens" : "kv_tokens"
            throw node.error("the \(lengths.count) document length(s) sum to \(Quantity.formatExactCount(total)) tokens; "
                + "expected \(field) (\(m)), the sequence the documents split")
        }
        let causal = try fields.optional("causal")?.bool() ?? true
        return DocumentMask(queries: p, keys: m, lengths: lengths, causal: causal)
    }

    /// The document holding key `key`.
    /// - Complexity: O(log documents).
    public func document(holding key: Int) -> Int {
        // The last d with starts[d] ≤ key, among the documents (not the end marker starts[last]).
        min(starts.sortedLowerBound(key + 1) - 1, starts.count - 2)
    }

    public func keyRuns(ofQuery query: Int) -> KeyRuns {
        let i = position(query)
        let d = document(holding: i)
        return KeyRuns(KeyRun(starts[d], causal ? i : starts[d + 1] - 1))
    }

    /// Σ over documents of their queries' keys: (queries in it) × (its length), or, causal, the series
    /// Σ (i' − start + 1) over its queries.
    /// - Complexity: O(documents).
    public var attendedPairs: Double? {
        let firstQuery = keys - queries
        var pairs = 0.0
        for d in 0..<(starts.count - 1) where starts[d + 1] > firstQuery {
            let (start, end) = (starts[d], starts[d + 1])
            let top = max(start, firstQuery)
            let rows = Double(end - top)
            pairs += causal ? rows * (Double(top - start + 1) + Double(end - start)) / 2 : rows * Double(end - start)
        }
        return pairs
    }

    /// Causal: no, as for `causal` (the short early rows of each document; `CausalMask.waveBoundHolds`). Not causal:
    /// yes, every Q tile inside a document visits the same KV tiles.
    public var waveBoundHolds: Bool { !causal }

    /// What FlexAttention's document mask evaluates per element of a partial tile:
    /// `document_id[q_idx] == document_id[kv_idx]` (references.md [FlexAttention-blog], [attention-gym
    /// masks/document_mask.py]): two loads from the document-id table and a comparison; causal adds
    /// `q_idx >= kv_idx`, a comparison; with M > P the query index needs the offset added (one more).
    public var elementWork: MaskElementWork {
        MaskElementWork(compares: causal ? 2 : 1, arithmetic: keys > queries ? 1 : 0, loads: 2)
    }
}
