/// `mask: {kind: block, file: mask.json}`: a block-sparse mask read from a `BlockMaskFile` (FlexAttention's
/// `BlockMask` layout). Blocks listed as full are attended element for element, partial ones carry an element
/// mask the file does not spell out, and the rest are skipped.
///
/// `mask: {kind: block, block: 64, density: 0.1, causal: true}`: a block mask of a given density, as the block-sparse
/// kernels' benchmarks draw them (SeerAttention's eval/efficiency/benchmark_sparse_attn.py, references.md
/// [SeerAttention]): each row of blocks keeps max(1, ⌊density × its blocks⌋) of them, where a causal row r has the
/// r + 1 blocks up to its diagonal. A causal row always keeps its diagonal block (masked element-wise, j ≤ i) and
/// spreads the others evenly over the blocks before it; which blocks a benchmark draws at random does not change
/// the tile counts, only their order along the row.
///
/// Tiles: when the kernel's tiles are the file's blocks, the counts are the file's lists. For other tile sizes a
/// KV tile is visited when any block it overlaps (inside a Q tile) is listed, and full when every such block is
/// full; a tile that covers part of a partial block counts as partial (the file does not say which elements of
/// the block attend), so counts are exact whenever tiles are unions of blocks.
public struct BlockMask: Mask {
    public static let kind = "block"
    public static let keys = ["file", "block", "density", "causal"]

    public var file: String
    public var table: BlockMaskFile
    public var queries: Int
    public var keys: Int
    /// Whether the partial blocks are the causal diagonal (a mask given by `density` with `causal: true`): their
    /// elements attend where key ≤ query. A file's partial blocks do not say, and attend throughout.
    public var causal = false

