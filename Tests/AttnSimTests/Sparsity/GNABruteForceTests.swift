import Testing
@testable import AttnSim

/// An element-by-element reference for GNA, written from NATTEN's rules (references.md [NATTEN-src]) independently of
/// `GNAAxis`/`TileWork`: it uses NATTEN's other encodings of the rules (the `max(...) + [...]` form of the window start
/// in `fna_fusion.hpp`, and the Flex causal mask `(q − kv ≥ 0) & (leader − kv < w)` of `flex.py`), enumerates every
/// (query, key) pair, and counts tiles by looking at every pair inside them.
struct BruteForceGNA {
    struct Axis { var length, window, stride, dilation: Int; var causal: Bool }
    var axes: [Axis]

    /// 1-D rule inside a group of `n` tokens.
    static func attends(_ q: Int, _ k: Int, _ a: Axis, _ n: Int) -> Bool {
        let w = a.window, s = a.stride
        if a.causal {
            let leader = min((q / s) * s + s - 1, n - 1)
            return q - k >= 0 && leader - k < w
        }
        let left = w / 2
        let right = w / 2 + w % 2 - 1
        let leader = min((q / s) * s + s / 2, n - 1)
        let start = max(leader - left, 0) + (leader + right >= n ? n - right - leader - 1 : 0)
        return start <= k && k < start + w
    }

    func groupLength(_ a: Axis, _ g: Int) -> Int { a.length / a.dilation + (g < a.length % a.dilation ? 1 : 0) }

    /// Every group combination with its in-group shape.
    var groups: [(ids: [Int], shape: [Int])] {
        var combos: [[Int]] = [[]]
        for a in axes { combos = combos.flatMap { c in (0..<a.dilation).map { c + [$0] } } }
        return combos.map { ids in (ids, zip(axes, ids).map { groupLength($0, $1) }) }
    }

    /// Attended pairs over the undilated layout, pair by pair.
    var attendedPairs: Int {
        let shape = axes.map(\.length)
        let n = shape.reduce(1, *)
        var count = 0
        for qf in 0..<n {
            let q = Self.unflatten(qf, shape)
            for kf in 0..<n {
                let k = Self.unflatten(kf, shape)
                var ok = true
                for (i, a) in axes.enumerated() {
                    let g = q[i] % a.dilation
                    guard k[i] % a.dilation == g,
                          Self.attends(q[i] / a.dilation, k[i] / a.dilation, a, groupLength(a, g)) else { ok = false; break }
                }
                if ok { count += 1 }
            }
        }
        return count
    }

    static func unflatten(_ x: Int, _ shape: [Int]) -> [Int] {
        var rest = x
        var coordinate = [Int](repeating: 0, count: shape.count)
        for i in shape.indices.reversed() { coordinate[i] = rest % shape[i]; rest /= shape[i] }
        return coordinate
    }

    /// In-group attention between coordinate lists.
    func attends(_ q: [Int], _ k: [Int], _ shape: [Int]) -> Bool {
        axes.indices.allSatisfy { Self.attends(q[$0], k[$0], axes[$0], shape[$0]) }
    }

    struct Counts: Equatable { var qTiles = 0, visited = 0, full = 0, worst = 0, worstFull = 0 }

    mutating func note(_ counts: inout Counts, visited: Int, full: Int) {
        counts.qTiles += 1
        counts.visited += visited
        counts.full += full
        if visited > counts.worst || (visited == counts.worst && full < counts.worstFull) {
            counts.worst = visited
            counts.worstFull = full
        }
    }

    /// Visited = some real pair attends; full = every real pair attends.
    func classify(_ queries: [[Int]], _ keys: [[Int]], _ shape: [Int]) -> (visited: Bool, full: Bool) {
        var any = false, all = true
        for q in queries { for k in keys { if attends(q, k, shape) { any = true } else { all = false } } }
        return (any, any && all)
    }

    /// Coordinates of the box [lo, lo + extent) clipped to `limit`, row-major.
    static func boxMembers(_ lo: [Int], _ hi: [Int]) -> [[Int]] {
        var members: [[Int]] = [[]]
        for i in lo.indices { members = members.flatMap { m in (lo[i]..<hi[i]).map { m + [$0] } } }
        return members
    }

