import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// Invariants across modules, on seeded random problems (SplitMix64: a failure names its seed and reproduces).
@Suite struct InvariantTests {
    static func hardware(_ name: String) throws -> HardwareSpec {
        try HardwareSpec.load(path: Repo.path("hardware/\(name).yaml"))
    }

    static func gnaWorkload(_ tokens: [Int], _ window: [Int], _ stride: [Int], tile: [Int], heads: Int) throws -> Workload {
        let list = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
        return try Workload.parse(text: """
            attnsim: 1
            name: random-gna
            problem: {heads: \(heads), head_dim: 128, tokens: \(list(tokens)), dtype: bf16}
            mask: {kind: gna, window: \(list(window)), stride: \(list(stride))}
            kernel: {backend: fna-hopper, q_tile: \(list(tile)), kv_tile: \(list(tile)), tiling: multi_dim}
            """, file: "random.yaml")
    }

    /// A random 3-D GNA problem on tokens that the Hopper FNA tile 2×8×8 covers.
    static func randomGNA(_ rng: inout SplitMix64) throws -> Workload {
        let tokens = [rng.int(4...16), rng.int(16...48), rng.int(16...48)]
        let window = tokens.map { rng.int(2...$0) }
        let stride = window.map { rng.int(1...$0) }
        return try gnaWorkload(tokens, window, stride, tile: [2, 8, 8], heads: rng.int(1...24))
    }

