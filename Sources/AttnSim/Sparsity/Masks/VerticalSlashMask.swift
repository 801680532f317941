import Foundation

/// `mask: {kind: vertical_slash, vertical: V, slash: S}` or `{kind: vertical_slash, file: vs.json}`: MInference's
/// vertical-slash pattern (references.md [MInference]), causal: query i (at key position i' = i + M − P) attends key
/// j ≤ i' when j is one of the vertical keys (columns every query sees) or i' − j is one of the slash offsets
/// (diagonals).
///
/// MInference picks each head's lines online from the last 64 queries' scores, always keeping the first 30 keys and
/// the 100 nearest diagonals (`minference_forward.py`, `vertical[..., :30] = inf`, `slash[..., -100:] = inf`). The
/// positions come from
/// - a file: `{"vertical": [0, 1, 57, …], "slash": [0, 1, 2, …]}` (keys and offsets, each below M), or
/// - counts, placed by attnsim's documented rule (`placement`): `spread` (the default) keeps MInference's forced lines
///   — keys 0…29 and offsets 0…99 — and spaces the rest evenly over the remaining keys and offsets; `local` takes the
///   first V keys and the S nearest diagonals (sinks and a window: the best case for tiles).
///
/// ```yaml
/// mask: {kind: vertical_slash, vertical: 1000, slash: 6096}
/// mask: {kind: vertical_slash, file: vs.json}
/// ```
/// Tiles and pairs are exact for any tiling (`cover` by binary search in the sorted lines; pairs in closed form).
public struct VerticalSlashMask: RectangleCountedMask, Equatable {
    public static let kind = "vertical_slash"
    public static let keys = ["vertical", "slash", "placement", "file"]

    public enum Placement: String, Sendable, CaseIterable { case spread, local }

    public var queries: Int
    public var keys: Int
    /// Vertical keys, ascending, distinct, each < M.
    public var vertical: [Int]
    /// Slash offsets i' − j, ascending, distinct, each < M.
    public var slash: [Int]
    /// For each slash, the last offset of the run of consecutive offsets it is in.
    var slashRunEnd: [Int]
    public let grids = TileGridCache()

    public init(queries: Int, keys: Int, vertical: [Int], slash: [Int]) {
        self.queries = queries
        self.keys = keys
        self.vertical = Array(Set(vertical)).sorted()
        self.slash = Array(Set(slash)).sorted()
        var ends = self.slash
        if ends.count > 1 {
            for k in stride(from: ends.count - 2, through: 0, by: -1) where self.slash[k + 1] == self.slash[k] + 1 {
                ends[k] = ends[k + 1]
            }
        }
        slashRunEnd = ends
    }

    /// Lines placed by `placement` for V vertical keys and S slash offsets among M keys.
    public init(queries: Int, keys: Int, verticals: Int, slashes: Int, placement: Placement = .spread) {
        let (v, s) = (min(verticals, keys), min(slashes, keys))
        switch placement {
        case .local:
            self.init(queries: queries, keys: keys, vertical: Array(0..<v), slash: Array(0..<s))
        case .spread:
            self.init(queries: queries, keys: keys, vertical: Self.spread(v, forced: 30, over: keys),
                      slash: Self.spread(s, forced: 100, over: keys))
        }
    }

