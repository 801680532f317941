import AttnSimFuzzing
import Foundation
import Testing
@testable import AttnSim

/// `strided` (Sparse Transformer), `all_of` (intersection) and `per_head` against element-by-element references:
/// the rules written as the papers' sets in `BruteForce1DMask`, every (query, key) pair of small problems; tiles and
/// rectangles counted from the elements inside them.
@Suite struct ComposedMaskTests {
    /// A random mask over P queries × M keys with its rule: one of the 1-D families, or `strided`/`fixed`.
    static func randomPart(queries p: Int, keys m: Int, _ rng: inout SplitMix64) -> (any Mask, BruteForce1DMask.Rule) {
        switch rng.int(0...4) {
        case 0:
            let w = rng.int(1...m + 4)
            return (SlidingWindowMask(queries: p, keys: m, window: w), .sliding(window: w))
        case 1:
            let w = rng.int(1...m + 4)
            return (SlidingWindowMask(queries: p, keys: m, window: w, causal: false), .band(window: w))
        case 2:
            let (s, w) = (rng.int(0...m), rng.int(1...m + 4))
            return (AShapeMask(queries: p, keys: m, sink: s, window: w), .aShape(sink: s, window: w))
        case 3:
            let lengths = KeyRunMaskTests.randomLengths(keys: m, documents: rng.int(1...min(6, m)), &rng)
            let causal = rng.int(0...1) == 0
            return (DocumentMask(queries: p, keys: m, lengths: lengths, causal: causal), .document(lengths: lengths, causal: causal))
        default:
            return randomStrided(queries: p, keys: m, &rng)
        }
    }

    static func randomStrided(queries p: Int, keys m: Int, _ rng: inout SplitMix64) -> (any Mask, BruteForce1DMask.Rule) {
        let l = rng.int(0...3) == 0 ? rng.int(1...m + 3) : rng.int(1...40)
        if rng.int(0...1) == 0 { return (StridedMask(queries: p, keys: m, stride: l), .strided(stride: l)) }
        let c = rng.int(1...l)
        return (StridedMask(queries: p, keys: m, stride: l, pattern: .fixed, summary: c), .fixed(stride: l, summary: c))
    }

