import Testing
@testable import AttnSim

/// The thin slice: roofline time, FLOP-wise bounds and the Amdahl roll-up, against hand counts and paper tables.
@Suite struct RooflineSliceTests {
    /// A preset without its kernel profiles, so the roofline (not the event simulator) times the point.
    static func rooflineHardware(_ name: String) throws -> HardwareSpec {
        var hardware = try HardwareSpec.load(path: Repo.path("hardware/\(name).yaml"))
        hardware.kernels = [:]
        return hardware
    }

    func simulate(_ hardware: String, _ workload: String) throws -> SimulationResult {
        try Simulator.run(hardware: Self.rooflineHardware(hardware),
                          workload: Workload.load(path: Repo.path("workloads/\(workload).yaml")))
    }

    /// Hand count, BERT-Base 1K (B=64, H=12, E=F=64, M=P=1024; references.md [FuseMax-artifact] flat_validation.csv) on
    /// the H100 (989.4 TFLOP/s BF16/FP16, 3.35 TB/s; references.md [Hopper-in-depth]): QKᵀ and AV are 2·E + 2·F FLOP
    /// per (query, key) pair; Q, K, V, O are 4·1024·64 2-byte elements per (batch, head).
    @Test func bertOnH100() throws {
        let result = try simulate("h100-sxm5-80gb", "bert-base-1k")
        let instances: Double = 64 * 12
        let pairs: Double = 1024 * 1024
        let flops: Double = instances * pairs * 256          // 2·64 + 2·64 FLOP per pair
        let bytes: Double = instances * 4 * 1024 * 64 * 2
        #expect(result.denseFLOPs == flops)
        #expect(result.effectiveFLOPs == flops)
        #expect(result.simulated.denseDRAMBytes == bytes)
        let time = try #require(result.simulated.time)
        #expect(abs(time - flops / 989.4e12) < 1e-15)          // compute-bound: 0.2084 ms
        #expect(result.simulated.bottleneck == "compute")
        #expect(result.bounds.flopSpeedup == 1)
        #expect(result.bounds.tileSpeedup == nil)             // filled by the GNA tile model, not guessed here
        #expect(result.endToEndSpeedup == nil)                // the workload has no model roll-up
    }

    /// Decode is memory-bound: one query against 1024 keys reads all of K and V for 2·(E+F) FLOP per key.
    @Test func decodeIsMemoryBound() throws {
        let text = """
            attnsim: 1
            name: decode
            problem: {batch: 8, heads: 32, head_dim: 128, tokens: 1, kv_tokens: 8192, dtype: bf16}
            """
        let result = try Simulator.run(hardware: Self.rooflineHardware("h100-sxm5-80gb"),
                                       workload: Workload.parse(text: text, file: "decode.yaml"))
        #expect(result.simulated.bottleneck == "memory")
        let perInstance: Double = 128 + 8192 * 128 * 2 + 128  // q, K and V, o elements
        let bytes: Double = 8 * 32 * perInstance * 2
        #expect(abs(try #require(result.simulated.time) - bytes / 3.35e12) < 1e-15)
    }

    /// GNA never truncates a window at the borders (references.md [GNA App. A.1]), so FLOP-wise speedup =
    /// tokens / Π window: GNA paper Tables 2–4 give S_FLOP 11.11 (HunyuanVideo 18×24×24), 10.24 (FLUX 80×80), 9.17 (Cosmos
    /// 16×24×16). With Amdahl and the step schedules, the FLOP-column E2E values are 1.63 (15 of 50 steps dense),
    /// 1.46 (9 of 28) and 1.52 (12 of 35).
    @Test(arguments: [
        ("hunyuan-gna-s16x8x8", 11.11, 1.63),
        ("flux-gna", 10.24, 1.46),
        ("cosmos-gna", 9.17, 1.52),
    ])
    func gnaFLOPBoundAndEndToEnd(_ workload: String, flopSpeedup: Double, endToEnd: Double) throws {
        let result = try simulate("b200", workload)
        #expect(abs(try #require(result.bounds.flopSpeedup) - flopSpeedup) < 0.01)
        #expect(abs(try #require(result.endToEndFLOPBound) - endToEnd) < 0.01)
        // These problems are compute-bound by far, so the roofline speedup equals the FLOP-wise bound.
        #expect(abs(try #require(result.endToEndSpeedup) - endToEnd) < 0.01)
    }

    /// The causal closed form against a brute-force count of (query, key) pairs with key ≤ query + (M − P).
    @Test(arguments: [(1, 1), (1, 7), (5, 5), (7, 19), (64, 64), (3, 100)])
    func causalPairsMatchBruteForce(_ p: Int, _ m: Int) {
        var count = 0
        for query in 0..<p { for key in 0..<m where key <= query + (m - p) { count += 1 } }
        let problem = Problem(batch: 1, heads: 1, headDim: 8, valueDim: 8, tokens: [p], kvTokens: [m], dtype: .bf16)
        #expect(CausalMask(queries: problem.queryTokens, keys: problem.keyTokens).attendedPairs == Double(count))
    }

    /// A pruning schedule on a GPU file without kernel profiles: each layer at its roofline time. Hand count for
    /// workloads/gpt2-small-decode-pruned.yaml (references.md [SpAtten-traces], one decode step at 1024 tokens):
    /// layer l keeps k = ⌊1024·keep_l⌋ keys and ⌊0.2·k⌋ values of 12 heads × 64 dims; K at 6 bits plus 4 LSB bits on 6.1% of
    /// the requests, V at 6 bits, Q and O at 16; rows read by index (`kv_access: indirect`) are padded to the H100's
    /// 32-byte sectors (a 48-byte 6-bit row costs 64, a 32-byte LSB row 32), and the k kept indices are read at
    /// ⌈log2 1024⌉ = 10 bits; memory-bound at 3.35 TB/s. Dense: 1024 keys and values at 16 bits.
    @Test func pruningOnTheRoofline() throws {
        let result = try simulate("h100-sxm5-80gb", "gpt2-small-decode-pruned")
        #expect(result.simulated.model == .roofline)
        var bytes = 0.0
        for keep in [0.9, 0.7, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] {
            let k = (1024 * keep).rounded(.down), v = (0.2 * k).rounded(.down)
            let keyBytes: Double = k * (64 + 0.061 * 32)
            let valueBytes: Double = v * 64
            bytes += 12 * (keyBytes + valueBytes + 128 * 2) + k * 10 / 8
        }
        let dense: Double = 12 * 12 * (1024 * 64 * 2 * 2 + 128 * 2)
        #expect(abs(try #require(result.simulated.time) / (bytes / 3.35e12) - 1) < 1e-9)
        #expect(abs(try #require(result.simulated.denseTime) / (dense / 3.35e12) - 1) < 1e-9)
        #expect(result.notes.contains { $0.contains("roofline") })
    }

    /// EndToEnd against the check of GNA paper Tables 2–4 (HunyuanVideo, a = 0.607, s = 11.11): 2.23 with no dense
    /// steps.
    @Test func amdahlWithoutSchedule() {
        let speedup = EndToEnd.speedup(attentionSpeedup: 11.11, model: ModelRollup(attentionShare: 0.607))
        #expect(abs(speedup - 2.23) < 0.01)
    }
}
