import Foundation
import Testing
@testable import AttnSim

/// The KV-major view of every mask family (`Mask.kvMajorGrid`) against an element-by-element enumeration of
/// `attends` written here, and against the transposed block counts FlexAttention's own `BlockMask` reported on the
/// H200 (validation/gpu/h200-backward.json: `blocks.kv_major`, from `q_num_blocks` / `full_q_num_blocks`).
struct KVMajorGridTests {
    static func workload(_ yaml: String) throws -> Workload {
        try Workload.parse(text: "attnsim: 1\nname: t\n" + yaml, file: "test.yaml")
    }

    /// Per KV tile of 1-D tiles: the Q tiles with an attended pair in the rectangle, and those with every pair attended.
    static func bruteForce(_ mask: any Mask, queries: Int, keys: Int, qTile: Int, kvTile: Int) -> [QTileVisit] {
        (0 ..< (keys + kvTile - 1) / kvTile).map { kt in
            var visit = QTileVisit(visited: 0, full: 0)
            for qt in 0 ..< (queries + qTile - 1) / qTile {
                var any = false, all = true
                for q in (qt * qTile) ..< min((qt + 1) * qTile, queries) {
                    for k in (kt * kvTile) ..< min((kt + 1) * kvTile, keys) {
                        if mask.attends(query: q, key: k, head: 0) { any = true } else { all = false }
                    }
                }
                if any { visit.visited += 1; if all { visit.full += 1 } }
            }
            return visit
        }
    }

