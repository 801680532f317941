import AttnSimFuzzing
import Testing
@testable import AttnSim

/// The four 1-D families (`sliding_window`, `block_causal`, `a_shape`, `document`) against an element-by-element
/// reference: each rule written here as README.md's "1-D masks" states it, independently of the `KeyRuns` the
/// families use, over every (query, key) pair of small problems; tiles counted from the elements inside them.
struct BruteForce1DMask {
    enum Rule: CustomStringConvertible {
        case sliding(window: Int), band(window: Int), blockCausal(block: Int, window: Int?)
        case aShape(sink: Int, window: Int), document(lengths: [Int], causal: Bool)
        /// references.md [SparseTransformer §4.2, §4.3], written as the paper's sets: strided A⁽¹⁾ = {max(0, i − l) … i},
        /// A⁽²⁾ = {j : (i − j) mod l = 0}; fixed A⁽¹⁾ = {j : ⌊j/l⌋ = ⌊i/l⌋}, A⁽²⁾ = {j : j mod l ≥ l − c}; j ≤ i.
        case strided(stride: Int), fixed(stride: Int, summary: Int)
        /// references.md [MInference]: j ≤ i and (j a vertical key or i − j a slash offset).
        case verticalSlash(vertical: Set<Int>, slash: Set<Int>)
        /// Every rule at once.
        indirect case allOf([Rule])

        var description: String {
            switch self {
            case .sliding(let w): return "sliding_window \(w)"
            case .band(let w): return "band \(w)"
            case .blockCausal(let b, let w): return "block_causal \(b) window \(w.map(String.init) ?? "-")"
            case .aShape(let s, let w): return "a_shape sink \(s) window \(w)"
            case .document(let lengths, let causal): return "document \(lengths) causal \(causal)"
            case .strided(let l): return "strided \(l)"
            case .fixed(let l, let c): return "fixed \(l) summary \(c)"
            case .verticalSlash(let v, let s): return "vertical_slash \(v.sorted()) \(s.sorted())"
            case .allOf(let rules): return "all_of \(rules)"
            }
        }
    }

    var rule: Rule
    var queries: Int
    var keys: Int
    /// attended[i * keys + j]
    var attended: [Bool] = []
    /// sum[i * (keys + 1) + j]: attended elements of rows 0..<i and columns 0..<j.
    var sum: [Int] = []

    init(_ rule: Rule, queries p: Int, keys m: Int) {
        (self.rule, queries, keys) = (rule, p, m)
        attended.reserveCapacity(p * m)
        for row in 0..<p {
            let i = row + m - p                    // queries aligned to the last keys
            for j in 0..<m { attended.append(Self.attends(rule, i, j)) }
        }
        // Prefix sums over the element matrix: attended elements of any rectangle in O(1).
        let width = m + 1
        sum = [Int](repeating: 0, count: (p + 1) * width)
        for i in 0..<p {
            for j in 0..<m {
                sum[(i + 1) * width + j + 1] = sum[i * width + j + 1] + sum[(i + 1) * width + j] - sum[i * width + j]
                    + (attended[i * m + j] ? 1 : 0)
            }
        }
    }

    var pairs: Int { sum[sum.count - 1] }

    /// Whether the key at position j is attended by the query at position i under `rule`.
    static func attends(_ rule: Rule, _ i: Int, _ j: Int) -> Bool {
        switch rule {
        case .sliding(let w): return j <= i && i - j < w
        case .band(let w): return abs(i - j) <= w / 2
        case .blockCausal(let b, let w): return j / b <= i / b && (w.map { i / b - j / b < $0 } ?? true)
        case .aShape(let s, let w): return j <= i && (j < s || i - j < w)
        case .document(let lengths, let causal):
            var start = 0
            for length in lengths {
                if i < start + length { return j >= start && j < start + length && (!causal || j <= i) }
                start += length
            }
            return false
        case .strided(let l): return j <= i && ((max(0, i - l)...i).contains(j) || (i - j) % l == 0)
        case .fixed(let l, let c): return j <= i && (j / l == i / l || j % l >= l - c)
        case .verticalSlash(let v, let s): return j <= i && (v.contains(j) || s.contains(i - j))
        case .allOf(let rules): return rules.allSatisfy { attends($0, i, j) }
        }
    }

    /// Attended elements of queries `rows` × keys `columns`.
    func count(rows: Range<Int>, columns: Range<Int>) -> Int {
        let width = keys + 1
        let (q0, q1, k0, k1) = (rows.lowerBound, rows.upperBound, columns.lowerBound, columns.upperBound)
        return sum[q1 * width + k1] - sum[q0 * width + k1] - sum[q1 * width + k0] + sum[q0 * width + k0]
    }

