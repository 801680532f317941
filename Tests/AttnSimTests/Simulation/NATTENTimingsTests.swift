import Testing
@testable import AttnSim

/// NATTEN's published kernel timings (docs profiler runs, B = 1, head_dim 128, fp16; references.md [NATTEN-docs]): the
/// FNA kernel's speedup over the cuDNN baseline, predicted by the event simulator with the `fna-hopper` /
/// `fna-blackwell` profiles against the `flash` profile. What was fitted to which rows (hardware/*.yaml `sources:`):
/// efficiencies and per-CTA costs to the 1-D runs, the H100's sustained clock to its long cuDNN runs, and the clock
/// ramp to the H100 FNA stride-16 FLUX and HunyuanVideo runs. Not fitted to anything: the stride-1 FLUX and
/// HunyuanVideo FNA rows, and every B200 row outside the 1-D ones (the B200 reuses the H100's ramp).
@Suite struct NATTENTimingsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var hardware: String
        var backend: String
        var tokens: [Int]
        var heads: Int
        var window: [Int]
        var stride: [Int]
        var qTile: [Int]
        var kvTile: [Int]
        /// Measured kernel speedup over cuDNN (references.md [NATTEN-docs]: cuDNN time over FNA kernel time).
        var measured: Double
        var testDescription: String { "\(hardware) \(tokens) w\(window) s\(stride): \(measured)×" }
    }

    static let cases: [Case] = [
        // H100, Hopper FNA.
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [32768], heads: 1, window: [2048], stride: [1],
             qTile: [128], kvTile: [128], measured: 787.392 / 94.848),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [32768], heads: 1, window: [2048], stride: [256],
             qTile: [128], kvTile: [128], measured: 787.392 / 62.687),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [32768], heads: 1, window: [2048], stride: [2048],
             qTile: [128], kvTile: [128], measured: 787.392 / 59.264),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [256, 256], heads: 24, window: [80, 80],
             stride: [1, 1], qTile: [16, 8], kvTile: [16, 8], measured: 97.435 / 16.201),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [256, 256], heads: 24, window: [80, 80],
             stride: [16, 16], qTile: [16, 8], kvTile: [16, 8], measured: 97.435 / 7.914),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [30, 48, 80], heads: 24, window: [18, 24, 24],
             stride: [1, 1, 1], qTile: [2, 8, 8], kvTile: [2, 8, 8], measured: 283.327 / 79.043),
        Case(hardware: "h100-sxm5-80gb", backend: "fna-hopper", tokens: [30, 48, 80], heads: 24, window: [18, 24, 24],
             stride: [16, 8, 8], qTile: [2, 8, 8], kvTile: [2, 8, 8], measured: 283.327 / 23.359),
        // B200, Blackwell FNA.
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [32768], heads: 1, window: [2048], stride: [1],
             qTile: [256], kvTile: [128], measured: 424.766 / 58.111),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [32768], heads: 1, window: [2048], stride: [256],
             qTile: [256], kvTile: [128], measured: 424.766 / 37.888),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [32768], heads: 1, window: [2048], stride: [2048],
             qTile: [256], kvTile: [128], measured: 424.766 / 38.240),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [256, 256], heads: 24, window: [80, 80],
             stride: [1, 1], qTile: [16, 16], kvTile: [16, 8], measured: 43.313 / 8.692),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [256, 256], heads: 24, window: [80, 80],
             stride: [16, 16], qTile: [16, 16], kvTile: [16, 8], measured: 43.313 / 4.114),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [30, 48, 80], heads: 24, window: [18, 24, 24],
             stride: [1, 1, 1], qTile: [4, 8, 8], kvTile: [2, 8, 8], measured: 135.265 / 42.243),
        Case(hardware: "b200", backend: "fna-blackwell", tokens: [30, 48, 80], heads: 24, window: [18, 24, 24],
             stride: [16, 8, 8], qTile: [4, 8, 8], kvTile: [2, 8, 8], measured: 135.265 / 13.010),
    ]

    static func workload(_ c: Case) throws -> Workload {
        let list = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
        return try Workload.parse(text: """
            attnsim: 1
            name: natten-docs
            problem: {batch: 1, heads: \(c.heads), head_dim: 128, tokens: \(list(c.tokens)), dtype: fp16}
            mask: {kind: gna, window: \(list(c.window)), stride: \(list(c.stride))}
            kernel: {backend: \(c.backend), q_tile: \(list(c.qTile)), kv_tile: \(list(c.kvTile))}
            """, file: "natten-docs.yaml")
    }

    static func predicted(_ c: Case) throws -> Double {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/\(c.hardware).yaml"))
        let workload = try workload(c)
        let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
        return try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: mapping, baseline: "flash").speedup
    }

    @Test(arguments: cases)
    func kernelSpeedupWithin15Percent(_ c: Case) throws {
        let speedup = try Self.predicted(c)
        let error = abs(speedup / c.measured - 1)
        #expect(error <= 0.15, "predicted \(speedup)× vs measured \(c.measured)×: \(Int(error * 100)) %")
    }
}
