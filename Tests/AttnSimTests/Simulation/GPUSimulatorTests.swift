import Foundation
import Testing
@testable import AttnSim

/// The GPU event simulator against closed forms computed by hand in each test.
@Suite struct GPUSimulatorTests {
    /// A cost with no overheads: every full tile takes `tile` seconds; `slots` SMs with one CTA each.
    static func cost(sms: Int, ctasPerSM: Int = 1, tile: Double = 1e-6, perCTA: Double = 0, masked: Double = 1)
        -> GPUKernelCost {
        GPUKernelCost(sms: sms, ctasPerSM: ctasPerSM, computeTileTime: tile, memoryTileTime: 0,
                      maskedTileCost: masked, perCTA: perCTA, launch: 0, dramBytesPerTile: 0, kvTileBytes: 0,
                      tileFLOPs: 1)
    }

    static func grid(_ count: Int, visited: Int, full: Int? = nil) -> QTileGrid {
        QTileGrid(tiles: Array(repeating: QTileVisit(visited: visited, full: full ?? visited), count: count),
                  denseKVTiles: visited, qTileTokens: 128, kvTileTokens: 128)
    }

    /// Uniform work: n CTAs of d seconds on s slots take ⌈n/s⌉·d. 133 CTAs on 132 SMs are two waves.
    @Test(arguments: [(132, 132, 1), (133, 132, 2), (264, 132, 2), (265, 132, 3), (1000, 148, 7), (1, 132, 1)])
    func wavesOfUniformWork(_ ctas: Int, _ sms: Int, _ waves: Int) {
        let d = 10 * 1e-6
        for persistent in [false, true] {
            // With a trace the event loop runs; without, uniform grids take the closed-form shortcut: both agree.
            for trace in [false, true] {
                let run = GPUSimulation.run(grid: Self.grid(ctas, visited: 10), instances: 1, cost: Self.cost(sms: sms),
                                            persistent: persistent, problemBytes: 0, recordTrace: trace)
                #expect(run.waves == waves)
                #expect(abs(run.time - Double(waves) * d) < 1e-12, "\(ctas) CTAs on \(sms): \(run.time)")
                #expect(abs(run.smBusy.reduce(0, +) - Double(ctas) * d / run.time) < 1e-9)
            }
        }
        // Wave efficiency: busy slot-time over slots × makespan.
        let run = GPUSimulation.run(grid: Self.grid(133, visited: 10), instances: 1, cost: Self.cost(sms: 132),
                                    persistent: false, problemBytes: 0)
        #expect(abs(run.waveEfficiency - 133.0 / 264.0) < 1e-12)
    }

    /// Greedy scheduling of unequal CTAs (longest first here): 2 slots, CTAs of 4, 3, 2, 1 tiles → slot A runs 4
    /// then 1, slot B runs 3 then 2: makespan 5. Persistent round robin: A gets 4 + 2, B gets 3 + 1: makespan 6.
    @Test func greedyAgainstRoundRobin() {
        let grid = QTileGrid(tiles: [4, 3, 2, 1].map { QTileVisit(visited: $0, full: $0) }, denseKVTiles: 4,
                             qTileTokens: 128, kvTileTokens: 128)
        let cost = Self.cost(sms: 2, tile: 1)
        #expect(GPUSimulation.run(grid: grid, instances: 1, cost: cost, persistent: false, problemBytes: 0).time == 5)
        #expect(GPUSimulation.run(grid: grid, instances: 1, cost: cost, persistent: true, problemBytes: 0).time == 6)
    }

    /// A CTA costs its fixed cost plus full tiles plus partial tiles × the masked factor.
    @Test func maskedTilesAndFixedCost() {
        var cost = Self.cost(sms: 1, tile: 1, perCTA: 5, masked: 1.5)
        #expect(cost.ctaTime(QTileVisit(visited: 10, full: 6)) == 5 + 6 + 4 * 1.5)
        cost.maskAllTiles = true
        #expect(cost.ctaTime(QTileVisit(visited: 10, full: 6)) == 5 + 10 * 1.5)
    }