    /// The tile bound is at most the FLOP bound times the Q-tile padding of every axis: a window of w keys spans at
    /// least ⌈w/t⌉ KV tiles, and the dense problem has ⌈L/t⌉, so per axis tile ≤ ⌈L/t⌉/⌈w/t⌉ ≤ (L + t)/w =
    /// FLOP × (L + t)/L (non-causal, no dilation).
    @Test func tileBoundWithinFLOPBoundModuloPadding() throws {
        var rng = SplitMix64(state: 91)
        for _ in 0..<300 {
            let dims = rng.int(1...3)
            let tokens = (0..<dims).map { _ in rng.int(4...64) }
            let window = tokens.map { rng.int(1...$0) }
            let stride = window.map { rng.int(1...$0) }
            let tile = (0..<dims).map { _ in [1, 2, 4, 8, 16][rng.int(0...4)] }
            let mask = GNAMask(axes: (0..<dims).map { GNAAxis(length: tokens[$0], window: window[$0], stride: stride[$0]) })
            let analysis = GNAAnalysis(mask: mask, qTile: tile, kvTile: tile, tiling: .multi_dim, kvTiling: .static)
            let padding = (0..<dims).reduce(1.0) { $0 * Double(tokens[$1] + tile[$1]) / Double(tokens[$1]) }
            #expect(analysis.bounds.tile <= mask.flopSpeedup * padding * (1 + 1e-12),
                    "tokens \(tokens) window \(window) stride \(stride) tile \(tile)")
        }
    }

    /// No prediction beats the wave-aware bound, and more bandwidth or more SMs (each SM as before) never slow one down.
    @Test func predictionsRespectBoundsAndResources() throws {
        var rng = SplitMix64(state: 7)
        let h100 = try Self.hardware("h100-sxm5-80gb")
        var faster = h100
        faster.memory[0].bandwidth = h100.memory[0].bandwidth! * 2
        // Twice the SMs, each as before (the device peak is per device in the file, so it doubles too).
        var wider = h100
        wider.units?.count = h100.units!.count * 2
        wider.matrix = h100.matrix.mapValues { $0 * 2 }
        wider.vector = h100.vector.mapValues { $0 * 2 }
        for _ in 0..<25 {
            let workload = try Self.randomGNA(&rng)
            let result = try Simulator.run(hardware: h100, workload: workload)
            let speedup = try #require(result.simulated.speedup), bound = try #require(result.bounds.waveSpeedup)
            #expect(speedup <= bound * (1 + 1e-9), "\(workload.problem.tokens) \(String(describing: workload.mask))")
            let time = try #require(result.simulated.time)
            #expect(try #require(Simulator.run(hardware: faster, workload: workload).simulated.time) <= time * (1 + 1e-12))
            #expect(try #require(Simulator.run(hardware: wider, workload: workload).simulated.time) <= time * (1 + 1e-12))
        }
        // Spatial arrays: more DRAM bandwidth never slows FuseMax or FLAT.
        let fusemax = try Self.hardware("fusemax-cloud")
        var wide = fusemax
        wide.memory[0].bandwidth = fusemax.memory[0].bandwidth! * 2
        for file in ["bert-base-1k", "bert-base-256k", "xlm-64k"] {
            let workload = try Workload.load(path: Repo.path("workloads/fusemax/\(file).yaml"))
            let base = try #require(Simulator.run(hardware: fusemax, workload: workload).simulated.time)
            #expect(try #require(Simulator.run(hardware: wide, workload: workload).simulated.time) <= base * (1 + 1e-12))
        }
    }

    /// Pruning never increases K+V traffic or FLOPs, whatever the schedule, as long as its widths are at most the
    /// dense ones (here: up to 12 + 4 bits against fp16).
    @Test func pruningNeverIncreasesTraffic() throws {
        var rng = SplitMix64(state: 2026)
        for _ in 0..<200 {
            let layers = rng.int(1...12)
            var keep = (0..<layers).map { _ in Double(rng.int(1...100)) / 100 }
            keep.sort(by: >)
            let decode = rng.int(0...1) == 1
            let msb = rng.int(1...12), lsb = rng.int(0...4)
            let refetch = lsb == 0 ? 0 : Double(rng.int(0...100)) / 100
            let quant = rng.int(0...1) == 1
                ? "quantization: {k_msb_bits: \(msb), k_lsb_bits: \(lsb), v_bits: \(rng.int(1...16)), refetch: \(refetch)}" : ""
            let access = ["compacted", "gathered", "indirect"][rng.int(0...2)]
            let text = """
                attnsim: 1
                name: random-pruning
                problem: {batch: \(rng.int(1...4)), heads: 8, head_dim: 64, tokens: \(decode ? 1 : rng.int(16...512)), \
                kv_tokens: \(rng.int(64...1024)), dtype: fp16}
                pruning:
                  mode: \(decode ? "decode" : "prefill")
                  kv_access: \(access)
                  layers: \(layers)
                  token_keep: [\(keep.map { String($0) }.joined(separator: ", "))]
                  value_keep: \(Double(rng.int(1...100)) / 100)
                  \(quant)
                """
            let workload = try Workload.parse(text: text, file: "random.yaml")
            let cost = PruningCost(PruningSchedule(try #require(workload.pruning), problem: workload.problem))
            #expect(cost.kvBytes <= cost.denseKVBytes * (1 + 1e-12), "\(text)")
            #expect(cost.flops <= cost.denseFLOPs * (1 + 1e-12) || lsb > 0, "\(text)")
        }
    }

    /// The same inputs give the same outputs: simulate twice, and the CPU kernel on 1 and 2 threads bit for bit.
    @Test func deterministicAcrossRunsAndThreads() throws {
        let h100 = try Self.hardware("h100-sxm5-80gb")
        let workload = try Workload.load(path: Repo.path("workloads/hunyuan-gna-s16x8x8.yaml"))
        let first = try Simulator.run(hardware: h100, workload: workload).json.serialized()
        #expect(try Simulator.run(hardware: h100, workload: workload).json.serialized() == first)

        let mask = GNAMask(axes: [GNAAxis(length: 12, window: 5, stride: 2), GNAAxis(length: 20, window: 7)])
        let plan = AttentionPlan.gna(mask, qTile: [4, 4], kvTile: [4, 4], kvTiling: .static)
        let tensors = (0..<3).map { _ in Tensor(instances: 3, tokens: mask.tokens, width: 32) }
        for (seed, tensor) in tensors.enumerated() { tensor.fillRandom(seed: UInt64(seed)) }
        let outputs = [1, 2].map { threads -> [Float] in
            let out = Tensor(instances: 3, tokens: mask.tokens, width: 32)
            defer { out.deallocate() }
            AttentionKernel.run(plan: plan, q: tensors[0], k: tensors[1], v: tensors[2], out: out, threads: threads)
            return Array(out.storage)
        }
        tensors.forEach { $0.deallocate() }
        #expect(outputs[0] == outputs[1])
    }
}