    /// Pairs, `isDense`, `attends` on sampled rows, the tile grid in 3 random tilings, and `cover`/`pairs` of 10
    /// random rectangles, all against `reference`.
    static func check(_ mask: any Mask, _ reference: BruteForce1DMask, _ rng: inout SplitMix64) {
        let what = "\(reference.rule), P \(reference.queries), M \(reference.keys)"
        let (p, m) = (reference.queries, reference.keys)
        #expect(mask.attendedPairs == Double(reference.pairs), "pairs: \(what)")
        #expect(mask.isDense == (reference.pairs == p * m), "isDense: \(what)")
        var agrees = true
        for i in [0, p - 1] + (0..<6).map({ _ in rng.int(0...p - 1) }) {
            for j in 0..<m where mask.attends(query: i, key: j, head: 0) != reference.attended[i * m + j] { agrees = false }
        }
        #expect(agrees, "attends: \(what)")
        for _ in 0..<3 {
            let (tq, tkv) = (rng.int(1...64), rng.int(1...64))
            #expect(mask.tileGrid(MaskTiling(qTile: [tq], kvTile: [tkv]), head: 0).tiles
                == reference.grid(qTile: tq, kvTile: tkv), "grid Q \(tq) KV \(tkv): \(what)")
        }
        for _ in 0..<10 {
            let (q0, k0) = (rng.int(0...p - 1), rng.int(0...m - 1))
            let (rows, columns) = (q0 ..< rng.int(q0 + 1...p), k0 ..< rng.int(k0 + 1...m))
            let count = reference.count(rows: rows, columns: columns)
            let expected: TileCover = count == 0 ? .empty : count == rows.count * columns.count ? .full : .partial
            #expect(mask.cover(rows: rows, columns: columns, head: 0) == expected, "cover \(rows) × \(columns): \(what)")
            #expect(mask.pairs(rows: rows, columns: columns, head: 0) == count, "pairs \(rows) × \(columns): \(what)")
        }
    }

    /// 300 strided and fixed problems (M = 1…300 keys, P = M or fewer, l from 1 to past the sequence).
    @Test func stridedMatchesTheSparseTransformerSets() {
        var rng = SplitMix64(state: 2026_12_04_17)
        for _ in 0..<300 {
            let m = rng.int(1...300)
            let p = rng.int(0...2) == 0 ? rng.int(1...m) : m
            let (mask, rule) = Self.randomStrided(queries: p, keys: m, &rng)
            Self.check(mask, BruteForce1DMask(rule, queries: p, keys: m), &rng)
        }
    }

    /// 300 vertical-slash problems: random line sets (0–12 vertical keys, 0–12 slash offsets, sometimes a run of
    /// consecutive offsets so that tiles below the diagonal can be full), and the spread and local placements.
    @Test func verticalSlashMatchesTheLines() {
        var rng = SplitMix64(state: 2026_12_04_20)
        for round in 0..<300 {
            let m = rng.int(1...300)
            let p = rng.int(0...2) == 0 ? rng.int(1...m) : m
            let mask: VerticalSlashMask
            if round % 3 == 2 {
                let placement: VerticalSlashMask.Placement = rng.int(0...1) == 0 ? .spread : .local
                mask = VerticalSlashMask(queries: p, keys: m, verticals: rng.int(0...m + 3), slashes: rng.int(0...m + 3),
                                         placement: placement)
            } else {
                var v = Set((0..<rng.int(0...12)).map { _ in rng.int(0...m - 1) })
                var s = Set((0..<rng.int(0...12)).map { _ in rng.int(0...m - 1) })
                if rng.int(0...1) == 0 { s.formUnion(0..<rng.int(1...min(m, 80))) }
                if rng.int(0...3) == 0 { v.formUnion(0..<rng.int(1...m)) }
                mask = VerticalSlashMask(queries: p, keys: m, vertical: Array(v), slash: Array(s))
            }
            Self.check(mask, BruteForce1DMask(.verticalSlash(vertical: Set(mask.vertical), slash: Set(mask.slash)),
                                              queries: p, keys: m), &rng)
        }
    }

    /// The spread placement keeps MInference's forced lines (references.md [MInference] `minference_forward.py`:
    /// the first 30 keys and the 100 nearest diagonals) and spaces the rest over the remaining keys and offsets: the
    /// 970 other verticals over keys 30…131071 are ⌊k · 131042 / 970⌋ apart from key 30, so the second is 135 on.
    @Test func spreadPlacementKeepsTheForcedLines() {
        let mask = VerticalSlashMask(queries: 131072, keys: 131072, verticals: 1000, slashes: 6096)
        #expect(mask.vertical.count == 1000 && mask.slash.count == 6096)
        #expect(Array(mask.vertical.prefix(30)) == Array(0..<30) && Array(mask.slash.prefix(100)) == Array(0..<100))
        #expect(mask.vertical[30] == 30 && mask.vertical.last! < 131072 && mask.vertical[31] - mask.vertical[30] == 135)
        let local = VerticalSlashMask(queries: 4096, keys: 4096, verticals: 64, slashes: 1024, placement: .local)
        // Local lines are a_shape's sink and window.
        #expect(local.attendedPairs == AShapeMask(queries: 4096, keys: 4096, sink: 64, window: 1024).attendedPairs)
    }

    /// 200 intersections of two or three random masks.
    @Test func allOfMatchesTheIntersection() {
        var rng = SplitMix64(state: 2026_12_04_18)
        for _ in 0..<200 {
            let m = rng.int(1...200)
            let p = rng.int(0...2) == 0 ? rng.int(1...m) : m
            let parts = (0..<rng.int(2...3)).map { _ in Self.randomPart(queries: p, keys: m, &rng) }
            let mask = AllOfMask(parts.map(\.0), queries: p, keys: m)
            Self.check(mask, BruteForce1DMask(.allOf(parts.map(\.1)), queries: p, keys: m), &rng)
        }
    }

    /// A family without rectangle shortcuts composes too: 2-D GNA (its `attends`, checked against NATTEN's rules in
    /// GNABruteForceTests) cut to causal over the flattened order, against the two tested element by element here.
    @Test func gnaIntersectedWithCausal() {
        let gna = GNAMask(tokens: [12, 10], window: [5, 3], stride: [2, 1], dilation: [1, 1], causal: [false, false])
        let mask = AllOfMask([gna, CausalMask(queries: 120, keys: 120)], queries: 120, keys: 120)
        for (tq, tkv) in [(16, 16), (7, 9)] {
            var expected: [QTileVisit] = []
            for q0 in stride(from: 0, to: 120, by: tq) {
                var visit = QTileVisit(visited: 0, full: 0)
                for k0 in stride(from: 0, to: 120, by: tkv) {
                    var (some, all) = (false, true)
                    for i in q0..<min(q0 + tq, 120) {
                        for j in k0..<min(k0 + tkv, 120) {
                            let kept = j <= i && gna.attends(query: i, key: j, head: 0)
                            some = some || kept
                            all = all && kept
                        }
                    }
                    if some { visit.visited += 1 }
                    if some && all { visit.full += 1 }
                }
                expected.append(visit)
            }
            #expect(mask.tileGrid(MaskTiling(qTile: [tq], kvTile: [tkv]), head: 0).tiles == expected)
        }
        var pairs = 0
        for i in 0..<120 { for j in 0...i where gna.attends(query: i, key: j, head: 0) { pairs += 1 } }
        #expect(mask.attendedPairs == Double(pairs))
    }

    /// README.md, "Limits": covering asks at most 4·10⁸ tile pairs of masks whose covers are fast, and as many elements
    /// of the others (an intersection with a mask whose rows are not runs tests elements where both are partial).
    @Test func coveringRefusesWhatWouldTakeTooLong() {
        let n = 1 << 20
        let tiling = MaskTiling(qTile: [128], kvTile: [128])
        let runs = AllOfMask([DocumentMask(queries: n, keys: n, lengths: [n / 2, n / 2]),
                              SlidingWindowMask(queries: n, keys: n, window: 8192)], queries: n, keys: n)
        #expect(runs.coversRectanglesFast && runs.isTractable(tiling))
        #expect(StridedMask(queries: n, keys: n, stride: 1024).isTractable(tiling))
        #expect(!StridedMask(queries: n, keys: n, stride: 1024).isTractable(MaskTiling(qTile: [16], kvTile: [16])))
        let gna = GNAMask(tokens: [1024, 1024], window: [33, 33], stride: [1, 1], dilation: [1, 1], causal: [false, false])
        let elements = AllOfMask([gna, CausalMask(queries: n, keys: n)], queries: n, keys: n)
        #expect(!elements.coversRectanglesFast && !elements.isTractable(tiling))
        let small = AllOfMask([GNAMask(tokens: [32, 32], window: [9, 9], stride: [1, 1], dilation: [1, 1], causal: [false, false]),
                               CausalMask(queries: 1024, keys: 1024)], queries: 1024, keys: 1024)
        #expect(small.isTractable(tiling))
    }

    /// DuoAttention-style heads (references.md [DuoAttention]): 2 full causal heads and 6 streaming heads (sink 4,
    /// window 16) over 96 tokens. The grid of a batch element is every head's, in head order.
    @Test func perHeadGroups() {
        let (p, m) = (96, 96)
        let mask = PerHeadMask([.init(heads: 2, mask: CausalMask(queries: p, keys: m)),
                                .init(heads: 6, mask: AShapeMask(queries: p, keys: m, sink: 4, window: 16))])
        #expect(mask.headPatterns == 8)
        let causal = BruteForce1DMask(.sliding(window: m), queries: p, keys: m)
        let streaming = BruteForce1DMask(.aShape(sink: 4, window: 16), queries: p, keys: m)
        #expect(mask.attendedPairs == Double(2 * causal.pairs + 6 * streaming.pairs) / 8)
        let tiling = MaskTiling(qTile: [16], kvTile: [16])
        let grid = mask.combinedTileGrid(tiling)
        let expected = Array(repeating: causal.grid(qTile: 16, kvTile: 16), count: 2).flatMap { $0 }
            + Array(repeating: streaming.grid(qTile: 16, kvTile: 16), count: 6).flatMap { $0 }
        #expect(grid.tiles == expected)
        #expect(mask.attends(query: 50, key: 10, head: 1) && !mask.attends(query: 50, key: 10, head: 2))
        // The head branch is one comparison on top of the costlier group's rule.
        #expect(mask.elementWork == MaskElementWork(compares: 4, arithmetic: 1))
    }

    /// Sparse Transformer at the paper's scale of choice, l ≈ √n (references.md [SparseTransformer §4.2]): n = 16384,
    /// l = 128. A row attends min(i + 1, l) + ⌊i / l⌋ keys, so the pairs are Σ … = 128·129/2 + 16256·128 + Σ⌊i/128⌋,
    /// and with 128-token tiles every Q tile visits every KV tile up to its own: the causal grid, its diagonal tile
    /// the only full one.
    @Test func stridedAtTheSquareRoot() {
        let mask = StridedMask(queries: 16384, keys: 16384, stride: 128)
        let floors = 128.0 * (128 * 127 / 2)                    // Σ_{i<16384} ⌊i/128⌋ = 128 · Σ_{q<128} q
        #expect(mask.attendedPairs == 128.0 * 129 / 2 + 16256.0 * 128 + floors)
        let grid = mask.tileGrid(MaskTiling(qTile: [128], kvTile: [128]), head: 0)
        #expect(grid.tiles.enumerated().allSatisfy { $0.element == QTileVisit(visited: $0.offset + 1, full: 0) })
        // KV tiles of 64 keys, Q tile 10 (rows 1280…1407): its 128 rows hold every residue mod 128, so the keys
        // i − k·128 fill keys 0…1279 (KV tiles 0…19); the windows reach keys 1153…1407 (tiles 18…21): 22 tiles.
        let fine = mask.tileGrid(MaskTiling(qTile: [128], kvTile: [64]), head: 0)
        #expect(fine.tiles[10].visited == 22)
    }
}