    /// Per Q tile: KV tiles with an attended element, and those with every real element attended.
    func grid(qTile: Int, kvTile: Int) -> [QTileVisit] {
        var tiles: [QTileVisit] = []
        for q0 in stride(from: 0, to: queries, by: qTile) {
            let q1 = min(q0 + qTile, queries)
            var visit = QTileVisit(visited: 0, full: 0)
            for k0 in stride(from: 0, to: keys, by: kvTile) {
                let k1 = min(k0 + kvTile, keys)
                let count = count(rows: q0 ..< q1, columns: k0 ..< k1)
                if count > 0 { visit.visited += 1 }
                if count == (q1 - q0) * (k1 - k0) { visit.full += 1 }
            }
            tiles.append(visit)
        }
        return tiles
    }
}

@Suite struct KeyRunMaskTests {
    /// A random small problem of one family, with its reference: M = 1…300 keys, and P = M or (kv_tokens >
    /// tokens) fewer queries; windows, frames and sinks from 0 or 1 to past the sequence; 1–8 documents.
    static func randomProblem(_ family: Int, _ rng: inout SplitMix64) -> (any KeyRunMask, BruteForce1DMask) {
        let m = rng.int(1...300)
        let p = rng.int(0...2) == 0 ? rng.int(1...m) : m
        let mask: any KeyRunMask, rule: BruteForce1DMask.Rule
        switch family {
        case 0:
            let (w, causal) = (rng.int(1...m + 4), rng.int(0...1) == 0)
            mask = SlidingWindowMask(queries: p, keys: m, window: w, causal: causal)
            rule = causal ? .sliding(window: w) : .band(window: w)
        case 1:
            let b = rng.int(0...3) == 0 ? rng.int(1...m + 3) : rng.int(1...max(1, m / 4))
            let w: Int? = rng.int(0...1) == 0 ? nil : rng.int(1...6)
            mask = BlockCausalMask(queries: p, keys: m, block: b, window: w)
            rule = .blockCausal(block: b, window: w)
        case 2:
            let (s, w) = (rng.int(0...3) == 0 ? 0 : rng.int(0...m + 2), rng.int(1...m + 4))
            mask = AShapeMask(queries: p, keys: m, sink: s, window: w)
            rule = .aShape(sink: s, window: w)
        default:
            let lengths = Self.randomLengths(keys: m, documents: rng.int(1...min(8, m)), &rng)
            let causal = rng.int(0...1) == 0
            mask = DocumentMask(queries: p, keys: m, lengths: lengths, causal: causal)
            rule = .document(lengths: lengths, causal: causal)
        }
        return (mask, BruteForce1DMask(rule, queries: p, keys: m))
    }

    /// `documents` random document lengths summing to `m` keys.
    static func randomLengths(keys m: Int, documents: Int, _ rng: inout SplitMix64) -> [Int] {
        var cuts = Set<Int>()
        while cuts.count < documents - 1 { cuts.insert(rng.int(1...m - 1)) }
        let bounds = [0] + cuts.sorted() + [m]
        return zip(bounds.dropFirst(), bounds).map { $0 - $1 }
    }

    /// 4 × 150 random problems × 3 tilings (Q tile ≠ KV tile, a partial last tile): attended pairs, `isDense`, the
    /// tile grid (visited and full KV tiles per Q tile) and `attends` (on the first, the last and 10 random query
    /// rows, every key) agree exactly with the elements.
    @Test(arguments: 0..<4)
    func familyMatchesBruteForce(_ family: Int) {
        var rng = SplitMix64(state: 2026_12_04 + UInt64(family))
        var checked = 0
        for _ in 0..<150 {
            let (mask, reference) = Self.randomProblem(family, &rng)
            let what = "\(reference.rule), P \(reference.queries), M \(reference.keys)"
            #expect(mask.attendedPairs == Double(reference.pairs), "pairs: \(what)")
            #expect(mask.isDense == (reference.pairs == reference.queries * reference.keys), "isDense: \(what)")
            var agrees = true
            let rows = [0, reference.queries - 1] + (0..<10).map { _ in rng.int(0...reference.queries - 1) }
            for i in rows {
                for j in 0..<reference.keys where mask.attends(query: i, key: j, head: 0) != reference.attended[i * reference.keys + j] {
                    agrees = false
                }
            }
            #expect(agrees, "attends: \(what)")
            for _ in 0..<3 {
                let (tq, tkv) = (rng.int(1...64), rng.int(1...64))
                let grid = mask.tileGrid(MaskTiling(qTile: [tq], kvTile: [tkv]), head: 0)
                #expect(grid.tiles == reference.grid(qTile: tq, kvTile: tkv), "grid Q \(tq) KV \(tkv): \(what)")
                #expect(grid.denseKVTiles == ceilDiv(reference.keys, tkv))
                checked += 1
            }
        }
        #expect(checked == 450)
    }

