import Foundation

/// The backward pass of attention on the CPU: FlashAttention-2's Algorithm 2 (references.md [FlashAttention-2],
/// §3.1.2 and Algorithm 2), fp32, for any `AttentionPlan` (dense, causal, GNA, block, 1-D masks), with the
/// forward's habits (`AttentionKernel`): SIMD8 FMAs in 4 × 16 register blocks (`AttentionKernel.multiply`), unsafe
/// buffers, scratch per worker and no allocation in the hot loop, work items handed out to `threads` workers.
///
/// From Q, K, V, the forward's output O and per-row log-sum-exp L (`AttentionKernel.run(…, logSumExp:)`) and dO:
/// 1. preprocessing: per Q tile D = rowsum(dO ∘ O), with Q, dO and L packed; per KV tile Kᵀ, K and Vᵀ packed;
/// 2. the main loop, KV-major: work items (instance, KV tile), each walking the Q tiles that visit its tile
///    (`AttentionBackwardPlan`) and recomputing S = Q·Kᵀ/√E and P = exp(S − L) — the element mask on partial
///    tiles only — then dV += Pᵀ·dO, dP = dO·Vᵀ, dS = P ∘ (dP − D), dK += dSᵀ·Q/√E, with dK and dV held in
///    scratch until the tile's last visit;
/// 3. dQ = Σ dS·K/√E, by `DQMode`.
///
/// The paper's algorithm omits the softmax scale; here the scores are in log2 units (Kᵀ packed times
/// log2(e)/√E, L times log2(e), P by `SIMDMath.exp2` as in the forward) and 1/√E is folded into dS.
public enum AttentionBackwardKernel {
    typealias V8 = SIMD8<Float>

    /// How dQ is summed over a Q tile's KV tiles.
    public enum DQMode: Sendable, CaseIterable {
        /// A second, Q-major loop over the forward plan: per (instance, Q tile) S, P, dP and dS are recomputed and
        /// dQ += dS·K accumulated in scratch, then written once. Nothing is shared between workers and the sums run
        /// in visit order: deterministic for any thread count. Costs two more products per visit (S and dP again).
        case separatePass
        /// In the KV-major loop, as FlashAttention-2 adds each dS·K into a global fp32 dQ (with atomic adds between
        /// thread blocks), but deterministic: the KV work items are dealt round-robin to `threads` lanes, each lane
        /// runs its items in order and adds into its own fp32 dQ buffer, and the buffers are summed in lane order.
        /// The same inputs and thread count give the same bits; another thread count rounds differently.
        /// Memory: one dQ-sized buffer per lane.
        case accumulated
    }