    @Test(arguments: [
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: none}",
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: causal}",
        "problem: {head_dim: 8, tokens: 200, kv_tokens: 333}\nmask: {kind: causal}",
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: sliding_window, window: 70}",
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: gna, window: [41]}",
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: gna, window: [41], stride: [8], causal: [true]}",
        "problem: {head_dim: 8, tokens: 320}\nmask: {kind: block, block: 32, density: 0.3, causal: true}",
        "problem: {head_dim: 8, tokens: 300}\nmask: {kind: strided, stride: 50}",
    ])
    func oneDimensional(yaml: String) throws {
        let workload = try Self.workload(yaml)
        let (p, m) = (workload.problem.queryTokens, workload.problem.keyTokens)
        for (tq, tkv) in [(32, 32), (64, 32), (24, 40)] {
            let tiling = MaskTiling(qTile: [tq], kvTile: [tkv])
            let grid = workload.mask.kvMajorGrid(tiling, head: 0, queries: p, keys: m)
            // A block table under tiles that cut its blocks counts a listed block on every tile it overlaps, as the
            // forward grid does (a kernel reads the table, not the elements): only aligned tiles are element-exact.
            if !(workload.mask is BlockMask) || (tq == 32 && tkv == 32) {
                #expect(grid.tiles == Self.bruteForce(workload.mask, queries: p, keys: m, qTile: tq, kvTile: tkv),
                        "\(yaml) at \(tq)×\(tkv)")
            }
            #expect(grid.denseKVTiles == (p + tq - 1) / tq)
            // Transposing keeps the pairs: the Q-major grid's sums.
            let forward = workload.mask.tileGrid(tiling, head: 0)
            #expect(grid.visited == forward.visited && grid.full == forward.full, "\(yaml) at \(tq)×\(tkv)")
        }
    }

    /// 2-D and 3-D GNA in multi-dimensional tiles (boxes of the token layout), with dilation and causal axes: per KV
    /// box, the Q boxes with an attended pair, by coordinates.
    @Test(arguments: [
        ([12, 20], [5, 7], [1, 1], [1, 1], [false, false], [4, 4], [4, 4]),
        ([12, 20], [5, 7], [2, 3], [1, 1], [false, false], [4, 8], [2, 4]),
        ([12, 20], [5, 7], [1, 1], [2, 1], [false, true], [2, 4], [2, 4]),
        ([6, 8, 10], [3, 5, 5], [1, 2, 1], [1, 1, 2], [true, false, false], [2, 4, 2], [2, 2, 4]),
    ])
    func multiDimensionalGNA(tokens: [Int], window: [Int], stride: [Int], dilation: [Int], causal: [Bool],
                             qTile: [Int], kvTile: [Int]) throws {
        let list = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
        let workload = try Self.workload("""
            problem: {head_dim: 8, tokens: \(list(tokens))}
            mask: {kind: gna, window: \(list(window)), stride: \(list(stride)), dilation: \(list(dilation)), causal: [\(causal.map { $0 ? "true" : "false" }.joined(separator: ", "))]}
            """)
        guard let mask = workload.mask as? GNAMask else { Issue.record("not a GNA mask"); return }
        let tiling = MaskTiling(qTile: qTile, kvTile: kvTile, tiling: .multi_dim)
        let grid = mask.kvMajorGrid(tiling, head: 0, queries: workload.problem.queryTokens, keys: workload.problem.keyTokens)
        // Tiles along an axis, per dilation group: the tokens of group g are g, g + d, …; tile t of the group holds its
        // in-group positions [t·T, (t + 1)·T).
        func axisTiles(_ axis: Int, _ tile: Int) -> [[Int]] {
            let (n, d) = (tokens[axis], dilation[axis])
            return (0..<d).flatMap { g -> [[Int]] in
                let members = Array(Swift.stride(from: g, to: n, by: d))
                return Swift.stride(from: 0, to: members.count, by: tile).map { Array(members[$0 ..< min($0 + tile, members.count)]) }
            }
        }
        func boxes(_ tile: [Int]) -> [[[Int]]] {
            var result: [[[Int]]] = [[]]
            for axis in tokens.indices { result = result.flatMap { outer in axisTiles(axis, tile[axis]).map { outer + [$0] } } }
            return result
        }
        func points(_ box: [[Int]]) -> [[Int]] {
            box.reduce([[]]) { partial, axis in partial.flatMap { p in axis.map { p + [$0] } } }
        }
        func flat(_ coordinates: [Int]) -> Int { zip(coordinates, tokens).reduce(0) { $0 * $1.1 + $1.0 } }
        let qBoxes = boxes(qTile), kvBoxes = boxes(kvTile)
        #expect(grid.tiles.count == kvBoxes.count)
        for (index, kvBox) in kvBoxes.enumerated() {
            var expected = QTileVisit(visited: 0, full: 0)
            let keys = points(kvBox)
            for qBox in qBoxes {
                var any = false, all = true
                for q in points(qBox) {
                    for k in keys {
                        if mask.attends(query: flat(q), key: flat(k), head: 0) { any = true } else { all = false }
                    }
                }
                if any { expected.visited += 1; if all { expected.full += 1 } }
            }
            #expect(grid.tiles[index] == expected, "KV box \(index) of \(tokens) w\(window) s\(stride) d\(dilation)")
        }
    }

    /// FlexAttention's transposed block counts on the H200 runs: every masked flex config of
    /// validation/gpu/h200-backward.json, its workload at its 128-token blocks.
    @Test func flexAttentionsKVMajorBlocks() throws {
        let data = try Data(contentsOf: Repo.root.appendingPathComponent("validation/gpu/h200-backward.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let configs = try #require(root["configs"] as? [[String: Any]])
        var checked = 0
        for config in configs {
            guard let yaml = config["workload_yaml"] as? String,
                  let kv = (config["blocks"] as? [String: Any])?["kv_major"] as? [String: Any] else { continue }
            let workload = try Workload.parse(text: yaml, file: "h200-backward.json")
            let kernel = try #require(workload.kernel)
            let q = try #require(kernel.qTile?.value), k = try #require(kernel.kvTile?.value)
            let tiling = MaskTiling(qTile: q, kvTile: k, tiling: q.count > 1 ? .multi_dim : .single_dim)
            let grid = workload.mask.kvMajorGrid(tiling, head: 0, queries: workload.problem.queryTokens,
                                                  keys: workload.problem.keyTokens)
            let id = config["id"] as? String ?? "?"
            #expect(grid.tiles.count == kv["kv_blocks"] as? Int, "\(id)")
            #expect(grid.full == kv["full"] as? Int, "\(id)")
            #expect(grid.visited - grid.full == kv["partial"] as? Int, "\(id)")
            // The density masks were drawn at random (backward_bench.py, seed 1); attnsim's rule keeps as many blocks
            // per row but spreads them evenly, so only their sums are the same mask's.
            guard !(workload.mask is BlockMask) else { checked += 1; continue }
            #expect(grid.tiles.map(\.visited).max() == kv["worst_visited"] as? Int, "\(id)")
            #expect(grid.tiles.map(\.visited).min() == kv["min_visited"] as? Int, "\(id)")
            #expect(grid.tiles.map(\.partial).max() == kv["worst_partial"] as? Int, "\(id)")
            checked += 1
        }
        #expect(checked >= 30)
    }

    /// `attnsim gna --backward`: HunyuanVideo's 18×24×24 window in 2×8×8 tiles. The busiest KV tile is a border one
    /// (a key near an edge lies in the windows of more queries, whose windows are shifted inward), so the backward's
    /// tile bound is below the forward's; the pairs are the same.
    @Test func gnaReportBackward() throws {
        var request = GNAReport.Request(tokens: [30, 48, 80], window: [18, 24, 24], qTile: [2, 8, 8], kvTile: [2, 8, 8])
        request.backward = true
        let report = try GNAReport(request)
        let kv = try #require(report.record.tiles.kvMajor)
        #expect(kv.visited == report.record.tiles.visited && kv.full == report.record.tiles.full)
        let worst = try #require(report.record.tiles.worstVisited)
        #expect(kv.worstVisited > worst)
        // Brute force over one axis: the most queries any key of a KV tile's keys sees along the time axis (30 tokens,
        // window 18, tiles of 2), from the windows' rule, times the other axes' — against the grid's worst KV tile.
        func axisWorst(_ length: Int, _ window: Int, _ tile: Int) -> Int {
            let axis = GNAAxis(length: length, window: window)
            var worst = 0
            for k0 in stride(from: 0, to: length, by: tile) {
                var qTiles = Set<Int>()
                for q in 0..<length where axis.keys(ofQuery: q, groupLength: length).overlaps(k0 ..< min(k0 + tile, length)) {
                    qTiles.insert(q / tile)
                }
                worst = max(worst, qTiles.count)
            }
            return worst
        }
        #expect(kv.worstVisited == axisWorst(30, 18, 2) * axisWorst(48, 24, 8) * axisWorst(80, 24, 8))
    }
}