    /// Occupancy from shared memory and registers (H100: 228 KiB SMEM per SM, 64K registers): head_dim 128 with
    /// 128×128 tiles needs 32 KiB (Q) + 2 × 64 KiB (K, V stages) = 160 KiB → 1 CTA; head_dim 64 needs 16 + 64 = 80
    /// KiB and 96 KiB of registers → 2 CTAs; 64×64 tiles at head_dim 64 need 40 KiB and 32 KiB → 5 CTAs.
    @Test(arguments: [(128, 128, 1), (64, 128, 2), (64, 64, 5)])
    func occupancy(_ headDim: Int, _ tile: Int, _ expected: Int) throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let problem = Problem(batch: 1, heads: 1, headDim: headDim, valueDim: headDim, tokens: [4096],
                              kvTokens: [4096], dtype: .bf16)
        let grid = QTileGrid.dense(queries: 4096, keys: 4096, qTile: tile, kvTile: tile)
        let cost = try GPUKernelCost(hardware: hardware, profile: KernelProfile(), problem: problem, qTileTokens: tile,
                                     kvTileTokens: tile, grid: grid, instances: 1)
        #expect(cost.ctasPerSM == expected)
    }

    /// However the problem is shaped, a dense prediction never runs faster than the spec peak (989.4 TFLOP/s).
    @Test func denseThroughputNeverAbovePeak() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        for backend in hardware.kernels.keys.sorted() where hardware.kernels[backend]?.masks?.contains("none") ?? true {
            for (heads, tokens, headDim) in [(1, 128, 64), (8, 4096, 64), (32, 16384, 128), (132, 1024, 128), (3, 777, 96)] {
                let workload = try Workload.parse(text: """
                    attnsim: 1
                    name: dense
                    problem: {heads: \(heads), head_dim: \(headDim), tokens: \(tokens), dtype: bf16}
                    kernel: {backend: \(backend)}
                    """, file: "dense.yaml")
                let result = try Simulator.run(hardware: hardware, workload: workload)
                let time = try #require(result.simulated.time)
                #expect(result.denseFLOPs / time <= 989.4e12, "\(backend) \(heads)×\(tokens)×\(headDim)")
            }
        }
    }

    /// Causal grids against counting: a Q tile [q0, q1] of P = M visits tiles up to q1 and finds full those that
    /// end by q0 + 1 (brute force over keys here).
    @Test func causalGridMatchesCounting() {
        for (p, m, tq, tkv) in [(1024, 1024, 128, 128), (1000, 1000, 64, 128), (7, 300, 4, 16), (256, 1024, 128, 64)] {
            let grid = QTileGrid.causal(queries: p, keys: m, qTile: tq, kvTile: tkv)
            var index = 0
            for q0 in stride(from: 0, to: p, by: tq) {
                let queries = q0..<min(q0 + tq, p)
                var visited = 0, full = 0
                for k0 in stride(from: 0, to: m, by: tkv) {
                    let keys = k0..<min(k0 + tkv, m)
                    let pairs = queries.flatMap { q in keys.map { k in k <= q + m - p } }
                    if pairs.contains(true) { visited += 1 }
                    if pairs.allSatisfy({ $0 }) { full += 1 }
                }
                #expect(grid.tiles[index] == QTileVisit(visited: visited, full: full), "P \(p) M \(m) tile \(index)")
                index += 1
            }
        }
    }

    /// Events come out in time order; ties in scheduling order.
    @Test func eventQueueOrder() {
        var queue = EventQueue<String>()
        queue.schedule("c", at: 2)
        queue.schedule("a", at: 1)
        queue.schedule("b", at: 1)
        queue.schedule("d", at: 3)
        var order: [String] = []
        while let (_, payload) = queue.next() { order.append(payload) }
        #expect(order == ["a", "b", "c", "d"])
    }

    /// `--trace` writes Chrome trace JSON: a thread per SM, an "X" slice per CTA with microsecond times.
    @Test func traceIsValidChromeTraceJSON() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-trace-\(UUID().uuidString).json").path
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml", "--trace", path])
        #expect(output.status == 0, "\(output.stderr)")
        let data = try #require(FileManager.default.contents(atPath: path))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(object["traceEvents"] as? [[String: Any]])
        let slices = events.filter { $0["ph"] as? String == "X" }
        #expect(slices.count == 64 * 12 * 8)          // BERT 1K: 8 Q tiles of 128 per (batch, head)
        #expect(slices.allSatisfy { $0["ts"] is Double || $0["ts"] is Int })
        #expect(slices.allSatisfy { ($0["dur"] as? Double ?? 0) > 0 })
        let threads = events.filter { $0["name"] as? String == "thread_name" }
        #expect(threads.count >= 132)
    }

    /// The audit of issue 15: an H100 at 1 TB/s ran bert-base-1k (402.7 MB of DRAM traffic) in 368.4 µs, faster than
    /// its bytes allow, at 109 % HBM utilisation. The event simulator must turn memory-bound as bandwidth falls: at
    /// every bandwidth time ≥ traffic ÷ bandwidth; far below the ridge the time is the traffic over the bandwidth
    /// (within the CTAs' fixed costs and the last wave's tail); at the H100's 3.35 TB/s it stays compute-bound.
    @Test func memoryBoundWhenBandwidthFalls() throws {
        let h100 = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let workload = try Workload.load(path: Repo.path("workloads/bert-base-1k.yaml"))
        var previous = 0.0
        for (bandwidth, bottleneck) in [(12.8e12, "compute"), (3.35e12, "compute"), (1e12, "memory"), (0.5e12, "memory"),
                                        (0.05e12, "memory")] {
            var hardware = h100
            hardware.memory[0].bandwidth = bandwidth
            let result = try Simulator.run(hardware: hardware, workload: workload)
            let time = try #require(result.simulated.time), bytes = try #require(result.simulated.dramBytes)
            #expect(abs(bytes - 402.7e6) < 0.1e6, "the audit's traffic")
            #expect(time >= bytes / bandwidth, "\(bandwidth) B/s: \(time) s for \(bytes) B")
            #expect(result.simulated.bottleneck == bottleneck, "\(bandwidth) B/s")
            if bandwidth <= 0.05e12 { #expect(time <= bytes / bandwidth * 1.05, "\(bandwidth) B/s: \(time) s") }
            #expect(time >= previous, "less bandwidth is never faster")
            previous = time
        }
    }
}