    /// Writes dq, dk, dv: the gradients of a loss with respect to q, k and v, given dOut (its gradient with respect
    /// to `out`), `out` and `logSumExp` from `AttentionKernel.run` on the same inputs and `plan.forward`.
    /// `workspace` holds the packed tiles between calls; without one the call allocates its own.
    public static func run(plan: AttentionBackwardPlan, q: Tensor, k: Tensor, v: Tensor, out: Tensor, dOut: Tensor,
                           logSumExp: Tensor, dq: Tensor, dk: Tensor, dv: Tensor, threads: Int,
                           dqMode: DQMode = .separatePass, workspace: AttentionKernel.Workspace? = nil) {
        let forward = plan.forward
        let instances = q.instances
        for t in [k, v, out, dOut, logSumExp, dq, dk, dv] { precondition(t.instances == instances) }
        precondition(q.tokens == forward.queries && out.tokens == forward.queries && dOut.tokens == forward.queries
                     && logSumExp.tokens == forward.queries && dq.tokens == forward.queries)
        precondition(k.tokens == forward.keys && v.tokens == forward.keys && dk.tokens == forward.keys
                     && dv.tokens == forward.keys)
        precondition(k.width == q.width && dq.width == q.width && dk.width == q.width && out.width == v.width
                     && dOut.width == v.width && dv.width == v.width && logSumExp.width == 1)

        let layout = Layout(plan: forward, e: q.width, f: v.width)
        let (qTiles, kvTiles) = (forward.qTileCount, plan.kvTileCount)
        let kvItems = instances * kvTiles, qItems = instances * qTiles
        let workers = max(1, threads)
        let lanes = dqMode == .accumulated ? max(1, min(workers, kvItems)) : 0
        // Workspace: packed KV tiles, packed Q tiles, per-tile dK and dV (overlapping tiles), per-lane dQ.
        let sizes = [kvItems * layout.kvTile, qItems * layout.qTile,
                     plan.exclusiveKeys ? 0 : kvItems * layout.gradTile, lanes * qItems * layout.dqTile]
        let space = workspace ?? AttentionKernel.Workspace()
        defer { withExtendedLifetime(space) {} }   // (its buffer is freed with it)
        let base = space.floats(max(1, sizes.reduce(0, +)))
        let pass = Pass(plan: plan, layout: layout, instances: instances, kv: base, q: base + sizes[0],
                        grads: base + sizes[0] + sizes[1], lanes: base + sizes[0] + sizes[1] + sizes[2], laneCount: lanes,
                        tensors: Tensors(q: q, k: k, v: v, out: out, dOut: dOut, logSumExp: logSumExp, dq: dq, dk: dk, dv: dv))
        let scratch = (0..<max(workers, lanes)).map { _ in Scratch(layout) }
        defer { scratch.forEach { $0.deallocate() } }

        // 1. Preprocessing.
        AttentionKernel.parallel(items: kvItems, workers: workers) { item, _ in
            pass.packKV(instance: item / kvTiles, tile: item % kvTiles)
        }
        AttentionKernel.parallel(items: qItems, workers: workers) { item, _ in
            pass.packQ(instance: item / qTiles, tile: item % qTiles)
        }
        // 2. KV-major: dK, dV (and dQ per lane).
        if dqMode == .accumulated {
            pass.lanes.initialize(repeating: 0, count: sizes[3])
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                var item = lane
                while item < kvItems {
                    pass.runKVTile(instance: item / kvTiles, tile: item % kvTiles, scratch: scratch[lane], lane: lane)
                    item += lanes
                }
            }
        } else {
            AttentionKernel.parallel(items: kvItems, workers: workers) { item, worker in
                pass.runKVTile(instance: item / kvTiles, tile: item % kvTiles, scratch: scratch[worker], lane: nil)
            }
        }
        if plan.exclusiveKeys {
            for instance in 0..<instances {
                for key in plan.unvisitedKeys {
                    dk.row(instance, Int(key)).update(repeating: 0, count: layout.e)
                    dv.row(instance, Int(key)).update(repeating: 0, count: layout.f)
                }
            }
        } else {
            let chunks = (forward.keys + 63) / 64
            AttentionKernel.parallel(items: instances * chunks, workers: workers) { item, _ in
                let first = item % chunks * 64
                pass.sumOverlappingTiles(instance: item / chunks, keys: first ..< min(first + 64, forward.keys))
            }
        }
        // 3. dQ.
        AttentionKernel.parallel(items: qItems, workers: workers) { item, worker in
            if dqMode == .accumulated {
                pass.sumLanes(instance: item / qTiles, tile: item % qTiles)
            } else {
                pass.runDQTile(instance: item / qTiles, tile: item % qTiles, scratch: scratch[worker])
            }
        }
    }

    /// The forward's tile geometry (`AttentionKernel.Layout`: Q tiles padded to 4 rows, KV tiles to 16 keys, E and
    /// F to 16).
    typealias Layout = AttentionKernel.Layout

    /// Per-worker buffers, allocated once per call.
    final class Scratch: @unchecked Sendable {
        /// S, then P (qPad × kvPad).
        let p: UnsafeMutablePointer<Float>
        /// dP, then dS (qPad × kvPad).
        let ds: UnsafeMutablePointer<Float>
        /// Pᵀ and dSᵀ (kvPad × qPad).
        let pt: UnsafeMutablePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        /// A KV tile's dK and dV; a Q tile's dQ.
        let dk: UnsafeMutablePointer<Float>
        let dv: UnsafeMutablePointer<Float>
        let dq: UnsafeMutablePointer<Float>

        init(_ layout: Layout) {
            let tile = layout.qPad * layout.kvPad
            p = .allocate(capacity: tile)
            ds = .allocate(capacity: tile)
            pt = .allocate(capacity: tile)
            dst = .allocate(capacity: tile)
            dk = .allocate(capacity: layout.kvPad * layout.ePad)
            dv = .allocate(capacity: layout.kvPad * layout.fPad)
            dq = .allocate(capacity: layout.dqTile)
        }

        func deallocate() { [p, ds, pt, dst, dk, dv, dq].forEach { $0.deallocate() } }
    }

    struct Tensors {
        let q: Tensor, k: Tensor, v: Tensor, out: Tensor, dOut: Tensor, logSumExp: Tensor
        let dq: Tensor, dk: Tensor, dv: Tensor
    }

    /// One backward call: the plan, the carved workspace and the tensors; its methods are the work items.
    struct Pass: @unchecked Sendable {
        let plan: AttentionBackwardPlan
        let layout: Layout
        let instances: Int
        let kv: UnsafeMutablePointer<Float>
        let q: UnsafeMutablePointer<Float>
        let grads: UnsafeMutablePointer<Float>
        let lanes: UnsafeMutablePointer<Float>
        let laneCount: Int
        let tensors: Tensors

        var forward: AttentionPlan { plan.forward }

        func kvTile(_ instance: Int, _ tile: Int) -> UnsafeMutablePointer<Float> {
            kv + (instance * plan.kvTileCount + tile) * layout.kvTile
        }

        func qTile(_ instance: Int, _ tile: Int) -> UnsafeMutablePointer<Float> {
            q + (instance * forward.qTileCount + tile) * layout.qTile
        }

        /// Lane `lane`'s dQ of a Q tile.
        func laneTile(_ lane: Int, _ instance: Int, _ tile: Int) -> UnsafeMutablePointer<Float> {
            lanes + ((lane * instances + instance) * forward.qTileCount + tile) * layout.dqTile
        }

        /// Packs a visited KV tile: Kᵀ scaled by log2(e)/√E and Vᵀ with zero columns past the tile's keys, K with
        /// zero columns past E.
        func packKV(instance: Int, tile: Int) {
            guard plan.visitOffsets[tile] < plan.visitOffsets[tile + 1] else { return }
            let (e, f, ePad, kvPad) = (layout.e, layout.f, layout.ePad, layout.kvPad)
            let start = forward.kvOffsets[tile], nk = forward.kvOffsets[tile + 1] - start
            let kts = kvTile(instance, tile), kr = kts + e * kvPad, vt = kr + kvPad * ePad
            let scale = Float(1.4426950408889634 / Double(e).squareRoot())
            if nk < kvPad {
                for d in 0..<e { (kts + d * kvPad + nk).update(repeating: 0, count: kvPad - nk) }
                for c in 0..<f { (vt + c * kvPad + nk).update(repeating: 0, count: kvPad - nk) }
            }
            forward.kvRows.withUnsafeBufferPointer { rows in
                for j in 0..<nk {
                    let row = Int(rows[start + j])
                    let kRow = tensors.k.row(instance, row), vRow = tensors.v.row(instance, row)
                    for d in 0..<e { kts[d * kvPad + j] = kRow[d] * scale }
                    (kr + j * ePad).update(from: kRow, count: e)
                    if e < ePad { (kr + j * ePad + e).update(repeating: 0, count: ePad - e) }
                    for c in 0..<f { vt[c * kvPad + j] = vRow[c] }
                }
            }
        }

        /// Packs a Q tile (the preprocessing step): Q and dO with zero padding, L in log2 units, D = rowsum(dO ∘ O).
        /// Padding rows get L = +∞ and D = 0, so their P and dS come out 0.
        func packQ(instance: Int, tile: Int) {
            let (e, f, ePad, fPad, qPad) = (layout.e, layout.f, layout.ePad, layout.fPad, layout.qPad)
            let start = forward.qOffsets[tile], nq = forward.qOffsets[tile + 1] - start
            let qp = qTile(instance, tile), dO = qp + qPad * ePad, l2 = dO + qPad * fPad, dd = l2 + qPad
            qp.update(repeating: 0, count: qPad * ePad)
            dO.update(repeating: 0, count: qPad * fPad)
            forward.qRows.withUnsafeBufferPointer { rows in
                for i in 0..<qPad {
                    guard i < nq else {
                        l2[i] = .infinity
                        dd[i] = 0
                        continue
                    }
                    let row = Int(rows[start + i])
                    (qp + i * ePad).update(from: tensors.q.row(instance, row), count: e)
                    let g = tensors.dOut.row(instance, row), o = tensors.out.row(instance, row)
                    (dO + i * fPad).update(from: g, count: f)
                    var sum: Float = 0
                    for c in 0..<f { sum = sum.addingProduct(g[c], o[c]) }
                    dd[i] = sum
                    l2[i] = tensors.logSumExp.row(instance, row)[0] * 1.4426950408889634
                }
            }
        }

        /// One visit's P and dS, recomputed: scratch.p ← P = exp2(S₂ − L₂) (0 where masked or padded) and
        /// scratch.ds ← dS = P ∘ (dP − D) / √E with dP = dO·Vᵀ, over rowsPad × colsPad.
        @inline(__always)
        func probabilitiesAndScoreGradients(qTile qt: Int, kvTile kvt: Int, full: Bool, qp: UnsafeMutablePointer<Float>,
                                            kts: UnsafeMutablePointer<Float>, nq: Int, nk: Int, scratch: Scratch) {
            let (e, f, ePad, fPad, qPad, kvPad) = (layout.e, layout.f, layout.ePad, layout.fPad, layout.qPad, layout.kvPad)
            let rowsPad = (nq + 3) / 4 * 4, colsPad = (nk + 15) / 16 * 16
            let dO = qp + qPad * ePad, l2 = dO + qPad * fPad, dd = l2 + qPad
            let vt = kts + e * kvPad + kvPad * ePad
            AttentionKernel.multiply(a: qp, lda: ePad, b: kts, ldb: kvPad, c: scratch.p, ldc: kvPad, rows: rowsPad,
                                     cols: colsPad, depth: e, accumulate: false)
            if nk < colsPad {
                for i in 0..<rowsPad { (scratch.p + i * kvPad + nk).update(repeating: -.infinity, count: colsPad - nk) }
            }
            if !full {
                AttentionKernel.applyMask(plan: forward, qTile: qt, kvTile: kvt, nq: nq, nk: nk, s: scratch.p, lds: kvPad)
            }
            AttentionKernel.multiply(a: dO, lda: fPad, b: vt, ldb: kvPad, c: scratch.ds, ldc: kvPad, rows: rowsPad,
                                     cols: colsPad, depth: f, accumulate: false)
            let scale = V8(repeating: Float(1 / Double(e).squareRoot()))
            for i in 0..<rowsPad {
                let s = scratch.p + i * kvPad, ds = scratch.ds + i * kvPad
                let l = V8(repeating: l2[i]), d = V8(repeating: dd[i])
                var j = 0
                while j < colsPad {
                    let p = SIMDMath.exp2(SIMDMath.load(s + j) - l)
                    SIMDMath.store(p, s + j)
                    SIMDMath.store(p * (SIMDMath.load(ds + j) - d) * scale, ds + j)
                    j += 8
                }
            }
        }

        /// A KV work item: every visit of the tile, dV += Pᵀ·dO and dK += dSᵀ·Q (and with a lane, dQ += dS·K into
        /// the lane's buffer); dK and dV then go to their rows, or to the tile's buffer when tiles overlap.
        func runKVTile(instance: Int, tile: Int, scratch: Scratch, lane: Int?) {
            let first = plan.visitOffsets[tile], end = plan.visitOffsets[tile + 1]
            guard first < end else { return }
            let (ePad, fPad, qPad, kvPad) = (layout.ePad, layout.fPad, layout.qPad, layout.kvPad)
            let start = forward.kvOffsets[tile], nk = forward.kvOffsets[tile + 1] - start
            let keysPad = (nk + 3) / 4 * 4
            let kts = kvTile(instance, tile), kr = kts + layout.e * kvPad
            let dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>
            if plan.exclusiveKeys {
                (dk, dv) = (scratch.dk, scratch.dv)
            } else {
                dk = grads + (instance * plan.kvTileCount + tile) * layout.gradTile
                dv = dk + kvPad * ePad
            }
            dk.update(repeating: 0, count: keysPad * ePad)
            dv.update(repeating: 0, count: keysPad * fPad)
            for index in first..<end {
                let visit = plan.visits[index]
                let qt = Int(visit.qTile)
                let nq = forward.qOffsets[qt + 1] - forward.qOffsets[qt]
                let qp = qTile(instance, qt), dO = qp + qPad * ePad
                probabilitiesAndScoreGradients(qTile: qt, kvTile: tile, full: visit.full, qp: qp, kts: kts, nq: nq,
                                               nk: nk, scratch: scratch)
                // Pᵀ and dSᵀ: the A operands of dV and dK.
                for i in 0..<nq {
                    let p = scratch.p + i * kvPad, ds = scratch.ds + i * kvPad
                    for j in 0..<keysPad {
                        scratch.pt[j * qPad + i] = p[j]
                        scratch.dst[j * qPad + i] = ds[j]
                    }
                }
                AttentionKernel.multiply(a: scratch.pt, lda: qPad, b: dO, ldb: fPad, c: dv, ldc: fPad, rows: keysPad,
                                         cols: fPad, depth: nq, accumulate: true)
                AttentionKernel.multiply(a: scratch.dst, lda: qPad, b: qp, ldb: ePad, c: dk, ldc: ePad, rows: keysPad,
                                         cols: ePad, depth: nq, accumulate: true)
                if let lane {
                    AttentionKernel.multiply(a: scratch.ds, lda: kvPad, b: kr, ldb: ePad, c: laneTile(lane, instance, qt),
                                             ldc: ePad, rows: (nq + 3) / 4 * 4, cols: ePad, depth: nk, accumulate: true)
                }
            }
            if plan.exclusiveKeys {
                store(dk, ld: ePad, width: layout.e, rows: forward.kvRows, start: start, count: nk, to: tensors.dk,
                      instance: instance)
                store(dv, ld: fPad, width: layout.f, rows: forward.kvRows, start: start, count: nk, to: tensors.dv,
                      instance: instance)
            }
        }

        /// The separate dQ pass's work item: the forward's visits of a Q tile, dQ += dS·K.
        func runDQTile(instance: Int, tile: Int, scratch: Scratch) {
            let (ePad, kvPad) = (layout.ePad, layout.kvPad)
            let start = forward.qOffsets[tile], nq = forward.qOffsets[tile + 1] - start
            let rowsPad = (nq + 3) / 4 * 4
            let qp = qTile(instance, tile)
            scratch.dq.update(repeating: 0, count: rowsPad * ePad)
            for index in forward.visitOffsets[tile] ..< forward.visitOffsets[tile + 1] {
                let visit = forward.visits[index]
                let kvt = Int(visit.kvTile)
                let nk = forward.kvOffsets[kvt + 1] - forward.kvOffsets[kvt]
                let kts = kvTile(instance, kvt)
                probabilitiesAndScoreGradients(qTile: tile, kvTile: kvt, full: visit.full, qp: qp, kts: kts, nq: nq,
                                               nk: nk, scratch: scratch)
                AttentionKernel.multiply(a: scratch.ds, lda: kvPad, b: kts + layout.e * kvPad, ldb: ePad, c: scratch.dq,
                                         ldc: ePad, rows: rowsPad, cols: ePad, depth: nk, accumulate: true)
            }
            store(scratch.dq, ld: ePad, width: layout.e, rows: forward.qRows, start: start, count: nq, to: tensors.dq,
                  instance: instance)
        }

        /// `.accumulated`'s reduction for a Q tile: lane 0's dQ plus lane 1's, … in lane order, then its rows.
        func sumLanes(instance: Int, tile: Int) {
            let start = forward.qOffsets[tile], nq = forward.qOffsets[tile + 1] - start
            let count = (nq + 3) / 4 * 4 * layout.ePad
            let total = laneTile(0, instance, tile)
            for lane in 1..<laneCount {
                let part = laneTile(lane, instance, tile)
                var x = 0
                while x < count {
                    SIMDMath.store(SIMDMath.load(total + x) + SIMDMath.load(part + x), total + x)
                    x += 8
                }
            }
            store(total, ld: layout.ePad, width: layout.e, rows: forward.qRows, start: start, count: nq,
                  to: tensors.dq, instance: instance)
        }

        /// Overlapping KV tiles: each key's dK and dV, the sum of its tiles' rows in tile order (zero in none).
        func sumOverlappingTiles(instance: Int, keys: Range<Int>) {
            let (e, f, ePad, kvPad) = (layout.e, layout.f, layout.ePad, layout.kvPad)
            for key in keys {
                let dk = tensors.dk.row(instance, key), dv = tensors.dv.row(instance, key)
                dk.update(repeating: 0, count: e)
                dv.update(repeating: 0, count: f)
                for slot in plan.slots[plan.slotOffsets[key] ..< plan.slotOffsets[key + 1]] {
                    let tileDK = grads + (instance * plan.kvTileCount + Int(slot.tile)) * layout.gradTile
                    let rowDK = tileDK + Int(slot.row) * ePad
                    let rowDV = tileDK + kvPad * ePad + Int(slot.row) * layout.fPad
                    for d in 0..<e { dk[d] += rowDK[d] }
                    for c in 0..<f { dv[c] += rowDV[c] }
                }
            }
        }

        /// Copies the first `width` values of `count` tile rows (stride `ld`) to the tensor rows
        /// `rows[start ..< start + count]`.
        func store(_ tile: UnsafeMutablePointer<Float>, ld: Int, width: Int, rows: [Int32], start: Int, count: Int,
                   to tensor: Tensor, instance: Int) {
            rows.withUnsafeBufferPointer { rows in
                for i in 0..<count { tensor.row(instance, Int(rows[start + i])).update(from: tile + i * ld, count: width) }
            }
        }
    }
}

extension AttentionKernel.Layout {
    /// A packed KV tile of the backward: Kᵀ·log2(e)/√E (E × kvPad), K (kvPad × ePad), Vᵀ (F × kvPad).
    var kvTile: Int { (e + f) * kvPad + kvPad * ePad }
    /// A packed Q tile: Q (qPad × ePad), dO (qPad × fPad), L·log2(e) and D (qPad each).
    var qTile: Int { qPad * (ePad + fPad + 2) }
    /// A KV tile's dK (kvPad × ePad) and dV (kvPad × fPad).
    var gradTile: Int { kvPad * (ePad + fPad) }
    /// A Q tile's dQ (qPad × ePad).
    var dqTile: Int { qPad * ePad }
}