    /// The same grids as PyTorch's `create_block_mask` (torch 2.13, workloads/masks/README.md): the sliding window
    /// of 1024 keys and the three documents (3000, 2000, 3192, not causal) over 8192 tokens in 128 × 128 blocks.
    @Test func matchFlexAttentionBlockMasks() throws {
        let tiling = MaskTiling(qTile: [128], kvTile: [128])
        let cases: [(String, any KeyRunMask)] = [
            ("sliding-window-1k-causal-8k-b128.json", SlidingWindowMask(queries: 8192, keys: 8192, window: 1024)),
            ("document-3000-2000-3192-8k-b128.json",
             DocumentMask(queries: 8192, keys: 8192, lengths: [3000, 2000, 3192], causal: false)),
        ]
        for (file, mask) in cases {
            let path = Repo.path("workloads/masks/\(file)")
            let table = try BlockMaskFile.load(path: path) { _ in (64, 64) }
            let flex = BlockMask(file: path, table: table, queries: 8192, keys: 8192)
            #expect(mask.tileGrid(tiling, head: 0) == flex.tileGrid(tiling, head: 0), "\(file)")
            if let pairs = flex.attendedPairs { #expect(mask.attendedPairs == pairs, "\(file)") }
        }
        // workloads/masks/README.md: full / partial blocks.
        let window = SlidingWindowMask(queries: 8192, keys: 8192, window: 1024).tileWork(tiling, head: 0)
        #expect(window.full == 420 && window.partial == 120)
    }

    /// Worked by hand: 32K tokens, window 4096, 128-token tiles: a Q tile past the first 32 visits the 32 KV tiles
    /// its last query sees plus the one its first query's window starts in (33), 31 of them full.
    @Test func mistralWindowByHand() {
        let mask = SlidingWindowMask(queries: 32768, keys: 32768, window: 4096)
        let grid = mask.tileGrid(MaskTiling(qTile: [128], kvTile: [128]), head: 0)
        #expect(grid.tiles[100] == QTileVisit(visited: 33, full: 31))
        #expect(grid.tiles[0] == QTileVisit(visited: 1, full: 0))
        // Σ_{x=1}^{32768} min(x, 4096) = 4096·4097/2 + (32768 − 4096)·4096
        #expect(mask.attendedPairs == 4096.0 * 4097 / 2 + 28672.0 * 4096)
    }

    /// One decode step (P = 1) over a long context: no element is enumerated, so 2^40 − 1 keys are counted at once.
    @Test func longContextsInClosedForm() {
        let m = (1 << 40) - 1
        let masks: [any KeyRunMask] = [
            SlidingWindowMask(queries: 1, keys: m, window: 4096),
            SlidingWindowMask(queries: 1, keys: m, window: 4097, causal: false),
            BlockCausalMask(queries: 1, keys: m, block: 1, window: 3),
            AShapeMask(queries: 1, keys: m, sink: 64, window: 4096),
        ]
        let expected: [Double] = [4096, 2049, 3, 64 + 4096]
        for (mask, pairs) in zip(masks, expected) {
            #expect(mask.attendedPairs == pairs, "\(mask)")
            #expect(mask.tileGrid(MaskTiling(qTile: [128], kvTile: [128]), head: 0).tiles.count == 1)
        }
        // A window over the whole sequence: the band is dense, the causal window is not (unless P = 1).
        #expect(SlidingWindowMask(queries: 64, keys: 64, window: 1000, causal: false).isDense)
        #expect(!SlidingWindowMask(queries: 64, keys: 64, window: 1000).isDense)
        #expect(SlidingWindowMask(queries: 1, keys: 64, window: 64).isDense)
        // Grids of more than 2·10⁷ Q tiles are refused (README.md, "Limits").
        let long = DocumentMask(queries: 40_000_002, keys: 40_000_002, lengths: [40_000_002])
        #expect(long.isTractable(MaskTiling(qTile: [128], kvTile: [128])))
        #expect(!long.isTractable(MaskTiling(qTile: [2], kvTile: [2])))
    }

    /// The largest sequences a problem allows (P·M·E < 9·10¹⁸: one query over 8·10¹⁸ keys) with windows, frames
    /// and sinks of any size: no sum of a position and a window is formed past Int.max.
    @Test func extremeSizesDoNotOverflow() {
        let m = 8_000_000_000_000_000_000
        let huge = [Int.max, m, m / 2 + 1, 1]
        var masks: [any KeyRunMask] = []
        for w in huge {
            masks += [SlidingWindowMask(queries: 1, keys: m, window: w), SlidingWindowMask(queries: 1, keys: m, window: w, causal: false),
                      BlockCausalMask(queries: 1, keys: m, block: w), BlockCausalMask(queries: 1, keys: m, block: w, window: w),
                      AShapeMask(queries: 1, keys: m, sink: w, window: w), AShapeMask(queries: 1, keys: m, sink: w, window: 1)]
        }
        masks.append(DocumentMask(queries: 1, keys: m, lengths: [m / 2, m - m / 2]))
        for mask in masks {
            let pairs = mask.attendedPairs ?? -1
            #expect(pairs >= 1 && pairs <= Double(m), "\(mask)")
            let visit = mask.tileGrid(MaskTiling(qTile: [128], kvTile: [1 << 20]), head: 0).tiles[0]
            #expect(visit.visited >= 1 && visit.full <= visit.visited, "\(mask)")
        }
    }

    /// Absurd windows, frames, sinks and sequences through the fuzzer's entry (each workload simulated on its fixed
    /// hardware files: GPUs, spatial arrays, a CPU): a diagnostic or finite times, never a trap.
    @Test func absurdWorkloadsThroughTheFuzzEntry() throws {
        let entry = try FuzzEntry(root: Repo.root.path)
        let big = "9223372036854775807"
        let problems = [("tokens: 1, kv_tokens: 1099511627775", 1_099_511_627_775),
                        ("tokens: 1, kv_tokens: [4294967296, 1073741824]", 4_611_686_018_427_387_904),
                        ("tokens: 65536", 65536)]
        for (problem, keys) in problems {
            for mask in ["{kind: sliding_window, window: \(big)}", "{kind: sliding_window, window: \(big), causal: false}",
                         "{kind: block_causal, block: \(big), window: \(big)}", "{kind: block_causal, block: 1, window: 1}",
                         "{kind: a_shape, sink: \(big), window: \(big)}", "{kind: a_shape, sink: 0, window: 1}",
                         "{kind: document, lengths: [1, \(keys - 1)]}"] {
                Self.expectSimulatedOrRejected(entry, problem: problem, mask: mask)
            }
        }
    }

    /// Runs a one-head workload of `problem` and `mask` through the fuzzer's entry (every fixed hardware file):
    /// finite, non-negative times or a diagnostic that is not an internal error.
    static func expectSimulatedOrRejected(_ entry: FuzzEntry, problem: String, mask: String) {
        let text = "\u{3}attnsim: 1\nname: absurd\nproblem: {batch: 1, heads: 1, head_dim: 1, \(problem), dtype: bf16}\n"
            + "mask: \(mask)\n"
        switch entry.run(Array(text.utf8)) {
        case .simulated(let times):
            #expect(times.allSatisfy { $0.map { $0.isFinite && $0 >= 0 } ?? true }, "\(problem) \(mask): \(times)")
        case .rejected(let error):
            #expect(!error.message.contains("internal error"), "\(problem) \(mask): \(error)")
        default:
            Issue.record("\(problem) \(mask): neither simulated nor rejected")
        }
    }

    /// Counts from FlexAttention-style mask functions (each family's `elementWork` comment).
    @Test func elementWork() {
        #expect(SlidingWindowMask(queries: 8, keys: 8, window: 4).elementWork == MaskElementWork(compares: 2, arithmetic: 1))
        // `kv_idx // B <= q_idx // B`: two divisions by B, shifts when B is a power of two (2), not when it is 3
        #expect(BlockCausalMask(queries: 8, keys: 8, block: 2).elementWork
            == MaskElementWork(compares: 1, divisions: 2, powerOfTwoDivisions: 2))
        #expect(BlockCausalMask(queries: 9, keys: 9, block: 3).elementWork == MaskElementWork(compares: 1, divisions: 2))
        #expect(BlockCausalMask(queries: 8, keys: 8, block: 2, window: 3).elementWork
            == MaskElementWork(compares: 2, arithmetic: 1, divisions: 2, powerOfTwoDivisions: 2))
        #expect(AShapeMask(queries: 8, keys: 8, sink: 1, window: 4).elementWork == MaskElementWork(compares: 3, arithmetic: 1))
        #expect(DocumentMask(queries: 8, keys: 8, lengths: [4, 4]).elementWork == MaskElementWork(compares: 2, loads: 2))
        #expect(DocumentMask(queries: 8, keys: 8, lengths: [4, 4], causal: false).elementWork
            == MaskElementWork(compares: 1, loads: 2))
    }
}
