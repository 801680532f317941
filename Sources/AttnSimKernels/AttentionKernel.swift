import Foundation

/// Tiled online-softmax attention on the CPU (FlashAttention-2's loop: per Q tile, stream the KV tiles it visits,
/// keep a running max, sum and output), fp32, driven by an `AttentionPlan`: dense, causal, GNA or anything else
/// the plan lists. SIMD8 FMAs in 4 × 16 register blocks, unsafe buffers and no allocation in the hot loop, work
/// items (instance, Q tile) handed out to `threads` workers as they free up — the kernel a GPU would launch as a
/// grid of CTAs.
///
/// Before the tiles run, K and V are packed per KV tile (the token permutation): K transposed to E × TKV and V as
/// TKV × F, padded to 16 keys, so a visit reads two contiguous blocks. The element mask runs on partial tiles only.
public enum AttentionKernel {
    typealias V8 = SIMD8<Float>

    /// Runs `plan` on every instance: out = softmax(q·kᵀ / √E) · v.
    /// `workspace` holds the packed K and V between calls (a caching allocator's role: a run then costs no page
    /// faults for it); without one the call allocates its own.
    /// `logSumExp` (instances × queries × 1), when given, receives each query row's L = log Σ_j exp(q·k_jᵀ / √E)
    /// over its attended keys (natural log; +∞ for a row that attends nothing), what the backward pass
    /// (`AttentionBackwardKernel`) recomputes P from — the running max and sum the loop already keeps.
    public static func run(plan: AttentionPlan, q: Tensor, k: Tensor, v: Tensor, out: Tensor, threads: Int,
                           workspace: Workspace? = nil, logSumExp: Tensor? = nil) {
        precondition(q.instances == k.instances && k.instances == v.instances && out.instances == q.instances)
        precondition(q.width == k.width && out.width == v.width && q.tokens == plan.queries && k.tokens == plan.keys
                     && v.tokens == plan.keys && out.tokens == plan.queries)
        if let logSumExp {
            precondition(logSumExp.instances == q.instances && logSumExp.tokens == plan.queries && logSumExp.width == 1)
        }
        let layout = Layout(plan: plan, e: q.width, f: v.width)
        let tiles = plan.kvOffsets.count - 1
        let space = workspace ?? Workspace()
        // Swift may release an object after its last use: the packed tiles are freed with `space`.
        defer { withExtendedLifetime(space) {} }
        let packed = Shared(space.floats(max(1, q.instances * tiles * layout.packedTile)))
        let workers = max(1, threads)

        // Pack K and V per KV tile.
        parallel(items: q.instances * tiles, workers: workers) { item, _ in
            let instance = item / tiles, tile = item % tiles
            let base = packed.pointer + item * layout.packedTile
            pack(plan: plan, tile: tile, instance: instance, k: k, v: v, into: base, layout: layout)
        }
        // Run the Q tiles.
        let scratch = (0..<workers).map { _ in Scratch(layout) }
        defer { scratch.forEach { $0.deallocate() } }
        let qTiles = plan.qTileCount
        parallel(items: q.instances * qTiles, workers: workers) { item, worker in
            let instance = item / qTiles, tile = item % qTiles
            let kvBase = packed.pointer + instance * tiles * layout.packedTile
            runQTile(plan: plan, tile: tile, instance: instance, q: q, out: out, packed: kvBase, layout: layout,
                     scratch: scratch[worker], logSumExp: logSumExp)
        }
    }

    /// Scratch memory kept between kernel calls; it grows to the largest call and is freed with the object.
    public final class Workspace: @unchecked Sendable {
        private var pointer: UnsafeMutablePointer<Float>?
        private var capacity = 0

        public init() {}

        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            if let pointer, capacity >= count { return pointer }
            pointer?.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
            return pointer!
        }