/// Loading `strided`, `all_of` and `per_head`: the README's examples load; bad values are diagnostics naming file,
/// line, column, field and what was expected.
@Suite struct ComposedMaskDecodeTests {
    static func load(_ mask: String, heads: Int = 2) throws -> any Mask {
        let text = """
            attnsim: 1
            name: t
            problem: {batch: 1, heads: \(heads), head_dim: 64, tokens: 4096, dtype: bf16}
            mask: \(mask)
            """
        return try Workload.parse(text: text, file: "wl.yaml").mask
    }

    func error(_ mask: String, heads: Int = 2) -> Diagnostic? {
        do { _ = try Self.load(mask, heads: heads) } catch let error as Diagnostic { return error } catch { Issue.record("\(error)") }
        Issue.record("\(mask) loaded")
        return nil
    }

    @Test func examplesLoad() throws {
        #expect(try Self.load("{kind: strided, stride: 128}") as? StridedMask
            == StridedMask(queries: 4096, keys: 4096, stride: 128))
        #expect(try Self.load("{kind: strided, stride: 128, pattern: fixed, summary: 8}") as? StridedMask
            == StridedMask(queries: 4096, keys: 4096, stride: 128, pattern: .fixed, summary: 8))
        let both = try #require(try Self.load("{kind: all_of, masks: [{kind: document, lengths: [1024, 3072]}, "
            + "{kind: sliding_window, window: 512}]}") as? AllOfMask)
        #expect(both.masks.map(\.kind) == ["document", "sliding_window"])
        let heads = try #require(try Self.load("{kind: per_head, groups: [{heads: 1, mask: {kind: causal}}, "
            + "{heads: 1, mask: {kind: a_shape, sink: 4, window: 64}}]}") as? PerHeadMask)
        #expect(heads.groupOfHead == [0, 1] && heads.headPatterns == 2)
    }

    /// `vertical_slash` from a file of lines, and the file's errors.
    @Test func verticalSlashFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-vs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func load(_ json: String, extra: String = "") throws -> any Mask {
            try json.write(to: dir.appendingPathComponent("vs.json"), atomically: true, encoding: .utf8)
            let text = """
                attnsim: 1
                name: t
                problem: {batch: 1, heads: 2, head_dim: 64, tokens: 4096, dtype: bf16}
                mask: {kind: vertical_slash, file: vs.json\(extra)}
                """
            return try Workload.parse(text: text, file: dir.appendingPathComponent("wl.yaml").path).mask
        }
        let mask = try #require(try load(#"{"vertical": [7, 0, 3], "slash": [0, 1, 2]}"#) as? VerticalSlashMask)
        #expect(mask.vertical == [0, 3, 7] && mask.slash == [0, 1, 2])
        for (json, extra, fragment) in [(#"{"vertical": [4096], "slash": [0]}"#, "", "vertical key 4096"),
                                         (#"{"vertical": [0], "slash": [-1]}"#, "", "slash offset -1"),
                                         (#"{"vertical": [0]}"#, "", "expected a JSON object"),
                                         (#"{"vertical": [0], "slash": [0]}"#, ", vertical: 3", "not both")] {
            do {
                _ = try load(json, extra: extra)
                Issue.record("\(json) loaded")
            } catch let error as Diagnostic {
                #expect(error.message.contains(fragment) && error.path == "mask.file", "\(error)")
            }
        }
    }

    /// Absurd strides, line counts, frames and nestings through the fuzzer's entry (each workload simulated on its fixed
    /// hardware files): a diagnostic or finite times, never a trap.
    @Test func absurdWorkloadsThroughTheFuzzEntry() throws {
        let entry = try FuzzEntry(root: Repo.root.path)
        let big = "9223372036854775807"
        for problem in ["tokens: 1, kv_tokens: 1099511627775", "tokens: 65536", "tokens: 4096"] {
            for mask in ["{kind: strided, stride: \(big)}", "{kind: strided, stride: 1, pattern: fixed, summary: 1}",
                         "{kind: strided, stride: \(big), pattern: fixed, summary: \(big)}",
                         "{kind: vertical_slash, vertical: \(big), slash: \(big)}",
                         "{kind: vertical_slash, vertical: 0, slash: 0}",
                         "{kind: radial, frames: 1, frame_tokens: \(big)}", "{kind: radial, frames: \(big), frame_tokens: 1}",
                         "{kind: all_of, masks: [{kind: strided, stride: 3}, {kind: all_of, masks: [{kind: causal}, {kind: none}]}]}",
                         "{kind: per_head, groups: [{heads: 1, mask: {kind: vertical_slash, vertical: 5, slash: 5}}]}"] {
                KeyRunMaskTests.expectSimulatedOrRejected(entry, problem: problem, mask: mask)
            }
        }
    }

    @Test func badValuesNameTheField() throws {
        // Columns counted by hand in line 4, `mask: ...`.
        let summary = try #require(error("{kind: strided, stride: 16, pattern: fixed, summary: 17}"))
        #expect((summary.file, summary.line, summary.column, summary.path) == ("wl.yaml", 4, 60, "mask.summary"))
        #expect(summary.message.contains("1 … 16"))
        let stray = try #require(error("{kind: strided, stride: 16, summary: 2}"))
        #expect(stray.path == "mask.summary" && stray.message.contains("pattern: fixed"))
        let pattern = try #require(error("{kind: strided, stride: 16, pattern: fix}"))
        #expect(pattern.path == "mask.pattern" && pattern.message.contains("strided") && pattern.message.contains("fixed"))
        let one = try #require(error("{kind: all_of, masks: [{kind: causal}]}"))
        #expect((one.line, one.column, one.path) == (4, 29, "mask.masks") && one.message.contains("two or more"))
        let inner = try #require(error("{kind: all_of, masks: [{kind: causal}, {kind: sliding_window}]}"))
        #expect(inner.path == "mask.masks[1].window" && inner.message.contains("window"))
        let sum = try #require(error("{kind: per_head, groups: [{heads: 1, mask: {kind: causal}}]}", heads: 4))
        #expect(sum.path == "mask.groups" && sum.message.contains("problem.heads (4)"))
        let key = try #require(error("{kind: per_head, groups: [{heads: 4, mask: {kind: causal}, window: 3}]}", heads: 4))
        #expect(key.path.hasPrefix("mask.groups[0]") && key.message.contains("window"))
    }
}

/// `radial` against the artifact's procedure written out element by element (references.md [RadialAttention],
/// `radial_attn/attn_mask.py` at 72788d4: `get_window_width`, `get_diagonal_split_mask`, `shrinkMaskStrict`,
/// `gen_log_mask_shrinked`): per frame pair the padded element band, its column densities in floating point, the
/// 1/3 and 0.6 thresholds, OR-ed into the block grid, text rows and columns kept.
@Suite struct RadialMaskTests {
    static func reference(frames: Int, t: Int, text: Int, decay: Double, wan: Bool, bs: Int) -> Set<[Int]> {
        let s = frames * t + text
        let n = (s + bs - 1) / bs
        var kept = Set<[Int]>()
        let border = frames * t / bs
        for b in border..<n { for k in 0..<n { kept.insert([b, k]); kept.insert([k, b]) } }
        func bitLength(_ x: Int) -> Int { x == 0 ? 0 : String(x, radix: 2).count }
        for i in 0..<frames {
            for j in 0..<frames {
                let dist = abs(i - j)
                var local = [[Bool]](repeating: [Bool](repeating: false, count: t), count: t)
                if wan && j == 0 {
                    local = [[Bool]](repeating: [Bool](repeating: true, count: t), count: t)
                } else {
                    var width = Double(t)
                    if dist > 1 {
                        let length = pow(2.0, Double(bitLength(t))) / pow(2.0, Double(bitLength(dist))) * decay
                        width = length >= Double(bs) ? length : Double(bs)
                    }
                    let decayLength = pow(2.0, Double(bitLength(t))) / pow(2.0, Double(bitLength(dist)))
                    let split = decayLength >= 128 || dist % Int(128 / decayLength) == 0
                    for r in 0..<t { for c in 0..<t { local[r][c] = Double(abs(c - r)) <= width && split } }
                }
                let (rr, rc) = ((i * t) % bs, (j * t) % bs)
                let rows = rr + ((t - 1) / bs + 1) * bs, columns = rc + ((t - 1) / bs + 1) * bs
                var padded = [[Bool]](repeating: [Bool](repeating: false, count: columns), count: rows)
                for r in 0..<t { for c in 0..<t { padded[rr + r][rc + c] = local[r][c] } }
                let bn = rows / bs
                for bi in 0..<bn {
                    for bj in 0..<bn {
                        var (nonZero, high) = (0.0, 0.0)
                        for c in bj * bs ..< bj * bs + bs {
                            var sum = 0
                            for r in bi * bs ..< bi * bs + bs where padded[r][c] { sum += 1 }
                            let density = Double(sum) / Double(bs)
                            if density > 0 { nonZero += 1 }
                            if density > 1.0 / 3 { high += 1 }
                        }
                        let (row, column) = (i * t / bs + bi, j * t / bs + bj)
                        if high / (nonZero + 1e-9) > 0.6 && row < n && column < n { kept.insert([row, column]) }
                    }
                }
            }
        }
        return kept
    }

    /// 40 random small videos (2–7 frames of 20–300 tokens, 0–70 text tokens, blocks of 16, 32 or 64, decay 0.5–1.2,
    /// both models): the same blocks.
    @Test func blocksMatchTheArtifactProcedure() {
        var rng = SplitMix64(state: 2026_12_04_19)
        for _ in 0..<40 {
            let (frames, t, text) = (rng.int(2...7), rng.int(20...300), rng.int(0...70))
            let bs = [16, 32, 64][rng.int(0...2)]
            let decay = [0.5, 0.95, 1.0, 1.2][rng.int(0...3)]
            let wan = rng.int(0...1) == 0
            let table = RadialMask.blockMask(frames: frames, frameTokens: t, tokens: frames * t + text, decay: decay,
                                             model: wan ? .wan : .hunyuan, block: bs)
            var got = Set<[Int]>()
            for q in 0..<table.heads[0].full.rows { for k in table.heads[0].full.row(q) { got.insert([q, Int(k)]) } }
            #expect(got == Self.reference(frames: frames, t: t, text: text, decay: decay, wan: wan, bs: bs),
                    "frames \(frames) T \(t) text \(text) block \(bs) decay \(decay) wan \(wan)")
        }
    }

    /// The HunyuanVideo setting of the artifact's scripts/hunyuan_t2v_inference.sh (768×1280, 117 frames: 30 latent
    /// frames of 48×80 = 3840 tokens, decay 0.95) with 256 text tokens: the mask loads, every frame attends its own and
    /// its neighbours' frames whole, and far frames less.
    @Test func hunyuanDefault() throws {
        let text = """
            attnsim: 1
            name: radial
            problem: {batch: 1, heads: 24, head_dim: 128, tokens: 115456, dtype: bf16}
            mask: {kind: radial, frames: 30, frame_tokens: 3840, text_tokens: 256, decay: 0.95, model: hunyuan}
            """
        let mask = try #require(try Workload.parse(text: text, file: "wl.yaml").mask as? RadialMask)
        let full = mask.blocks.table.heads[0].full
        #expect(full.rows == 902)
        // Frame 10's first block row: frames 9, 10, 11 whole (3 × 30 blocks) plus the banded far frames and text.
        let row = Array(full.row(300)).map(Int.init)
        for k in 270..<360 { #expect(row.contains(k)) }
        #expect(row.contains(900) && row.contains(901))
        // Frame 0 is 10 frames away: band 2^12 / 2^4 · 0.95 = 243 tokens, so block 0 of frame 0 is kept and its
        // block 29 (28 blocks off the diagonal) is not.
        #expect(row.contains(0) && !row.contains(29) && row.count < 902)
        let density = Double(full.count) / (902.0 * 902.0)
        #expect(density > 0.05 && density < 0.6)
    }
}
