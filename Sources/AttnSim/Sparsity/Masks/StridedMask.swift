/// `mask: {kind: strided, stride: l}` and `{kind: strided, stride: l, pattern: fixed, summary: c}`: the factorized
/// patterns of the Sparse Transformer (references.md [SparseTransformer §4.2–4.3]), causal, both heads' index sets
/// merged into one mask (the paper's "merged" head type). Over the 1-D token order, query i (at key position
/// i' = i + M − P, queries aligned to the last keys) attends keys j ≤ i' with
/// - `strided` (the default): i' − j < l (the previous l keys, its own included) or (i' − j) mod l = 0 (every l-th
///   key before them) — A⁽¹⁾ ∪ A⁽²⁾ of §4.2, for data with a period such as images;
/// - `fixed`: ⌊j / l⌋ = ⌊i' / l⌋ (its own block of l keys) or j mod l ≥ l − c (the last c keys of every block, the
///   "summary" cells) — A⁽¹⁾ ∪ A⁽²⁾ of §4.3, for text.
///
/// ```yaml
/// mask: {kind: strided, stride: 128}
/// mask: {kind: strided, stride: 128, pattern: fixed, summary: 8}
/// ```
/// Tiles are counted from rectangles in O(1) each (`cover`), visiting every KV tile up to the Q tile's last key: the
/// "every l-th key" and "summary" columns reach back to the sequence's start.
public struct StridedMask: RectangleCountedMask, Equatable {
    public static let kind = "strided"
    public static let keys = ["stride", "pattern", "summary"]

    public enum Pattern: String, Sendable, CaseIterable { case strided, fixed }

    public var queries: Int
    public var keys: Int
    public let grids = TileGridCache()
    public var stride: Int
    public var pattern: Pattern
    /// c: summary keys at the end of each block (`fixed` only).
    public var summary: Int

    /// - Precondition: `stride` ≥ 1; for `fixed`, 1 ≤ `summary` ≤ `stride`.
    public init(queries: Int, keys: Int, stride: Int, pattern: Pattern = .strided, summary: Int = 0) {
        self.queries = queries
        self.keys = keys
        self.stride = stride
        self.pattern = pattern
        self.summary = pattern == .fixed ? summary : 0
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        let stride = try fields.required("stride", expecting: "the period l in tokens, e.g. 128").int(atLeast: 1)
        let pattern = try fields.optional("pattern")?.choice(Pattern.self) ?? .strided
        var summary = 0
        switch pattern {
        case .fixed:
            let node = try fields.required("summary", expecting: "the summary keys c at the end of each block of "
                + "`stride` keys, 1 … \(stride), e.g. 8")
            summary = try node.int(atLeast: 1)
            guard summary <= stride else {
                throw node.error("`summary` is \(summary) but a block has only `stride` = \(stride) keys; expected 1 … \(stride)")
            }
        case .strided:
            if let node = fields.optional("summary") {
                throw node.error("`summary` applies to `pattern: fixed`; the strided pattern attends every "
                    + "`stride`-th key instead")
            }
        }
        return StridedMask(queries: p, keys: m, stride: stride, pattern: pattern, summary: summary)
    }

    @inline(__always) func position(_ query: Int) -> Int { query + keys - queries }

    public func attends(query: Int, key: Int, head: Int) -> Bool {
        let i = position(query)
        guard key <= i, key >= 0 else { return false }
        switch pattern {
        case .strided: return i - key < stride || (i - key) % stride == 0
        case .fixed: return key / stride == i / stride || key % stride >= stride - summary
        }
    }

    // MARK: Rectangles

    /// Summary keys (j mod l ≥ l − c) among keys 0..<n.
    @inline(__always) func summaryKeys(below n: Int) -> Int {
        n <= 0 ? 0 : (n / stride) * summary + max(0, n % stride - (stride - summary))
    }

    /// Summary keys in `lo...hi`.
    @inline(__always) func summaryKeys(_ lo: Int, _ hi: Int) -> Int {
        hi < lo ? 0 : summaryKeys(below: hi + 1) - summaryKeys(below: lo)
    }