        deinit { pointer?.deallocate() }
    }

    /// A buffer the workers share (each writes its own part).
    struct Shared: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    }

    /// Tile geometry: rows padded to 4 (register block), keys to 16, F (and E, for the backward's products) to 16.
    struct Layout {
        let e: Int
        let f: Int
        let ePad: Int
        let fPad: Int
        let qPad: Int
        let kvPad: Int
        var packedTile: Int { e * kvPad + kvPad * fPad }

        init(plan: AttentionPlan, e: Int, f: Int) {
            self.e = e
            self.f = f
            ePad = (e + 15) / 16 * 16
            fPad = (f + 15) / 16 * 16
            qPad = max(4, (plan.maxQTile + 3) / 4 * 4)
            kvPad = max(16, (plan.maxKVTile + 15) / 16 * 16)
        }
    }

    /// Per-worker buffers, allocated once per call.
    final class Scratch: @unchecked Sendable {
        let q: UnsafeMutablePointer<Float>
        let s: UnsafeMutablePointer<Float>
        let acc: UnsafeMutablePointer<Float>
        let m: UnsafeMutablePointer<Float>
        let l: UnsafeMutablePointer<Float>

        init(_ layout: Layout) {
            q = .allocate(capacity: layout.qPad * layout.e)
            s = .allocate(capacity: layout.qPad * layout.kvPad)
            acc = .allocate(capacity: layout.qPad * layout.fPad)
            m = .allocate(capacity: layout.qPad)
            l = .allocate(capacity: layout.qPad)
        }

        func deallocate() {
            q.deallocate(); s.deallocate(); acc.deallocate(); m.deallocate(); l.deallocate()
        }
    }

    static func pack(plan: AttentionPlan, tile: Int, instance: Int, k: Tensor, v: Tensor,
                     into base: UnsafeMutablePointer<Float>, layout: Layout) {
        let start = plan.kvOffsets[tile], count = plan.kvOffsets[tile + 1] - start
        let kt = base, vs = base + layout.e * layout.kvPad
        // Zeros in the padding only: keys past `count`, V columns past F.
        if count < layout.kvPad {
            for d in 0..<layout.e { (kt + d * layout.kvPad + count).update(repeating: 0, count: layout.kvPad - count) }
            (vs + count * layout.fPad).update(repeating: 0, count: (layout.kvPad - count) * layout.fPad)
        }
        plan.kvRows.withUnsafeBufferPointer { rows in
            for j in 0..<count {
                let row = Int(rows[start + j])
                let kRow = k.row(instance, row)
                for d in 0..<layout.e { kt[d * layout.kvPad + j] = kRow[d] }
                let vRow = vs + j * layout.fPad
                vRow.update(from: v.row(instance, row), count: layout.f)
                if layout.f < layout.fPad { (vRow + layout.f).update(repeating: 0, count: layout.fPad - layout.f) }
            }
        }
    }

    static func runQTile(plan: AttentionPlan, tile: Int, instance: Int, q: Tensor, out: Tensor,
                         packed: UnsafeMutablePointer<Float>, layout: Layout, scratch: Scratch, logSumExp: Tensor?) {
        let e = layout.e, fPad = layout.fPad, kvPad = layout.kvPad
        let qStart = plan.qOffsets[tile], nq = plan.qOffsets[tile + 1] - qStart
        let rowsPad = (nq + 3) / 4 * 4
        // Q rows, scaled by log2(e)/√E so the softmax runs on exp2.
        let scale = Float(1.4426950408889634 / Double(e).squareRoot())
        plan.qRows.withUnsafeBufferPointer { rows in
            for i in 0..<rowsPad {
                let dst = scratch.q + i * e
                if i < nq {
                    let src = q.row(instance, Int(rows[qStart + i]))
                    for d in 0..<e { dst[d] = src[d] * scale }
                } else {
                    dst.initialize(repeating: 0, count: e)
                }
            }
        }
        scratch.acc.initialize(repeating: 0, count: rowsPad * fPad)
        scratch.m.initialize(repeating: -.infinity, count: rowsPad)
        scratch.l.initialize(repeating: 0, count: rowsPad)

        let visitStart = plan.visitOffsets[tile], visitEnd = plan.visitOffsets[tile + 1]
        for index in visitStart..<visitEnd {
            let visit = plan.visits[index]
            let kvTile = Int(visit.kvTile)
            let nk = plan.kvOffsets[kvTile + 1] - plan.kvOffsets[kvTile]
            let kt = packed + kvTile * layout.packedTile
            let vs = kt + e * kvPad
            let colsPad = (nk + 15) / 16 * 16
            // S = Q·Kᵀ (scaled), then O += P·V below.
            multiply(a: scratch.q, lda: e, b: kt, ldb: kvPad, c: scratch.s, ldc: kvPad, rows: rowsPad, cols: colsPad,
                     depth: e, accumulate: false)
            // Padding keys, and on a partial tile the element mask, score -inf.
            for i in 0..<nq {
                let row = scratch.s + i * kvPad
                for j in nk..<colsPad { row[j] = -.infinity }
            }
            if !visit.full {
                applyMask(plan: plan, qTile: tile, kvTile: kvTile, nq: nq, nk: nk, s: scratch.s, lds: kvPad)
            }
            softmaxUpdate(s: scratch.s, lds: kvPad, rows: nq, rowsPad: rowsPad, cols: colsPad, m: scratch.m,
                          l: scratch.l, acc: scratch.acc, fPad: fPad)
            multiply(a: scratch.s, lda: kvPad, b: vs, ldb: fPad, c: scratch.acc, ldc: fPad, rows: rowsPad, cols: fPad,
                     depth: nk, accumulate: true)
        }
        plan.qRows.withUnsafeBufferPointer { rows in
            for i in 0..<nq {
                let dst = out.row(instance, Int(rows[qStart + i]))
                let l = scratch.l[i]
                let inverse: Float = l > 0 ? 1 / l : 0
                let src = scratch.acc + i * fPad
                for f in 0..<layout.f { dst[f] = src[f] * inverse }
            }
            // L = ln 2 · (m + log2 l): m and the scores are in log2 units.
            if let logSumExp {
                for i in 0..<nq {
                    let l = scratch.l[i]
                    logSumExp.row(instance, Int(rows[qStart + i]))[0] =
                        l > 0 ? (scratch.m[i] + log2(l)) * 0.6931471805599453 : .infinity
                }
            }
        }
    }

    /// c[i][j] = (c[i][j] if `accumulate`) + Σ_{d < depth} a[i][d]·b[d][j] for i < rows (a multiple of 4) and
    /// j < cols (a multiple of 16), every matrix row-major with its own row stride: the register-blocked product
    /// (4 rows × 16 columns of C in eight SIMD8 accumulators, one FMA per A value and B vector) behind the
    /// forward's scores and P·V and the backward's five products.
    @inline(__always)
    static func multiply(a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, depth: Int, accumulate: Bool) {
        var i = 0
        while i < rows {
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            var j = 0
            while j < cols {
                let o0 = c + i * ldc + j, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc
                var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8(), c20 = V8(), c21 = V8(), c30 = V8(), c31 = V8()
                if accumulate {
                    c00 = SIMDMath.load(o0); c01 = SIMDMath.load(o0 + 8)
                    c10 = SIMDMath.load(o1); c11 = SIMDMath.load(o1 + 8)
                    c20 = SIMDMath.load(o2); c21 = SIMDMath.load(o2 + 8)
                    c30 = SIMDMath.load(o3); c31 = SIMDMath.load(o3 + 8)
                }
                var bp = b + j
                for d in 0..<depth {
                    let b0 = SIMDMath.load(bp), b1 = SIMDMath.load(bp + 8)
                    let x0 = V8(repeating: a0[d]), x1 = V8(repeating: a1[d])
                    let x2 = V8(repeating: a2[d]), x3 = V8(repeating: a3[d])
                    c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1)
                    c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1)
                    c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1)
                    c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1)
                    bp += ldb
                }
                SIMDMath.store(c00, o0); SIMDMath.store(c01, o0 + 8)
                SIMDMath.store(c10, o1); SIMDMath.store(c11, o1 + 8)
                SIMDMath.store(c20, o2); SIMDMath.store(c21, o2 + 8)
                SIMDMath.store(c30, o3); SIMDMath.store(c31, o3 + 8)
                j += 16
            }
            i += 4
        }
    }

    /// The online-softmax step on a tile of scores (log2 units): new running max, probabilities in place of the
    /// scores, rescaled running sum and output. Rows past `rows` get zero probabilities.
    @inline(__always)
    static func softmaxUpdate(s: UnsafeMutablePointer<Float>, lds: Int, rows: Int, rowsPad: Int, cols: Int,
                              m: UnsafeMutablePointer<Float>, l: UnsafeMutablePointer<Float>,
                              acc: UnsafeMutablePointer<Float>, fPad: Int) {
        for i in 0..<rows {
            let row = s + i * lds
            var best = V8(repeating: -.infinity)
            var j = 0
            while j < cols {
                let x = SIMDMath.load(row + j)
                best = best.replacing(with: x, where: x .> best)   // (generic pointwiseMax does not vectorize)
                j += 8
            }
            var tileMax = best[0]
            for lane in 1..<8 where best[lane] > tileMax { tileMax = best[lane] }
            let old = m[i]
            let new = Swift.max(old, tileMax)
            if new == -.infinity {
                // Every score of the row masked so far: nothing to add.
                row.initialize(repeating: 0, count: cols)
                continue
            }
            let shift = V8(repeating: new)
            var sum = V8()
            j = 0
            while j < cols {
                let p = SIMDMath.exp2(SIMDMath.load(row + j) - shift)
                SIMDMath.store(p, row + j)
                sum += p
                j += 8
            }
            let alpha: Float = old == -.infinity ? 0 : SIMDMath.exp2(V8(repeating: old - new))[0]
            l[i] = l[i] * alpha + sum.sum()
            m[i] = new
            if alpha != 1 {
                let o = acc + i * fPad
                let a = V8(repeating: alpha)
                var f = 0
                while f < fPad {
                    SIMDMath.store(SIMDMath.load(o + f) * a, o + f)
                    f += 8
                }
            }
        }
        for i in rows..<rowsPad { (s + i * lds).initialize(repeating: 0, count: cols) }
    }

    /// Sets masked scores of a partial tile to −∞, row by row: each row's attended keys are runs (1-D masks: of the
    /// contiguous keys k0 ..< k0 + nk; GNA: of the gathered box), and the keys between them are filled.
    static func applyMask(plan: AttentionPlan, qTile: Int, kvTile: Int, nq: Int, nk: Int,
                          s: UnsafeMutablePointer<Float>, lds: Int) {
        let qStart = plan.qOffsets[qTile], kStart = plan.kvOffsets[kvTile]
        switch plan.mask {
        case .none:
            return
        case .causal(let offset):
            let k0 = Int(plan.kvRows[kStart])
            for i in 0..<nq {
                let visible = max(0, min(nk, Int(plan.qRows[qStart + i]) + offset + 1 - k0))
                if visible < nk { GapFiller.skip(s + i * lds + visible, nk - visible) }
            }
        case .block(let qBlock, let kvBlock, let kvBlocks, let kept):
            let k0 = Int(plan.kvRows[kStart]), k1 = k0 + nk
            for i in 0..<nq {
                let query = Int(plan.qRows[qStart + i])
                let base = query / qBlock * kvBlocks
                let row = s + i * lds - k0
                var key = k0
                while key < k1 {
                    let block = key / kvBlock
                    let end = min((block + 1) * kvBlock, k1)
                    switch kept[base + block] {
                    case 0: GapFiller.skip(row + key, end - key)
                    case 2: if query + 1 < end { GapFiller.skip(row + max(key, query + 1), end - max(key, query + 1)) }
                    default: break
                    }
                    key = end
                }
            }
        case .rows(let mask):
            // 1-D tiles: the tile's queries and keys are consecutive.
            let (q0, k0) = (Int(plan.qRows[qStart]), Int(plan.kvRows[kStart]))
            mask.apply(s, stride: lds, queries: q0 ..< q0 + nq, columns: k0 ..< k0 + nk)
        case .gna(let lo, let hi, let keyIndex, let dims):
            let keys = keyIndex.count / dims
            keyIndex.withUnsafeBufferPointer { index in
                for i in 0..<nq {
                    let query = Int(plan.qRows[qStart + i])
                    let row = s + i * lds
                    var j = 0
                    while j + 8 <= nk {
                        var inside = SIMDMask<SIMD8<Int32>>(repeating: true)
                        for a in 0..<dims {
                            let x = UnsafeRawPointer(index.baseAddress! + a * keys + kStart + j).loadUnaligned(as: SIMD8<Int32>.self)
                            inside .&= (x .>= SIMD8(repeating: lo[query * dims + a]))
                                .& (x .< SIMD8(repeating: hi[query * dims + a]))
                        }
                        let scores = SIMDMath.load(row + j)
                        SIMDMath.store(scores.replacing(with: SIMD8(repeating: -.infinity), where: .!inside), row + j)
                        j += 8
                    }
                    while j < nk {
                        for a in 0..<dims {
                            let x = index[a * keys + kStart + j]
                            if x < lo[query * dims + a] || x >= hi[query * dims + a] { row[j] = -.infinity; break }
                        }
                        j += 1
                    }
                }
            }
        }
    }

    /// Runs `body(item, worker)` for items 0..<items on `workers` threads, each taking the next item when free.
    static func parallel(items: Int, workers: Int, _ body: @Sendable (Int, Int) -> Void) {
        guard items > 0 else { return }
        let counter = WorkCounter()
        DispatchQueue.concurrentPerform(iterations: min(workers, items)) { worker in
            while true {
                let item = counter.next()
                if item >= items { return }
                body(item, worker)
            }
        }
    }

    final class WorkCounter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value - 1
        }
    }
}
