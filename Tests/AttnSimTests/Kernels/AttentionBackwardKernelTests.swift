import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// The backward kernel against gradients computed without it, in Float64 on the kernel's own (Float32) inputs, for
/// the loss ℓ = Σ O ∘ G with a random G (so dO = G):
/// - central finite differences of ℓ through a Float64 forward (`Reference.loss`), on sampled entries of Q, K, V;
/// - a naive backward that materializes P (`Reference.gradients`), on every entry, itself held to the finite
///   differences; and the forward's log-sum-exp against Float64.
/// Dense, causal, GNA (overlapping dynamic KV tiles and static ones), a sliding window and block masks, tiles that do
/// not divide the tokens; both dQ modes, which must agree, `.accumulated` giving the same bits twice.
@Suite struct AttentionBackwardKernelTests {
    /// One instance's attention in Float64: row-major Q (P × E), K (M × E), V (M × F), G (P × F) and visibility.
    struct Reference {
        let p: Int, m: Int, e: Int, f: Int
        let q: [Double], k: [Double], v: [Double], g: [Double]
        let visible: [Bool]

        /// Per row: the visible keys' softmax weights (nil for a row that sees none) and log-sum-exp.
        func softmax(_ i: Int, q: [Double], k: [Double]) -> (weights: [Double], lse: Double)? {
            var s = [Double](repeating: -.infinity, count: m)
            for j in 0..<m where visible[i * m + j] {
                var dot = 0.0
                for d in 0..<e { dot += q[i * e + d] * k[j * e + d] }
                s[j] = dot / Double(e).squareRoot()
            }
            let best = s.max()!
            guard best > -.infinity else { return nil }
            let w = s.map { exp($0 - best) }
            let sum = w.reduce(0, +)
            return (w.map { $0 / sum }, best + log(sum))
        }

        /// ℓ = Σ O ∘ G.
        func loss(q: [Double], k: [Double], v: [Double]) -> Double {
            var total = 0.0
            for i in 0..<p {
                guard let (w, _) = softmax(i, q: q, k: k) else { continue }
                for j in 0..<m where w[j] > 0 {
                    for c in 0..<f { total += w[j] * v[j * f + c] * g[i * f + c] }
                }
            }
            return total
        }

        /// The textbook backward with P materialized: dV = Pᵀ G, dP = G Vᵀ, dS = P ∘ (dP − rowsum(P ∘ dP)),
        /// dQ = dS K/√E, dK = dSᵀ Q/√E.
        func gradients() -> (dq: [Double], dk: [Double], dv: [Double]) {
            var dq = [Double](repeating: 0, count: p * e), dk = [Double](repeating: 0, count: m * e)
            var dv = [Double](repeating: 0, count: m * f)
            let scale = 1 / Double(e).squareRoot()
            for i in 0..<p {
                guard let (w, _) = softmax(i, q: q, k: k) else { continue }
                var dp = [Double](repeating: 0, count: m)
                for j in 0..<m {
                    for c in 0..<f {
                        dv[j * f + c] += w[j] * g[i * f + c]
                        dp[j] += g[i * f + c] * v[j * f + c]
                    }
                }
                let d = (0..<m).reduce(0.0) { $0 + w[$1] * dp[$1] }
                for j in 0..<m {
                    let ds = w[j] * (dp[j] - d) * scale
                    for c in 0..<e {
                        dq[i * e + c] += ds * k[j * e + c]
                        dk[j * e + c] += ds * q[i * e + c]
                    }
                }
            }
            return (dq, dk, dv)
        }
    }

    static func doubles(_ t: Tensor, _ instance: Int) -> [Double] {
        (0 ..< t.tokens * t.width).map { Double(t.storage[instance * t.tokens * t.width + $0]) }
    }