    /// Rows at positions a…b, keys c0…c1.
    /// - strided: the differences i − j run over [a − c1, b − c0] (every value met); attended elements exist when the
    ///   non-negative part holds a value < l or a multiple of l, and all are attended when every difference is ≥ 0 and
    ///   those ≥ l are multiples of l (one value, or any with l = 1).
    /// - fixed: some row meets its own block when a block B common to rows and keys has a key ≤ the rows' last in it
    ///   (best at B = ⌊c0 / l⌋, clamped), or a summary key lies in [c0, min(c1, b)]; all are attended when every key is
    ///   ≤ a and the keys outside the rows' one common block are summary keys.
    /// - Complexity: O(1).
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        let (a, b) = (position(rows.lowerBound), position(rows.upperBound - 1))
        let (c0, c1) = (columns.lowerBound, columns.upperBound - 1)
        guard c0 <= b else { return .empty }
        let l = stride
        switch pattern {
        case .strided:
            let (low, high) = (max(0, a - c1), b - c0)
            let some = low < l || (low + l - 1) / l * l <= high
            guard some else { return .empty }
            guard a >= c1 else { return .partial }
            if l == 1 { return .full }                // every difference is a multiple of 1
            let beyond = max(low, l)                  // differences ≥ l
            return beyond > high || (beyond == high && high % l == 0) ? .full : .partial
        case .fixed:
            let (firstBlock, lastBlock) = (max(a / l, c0 / l), min(b / l, c1 / l))
            var some = false
            if firstBlock <= lastBlock {
                let block = min(max(c0 / l, firstBlock), lastBlock)
                some = max(c0, block * l) <= min(b, block * l + l - 1)
            }
            if !some { some = summaryKeys(c0, min(c1, b)) > 0 }
            guard some else { return .empty }
            guard a >= c1 else { return .partial }
            // Every key ≤ every row: rows in one block B attend all of B's keys; other keys must be summary keys.
            let ownBlock = a / l == b / l ? a / l : -1
            let (outsideLo, outsideHi) = ownBlock < 0 ? (c0, c1) : (c0, min(c1, ownBlock * l - 1))
            return summaryKeys(outsideLo, outsideHi) == max(0, outsideHi - outsideLo + 1) ? .full : .partial
        }
    }

    /// Per row: the keys of its window (strided) or block (fixed) inside `columns`, and the strided keys i − k·l
    /// (k ≥ 1) or summary keys of earlier blocks there.
    /// - Complexity: O(rows).
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        let (c0, c1) = (columns.lowerBound, columns.upperBound - 1)
        let l = stride
        var count = 0
        for query in rows {
            let i = position(query)
            switch pattern {
            case .strided:
                count += max(0, min(i, c1) - max(i - l + 1, c0) + 1)
                // k ≥ 1 with c0 ≤ i − k·l ≤ c1.
                let kLo = max(1, i - c1 <= 0 ? 1 : (i - c1 + l - 1) / l)
                let kHi = i - c0 < 0 ? 0 : (i - c0) / l
                count += max(0, kHi - kLo + 1)
            case .fixed:
                let start = i / l * l
                count += max(0, min(i, c1) - max(start, c0) + 1)
                count += summaryKeys(c0, min(c1, start - 1))
            }
        }
        return count
    }

    public var coversRectanglesFast: Bool { true }

    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? { 0 ..< position(rows.upperBound - 1) + 1 }

    // MARK: Mask

    /// Σ over rows of their keys: strided, min(i' + 1, l) + ⌊i' / l⌋; fixed, (i' mod l) + 1 + ⌊i' / l⌋ · c.
    /// - Complexity: O(1).
    public var attendedPairs: Double? {
        let (a, b) = (keys - queries, keys - 1)
        // Σ_{x = a}^{b} ⌊x / l⌋, from Σ_{x < n} ⌊x / l⌋ = l·q(q − 1)/2 + q·r with n = q·l + r.
        func floors(below n: Int) -> Double {
            let (q, r) = (Double(n / stride), Double(n % stride))
            return Double(stride) * q * (q - 1) / 2 + q * r
        }
        let blocks = floors(below: b + 1) - floors(below: a)
        switch pattern {
        case .strided:
            return sumOfMin(from: a + 1, through: b + 1, cap: stride) + blocks
        case .fixed:
            // Σ (x mod l) = Σ x − l · Σ ⌊x / l⌋.
            let sumX = (Double(a) + Double(b)) * Double(queries) / 2
            return sumX - Double(stride) * blocks + Double(queries) + blocks * Double(summary)
        }
    }

    /// No, as for `causal`: the early Q tiles visit fewer KV tiles (`CausalMask.waveBoundHolds`).
    public var waveBoundHolds: Bool { false }

    /// What a FlexAttention mask function evaluates per element of a partial tile:
    /// strided, `(q >= k) & ((q - k < l) | ((q - k) % l == 0))`: a subtraction, a modulo and three comparisons;
    /// fixed, `(q >= k) & ((q // l == k // l) | (k % l >= l - c))`: two divisions, a modulo and three comparisons.
    /// A power-of-two l compiled in makes the divisions shifts and masks. The strided modulo divides q − k, so it runs
    /// per element; the fixed pattern's divide the query or the key index alone.
    public var elementWork: MaskElementWork {
        let divisions = pattern == .strided ? 1 : 3
        return MaskElementWork(compares: 3, arithmetic: pattern == .strided ? 1 : 0, divisions: divisions,
                               powerOfTwoDivisions: MaskElementWork.isPowerOfTwo(stride) ? divisions : 0,
                               perElementDivisions: pattern == .strided ? 1 : 0)
    }
}
