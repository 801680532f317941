/// `mask: {kind: block_causal, block: B}` (frame-causal: the tokens of a frame attend each other and every earlier
/// frame) or `{…, window: F}` (only the last F frames, their own included): over the 1-D token order, with frames of
/// B tokens, query i (at key position i' = i + M − P) attends keys j with ⌊j / B⌋ ≤ ⌊i' / B⌋ and, with a window,
/// ⌊i' / B⌋ − ⌊j / B⌋ < F. Without a window this is the block-wise causal mask of autoregressive video diffusion
/// (references.md [CausVid causal_model.py]: latent frames of 1560 tokens).
///
/// ```yaml
/// mask: {kind: block_causal, block: 1560}
/// mask: {kind: block_causal, block: 1560, window: 3}
/// ```
/// One frame holding every key (B ≥ M, or a decode step in the last frame with the whole context) is dense.
public struct BlockCausalMask: KeyRunMask, Equatable {
    public static let kind = "block_causal"
    public static let keys = ["block", "window"]

    public var queries: Int
    public var keys: Int
    public var block: Int
    /// Frames a query sees, its own included; nil: all earlier frames.
    public var window: Int?

    public init(queries: Int, keys: Int, block: Int, window: Int? = nil) {
        self.queries = queries
        self.keys = keys
        self.block = block
        self.window = window
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        let block = try fields.required("block", expecting: "tokens per frame, e.g. 1560").int(atLeast: 1)
        let window = try fields.optional("window")?.int(atLeast: 1)
        return BlockCausalMask(queries: p, keys: m, block: block, window: window)
    }

    /// B, at most M: a frame longer than the sequence is the sequence.
    var frame: Int { min(block, keys) }
    /// Frames seen, at most the frames there are (⌈M / B⌉, without forming M + B − 1).
    var frames: Int { min(window ?? Int.max, keys / frame + (keys % frame == 0 ? 0 : 1)) }

    /// First key of the window of the query at position `i`: the start of frame ⌊i / B⌋ − F + 1.
    func windowStart(_ i: Int) -> Int { max(0, (i / frame - frames + 1) * frame) }

    /// The end (exclusive) of the frame starting at key `start`: the next frame's start, or M.
    func frameEnd(_ start: Int) -> Int { clampedEnd(start, plus: frame, limit: keys) }

    public func keyRuns(ofQuery query: Int) -> KeyRuns {
        let i = position(query)
        return KeyRuns(KeyRun(windowStart(i), frameEnd(i - i % frame) - 1))
    }

    /// Σ over the frames holding queries: (queries in the frame) × (keys up to the frame's end from its window's
    /// start).
    /// - Complexity: O(P / B + 1).
    public var attendedPairs: Double? {
        var pairs = 0.0
        var start = (keys - queries) / frame * frame
        while start < keys {
            let end = frameEnd(start)
            let rows = end - max(start, keys - queries)
            pairs += Double(rows) * Double(end - windowStart(start))
            start = end
        }
        return pairs
    }

    /// No, as for `causal`: the first frames' Q tiles visit fewer KV tiles and find their K and V in cache, which
    /// the equal-cost bound does not grant them (`CausalMask.waveBoundHolds`).
    public var waveBoundHolds: Bool { false }

    /// What a FlexAttention mask function written from the rule evaluates per element of a partial tile:
    /// `kv_idx // B <= q_idx // B` is two divisions by the frame size and a comparison; a window adds
    /// `q_idx // B - kv_idx // B < F`, a subtraction and a comparison; with M > P the query index needs the offset
    /// added before its division (one more). CausVid writes the same mask with a table of frame ends instead
    /// (`kv_idx < ends[q_idx]`, references.md [CausVid causal_model.py]): a load in place of the divisions.
    public var elementWork: MaskElementWork {
        let windowed = window != nil ? 1 : 0
        return MaskElementWork(compares: 1 + windowed, arithmetic: windowed + (keys > queries ? 1 : 0), divisions: 2,
                               powerOfTwoDivisions: MaskElementWork.isPowerOfTwo(block) ? 2 : 0)
    }
}
