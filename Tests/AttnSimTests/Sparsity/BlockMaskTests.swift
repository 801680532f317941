import Foundation
import Testing
@testable import AttnSim

/// Block masks from files: the reader's checks, and tile counts for any tiling against an element-by-element
/// enumeration written here independently of `BlockMask.tileGrid`.
struct BlockMaskTests {
    static func problem(_ p: Int, _ m: Int? = nil, heads: Int = 1) -> Problem {
        Problem(batch: 1, heads: heads, headDim: 8, valueDim: 8, tokens: [p], kvTokens: [m ?? p], dtype: .bf16)
    }

    static func load(_ json: String, _ problem: Problem) throws(Diagnostic) -> BlockMask {
        let table = try BlockMaskFile.parse(text: json, file: "mask.json") { size in
            ((problem.queryTokens + size.q - 1) / size.q, (problem.keyTokens + size.kv - 1) / size.kv)
        }
        return BlockMask(file: "mask.json", table: table, queries: problem.queryTokens, keys: problem.keyTokens)
    }

    /// A random mask: each block full, partial or absent.
    static func random(q: Int, kv: Int, block: (Int, Int), seed: UInt64) -> String {
        var rng = SplitMix64(state: seed)
        var full: [[Int]] = [], partial: [[Int]] = []
        for _ in 0..<q {
            var f: [Int] = [], p: [Int] = []
            for k in 0..<kv {
                switch rng.next() % 3 {
                case 0: f.append(k)
                case 1: p.append(k)
                default: break
                }
            }
            full.append(f)
            partial.append(p)
        }
        return #"{"attnsim_block_mask": 1, "block_size": [\#(block.0), \#(block.1)], "full": \#(full), "partial": \#(partial), "heads": null}"#
    }

    /// Per element: 2 full, 1 partial (inside a partial block), 0 absent — from the lists, block by block.
    static func elementKinds(_ json: String, p: Int, m: Int) throws -> [[Int]] {
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let size = try #require(object["block_size"] as? [Int])
        let full = try #require(object["full"] as? [[Int]])
        let partial = (object["partial"] as? [[Int]]) ?? full.map { _ in [] }
        var kinds = Array(repeating: Array(repeating: 0, count: m), count: p)
        for i in 0..<p {
            for j in 0..<m {
                if full[i / size[0]].contains(j / size[1]) { kinds[i][j] = 2 }
                if partial[i / size[0]].contains(j / size[1]) { kinds[i][j] = 1 }
            }
        }
        return kinds
    }

    @Test(arguments: [(64, 64, (16, 16), [16], [16]), (70, 70, (16, 16), [32], [16]), (100, 90, (16, 8), [12], [20]),
                      (64, 64, (16, 16), [8], [8]), (50, 50, (8, 8), [64], [64])])
    func tilesMatchTheElements(p: Int, m: Int, block: (Int, Int), qTile: [Int], kvTile: [Int]) throws {
        for seed in 0..<5 as Range<UInt64> {
            let json = Self.random(q: (p + block.0 - 1) / block.0, kv: (m + block.1 - 1) / block.1, block: block, seed: seed)
            let mask = try Self.load(json, Self.problem(p, m))
            let kinds = try Self.elementKinds(json, p: p, m: m)
            let grid = mask.tileGrid(MaskTiling(qTile: qTile, kvTile: kvTile), head: 0)
            let (tq, tkv) = (qTile[0], kvTile[0])
            var expected: [QTileVisit] = []
            for q0 in stride(from: 0, to: p, by: tq) {
                var visit = QTileVisit(visited: 0, full: 0)
                for k0 in stride(from: 0, to: m, by: tkv) {
                    var any = false, all = true
                    for i in q0..<min(q0 + tq, p) {
                        for j in k0..<min(k0 + tkv, m) {
                            any = any || kinds[i][j] > 0
                            all = all && kinds[i][j] == 2
                        }
                    }
                    if any { visit.visited += 1; if all { visit.full += 1 } }
                }
                expected.append(visit)
            }
            // A tile covering part of a partial block counts as partial: the file has no element pattern.
            #expect(grid.tiles == expected, "seed \(seed)")
            #expect(grid.denseKVTiles == (m + tkv - 1) / tkv)
        }
    }

    @Test func pairsOfFullBlocksAreExact() throws {
        // Causal 10 tokens in blocks of 4: blocks (0,0) (1,1) (2,2) partial, the rest below the diagonal full.
        let json = #"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[], [0], [0, 1]], "partial": [[0], [1], [2]]}"#
        let mask = try Self.load(json, Self.problem(10))
        #expect(mask.attendedPairs == nil)   // partial blocks without a stated count
        let noPartial = #"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1], [2, 0]]}"#
        let full = try Self.load(noPartial, Self.problem(10))
        // Rows 0–3 × keys 0–3, rows 4–7 × keys 4–7, rows 8–9 × keys 8–9 and 0–3: 16 + 16 + 2·(2 + 4) = 44.
        #expect(full.attendedPairs == 44)
        var brute = 0
        for i in 0..<10 { for j in 0..<10 where full.attends(query: i, key: j, head: 0) { brute += 1 } }
        #expect(brute == 44)
        let stated = #"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[], [0], [0, 1]], "partial": [[0], [1], [2]], "attended_pairs": 55}"#
        #expect(try Self.load(stated, Self.problem(10)).attendedPairs == 55)   // 10·11/2 causal pairs
    }

