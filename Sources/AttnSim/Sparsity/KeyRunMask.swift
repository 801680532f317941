/// A 1-D mask in which every query row attends at most two runs of keys — a prefix of sink keys and a window —
/// whose ends never move left as the query moves right: sliding windows and bands, frame-causal blocks, A-shape
/// (sink + window), documents. Tokens are the flattened sequence (row-major over a multi-axis `tokens:`, as for
/// `causal` and `block` masks); queries are aligned to the last keys when kv_tokens > tokens (query i sits at key
/// position i + M − P, FlashAttention's and `CausalMask`'s convention), so M ≥ P is checked on load.
///
/// A family gives the keys of one query row and, for a run of queries `first...last`, the keys *any* of them attends
/// and the keys *all* of them attend. For a single run per row, [lo(i), hi(i)] with lo and hi non-decreasing and no
/// row skipping past the previous one's end (lo(i + 1) ≤ hi(i) + 1, true of every family here since hi(i) ≥ its own
/// position), those are [lo(first), hi(last)] and [lo(last), hi(first)]: the rows at the Q tile's ends decide it.
/// From them the Q tile's visited KV tiles (those touching the first set) and full ones (those inside the second)
/// are counted in O(1) (`KeyRuns`), without touching an element.
public protocol KeyRunMask: Mask {
    /// P: query tokens.
    var queries: Int { get }
    /// M: key tokens (M ≥ P).
    var keys: Int { get }
    /// The keys query `query` attends.
    func keyRuns(ofQuery query: Int) -> KeyRuns
    /// The keys some query of `first...last` attends, and the keys every one of them attends.
    func keyRuns(ofQueries first: Int, _ last: Int) -> (any: KeyRuns, all: KeyRuns)
}

extension KeyRunMask {
    /// Where query `query` sits among the keys: i + M − P.
    @inline(__always)
    public func position(_ query: Int) -> Int { (keys - queries) + query }

    /// One run per row: the rows at the ends decide (see the protocol's comment).
    public func keyRuns(ofQueries first: Int, _ last: Int) -> (any: KeyRuns, all: KeyRuns) {
        let (top, bottom) = (keyRuns(ofQuery: first).first, keyRuns(ofQuery: last).first)
        return (KeyRuns(KeyRun(top.lo, bottom.hi)), KeyRuns(KeyRun(bottom.lo, top.hi)))
    }

    public func attends(query: Int, key: Int, head: Int) -> Bool { keyRuns(ofQuery: query).contains(key) }

    /// A Q tile's rows attend some key of `columns` when the keys any of them attends meet it, and all of it when the
    /// keys every one of them attends hold it.
    /// - Complexity: O(1).
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        let runs = keyRuns(ofQueries: rows.lowerBound, rows.upperBound - 1)
        if runs.any.normalized(keys: keys).count(in: columns) == 0 { return .empty }
        return runs.all.normalized(keys: keys).count(in: columns) == columns.count ? .full : .partial
    }

    /// - Complexity: O(rows).
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        rows.reduce(0) { $0 + keyRuns(ofQuery: $1).normalized(keys: keys).count(in: columns) }
    }

    public var coversRectanglesFast: Bool { true }

    public func rowRuns(query: Int, head: Int) -> KeyRuns? { keyRuns(ofQuery: query).normalized(keys: keys) }

    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? {
        let any = keyRuns(ofQueries: rows.lowerBound, rows.upperBound - 1).any.normalized(keys: keys)
        guard !any.first.isEmpty else { return 0 ..< 0 }
        return any.first.lo ..< (any.second.isEmpty ? any.first.hi : any.second.hi) + 1
    }

    /// Dense when every query attends every key: the keys all queries attend are all of them.
    public var isDense: Bool {
        keyRuns(ofQueries: 0, queries - 1).all.normalized(keys: keys) == KeyRuns(KeyRun(0, keys - 1))
    }

    /// The most Q tiles a grid is built for: one O(1) count and 16 bytes each (README.md, "Limits": a sliding window
    /// over 4·10⁷ tokens on a spatial array of side 2, 2·10⁷ Q tiles, simulates in 4.3 s with 0.34 GB in a release
    /// build, building the grid more than once).
    public static var maxQTiles: Double { 2e7 }

    public func isTractable(_ tiling: MaskTiling) -> Bool {
        (Double(queries) / Double(tiling.qTileTokens)).rounded(.up) <= Self.maxQTiles
    }

    /// Per Q tile [q0, q1] (real queries only): visited are the KV tiles holding a key some query attends, full
    /// those whose every real key every query attends. KV tiles sit on the static grid (`kv_tiling` does not apply,
    /// as for `causal`).
    /// - Complexity: O(P / TQ), times the family's `keyRuns` (O(1), or O(log documents)).
    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        var tiles: [QTileVisit] = []
        tiles.reserveCapacity(ceilDiv(queries, tq))
        var q0 = 0
        while q0 < queries {
            let q1 = min(q0 + tq, queries) - 1
            let runs = keyRuns(ofQueries: q0, q1)
            tiles.append(QTileVisit(visited: runs.any.tilesTouched(tile: tkv, keys: keys),
                                    full: runs.all.tilesInside(tile: tkv, keys: keys)))
            q0 = q1 + 1
        }
        return QTileGrid(tiles: tiles, denseKVTiles: ceilDiv(keys, tkv), qTileTokens: tq, kvTileTokens: tkv)
    }
}

extension Mask {
    /// The problem's P and M, or an error at the `mask:` mapping when M < P (queries are aligned to the last keys).
    static func alignedTokens(_ fields: SpecMapping, problem: Problem) throws(Diagnostic) -> (queries: Int, keys: Int) {
        guard problem.keyTokens >= problem.queryTokens else {
            throw fields.node.error("`kind: \(kind)` needs kv_tokens ≥ tokens (queries are aligned to the last keys); "
                + "found \(problem.keyTokens) keys for \(problem.queryTokens) queries")
        }
        return (problem.queryTokens, problem.keyTokens)
    }
}