    /// Runs forward and backward (both dQ modes) on random inputs and holds every gradient to the references.
    static func check(_ plan: AttentionPlan, _ what: String, instances: Int = 2, e: Int, f: Int, threads: Int = 2,
                      seed: UInt64, visible: (Int, Int) -> Bool) {
        let (p, m) = (plan.queries, plan.keys)
        let q = Tensor(instances: instances, tokens: p, width: e), k = Tensor(instances: instances, tokens: m, width: e)
        let v = Tensor(instances: instances, tokens: m, width: f), g = Tensor(instances: instances, tokens: p, width: f)
        let out = Tensor(instances: instances, tokens: p, width: f), lse = Tensor(instances: instances, tokens: p, width: 1)
        let dk = Tensor(instances: instances, tokens: m, width: e), dv = Tensor(instances: instances, tokens: m, width: f)
        let dqs = (0..<3).map { _ in Tensor(instances: instances, tokens: p, width: e) }
        let dk2 = Tensor(instances: instances, tokens: m, width: e), dv2 = Tensor(instances: instances, tokens: m, width: f)
        defer { ([q, k, v, g, out, lse, dk, dv, dk2, dv2] + dqs).forEach { $0.deallocate() } }
        q.fillRandom(seed: seed)
        k.fillRandom(seed: seed + 1)
        v.fillRandom(seed: seed + 2)
        g.fillRandom(seed: seed + 3)

        AttentionKernel.run(plan: plan, q: q, k: k, v: v, out: out, threads: threads, logSumExp: lse)
        let backward = AttentionBackwardPlan(plan)
        AttentionBackwardKernel.run(plan: backward, q: q, k: k, v: v, out: out, dOut: g, logSumExp: lse, dq: dqs[0],
                                    dk: dk, dv: dv, threads: threads, dqMode: .separatePass)
        let workspace = AttentionKernel.Workspace()
        for run in 1...2 {
            AttentionBackwardKernel.run(plan: backward, q: q, k: k, v: v, out: out, dOut: g, logSumExp: lse,
                                        dq: dqs[run], dk: dk2, dv: dv2, threads: threads, dqMode: .accumulated,
                                        workspace: workspace)
        }
        // `.accumulated`: the same bits twice; dK and dV come from the same loop in both modes.
        #expect(Array(dqs[1].storage) == Array(dqs[2].storage), "\(what): .accumulated is not deterministic")
        #expect(Array(dk.storage) == Array(dk2.storage) && Array(dv.storage) == Array(dv2.storage), "\(what)")

        var rng = SplitMix64(state: seed)
        for n in 0..<instances {
            let visibility = (0 ..< p * m).map { visible($0 / m, $0 % m) }
            let ref = Reference(p: p, m: m, e: e, f: f, q: doubles(q, n), k: doubles(k, n), v: doubles(v, n),
                                g: doubles(g, n), visible: visibility)
            let expected = ref.gradients()
            let got = (dq: doubles(dqs[0], n), dqAccumulated: doubles(dqs[1], n), dk: doubles(dk, n), dv: doubles(dv, n))

            // Tolerance of the fp32 kernel, relative to the largest gradient (≈ 1 here): each entry is a sum of ≤ 70
            // fp32 products (unit roundoff 6e-8, so ≤ ~4e-6 of the summed magnitudes at worst), over P = exp2(S − L)
            // with L rounded to fp32 and exp2 good to 2 ulp (relative ~1e-6 on P at worst). Errors seen are ~1e-7;
            // 1e-5 leaves room for unlucky roundings, while a wrong mask, scale, D or missed visit moves entries by
            // 1e-2 or more.
            let scale = 1 + (expected.dq + expected.dk + expected.dv).map(abs).max()!
            let tolerance = 1e-5 * scale
            for (name, kernel, naive) in [("dQ", got.dq, expected.dq), ("dQ (.accumulated)", got.dqAccumulated, expected.dq),
                                          ("dK", got.dk, expected.dk), ("dV", got.dv, expected.dv)] {
                let worst = zip(kernel, naive).map { abs($0 - $1) }.max()!
                #expect(worst < tolerance, "\(what), instance \(n): \(name) off the naive backward by \(worst)")
            }
            // The two dQ modes sum the same fp32 products in other orders (seen ≤ 3e-8 apart).
            let apart = zip(got.dq, got.dqAccumulated).map { abs($0 - $1) }.max()!
            #expect(apart < 1e-6 * scale, "\(what): dQ modes differ by \(apart)")

            // L against Float64 (+∞ for a row that sees nothing); fp32 m + log2 l is good to a few 1e-7.
            for i in 0..<p {
                let l = Double(lse.row(n, i)[0])
                if let (_, expectedL) = ref.softmax(i, q: ref.q, k: ref.k) {
                    #expect(abs(l - expectedL) < 1e-6 * (1 + abs(expectedL)), "\(what): L of row \(i): \(l) vs \(expectedL)")
                } else {
                    #expect(l == .infinity, "\(what): L of empty row \(i): \(l)")
                }
            }

            // Central differences on sampled entries, step h = 1e-4: in Float64 the truncation error (h²/6 × the
            // third derivative, O(1) here) and the rounding (1e-16 × |ℓ| / h, |ℓ| ≲ 10) stay below 1e-8 (seen ≤ 2e-10),
            // so the naive backward must match to 1e-7 and the kernel to its own tolerance.
            let h = 1e-4
            for (tensor, size) in [(0, p * e), (1, m * e), (2, m * f)] {
                for _ in 0..<6 {
                    let index = rng.int(0...size - 1)
                    var plus = [ref.q, ref.k, ref.v], minus = plus
                    plus[tensor][index] += h
                    minus[tensor][index] -= h
                    let fd = (ref.loss(q: plus[0], k: plus[1], v: plus[2]) - ref.loss(q: minus[0], k: minus[1], v: minus[2]))
                        / (2 * h)
                    let naive = [expected.dq, expected.dk, expected.dv][tensor][index]
                    let kernel = [got.dq, got.dk, got.dv][tensor][index]
                    let name = ["dQ", "dK", "dV"][tensor]
                    #expect(abs(naive - fd) < 1e-7, "\(what): naive \(name)[\(index)] \(naive), finite differences \(fd)")
                    #expect(abs(kernel - fd) < tolerance, "\(what): kernel \(name)[\(index)] \(kernel), finite differences \(fd)")
                }
            }
        }
    }