    @Test(arguments: [
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1]]}"#, "2 list(s), but the problem has 3 Q blocks"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1], [3]]}"#, "Q block 2: KV block 3 is out of range"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0, 0], [1], [2]]}"#, "Q block 0 lists KV block 0 twice"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1], [2]], "partial": [[], [1], []]}"#,
         "Q block 1 lists KV block 1 in both"),
        (#"{"attnsim_block_mask": 2, "block_size": [4, 4], "full": [[0], [1], [2]]}"#, "unsupported version 2"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "ful": [[0], [1], [2]]}"#, "did you mean `full`"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1.5], [2]]}"#, "expected an integer"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4]}"#, "missing required key `full`"),
        (#"{"attnsim_block_mask": 1, "block_size": [4, 4], "full": [[0], [1], [2]"#, "expected `,` or `]`"),
    ])
    func badFilesNameTheProblem(_ json: String, _ message: String) {
        #expect {
            _ = try Self.load(json, Self.problem(10))
        } throws: { error in
            guard let diagnostic = error as? Diagnostic else { return false }
            return diagnostic.message.contains(message) && diagnostic.line != nil && diagnostic.file == "mask.json"
        }
    }

    @Test func perHeadMasksConcatenate() throws {
        let json = #"{"attnsim_block_mask": 1, "block_size": [4, 4], "heads": [{"full": [[0], [0, 1]]}, {"full": [[0], [1]], "partial": [[1], []]}]}"#
        let mask = try Self.load(json, Self.problem(8, heads: 2))
        #expect(mask.headPatterns == 2)
        let grid = mask.combinedTileGrid(MaskTiling(qTile: [4], kvTile: [4]))
        #expect(grid.tiles == [QTileVisit(visited: 1, full: 1), QTileVisit(visited: 2, full: 2),
                               QTileVisit(visited: 2, full: 1), QTileVisit(visited: 1, full: 1)])
        #expect(grid.denseKVTiles == 4)
    }

    /// The example files: FlexAttention's block counts for them (validation/gpu/h200-flex-block.json, measured
    /// with torch's create_block_mask on an H200: causal 2016 full + 64 partial, sliding window 420 + 120,
    /// document 1330 + 158, 2-D neighbourhood 280 + 512).
    @Test(arguments: [("block-causal-8k", 2016, 64), ("block-sliding-window-8k", 420, 120),
                      ("block-document-8k", 1330, 158), ("block-gna2d-8k", 280, 512)])
    func exampleWorkloadsCountFlexAttentionsBlocks(_ name: String, full: Int, partial: Int) throws {
        let workload = try Workload.load(path: Repo.path("workloads/\(name).yaml"))
        let work = workload.mask.tileWork(MaskTiling(qTile: [128], kvTile: [128]), head: 0)
        #expect(work.full == full && work.partial == partial)
    }

    /// A per-head file whose heads are all the same mask simulates exactly as the shared mask: the concatenated
    /// grid (heads one after another, batch elements as instances) is the same launch order as the shared grid.
    @Test func identicalPerHeadMasksMatchTheSharedMask() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let rows = "[[0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7]]"
        let partial = "[[1], [2], [3], [4], [5], [6], [7], []]"
        let shared = #"{"attnsim_block_mask": 1, "block_size": [128, 128], "full": \#(rows), "partial": \#(partial)}"#
        let head = #"{"full": \#(rows), "partial": \#(partial)}"#
        let perHead = #"{"attnsim_block_mask": 1, "block_size": [128, 128], "heads": [\#(head), \#(head), \#(head)]}"#
        var times: [Double] = []
        for json in [shared, perHead] {
            let path = try temporaryFile(named: "mask.json", contents: Data(json.utf8))
            let workload = try Workload.parse(text: """
                attnsim: 1
                name: heads
                problem: {batch: 2, heads: 3, head_dim: 64, tokens: 1024, dtype: bf16}
                mask: {kind: block, file: \(path)}
                kernel: {backend: flex}
                """, file: "wl.yaml")
            let result = try Simulator.run(hardware: hardware, workload: workload)
            #expect(result.gpu?.sparse.ctas == 2 * 3 * 8)
            times.append(try #require(result.simulated.time))
        }
        #expect(times[0] == times[1])
    }
}