    public init(file: String, table: BlockMaskFile, queries: Int, keys: Int) {
        self.file = file
        self.table = table
        self.queries = queries
        self.keys = keys
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> BlockMask {
        let (p, m) = (problem.queryTokens, problem.keyTokens)
        if let densityNode = fields.optional("density") {
            if let file = fields.optional("file") {
                throw file.error("give either `file` (a block-mask file) or `density` (a generated mask), not both")
            }
            let density = try densityNode.physicalQuantity(.number)
            guard density > 0 && density <= 1 else {
                throw densityNode.error("expected the share of blocks kept per row, in (0, 1], found \(density)")
            }
            let blockNode = try fields.required("block", expecting: "tokens per block, e.g. 64")
            let block = try blockNode.int(atLeast: 1)
            let causal = try fields.optional("causal")?.bool() ?? false
            if causal && p != m {
                throw densityNode.error("a causal block mask needs as many queries as keys (\(p) vs \(m))")
            }
            return generated(density: density, block: block, causal: causal, queries: p, keys: m)
        }
        for key in ["block", "causal"] {
            if let node = fields.optional(key) {
                throw node.error("`\(key)` goes with `density` (a generated mask); a block-mask file gives its own blocks")
            }
        }
        let node = try fields.required("file", expecting: "the block-mask JSON file, relative to the workload (or `density`)")
        let name = try node.string()
        let path = Workload.resolve(name, relativeTo: workloadFile)
        let table: BlockMaskFile
        do {
            table = try BlockMaskFile.load(path: path) { (size) throws(Diagnostic) -> (q: Int, kv: Int) in
                (ceilDiv(p, size.q), ceilDiv(m, size.kv))
            }
        } catch {
            if error.line == nil { throw node.error("\(error.message) (\(path))") }
            throw error
        }
        if table.perHead && table.heads.count != problem.heads {
            throw node.error("\(path) gives \(table.heads.count) per-head masks but problem.heads is \(problem.heads)")
        }
        return BlockMask(file: path, table: table, queries: p, keys: m)
    }

    /// The mask `density` gives (see the type's comment): kept blocks per row max(1, ⌊density × row blocks⌋), a causal
    /// row's diagonal partial and the rest of its kept blocks full at ⌊i × r / (kept − 1)⌋, i < kept − 1 (distinct:
    /// kept − 1 ≤ r); a non-causal row's at ⌊i × blocks / kept⌋. Exact attended pairs: the full blocks' and, per
    /// diagonal block of t tokens, t (t + 1) / 2.
    public static func generated(density: Double, block: Int, causal: Bool, queries: Int, keys: Int) -> BlockMask {
        let qBlocks = ceilDiv(queries, block), kvBlocks = ceilDiv(keys, block)
        var full = BlockTable(), partial = BlockTable()
        var pairs = 0.0
        for r in 0..<qBlocks {
            let rows = Double(extent(r, size: block, length: queries))
            let allowed = causal ? min(r + 1, kvBlocks) : kvBlocks
            let kept = max(1, Int((density * Double(allowed)).rounded(.down)))
            // The kept blocks are spread evenly over the row from a phase that changes from row to row (the golden
            // ratio's multiples), so that no column is kept by every row: the benchmark draws them at random, and a
            // rule that always kept block 0 would give the backward's KV-major grid one column every row visits.
            let phase = (Double(r) * 0.6180339887498949).truncatingRemainder(dividingBy: 1)
            if causal {
                let others = kept - 1
                for i in 0..<others {
                    let k = Int((Double(i) + phase) * Double(r) / Double(others))
                    full.indices.append(Int32(k))
                    pairs += rows * Double(extent(k, size: block, length: keys))
                }
                partial.indices.append(Int32(r))
                pairs += rows * (rows + 1) / 2
            } else {
                for i in 0..<kept {
                    let k = Int((Double(i) + phase) * Double(allowed) / Double(kept))
                    full.indices.append(Int32(k))
                    pairs += rows * Double(extent(k, size: block, length: keys))
                }
            }
            full.offsets.append(full.indices.count)
            partial.offsets.append(partial.indices.count)
        }
        let table = BlockMaskFile(blockSize: (block, block), heads: [.init(full: full, partial: partial)],
                                  attendedPairs: [pairs], perHead: false)
        let description = "density \(density), \(block)-token blocks\(causal ? ", causal" : "")"
        var mask = BlockMask(file: description, table: table, queries: queries, keys: keys)
        mask.causal = causal
        return mask
    }

    /// Per Q tile of head `head`: the KV tiles from the first up to the last one it visits, which a kernel that
    /// tests a block-mask bit per tile walks (`KernelProfile.skippedTile`).
    public func walkedTiles(_ tiling: MaskTiling, head: Int) -> [Int] {
        let h = table.heads[head]
        let (bq, bkv) = table.blockSize
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        var walked: [Int] = []
        walked.reserveCapacity(ceilDiv(queries, tq))
        var q0 = 0
        while q0 < queries {
            let q1 = min(q0 + tq, queries)
            var last = -1
            for qb in (q0 / bq) ..< ceilDiv(q1, bq) {
                if let k = h.full.row(qb).last { last = max(last, Int(k)) }
                if let k = h.partial.row(qb).last { last = max(last, Int(k)) }
            }
            walked.append(last < 0 ? 0 : ceilDiv(min((last + 1) * bkv, keys), tkv))
            q0 = q1
        }
        return walked
    }

    /// What a block of the file is.
    public enum BlockKind: Sendable { case full, partial, skipped }

    public var headPatterns: Int { table.heads.count }
    public var isDense: Bool { false }
    public var hasMaskFunction: Bool { false }

    /// Real tokens of block `index` of `size` tokens in a sequence of `length`.
    @inline(__always)
    static func extent(_ index: Int, size: Int, length: Int) -> Int { min(size, length - index * size) }

    /// Pairs of the full blocks of one head (blocks at the sequence ends cut to the real tokens).
    func fullPairs(_ head: BlockMaskFile.Head) -> Double {
        let (bq, bkv) = table.blockSize
        var pairs = 0.0
        for q in 0..<head.full.rows {
            let rows = Double(Self.extent(q, size: bq, length: queries))
            var columns = 0
            for k in head.full.row(q) { columns += Self.extent(Int(k), size: bkv, length: keys) }
            pairs += rows * Double(columns)
        }
        return pairs
    }

    /// Exact when the file has no partial blocks or states `attended_pairs`; nil otherwise.
    public var attendedPairs: Double? {
        if let given = table.attendedPairs { return given.reduce(0, +) / Double(given.count) }
        guard table.heads.allSatisfy({ $0.partial.count == 0 }) else { return nil }
        return table.heads.reduce(0) { $0 + fullPairs($1) } / Double(table.heads.count)
    }

    /// Full blocks attend every element; a partial block's elements are taken as attended (the file gives no
    /// element pattern; the CPU kernels keep them and still pay the element mask).
    public func attends(query: Int, key: Int, head: Int) -> Bool {
        let h = table.heads[table.heads.count == 1 ? 0 : head]
        let (q, k) = (query / table.blockSize.q, key / table.blockSize.kv)
        return h.full.contains(row: q, k) || (h.partial.contains(row: q, k) && (!causal || key <= query))
    }

    /// Whether block (q, k) of `head` is full, partial or absent.
    public func block(q: Int, k: Int, head: Int) -> BlockKind {
        let h = table.heads[head]
        if h.full.contains(row: q, k) { return .full }
        return h.partial.contains(row: q, k) ? .partial : .skipped
    }

    /// - Complexity: O(listed blocks · overlap) for aligned or coarser tiles; O(P/TQ · M/TKV) stamps at most.
    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        let h = table.heads[head]
        let (bq, bkv) = table.blockSize
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        let kvTiles = ceilDiv(keys, tkv)
        if tq == bq && tkv == bkv {
            let tiles = (0..<h.full.rows).map { q in
                QTileVisit(visited: h.full.row(q).count + h.partial.row(q).count, full: h.full.row(q).count)
            }
            return QTileGrid(tiles: tiles, denseKVTiles: kvTiles, qTileTokens: tq, kvTileTokens: tkv)
        }
        // Per KV tile of the current Q tile: covered (Q block, KV block) pairs that are listed, and that are full.
        var listed = [Int](repeating: 0, count: kvTiles)
        var full = [Int](repeating: 0, count: kvTiles)
        var touched: [Int] = []
        var tiles: [QTileVisit] = []
        tiles.reserveCapacity(ceilDiv(queries, tq))
        var q0 = 0
        while q0 < queries {
            let q1 = min(q0 + tq, queries)
            let blocks = (q0 / bq) ..< ceilDiv(q1, bq)
            // Stamps the KV tiles overlapping each listed block of Q block `qb`.
            func stamp(_ table: BlockTable, _ qb: Int, isFull: Bool) {
                for k in table.row(qb) {
                    let k0 = Int(k) * bkv, k1 = min(k0 + bkv, keys)
                    for tile in (k0 / tkv) ..< ceilDiv(k1, tkv) {
                        if listed[tile] == 0 { touched.append(tile) }
                        listed[tile] += 1
                        if isFull { full[tile] += 1 }
                    }
                }
            }
            for qb in blocks {
                stamp(h.full, qb, isFull: true)
                stamp(h.partial, qb, isFull: false)
            }
            var visit = QTileVisit(visited: touched.count, full: 0)
            for tile in touched {
                let kv0 = tile * tkv, kv1 = min(kv0 + tkv, keys)
                let covered = blocks.count * (ceilDiv(kv1, bkv) - kv0 / bkv)
                if full[tile] == covered { visit.full += 1 }
                listed[tile] = 0
                full[tile] = 0
            }
            touched.removeAll(keepingCapacity: true)
            tiles.append(visit)
            q0 = q1
        }
        return QTileGrid(tiles: tiles, denseKVTiles: kvTiles, qTileTokens: tq, kvTileTokens: tkv)
    }

