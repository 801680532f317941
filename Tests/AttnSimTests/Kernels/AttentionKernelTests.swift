import AttnSimFuzzing
import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// The CPU kernels against the textbook definition (`ReferenceAttention`, Double, no tiling) on random inputs:
/// max |error| < 1e-4 (issue 7), and the plans' visits against attnsim's own tile counts.
@Suite struct AttentionKernelTests {
    static func tensors(instances: Int, queries: Int, keys: Int, e: Int, f: Int, seed: UInt64)
        -> (q: Tensor, k: Tensor, v: Tensor) {
        let q = Tensor(instances: instances, tokens: queries, width: e)
        let k = Tensor(instances: instances, tokens: keys, width: e)
        let v = Tensor(instances: instances, tokens: keys, width: f)
        q.fillRandom(seed: seed)
        k.fillRandom(seed: seed + 1)
        v.fillRandom(seed: seed + 2)
        return (q, k, v)
    }

    static func maxError(plan: AttentionPlan, instances: Int, e: Int, f: Int, threads: Int, seed: UInt64,
                         visible: (Int, Int) -> Bool) -> Float {
        let (q, k, v) = tensors(instances: instances, queries: plan.queries, keys: plan.keys, e: e, f: f, seed: seed)
        let out = Tensor(instances: instances, tokens: plan.queries, width: f)
        let expected = Tensor(instances: instances, tokens: plan.queries, width: f)
        defer { [q, k, v, out, expected].forEach { $0.deallocate() } }
        AttentionKernel.run(plan: plan, q: q, k: k, v: v, out: out, threads: threads)
        ReferenceAttention.run(q: q, k: k, v: v, out: expected, visible: visible)
        var worst: Float = 0
        for i in 0..<out.storage.count { worst = max(worst, abs(out.storage[i] - expected.storage[i])) }
        return worst
    }

    @Test(arguments: [(64, 64, 64, 64, 64), (100, 77, 64, 64, 16), (33, 130, 128, 128, 32), (5, 200, 40, 24, 64)])
    func dense(_ p: Int, _ m: Int, _ e: Int, _ f: Int, _ tile: Int) {
        let plan = AttentionPlan.dense(queries: p, keys: m, qTile: tile, kvTile: tile)
        #expect(Self.maxError(plan: plan, instances: 3, e: e, f: f, threads: 2, seed: 1) { _, _ in true } < 1e-4)
    }

    @Test(arguments: [(64, 64, 16), (100, 100, 32), (50, 130, 16), (1, 300, 64)])
    func causal(_ p: Int, _ m: Int, _ tile: Int) {
        let plan = AttentionPlan.causal(queries: p, keys: m, qTile: tile, kvTile: tile)
        let error = Self.maxError(plan: plan, instances: 2, e: 32, f: 32, threads: 2, seed: 7) { i, j in j <= i + m - p }
        #expect(error < 1e-4)
        let grid = QTileGrid.causal(queries: p, keys: m, qTile: tile, kvTile: tile)
        #expect(plan.visitCount == grid.visited && plan.fullCount == grid.full)
    }

    /// GNA in 1-D to 3-D with strides, dilation, causal axes, static and dynamic KV tiles; visits and full tiles
    /// equal `QTileGrid.gna`'s counts.
    @Test(arguments: [
        ([40], [9], [1], [1], [false], [8], [8], KernelChoice.KVTiling.static),
        ([40], [9], [4], [2], [false], [8], [8], .dynamic),
        ([24], [7], [3], [1], [true], [4], [8], .static),
        ([10, 12], [5, 7], [2, 3], [1, 2], [false, true], [2, 4], [4, 4], .static),
        ([6, 8, 9], [3, 5, 4], [1, 2, 2], [2, 1, 1], [false, false, true], [2, 2, 4], [2, 4, 2], .dynamic),
    ])
    func gna(_ tokens: [Int], _ window: [Int], _ stride: [Int], _ dilation: [Int], _ causal: [Bool],
             _ qTile: [Int], _ kvTile: [Int], _ kvTiling: KernelChoice.KVTiling) {
        let mask = GNAMask(axes: (0..<tokens.count).map {
            GNAAxis(length: tokens[$0], window: window[$0], stride: stride[$0], dilation: dilation[$0], causal: causal[$0])
        })
        let plan = AttentionPlan.gna(mask, qTile: qTile, kvTile: kvTile, kvTiling: kvTiling)
        let error = Self.maxError(plan: plan, instances: 2, e: 32, f: 48, threads: 2, seed: 11,
                                  visible: ReferenceAttention.gnaVisible(mask))
        #expect(error < 1e-4)
        let grid = QTileGrid.gna(mask, qTile: qTile, kvTile: kvTile, tiling: .multi_dim, kvTiling: kvTiling)
        #expect(plan.qTileCount == grid.tiles.count)
        #expect(plan.visitCount == grid.visited && plan.fullCount == grid.full)
    }