    @Test func dense() {
        Self.check(.dense(queries: 37, keys: 53, qTile: 16, kvTile: 12), "dense", e: 16, f: 8, seed: 1) { _, _ in true }
    }

    @Test func causal() {
        let (p, m) = (45, 61)
        Self.check(.causal(queries: p, keys: m, qTile: 12, kvTile: 20), "causal", e: 8, f: 16, threads: 3, seed: 2) {
            $1 <= $0 + m - p
        }
    }

    /// 2-D GNA with dynamic KV tiles, which start where a Q tile's window starts and so overlap (the per-tile dK, dV
    /// buffers and their sum), and 1-D causal dilated GNA with static tiles (each key in one tile).
    @Test func gna() {
        let overlapping = GNAMask(axes: [GNAAxis(length: 6, window: 3, stride: 1), GNAAxis(length: 9, window: 5, stride: 2)])
        let plan = AttentionPlan.gna(overlapping, qTile: [2, 4], kvTile: [2, 4], kvTiling: .dynamic)
        #expect(!AttentionBackwardPlan(plan).exclusiveKeys)
        Self.check(plan, "GNA 6×9 dynamic", e: 16, f: 16, seed: 3, visible: ReferenceAttention.gnaVisible(overlapping))

        let dilated = GNAMask(axes: [GNAAxis(length: 40, window: 7, stride: 1, dilation: 2, causal: true)])
        let staticPlan = AttentionPlan.gna(dilated, qTile: [8], kvTile: [8], kvTiling: .static)
        #expect(AttentionBackwardPlan(staticPlan).exclusiveKeys)
        Self.check(staticPlan, "GNA 40 dilated causal", e: 8, f: 8, seed: 4, visible: ReferenceAttention.gnaVisible(dilated))
    }

    @Test func slidingWindow() {
        let mask = SlidingWindowMask(queries: 50, keys: 50, window: 9)
        let reference = BruteForce1DMask(.sliding(window: 9), queries: 50, keys: 50)
        Self.check(.rows(mask, head: 0, queries: 50, keys: 50, qTile: 8, kvTile: 12), "sliding window 9", e: 16, f: 8,
                   seed: 5) { reference.attended[$0 * 50 + $1] }
    }

    /// A block mask from a file with a query block that keeps nothing (rows with L = +∞ and zero gradients), and a
    /// generated causal one (partial blocks masked element-wise on the diagonal); tiles across the blocks.
    @Test func block() throws {
        let json = #"{"attnsim_block_mask": 1, "block_size": [8, 8], "full": [[0], [1, 3], [], [0, 3], [4, 1], [5]], "partial": [[2], [0], [], [2], [], [3]]}"#
        let table = try BlockMaskFile.parse(text: json, file: "mask.json") { _ in (6, 6) }
        let file = BlockMask(file: "mask.json", table: table, queries: 44, keys: 44)
        Self.check(.block(file, qTile: 12, kvTile: 10), "block file", e: 8, f: 16, seed: 6) {
            file.attends(query: $0, key: $1, head: 0)
        }
        let generated = BlockMask.generated(density: 0.5, block: 8, causal: true, queries: 44, keys: 44)
        Self.check(.block(generated, qTile: 12, kvTile: 8), "block generated causal", e: 16, f: 16, seed: 7) {
            generated.attends(query: $0, key: $1, head: 0)
        }
    }

    /// The timing entry runs both passes and reports each.
    @Test func timeTraining() {
        let check = CPUCrossCheck(threads: 2, repetitions: 1)
        let plan = AttentionPlan.causal(queries: 64, keys: 64, qTile: 16, kvTile: 16)
        for mode in AttentionBackwardKernel.DQMode.allCases {
            let times = check.timeTraining(plan: plan, instances: 2, headDim: 16, valueDim: 16, dqMode: mode)
            #expect(times.forward > 0 && times.backward > 0)
        }
    }
}