    /// The block table seen from the keys (FlexAttention's backward reads the transposed table, `q_num_blocks` and
    /// `q_indices`): each listed block counts on the KV tiles it overlaps, once per overlapping Q tile; a pair is full
    /// when every block it covers is listed full.
    /// - Complexity: O(listed blocks · overlap).
    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        let h = table.heads[head]
        let (bq, bkv) = table.blockSize
        let (tq, tkv) = (tiling.qTileTokens, tiling.kvTileTokens)
        var tiles = [QTileVisit](repeating: QTileVisit(visited: 0, full: 0), count: ceilDiv(self.keys, tkv))
        if tq == bq && tkv == bkv {
            for q in 0..<h.full.rows {
                for k in h.full.row(q) { tiles[Int(k)].visited += 1; tiles[Int(k)].full += 1 }
                for k in h.partial.row(q) { tiles[Int(k)].visited += 1 }
            }
        } else {
            // (Q tile, KV tile) pair → blocks listed in it, and how many of them full.
            var pairs: [Int: (listed: Int, full: Int)] = [:]
            let qTiles = ceilDiv(self.queries, tq)
            for (table, isFull) in [(h.full, true), (h.partial, false)] {
                for qb in 0..<table.rows {
                    let q0 = qb * bq, q1 = min(q0 + bq, self.queries)
                    for k in table.row(qb) {
                        let k0 = Int(k) * bkv, k1 = min(k0 + bkv, self.keys)
                        for kt in (k0 / tkv) ..< ceilDiv(k1, tkv) {
                            for qt in (q0 / tq) ..< ceilDiv(q1, tq) {
                                pairs[kt * qTiles + qt, default: (0, 0)].listed += 1
                                if isFull { pairs[kt * qTiles + qt, default: (0, 0)].full += 1 }
                            }
                        }
                    }
                }
            }
            for (pair, count) in pairs {
                let (kt, qt) = (pair / qTiles, pair % qTiles)
                let q0 = qt * tq, q1 = min(q0 + tq, self.queries)
                let k0 = kt * tkv, k1 = min(k0 + tkv, self.keys)
                let covered = (ceilDiv(q1, bq) - q0 / bq) * (ceilDiv(k1, bkv) - k0 / bkv)
                tiles[kt].visited += 1
                if count.full == covered { tiles[kt].full += 1 }
            }
        }
        return QTileGrid(tiles: tiles, denseKVTiles: ceilDiv(self.queries, tq), qTileTokens: tkv, kvTileTokens: tq)
    }

    /// A FlexAttention-style kernel reads the block table per tile and, on a partial block, evaluates the mask
    /// function per element; the file does not name that function, so one table load and one comparison are
    /// charged (a boolean lookup).
    public var elementWork: MaskElementWork { MaskElementWork(compares: 1, loads: 1) }
}