    /// `count` positions among 0..<n: the first min(count, forced), then the rest evenly over [forced, n):
    /// forced + ⌊k · (n − forced) / rest⌋ for k = 0…rest − 1.
    static func spread(_ count: Int, forced: Int, over n: Int) -> [Int] {
        let first = min(count, forced, n)
        var out = Array(0..<first)
        let rest = count - first
        guard rest > 0, n > forced else { return out }
        let span = n - forced
        for k in 0..<rest { out.append(forced + Int(Double(k) * Double(span) / Double(rest))) }
        return out
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let (p, m) = try alignedTokens(fields, problem: problem)
        if let fileNode = fields.optional("file") {
            for key in ["vertical", "slash", "placement"] where fields.contains(key) {
                throw fileNode.error("give the lines either in `file` or as counts (`vertical`, `slash`), not both")
            }
            let path = Workload.resolve(try fileNode.string(), relativeTo: workloadFile)
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw fileNode.error("cannot read \(path): \(error.localizedDescription)")
            }
            guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let v = root["vertical"] as? [Int], let s = root["slash"] as? [Int] else {
                throw fileNode.error("\(path): expected a JSON object {\"vertical\": [keys], \"slash\": [offsets]} of whole numbers")
            }
            if let bad = v.first(where: { $0 < 0 || $0 >= m }) {
                throw fileNode.error("\(path): vertical key \(bad) is outside 0 … \(m - 1) (kv_tokens)")
            }
            if let bad = s.first(where: { $0 < 0 || $0 >= m }) {
                throw fileNode.error("\(path): slash offset \(bad) is outside 0 … \(m - 1) (kv_tokens)")
            }
            return try nonEmpty(VerticalSlashMask(queries: p, keys: m, vertical: v, slash: s), fileNode)
        }
        let vNode = try fields.required("vertical", expecting: "vertical keys per head, e.g. 1000 (or `file`)")
        let sNode = try fields.required("slash", expecting: "slash diagonals per head, e.g. 6096 (or `file`)")
        let (v, s) = (try vNode.int(atLeast: 0), try sNode.int(atLeast: 0))
        for (node, count) in [(vNode, v), (sNode, s)] where min(count, m) > maxLines {
            throw node.error("\(count) lines; at most \(maxLines) are placed (each is listed; README.md, \"Limits\")")
        }
        let placement = try fields.optional("placement")?.choice(Placement.self) ?? .spread
        return try nonEmpty(VerticalSlashMask(queries: p, keys: m, verticals: v, slashes: s, placement: placement),
                            fields.node)
    }

    /// The mask, or an error at `node` when no query attends any key (no line reaches a query).
    static func nonEmpty(_ mask: Self, _ node: SpecNode) throws(Diagnostic) -> Self {
        guard mask.attendedPairs ?? 1 > 0 else {
            throw node.error("no query attends any key: give at least one vertical key or slash offset that a query "
                + "reaches (MInference keeps at least 30 and 50)")
        }
        return mask
    }

    /// The most vertical keys, or slash offsets, a mask lists (8 bytes each).
    public static let maxLines = 10_000_000

    @inline(__always) func position(_ query: Int) -> Int { query + keys - queries }

    /// Entries of sorted `list` in lo…hi.
    @inline(__always) static func count(_ list: [Int], _ lo: Int, _ hi: Int) -> Int {
        hi < lo ? 0 : lowerBound(list, hi + 1) - lowerBound(list, lo)
    }

    @inline(__always) static func lowerBound(_ list: [Int], _ value: Int) -> Int { list.sortedLowerBound(value) }

    @inline(__always) func isSlash(_ offset: Int) -> Bool {
        let k = Self.lowerBound(slash, offset)
        return k < slash.count && slash[k] == offset
    }

    public func attends(query: Int, key: Int, head: Int) -> Bool {
        let i = position(query)
        guard key >= 0, key <= i else { return false }
        let k = Self.lowerBound(vertical, key)
        return (k < vertical.count && vertical[k] == key) || isSlash(i - key)
    }

    // MARK: Rectangles

    /// Rows at a…b, keys c0…c1: some element is attended when a vertical key lies in [c0, min(c1, b)] or a slash
    /// offset in [max(0, a − c1), b − c0] (every difference there is met); all are when every key is ≤ a and each key
    /// is vertical or has the offsets a − j … b − j inside one run of slashes.
    /// - Complexity: O(log lines), or O(columns · log lines) for a rectangle below the diagonal.
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        let (a, b) = (position(rows.lowerBound), position(rows.upperBound - 1))
        let (c0, c1) = (columns.lowerBound, columns.upperBound - 1)
        guard c0 <= b else { return .empty }
        let some = Self.count(vertical, c0, min(c1, b)) > 0 || Self.count(slash, max(0, a - c1), b - c0) > 0
        guard some else { return .empty }
        guard c1 <= a else { return .partial }
        // Full needs b − a + 1 consecutive slashes for every non-vertical key: impossible if the runs are shorter.
        for j in c0...c1 {
            let k = Self.lowerBound(vertical, j)
            if k < vertical.count && vertical[k] == j { continue }
            let s = Self.lowerBound(slash, a - j)
            guard s < slash.count, slash[s] == a - j, slashRunEnd[s] >= b - j else { return .partial }
        }
        return .full
    }

    /// Per row i': vertical keys in [c0, min(c1, i')], plus slash offsets giving keys there, less the keys both give.
    /// - Complexity: O(rows · (log lines + verticals in the columns)).
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        let (c0, c1) = (columns.lowerBound, columns.upperBound - 1)
        var total = 0
        for query in rows {
            let i = position(query)
            let hi = min(c1, i)
            guard hi >= c0 else { continue }
            let (v0, v1) = (Self.lowerBound(vertical, c0), Self.lowerBound(vertical, hi + 1))
            total += v1 - v0 + Self.count(slash, i - hi, i - c0)
            for k in v0..<v1 where isSlash(i - vertical[k]) { total -= 1 }
        }
        return total
    }

    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? { 0 ..< position(rows.upperBound - 1) + 1 }

    /// The grid by a sweep per Q tile: the KV tiles holding a vertical key ≤ b, and those the slash offsets' key
    /// ranges [a − o, b − o] touch, marked in one pass over the lines; a visited tile is full only if its keys are all
    /// vertical, or a run of consecutive slashes as long as the tile's rows exists and `cover` says so.
    /// - Complexity: O(P/TQ · (lines + M/TKV)).
    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        grids.grid(tiling, head: head) { sweptGrid(tiling, head: head) }
    }

    func sweptGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        let kvTiles = ceilDiv(keys, tkv)
        let longestRun = zip(slash, slashRunEnd).map { $1 - $0 + 1 }.max() ?? 0
        var longestVerticalRun = 0, run = 0
        for (k, v) in vertical.enumerated() {
            run = k > 0 && vertical[k - 1] == v - 1 ? run + 1 : 1
            longestVerticalRun = max(longestVerticalRun, run)
        }
        var marked = [Bool](repeating: false, count: kvTiles)
        var touched: [Int] = []
        var tiles: [QTileVisit] = []
        tiles.reserveCapacity(ceilDiv(queries, tq))
        var q0 = 0
        while q0 < queries {
            let rows = q0 ..< min(q0 + tq, queries)
            let (a, b) = (position(rows.lowerBound), position(rows.upperBound - 1))
            func mark(_ tile: Int) {
                if !marked[tile] { marked[tile] = true; touched.append(tile) }
            }
            for v in vertical {
                if v > b { break }
                mark(v / tkv)
            }
            // Offsets ascending: key ranges [a − o, b − o] descending; mark each range's tiles, skipping tiles the
            // previous (higher, overlapping or adjacent) range already marked.
            var lowestMarked = Int.max
            for o in slash {
                if o > b { break }
                let (lo, hi) = (max(0, a - o) / tkv, (b - o) / tkv)
                var tile = min(hi, lowestMarked - 1)
                while tile >= lo { mark(tile); tile -= 1 }
                lowestMarked = min(lowestMarked, lo)
            }
            var visit = QTileVisit(visited: touched.count, full: 0)
            for tile in touched {
                marked[tile] = false
                let columns = tile * tkv ..< min((tile + 1) * tkv, keys)
                guard columns.upperBound - 1 <= a else { continue }
                let allVertical = longestVerticalRun >= columns.count
                    && Self.count(vertical, columns.lowerBound, columns.upperBound - 1) == columns.count
                if allVertical || (longestRun >= rows.count && cover(rows: rows, columns: columns, head: head) == .full) {
                    visit.full += 1
                }
            }
            touched.removeAll(keepingCapacity: true)
            tiles.append(visit)
            q0 = rows.upperBound
        }
        return QTileGrid(tiles: tiles, denseKVTiles: kvTiles, qTileTokens: tq, kvTileTokens: tkv)
    }
    public var coversRectanglesFast: Bool { true }

    // MARK: Mask

    /// Rows at positions A…B (A = M − P, B = M − 1): each vertical key v is seen by the rows ≥ v, each slash o by the
    /// rows ≥ o, and a key both give (v + o = i') is counted once: Σ_v #{o : A ≤ v + o ≤ B}.
    /// - Complexity: O(verticals · log slashes).
    public var attendedPairs: Double? {
        let (a, b) = (keys - queries, keys - 1)
        func seen(_ line: Int) -> Double { Double(max(0, b - max(line, a) + 1)) }
        var pairs = vertical.reduce(0.0) { $0 + seen($1) } + slash.reduce(0.0) { $0 + seen($1) }
        for v in vertical { pairs -= Double(Self.count(slash, a - v, b - v)) }
        return pairs
    }

    /// No, as for `causal` (`CausalMask.waveBoundHolds`).
    public var waveBoundHolds: Bool { false }

    /// A FlexAttention mask function over two lookup tables, `(q >= kv) & (is_vertical[kv] | is_slash[q - kv])`: a
    /// subtraction, a comparison and two loads, the second indexed by q − kv (a gather for every element).
    public var elementWork: MaskElementWork { MaskElementWork(compares: 1, arithmetic: 1, loads: 2, perElementLoads: 1) }
}