    mutating func multiDim(q: [Int], kv: [Int], dynamic: Bool) -> Counts {
        var counts = Counts()
        for (_, shape) in groups {
            let qTileCounts = zip(shape, q).map { ($0 + $1 - 1) / $1 }
            for t in Self.boxMembers(qTileCounts.map { _ in 0 }, qTileCounts) {
                let lo = zip(t, q).map { $0 * $1 }
                let hi = lo.indices.map { min(lo[$0] + q[$0], shape[$0]) }
                let queries = Self.boxMembers(lo, hi)
                var visited = 0, full = 0
                if dynamic {
                    // Per axis, KV tiles start at the first key any query attends and stop at the last.
                    var first = shape, last = shape.map { _ in -1 }
                    for qc in queries {
                        for kc in Self.boxMembers(shape.map { _ in 0 }, shape) where attends(qc, kc, shape) {
                            for i in shape.indices { first[i] = min(first[i], kc[i]); last[i] = max(last[i], kc[i]) }
                        }
                    }
                    let counts = shape.indices.map { (last[$0] - first[$0] + kv[$0]) / kv[$0] }
                    for j in Self.boxMembers(counts.map { _ in 0 }, counts) {
                        let klo = shape.indices.map { first[$0] + j[$0] * kv[$0] }
                        let khi = shape.indices.map { min(klo[$0] + kv[$0], last[$0] + 1) }
                        let c = classify(queries, Self.boxMembers(klo, khi), shape)
                        if c.visited { visited += 1 }
                        if c.full { full += 1 }
                    }
                } else {
                    let kvTileCounts = zip(shape, kv).map { ($0 + $1 - 1) / $1 }
                    for j in Self.boxMembers(kvTileCounts.map { _ in 0 }, kvTileCounts) {
                        let klo = zip(j, kv).map { $0 * $1 }
                        let khi = klo.indices.map { min(klo[$0] + kv[$0], shape[$0]) }
                        let c = classify(queries, Self.boxMembers(klo, khi), shape)
                        if c.visited { visited += 1 }
                        if c.full { full += 1 }
                    }
                }
                note(&counts, visited: visited, full: full)
            }
        }
        return counts
    }

