import Testing
@testable import AttnSim

/// The H100 measurements in validation/gpu/h100-flex-gna.json (FlexAttention, bf16, head_dim 128; measured on a
/// lent H100 with validation/gpu/flex_gna_bench.py) against the `flex` profile of hardware/h100-sxm5-80gb.yaml.
@Suite struct GPUCrossCheckTests {
    static func report() throws -> GPUCrossCheckReport {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let check = try GPUCrossCheck(path: Repo.path("validation/gpu/h100-flex-gna.json"))
        return GPUCrossCheckReport(device: check.device, backend: "flex",
                                   rows: try check.rows(hardware: hardware, backend: "flex"), skipped: check.skipped)
    }

    /// Issue 4's acceptance: held-out median absolute speedup error ≤ 15 %, and no wave-aware bound below a
    /// measured speedup.
    @Test func heldOutErrorAndBounds() throws {
        let report = try Self.report()
        #expect(report.rows.count >= 25)
        #expect(report.heldOut.count >= 15)
        let error = try #require(report.medianSpeedupError)
        #expect(error <= 0.15, "median held-out |speedup error| \(error)")
        #expect(report.boundViolations.isEmpty, "\(report.boundViolations.map(\.measurement.id))")
    }

    /// FlexAttention's own BlockMask counted full and partial 128×128 blocks on the GPU; attnsim's tile counts for
    /// the same layouts must be the same numbers.
    @Test func blockCountsMatchFlexAttention() throws {
        let report = try Self.report()
        #expect(report.rows.allSatisfy { $0.measurement.fullBlocks != nil })
        #expect(report.blockMismatches.isEmpty, "\(report.blockMismatches.map(\.measurement.id))")
    }
}
