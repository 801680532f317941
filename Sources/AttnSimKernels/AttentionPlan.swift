import AttnSim

/// The work list of one attention call, shared by every (batch, head) instance: Q tiles (lists of query rows),
/// KV tiles (lists of key rows), and for each Q tile the KV tiles it visits, each marked full (no element masked)
/// or partial (the element mask runs on it). Built before the kernel runs, as a block mask is.
///
/// Multi-dimensional GNA tiles are token permutations: a tile of shape (t0, t1, t2) is the rows of a t0 × t1 × t2
/// box of the token grid inside one dilation group, gathered into a contiguous scratch tile by the kernel.
public struct AttentionPlan: Sendable {
    /// The element mask applied on partial tiles.
    public enum Mask: Sendable {
        case none
        /// Query i sees keys 0 … i + offset (offset = M − P: queries aligned to the last keys).
        case causal(offset: Int)
        /// GNA on `dims` axes: per query the attended in-group key range [lo, hi) of each axis (`lo[q · dims + a]`),
        /// and per packed key position (aligned with `kvRows`) the key's in-group index on each axis
        /// (`keyIndex[a · kvRows.count + position]`). Visits never leave a dilation group, so a key is attended when
        /// its index lies in the query's range on every axis: eight keys at a time, two vector compares per axis.
        case gna(lo: [Int32], hi: [Int32], keyIndex: [Int32], dims: Int)
        /// A block mask: per (Q block, KV block) whether its elements are kept (`attends` of `BlockMask`), row-major
        /// over KV blocks: 0 skipped, 1 kept, 2 kept where key ≤ query (a generated causal mask's diagonal); a row of
        /// a partial tile skips the keys its blocks do not keep.
        case block(qBlock: Int, kvBlock: Int, kvBlocks: Int, kept: [UInt8])
        /// A 1-D mask evaluated row by row from its own parameters (`RowMask`): windows, documents, A-shape,
        /// strides, vertical-slash lines, intersections.
        case rows(any RowMask)
    }

    public struct Visit: Sendable, Equatable {
        public var kvTile: Int32
        public var full: Bool
    }

    public var queries: Int
    public var keys: Int
    /// Row lists, flattened: tile i holds rows[offsets[i] ..< offsets[i + 1]].
    public var qRows: [Int32]
    public var qOffsets: [Int]
    public var kvRows: [Int32]
    public var kvOffsets: [Int]
    public var visits: [Visit]
    public var visitOffsets: [Int]
    public var mask: Mask
    /// The largest tile, rows.
    public var maxQTile: Int
    public var maxKVTile: Int

    public var qTileCount: Int { qOffsets.count - 1 }
    public var visitCount: Int { visits.count }
    public var fullCount: Int { visits.reduce(0) { $0 + ($1.full ? 1 : 0) } }

    /// Dense attention over `queries` × `keys` in 1-D tiles.
    public static func dense(queries: Int, keys: Int, qTile: Int, kvTile: Int) -> AttentionPlan {
        var plan = AttentionPlan(queries: queries, keys: keys, qTile: qTile, kvTile: kvTile, mask: .none)
        for _ in 0..<plan.qTileCount {
            for kv in 0..<(plan.kvOffsets.count - 1) { plan.visits.append(Visit(kvTile: Int32(kv), full: true)) }
            plan.visitOffsets.append(plan.visits.count)
        }
        return plan
    }

    /// Causal attention (query i sees keys ≤ i + M − P), 1-D tiles: the same visits `QTileGrid.causal` counts.
    public static func causal(queries p: Int, keys m: Int, qTile: Int, kvTile: Int) -> AttentionPlan {
        var plan = AttentionPlan(queries: p, keys: m, qTile: qTile, kvTile: kvTile, mask: .causal(offset: m - p))
        var q0 = 0
        while q0 < p {
            let q1 = min(q0 + qTile, p) - 1
            let lastKey = q1 + m - p
            let commonEnd = q0 + m - p + 1
            for kv in 0...(lastKey / kvTile) {
                let end = min((kv + 1) * kvTile, m)
                plan.visits.append(Visit(kvTile: Int32(kv), full: end <= commonEnd))
            }
            plan.visitOffsets.append(plan.visits.count)
            q0 += qTile
        }
        return plan
    }

