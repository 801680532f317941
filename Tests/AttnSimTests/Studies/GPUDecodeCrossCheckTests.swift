import Testing
@testable import AttnSim

/// GPU decode over compacted K/V (`GPUDecodeCrossCheck`) against real H100 runs.
@Suite struct GPUDecodeCrossCheckTests {
    static func hardware(_ name: String) throws -> HardwareSpec {
        try HardwareSpec.load(path: Repo.path("hardware/\(name).yaml"))
    }

    /// GPU decode over compacted K/V: predictions held against measured cuDNN SDPA calls on an H100
    /// (validation/gpu/h100-sdpa-decode.json): the 12 pruned calls (keep 0.5 / 0.25 / 0.1, L = 2048 and 8192) are
    /// held out from the profile fit (dense calls only); median |time error| ≤ 15%, and no measured speedup above
    /// the roofline bound.
    @Test func gpuDecodeAgainstH100() throws {
        let check = try GPUDecodeCrossCheck(path: Repo.path("validation/gpu/h100-sdpa-decode.json"))
        let report = GPUDecodeCrossCheckReport(device: check.device, rows: try check.rows(hardware: Self.hardware("h100-sxm5-80gb")))
        #expect(report.heldOut.count == 12)
        #expect(try #require(report.medianTimeError) <= 0.15)
        #expect(try #require(report.medianSpeedupError) <= 0.15)
        #expect(report.boundViolations.isEmpty)
    }
}