    mutating func singleDim(q: Int, kv: Int, dynamic: Bool) -> Counts {
        var counts = Counts()
        for (_, shape) in groups {
            let n = shape.reduce(1, *)
            for q0 in stride(from: 0, to: n, by: q) {
                let queries = (q0..<min(q0 + q, n)).map { Self.unflatten($0, shape) }
                var tiles: [[Int]] = []
                if dynamic {
                    let attended = (0..<n).filter { k in queries.contains { attends($0, Self.unflatten(k, shape), shape) } }
                    let first = attended.first!, last = attended.last!
                    tiles = stride(from: first, through: last, by: kv).map { Array($0..<min($0 + kv, last + 1)) }
                } else {
                    tiles = stride(from: 0, to: n, by: kv).map { Array($0..<min($0 + kv, n)) }
                }
                var visited = 0, full = 0
                for tile in tiles {
                    let c = classify(queries, tile.map { Self.unflatten($0, shape) }, shape)
                    if c.visited { visited += 1 }
                    if c.full { full += 1 }
                }
                note(&counts, visited: visited, full: full)
            }
        }
        return counts
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

@Suite struct GNABruteForceTests {
    /// A random small problem: 1-D to 3-D, even and odd windows, strides, dilation and causal axes.
    static func randomProblem(_ rng: inout SplitMix64) -> (GNAMask, BruteForceGNA) {
        let dims = rng.int(1...3)
        let maxLength = [40, 12, 6][dims - 1]
        var axes: [GNAAxis] = []
        for _ in 0..<dims {
            let length = rng.int(2...maxLength)
            let dilation = rng.int(1...max(1, min(3, length / 2)))
            let window = rng.int(2...length / dilation)
            let stride = rng.int(1...window)
            axes.append(GNAAxis(length: length, window: window, stride: stride, dilation: dilation,
                                causal: rng.int(0...3) == 0))
        }
        let reference = BruteForceGNA(axes: axes.map {
            .init(length: $0.length, window: $0.window, stride: $0.stride, dilation: $0.dilation, causal: $0.causal)
        })
        return (GNAMask(axes: axes), reference)
    }

    static func counts(_ work: TileWork) -> BruteForceGNA.Counts {
        .init(qTiles: work.qTiles, visited: work.visited, full: work.full, worst: work.worstVisited,
              worstFull: work.worstFull)
    }

    /// 2000 random problems × {multi-dim, single-dim} × {static, dynamic}: tile counts and FLOPs agree exactly.
    @Test func closedFormsMatchBruteForce() {
        var rng = SplitMix64(state: 20_261_123)
        var checked = 0
        for _ in 0..<2000 {
            var (mask, reference) = Self.randomProblem(&rng)
            #expect(mask.attendedPairCount == Double(reference.attendedPairs), "FLOPs \(mask.axes)")
            let qTile = mask.axes.map { rng.int(1...max(1, min(8, $0.length))) }
            let kvTile = mask.axes.map { rng.int(1...max(1, min(8, $0.length))) }
            let qRun = rng.int(1...16)
            let kvRun = rng.int(1...16)
            for kvTiling in [KernelChoice.KVTiling.static, .dynamic] {
                let multi = TileWork(mask: mask, qTile: qTile, kvTile: kvTile, tiling: .multi_dim, kvTiling: kvTiling)
                let expectedMulti = reference.multiDim(q: qTile, kv: kvTile, dynamic: kvTiling == .dynamic)
                #expect(Self.counts(multi) == expectedMulti, "multi_dim \(kvTiling) \(mask.axes) q \(qTile) kv \(kvTile)")
                let single = TileWork(mask: mask, qTile: [qRun], kvTile: [kvRun], tiling: .single_dim, kvTiling: kvTiling)
                let expectedSingle = reference.singleDim(q: qRun, kv: kvRun, dynamic: kvTiling == .dynamic)
                #expect(Self.counts(single) == expectedSingle, "single_dim \(kvTiling) \(mask.axes) q \(qRun) kv \(kvRun)")
                checked += 2
            }
        }
        #expect(checked == 8000)
    }

    /// The inverse neighborhood (NATTEN's `get_bwd_win_start/end`, references.md [NATTEN-src]) is exactly the set of
    /// queries whose window holds the key.
    @Test func inverseNeighborhoods() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<2000 {
            let n = rng.int(2...40)
            let window = rng.int(2...n)
            let axis = GNAAxis(length: n, window: window, stride: rng.int(1...window), causal: rng.int(0...1) == 1)
            let reference = BruteForceGNA.Axis(length: n, window: axis.window, stride: axis.stride, dilation: 1,
                                               causal: axis.causal)
            for k in 0..<n {
                let expected = (0..<n).filter { BruteForceGNA.attends($0, k, reference, n) }
                let range = axis.queries(attendingKey: k, groupLength: n)
                #expect(Array(range) == expected, "\(axis) key \(k)")
            }
        }
    }

    /// Worked examples, computed by hand from NATTEN's window rule, `q:[start,end)`.
    @Test func workedExamples() {
        func windows(_ n: Int, _ w: Int, _ s: Int, causal: Bool = false) -> [Range<Int>] {
            let axis = GNAAxis(length: n, window: w, stride: s, causal: causal)
            return (0..<n).map { axis.keys(ofQuery: $0, groupLength: n) }
        }
        #expect(windows(12, 5, 1) == [0..<5, 0..<5, 0..<5, 1..<6, 2..<7, 3..<8, 4..<9, 5..<10, 6..<11, 7..<12, 7..<12, 7..<12])
        #expect(windows(12, 4, 1)[3] == 1..<5 && windows(12, 4, 1)[10] == 8..<12)
        #expect(windows(12, 6, 3) == [0..<6, 0..<6, 0..<6, 1..<7, 1..<7, 1..<7, 4..<10, 4..<10, 4..<10, 6..<12, 6..<12, 6..<12])
        #expect(windows(10, 4, 3) == [0..<4, 0..<4, 0..<4, 2..<6, 2..<6, 2..<6, 5..<9, 5..<9, 5..<9, 6..<10])
        #expect(windows(10, 4, 4) == [0..<4, 0..<4, 0..<4, 0..<4, 4..<8, 4..<8, 4..<8, 4..<8, 6..<10, 6..<10])
        #expect(windows(10, 4, 2, causal: true)
            == [0..<1, 0..<2, 0..<3, 0..<4, 2..<5, 2..<6, 4..<7, 4..<8, 6..<9, 6..<10])
        // Dilation (NATTEN's `qkv_fix_dilation`): L = 11, d = 2, query 4 (group 0, index 2), w = 3 → keys {2, 4, 6}.
        let dilated = GNAAxis(length: 11, window: 3, stride: 1, dilation: 2)
        #expect(dilated.groupLength(0) == 6 && dilated.groupLength(1) == 5)
        #expect(dilated.keys(ofQuery: 2, groupLength: 6).map { $0 * 2 + 0 } == [2, 4, 6])
    }
}