    /// A block-sparse mask (one head pattern) in 1-D tiles: a KV tile is visited when any block it overlaps is
    /// listed and full when all of them are full, as `BlockMask.tileGrid` counts.
    /// - Complexity: O(Q tiles · KV tiles · blocks per tile).
    public static func block(_ mask: BlockMask, qTile: Int, kvTile: Int) -> AttentionPlan {
        let (p, m) = (mask.queries, mask.keys)
        let (bq, bkv) = mask.table.blockSize
        let qBlocks = (p + bq - 1) / bq, kvBlocks = (m + bkv - 1) / bkv
        var kept = [UInt8](repeating: 0, count: qBlocks * kvBlocks)
        var kinds = [BlockMask.BlockKind](repeating: .skipped, count: qBlocks * kvBlocks)
        for q in 0..<qBlocks {
            for k in 0..<kvBlocks {
                kinds[q * kvBlocks + k] = mask.block(q: q, k: k, head: 0)
                switch kinds[q * kvBlocks + k] {
                case .skipped: kept[q * kvBlocks + k] = 0
                case .partial where mask.causal: kept[q * kvBlocks + k] = 2
                default: kept[q * kvBlocks + k] = 1
                }
            }
        }
        var plan = AttentionPlan(queries: p, keys: m, qTile: qTile, kvTile: kvTile,
                                 mask: .block(qBlock: bq, kvBlock: bkv, kvBlocks: kvBlocks, kept: kept))
        for qt in 0..<plan.qTileCount {
            let qb = (qt * qTile / bq) ..< ((min((qt + 1) * qTile, p) + bq - 1) / bq)
            for kt in 0..<(plan.kvOffsets.count - 1) {
                let kb = (kt * kvTile / bkv) ..< ((min((kt + 1) * kvTile, m) + bkv - 1) / bkv)
                var listed = 0, full = 0
                for q in qb {
                    for k in kb {
                        switch kinds[q * kvBlocks + k] {
                        case .full: listed += 1; full += 1
                        case .partial: listed += 1
                        case .skipped: break
                        }
                    }
                }
                if listed > 0 { plan.visits.append(Visit(kvTile: Int32(kt), full: full == qb.count * kb.count)) }
            }
            plan.visitOffsets.append(plan.visits.count)
        }
        return plan
    }

    private init(queries: Int, keys: Int, qTile: Int, kvTile: Int, mask: Mask) {
        self.queries = queries
        self.keys = keys
        self.mask = mask
        (qRows, qOffsets) = Self.contiguous(count: queries, tile: qTile)
        (kvRows, kvOffsets) = Self.contiguous(count: keys, tile: kvTile)
        visits = []
        visitOffsets = [0]
        maxQTile = min(qTile, queries)
        maxKVTile = min(kvTile, keys)
    }

    static func contiguous(count: Int, tile: Int) -> ([Int32], [Int]) {
        var offsets = [0]
        var start = 0
        while start < count {
            start = min(start + tile, count)
            offsets.append(start)
        }
        return ((0..<count).map(Int32.init), offsets)
    }

    /// Any 1-D mask in 1-D tiles, head `head`: the visits `Mask.forEachCoveredTile` walks (the tiles
    /// `QTileGrid.covering` counts), the element mask evaluated row by row (`RowMask`).
    public static func rows(_ mask: any AttnSim.Mask, head: Int, queries p: Int, keys m: Int, qTile: Int, kvTile: Int) -> AttentionPlan {
        var plan = AttentionPlan(queries: p, keys: m, qTile: qTile, kvTile: kvTile,
                                 mask: .rows(rowMask(of: mask, head: head, keys: m)))
        mask.forEachCoveredTile(queries: p, keys: m, qTile: qTile, kvTile: kvTile, head: head) { index in
            if index > 0 { plan.visitOffsets.append(plan.visits.count) }
        } kvTile: { tile, cover in
            plan.visits.append(Visit(kvTile: Int32(tile), full: cover == .full))
        }
        plan.visitOffsets.append(plan.visits.count)
        return plan
    }

