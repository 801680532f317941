import Testing
@testable import AttnSim

/// Every preset in hardware/ loads, and its derived figures match the published figures they were built from.
@Suite struct HardwarePresetTests {
    static let presets = ["a100-sxm4-80gb", "h100-sxm5-80gb", "h200-sxm", "b200", "epyc-9354",
                          "fusemax-cloud", "flat-cloud", "spatten", "spatten-eighth"]

    func load(_ name: String) throws -> HardwareSpec {
        try HardwareSpec.load(path: Repo.path("hardware/\(name).yaml"))
    }

    @Test(arguments: presets)
    func presetLoadsWithSources(_ name: String) throws {
        let spec = try load(name)
        #expect(spec.name == name)
        #expect(!spec.sources.isEmpty, "every preset says where its numbers come from")
        #expect(spec.offChip.bandwidth != nil)
    }

    @Test func everyShippedHardwareFileLoads() throws {
        let files = Repo.files(in: "hardware", withExtension: "yaml")
        #expect(files.count >= Self.presets.count)
        for file in files { _ = try HardwareSpec.load(path: file) }
    }

    /// FLOP per clock per SM (derived in each preset's `sources:`) behind the vendors' dense FP16/BF16 peaks, and the
    /// ridge points.
    @Test(arguments: [
        // (preset, FLOP/clk/SM, ridge FLOP/B), from the peaks and bandwidths the presets' sources give
        ("a100-sxm4-80gb", 2048.0, 153.0),   // 312 TFLOP/s over 108 SMs at 1.41 GHz, 2,039 GB/s
        ("h100-sxm5-80gb", 4096.0, 295.0),   // 989.4 TFLOP/s over 132 SMs at 1.83 GHz, 3.35 TB/s
        ("h200-sxm", 4096.0, 206.0),         // the H100's SMs, 4.8 TB/s
        ("b200", 8192.0, 281.0),             // 2.25 PFLOP/s over 148 SMs at 1.86 GHz, 8 TB/s
    ])
    func gpuPerSMRateAndRidge(_ name: String, flopsPerClock: Double, ridge: Double) throws {
        let spec = try load(name)
        let perClock = try #require(spec.flopsPerCyclePerUnit(.bf16))
        #expect(abs(perClock / flopsPerClock - 1) < 0.005, "\(name): \(perClock) FLOP/clk/SM")
        let derivedRidge = try #require(spec.ridgePoint(.bf16))
        #expect(abs(derivedRidge / ridge - 1) < 0.005, "\(name): ridge \(derivedRidge)")
    }

    /// EPYC 9354 (references.md [EPYC-hpctech]): 32 FP32 FLOP/clk/core, ≈3.3 TFLOP/s at base, BF16 ridge ≈15.
    @Test func epycRates() throws {
        let spec = try load("epyc-9354")
        #expect(spec.kind == .cpu)
        let perClock = try #require(spec.flopsPerCyclePerUnit(.fp32))
        #expect(abs(perClock - 32) < 0.01)
        let peak = try #require(spec.peakFLOPs(.fp32))
        #expect(abs(peak / 3.3e12 - 1) < 0.02)
        let ridge = try #require(spec.ridgePoint(.bf16))
        #expect(abs(ridge - 15) < 1)
        #expect(spec.offChip.bandwidth == 460.8e9)   // 12 × DDR5-4800 (references.md [EPYC-tomshardware])
    }

    /// references.md [FuseMax-artifact]: 256×256 MACs at 940 MHz ≈ 123 TFLOP/s; DRAM 400·2^30 B/s; ridge ≈287.
    @Test(arguments: ["fusemax-cloud", "flat-cloud"])
    func spatialCloudPeak(_ name: String) throws {
        let spec = try load(name)
        let peak = try #require(spec.peakFLOPs(.fp16))
        #expect(abs(peak - 256.0 * 256 * 2 * 940e6 - 256 * 2 * 940e6) < 1)   // 2D array plus the 1D array's MACs
        #expect(abs(peak / 123e12 - 1) < 0.01)
        #expect(spec.offChip.bandwidth == 400.0 * 1_073_741_824.0)
        let ridge = try #require(spec.ridgePoint(.fp16))
        #expect(abs(ridge / 287 - 1) < 0.01)
    }

    /// references.md [FuseMax-artifact]: the FuseMax buffer is 16 MiB, FLAT's 32 MiB.
    @Test func spatialBuffers() throws {
        #expect(try load("fusemax-cloud").memory[1].size == 16 * 1_048_576)
        #expect(try load("flat-cloud").memory[1].size == 32 * 1_048_576)
    }

    /// references.md [SpAtten-RTL]: 1024 MAC/cycle = 2.048 TFLOPS, 512 GB/s; SpAtten-1/8: 128 multipliers, 256 GOP/s,
    /// 64 GB/s.
    @Test func spattenPeaks() throws {
        let full = try load("spatten")
        #expect(full.peakFLOPs(.fp16) == 2.048e12)
        #expect(full.offChip.bandwidth == 512e9)
        let eighth = try load("spatten-eighth")
        #expect(eighth.peakFLOPs(.fp16) == 256e9)
        #expect(eighth.offChip.bandwidth == 64e9)
    }
}