    /// Block masks (random blocks, the diagonal kept so no row is empty), tiles equal to the blocks and not: the
    /// kernel against the reference with `BlockMask.attends`, and the plan's visits against `BlockMask.tileGrid`.
    @Test(arguments: [(96, 16, 16, 16), (100, 16, 32, 8), (90, 8, 16, 24)])
    func block(_ tokens: Int, _ blockSize: Int, _ qTile: Int, _ kvTile: Int) throws {
        let blocks = (tokens + blockSize - 1) / blockSize
        var rng = SplitMix64(state: 5)
        var full: [[Int]] = [], partial: [[Int]] = []
        for q in 0..<blocks {
            var f: [Int] = [], p: [Int] = []
            for k in 0..<blocks {
                let pick = k == q ? 0 : rng.next() % 3
                if pick == 0 { f.append(k) } else if pick == 1 { p.append(k) }
            }
            full.append(f)
            partial.append(p)
        }
        let json = #"{"attnsim_block_mask": 1, "block_size": [\#(blockSize), \#(blockSize)], "full": \#(full), "partial": \#(partial)}"#
        let table = try BlockMaskFile.parse(text: json, file: "mask.json") { _ in (blocks, blocks) }
        let mask = BlockMask(file: "mask.json", table: table, queries: tokens, keys: tokens)
        let plan = AttentionPlan.block(mask, qTile: qTile, kvTile: kvTile)
        let error = Self.maxError(plan: plan, instances: 2, e: 32, f: 32, threads: 2, seed: 13) {
            mask.attends(query: $0, key: $1, head: 0)
        }
        #expect(error < 1e-4)
        let grid = mask.tileGrid(MaskTiling(qTile: [qTile], kvTile: [kvTile]), head: 0)
        #expect(plan.visitCount == grid.visited && plan.fullCount == grid.full)
    }

    /// Runs `mask` in 1-D tiles on random inputs and holds it to the reference with `reference`'s elements (the rules
    /// written as the papers' sets in `BruteForce1DMask`), and the plan's visits to the reference's tile counts.
    static func checkRows(_ mask: any AttnSim.Mask, _ reference: BruteForce1DMask, qTile: Int, kvTile: Int, head: Int = 0,
                          seed: UInt64) {
        let (p, m) = (reference.queries, reference.keys)
        let plan = AttentionPlan.rows(mask, head: head, queries: p, keys: m, qTile: qTile, kvTile: kvTile)
        let what = "\(reference.rule), P \(p), M \(m), tiles \(qTile)×\(kvTile)"
        let error = maxError(plan: plan, instances: 2, e: 16, f: 24, threads: 2, seed: seed) { reference.attended[$0 * m + $1] }
        #expect(error < 1e-4, "\(what): max error \(error)")
        let grid = reference.grid(qTile: qTile, kvTile: kvTile)
        #expect(plan.qTileCount == grid.count, "\(what)")
        #expect(plan.visitCount == grid.reduce(0) { $0 + $1.visited } && plan.fullCount == grid.reduce(0) { $0 + $1.full },
                "\(what): visits \(plan.visitCount), full \(plan.fullCount)")
    }

    /// The 1-D families (sliding windows, bands, A-shape, documents, strided and fixed), vertical-slash lines and
    /// intersections of two of them, 90 random problems of up to 160 keys in random tiles.
    @Test func oneDimensionalFamilies() {
        var rng = SplitMix64(state: 2026_12_04_31)
        for round in 0..<90 {
            let m = rng.int(1...160)
            let p = rng.int(0...2) == 0 ? rng.int(1...m) : m
            let mask: any AttnSim.Mask, rule: BruteForce1DMask.Rule
            switch round % 3 {
            case 0:
                (mask, rule) = ComposedMaskTests.randomPart(queries: p, keys: m, &rng)
            case 1:
                let v = Set((0..<rng.int(0...10)).map { _ in rng.int(0...m - 1) })
                var s = Set((0..<rng.int(0...10)).map { _ in rng.int(0...m - 1) })
                if rng.int(0...1) == 0 { s.formUnion(0..<rng.int(1...min(m, 40))) }
                let lines = VerticalSlashMask(queries: p, keys: m, vertical: Array(v), slash: Array(s))
                (mask, rule) = (lines, .verticalSlash(vertical: v, slash: s))
            default:
                let parts = (0..<2).map { _ in ComposedMaskTests.randomPart(queries: p, keys: m, &rng) }
                (mask, rule) = (AllOfMask(parts.map(\.0), queries: p, keys: m), .allOf(parts.map(\.1)))
            }
            Self.checkRows(mask, BruteForce1DMask(rule, queries: p, keys: m), qTile: rng.int(1...48),
                           kvTile: rng.int(1...48), seed: UInt64(round))
        }
    }

    /// A per-head mask runs each head's own group: a causal head and an A-shape head.
    @Test func perHeadGroups() {
        let (p, m) = (90, 120)
        let mask = PerHeadMask([.init(heads: 1, mask: CausalMask(queries: p, keys: m)),
                                .init(heads: 1, mask: AShapeMask(queries: p, keys: m, sink: 8, window: 20))])
        Self.checkRows(mask, BruteForce1DMask(.sliding(window: m + 1), queries: p, keys: m), qTile: 16, kvTile: 32,
                       head: 0, seed: 3)
        Self.checkRows(mask, BruteForce1DMask(.aShape(sink: 8, window: 20), queries: p, keys: m), qTile: 16, kvTile: 32,
                       head: 1, seed: 4)
    }
}