    /// GNA self-attention with multi-dimensional tiles (`qTile`, `kvTile` per axis) and static or dynamic KV tiling:
    /// per dilation group, the Q tiles of the group's grid (row-major over tiles), each visiting the product over
    /// axes of `TileWork.forEachKVTile`'s KV tiles — the visits `QTileGrid.gna` counts.
    public static func gna(_ mask: GNAMask, qTile: [Int], kvTile: [Int], kvTiling: KernelChoice.KVTiling) -> AttentionPlan {
        let axes = mask.axes
        let dims = axes.count
        let tokens = mask.tokens
        // Row-major strides of the token grid.
        var strides = Array(repeating: 1, count: dims)
        for a in stride(from: dims - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * axes[a + 1].length }

        var plan = AttentionPlan(queries: tokens, keys: tokens, qTile: 1, kvTile: 1, mask: .none)
        plan.qRows = []
        plan.qOffsets = [0]
        plan.kvRows = []
        plan.kvOffsets = [0]
        plan.maxQTile = 0
        plan.maxKVTile = 0

        // Per query and axis the attended in-group key range.
        var lo = Array(repeating: [Int32](repeating: 0, count: tokens), count: dims)
        var hi = lo
        for token in 0..<tokens {
            var rest = token
            for a in 0..<dims {
                let x = rest / strides[a]
                rest %= strides[a]
                let d = axes[a].dilation
                let window = axes[a].keys(ofQuery: x / d, groupLength: axes[a].groupLength(x % d))
                lo[a][token] = Int32(window.lowerBound)
                hi[a][token] = Int32(window.upperBound)
            }
        }
        var index = lo
        for token in 0..<tokens {
            var rest = token
            for a in 0..<dims {
                index[a][token] = Int32(rest / strides[a] / axes[a].dilation)
                rest %= strides[a]
            }
        }

        // Dilation groups: every combination of per-axis groups, row-major.
        var groups: [[Int]] = [[]]
        for axis in axes { groups = groups.flatMap { prefix in (0..<axis.dilation).map { prefix + [$0] } } }
        for g in groups {
            let lengths = (0..<dims).map { axes[$0].groupLength(g[$0]) }
            // The token of in-group coordinates c.
            func token(_ c: [Int]) -> Int32 {
                var t = 0
                for a in 0..<dims { t += (c[a] * axes[a].dilation + g[a]) * strides[a] }
                return Int32(t)
            }
            // KV tiles of this group: a box per combination of per-axis ranges, registered once.
            var kvTileIDs: [[Int]: Int32] = [:]
            func kvTileID(_ ranges: [Range<Int>]) -> Int32 {
                let key = ranges.flatMap { [$0.lowerBound, $0.upperBound] }
                if let id = kvTileIDs[key] { return id }
                let id = Int32(plan.kvOffsets.count - 1)
                let before = plan.kvRows.count
                forEachPoint(ranges) { plan.kvRows.append(token($0)) }
                plan.kvOffsets.append(plan.kvRows.count)
                plan.maxKVTile = max(plan.maxKVTile, plan.kvRows.count - before)
                kvTileIDs[key] = id
                return id
            }
            // Q tiles of the group, row-major over tile indices.
            let qCounts = (0..<dims).map { (lengths[$0] + qTile[$0] - 1) / qTile[$0] }
            forEachPoint(qCounts.map { 0 ..< $0 }) { tileIndex in
                let qRanges = (0..<dims).map { a in
                    tileIndex[a] * qTile[a] ..< min((tileIndex[a] + 1) * qTile[a], lengths[a])
                }
                let before = plan.qRows.count
                forEachPoint(qRanges) { plan.qRows.append(token($0)) }
                plan.qOffsets.append(plan.qRows.count)
                plan.maxQTile = max(plan.maxQTile, plan.qRows.count - before)
                // Per axis the KV tiles this Q tile visits.
                var perAxis: [[(Range<Int>, Bool)]] = []
                for a in 0..<dims {
                    var list: [(Range<Int>, Bool)] = []
                    TileWork.forEachKVTile(axes[a], groupLength: lengths[a], qStart: qRanges[a].lowerBound,
                                           qTile: qTile[a], kvTile: kvTile[a], kvTiling: kvTiling) { list.append(($0, $1)) }
                    perAxis.append(list)
                }
                forEachPoint(perAxis.map { 0 ..< $0.count }) { choice in
                    let ranges = (0..<dims).map { perAxis[$0][choice[$0]].0 }
                    let full = (0..<dims).allSatisfy { perAxis[$0][choice[$0]].1 }
                    plan.visits.append(Visit(kvTile: kvTileID(ranges), full: full))
                }
                plan.visitOffsets.append(plan.visits.count)
            }
        }
        plan.mask = .gna(lo: (0..<tokens).flatMap { t in (0..<dims).map { lo[$0][t] } },
                         hi: (0..<tokens).flatMap { t in (0..<dims).map { hi[$0][t] } },
                         keyIndex: index.flatMap { axis in plan.kvRows.map { axis[Int($0)] } }, dims: dims)
        return plan
    }

    /// Calls `body` with every point of the box `ranges`, row-major (last axis fastest).
    static func forEachPoint(_ ranges: [Range<Int>], _ body: ([Int]) -> Void) {
        guard !ranges.contains(where: \.isEmpty) else { return }
        var point = ranges.map(\.lowerBound)
        while true {
            body(point)
            var a = ranges.count - 1
            while a >= 0 {
                point[a] += 1
                if point[a] < ranges[a].upperBound { break }
                point[a] = ranges[a].lowerBound
                a -= 1
            }
            if a < 0 { return }
        }
    }
}
