import Foundation
import Testing
@testable import AttnSim

/// The H200 validation protocol: validation/gpu/h200-protocol.json, measured on a lent NVIDIA H200 on 2026-12-04 with
/// validation/gpu/protocol_bench.py (SDPA and FlexAttention, dense, causal and GNA with mask parameters compiled in or
/// read from a tensor), against the profiles of hardware/h200-sxm.yaml, which were fitted on every third config.
@Suite struct GPUProtocolTests {
    static func report() throws -> GPUCrossCheckReport {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h200-sxm.yaml"))
        let check = try GPUCrossCheck(path: Repo.path("validation/gpu/h200-protocol.json"))
        return GPUCrossCheckReport(device: check.device, backend: "flex",
                                   rows: try check.rows(hardware: hardware, backend: "flex"), skipped: check.skipped)
    }

    /// Issue 16's targets on the held-out configs: median |speedup error| and |time error| ≤ 10 %, 90th percentile ≤
    /// 25 %; no wave-aware bound below a measured speedup; FlexAttention's block counts equal attnsim's.
    @Test func heldOutErrorsMeetTheTargets() throws {
        let report = try Self.report()
        #expect(report.heldOut.count >= 70)
        let speedup = report.heldOut.compactMap { $0.speedupError.map(abs) }, time = report.heldOut.map { abs($0.timeError) }
        #expect(try #require(GPUCrossCheckReport.median(speedup)) <= 0.10)
        #expect(try #require(GPUCrossCheckReport.median(time)) <= 0.10)
        #expect(try #require(GPUCrossCheckReport.quantile(speedup, 0.9)) <= 0.25)
        #expect(try #require(GPUCrossCheckReport.quantile(time, 0.9)) <= 0.25)
        #expect(report.boundViolations.isEmpty, "\(report.boundViolations.map(\.measurement.id))")
        #expect(report.blockMismatches.isEmpty, "\(report.blockMismatches.map(\.measurement.id))")
    }

    /// The mechanism the user of issue 16 hit: 2-D GNA whose mask function reads its parameters from a tensor ran at
    /// 0.66–0.93× of dense flex on 64×64 tokens, while compiled-in parameters ran at 1.2–1.9× (measured pairs in the
    /// file). attnsim must predict the tensor style slower than the constant style for the same mask, and a speedup
    /// below 1.25× for the measured tensor configs.
    @Test func tensorMaskParametersCostMoreIn2D() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h200-sxm.yaml"))
        func speedup(_ style: String) throws -> Double {
            let workload = try Workload.parse(text: """
                attnsim: 1
                name: gna2d-64x64
                problem: {batch: 2, heads: 32, head_dim: 128, tokens: [64, 64], dtype: bf16}
                mask: {kind: gna, window: [16, 28], stride: [8, 1]}
                kernel: {backend: flex, q_tile: [16, 8], kv_tile: [16, 8], tiling: multi_dim, mask_params: \(style)}
                """, file: "test")
            return try #require(Simulator.run(hardware: hardware, workload: workload).gpu).speedup
        }
        let tensor = try speedup("tensor"), constant = try speedup("constant")
        #expect(tensor < constant)
        // measured: gna2d-64x64-w16x28-s8x1-t16x8-d128-b2h32-tensor ran at 0.66× of dense flex
        #expect(tensor < 1.25, "predicted \(tensor)×")
    }

    /// Each kind of operation is charged its own cycles (hand count: GNA 2-D per element, 10 divisions, 10 adds and 4
    /// compares, as GNAMask.elementWork documents them).
    @Test func maskCyclesCountEachOperation() {
        let cost = MaskOperationCost(base: 1, simple: 0.5, division: 2, divisionTensor: 7, load: 3)
        let work = MaskElementWork(compares: 4, arithmetic: 10, divisions: 10, loads: 1, axes: 2)
        let constant: Double = 1 + 7 + 20 + 3   // base, 14 simple ops × 0.5, 10 divisions × 2, 1 load × 3
        let tensor: Double = 1 + 7 + 70 + 3     // the divisions at 7 cycles each
        #expect(cost.cycles(work, parameters: .constant) == constant)
        #expect(cost.cycles(work, parameters: .tensor) == tensor)
        #expect(cost.cycles(work, parameters: .tensor, opsPerElement: 6) == 4)   // base + 6 × 0.5
    }

    /// A compiled-in division by a power of two is a shift (a simple operation); read from a tensor, every division is
    /// a full one.
    @Test func powerOfTwoDivisionsAreShiftsOnlyWhenCompiledIn() {
        let cost = MaskOperationCost(base: 1, simple: 0.5, division: 2, divisionTensor: 7, load: 3)
        let work = MaskElementWork(divisions: 10, axes: 2, powerOfTwoDivisions: 4)
        let constant: Double = 1 + 6 * 2 + 4 * 0.5   // base, 6 divisions, 4 shifts
        let tensor: Double = 1 + 10 * 7
        #expect(cost.cycles(work, parameters: .constant) == constant)
        #expect(cost.cycles(work, parameters: .tensor) == tensor)
    }

    /// Hand count of validation/gpu/protocol_bench.py's `gna_mask_mod` (the tile-major decode, then NATTEN's rule): per
    /// side and axis a `%` and a `//` by the tile extent, and on axes 1… a `%` and a `//` by the tiles along it; per
    /// axis one `//` by the stride. 3-D (16×32×48, strides 8×2×8): 2 × (6 + 4) + 3 = 23 divisions, of which the 12
    /// by tile extents, the 8 by tiles along the 32 and 48 axes (32 ÷ tile: a power of two; 48 ÷ tile: not) and the
    /// 3 strides (8, 2, 8: powers of two) are shifts when compiled in: 12 + 4 + 3 = 19.
    @Test func gnaDecodeDivisionsMatchTheMaskFunction() throws {
        let workload = try Workload.parse(text: """
            attnsim: 1
            name: gna3d
            problem: {batch: 1, heads: 1, head_dim: 128, tokens: [16, 32, 48], dtype: bf16}
            mask: {kind: gna, window: [8, 6, 8], stride: [8, 2, 8]}
            """, file: "test")
        let work = workload.mask.elementWork
        #expect(work.divisions == 23)
        #expect(work.powerOfTwoDivisions == 19)
        let oneD = try Workload.parse(text: """
            attnsim: 1
            name: gna1d
            problem: {batch: 1, heads: 1, head_dim: 128, tokens: [4096], dtype: bf16}
            mask: {kind: gna, window: [340], stride: [3]}
            """, file: "test")
        #expect(oneD.mask.elementWork.divisions == 1)
        #expect(oneD.mask.elementWork.powerOfTwoDivisions == 0)
    }

    /// Decode: measured on the H200 (validation/gpu/h200-protocol.json, CUDA-graph replay), every call held out.
    /// `decode-b8-ctx131072-h32kv8-d128` streamed its 4.29 GB of K/V in 0.947 ms (4.5 TB/s); a graph-launched call is
    /// not held to the eager host overhead (89 µs), so `decode-b1-ctx2048-h32kv8-d128` (9.3 µs measured) predicts
    /// below it.
    @Test func decodeCallsFollowTheBandwidth() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h200-sxm.yaml"))
        func time(_ batch: Int, _ context: Int, launch: String) throws -> Double {
            let workload = try Workload.parse(text: """
                attnsim: 1
                name: decode
                problem: {batch: \(batch), heads: 32, head_dim: 128, tokens: [1], dtype: bf16, kv_tokens: [\(context)], kv_heads: 8}
                mask: {kind: none}
                kernel: {backend: flash, q_tile: [128], kv_tile: [128], launch: \(launch)}
                """, file: "test")
            let result = try Simulator.run(hardware: hardware, workload: workload)
            return try #require(result.simulated.time)
        }
        let long = try time(8, 131_072, launch: "graph")
        #expect(abs(long / 0.947e-3 - 1) < 0.10, "predicted \(long * 1e3) ms")
        let short = try time(1, 2048, launch: "graph")
        #expect(short < 30e-6, "predicted \(short * 1e6) µs")
        let eager = try time(1, 2048, launch: "eager")
        #expect(eager >= 88e-6)
    }

    /// Issue 16's cross-GPU check: the H200-fitted profiles (hardware/h200-sxm.yaml) on the H100's SMs, memory and
    /// clock predict validation/gpu/h100-flex-gna.json, 28 FlexAttention GNA runs measured on an H100 on 2026-11-23
    /// with lookup-table mask functions (`mask_params: table`), none of which the H200 fit saw: the targets (median
    /// ≤ 10 %, 90th percentile ≤ 25 %) over all of them.
    @Test func h200ProfilesPredictTheH100Runs() throws {
        var hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        for (name, profile) in try HardwareSpec.load(path: Repo.path("hardware/h200-sxm.yaml")).kernels {
            hardware.kernels[name] = profile
        }
        let check = try GPUCrossCheck(path: Repo.path("validation/gpu/h100-flex-gna.json"))
        let rows = try check.rows(hardware: hardware, backend: "flex")
        #expect(rows.count == 28)
        let speedup = rows.compactMap { $0.speedupError.map(abs) }, time = rows.map { abs($0.timeError) }
        #expect(try #require(GPUCrossCheckReport.median(speedup)) <= 0.10)
        #expect(try #require(GPUCrossCheckReport.median(time)) <= 0.10)
        #expect(try #require(GPUCrossCheckReport.quantile(speedup, 0.9)) <= 0.25)
        #expect(try #require(GPUCrossCheckReport.quantile(time, 0.9)) <= 0.25)
    }

    /// Issue 16: the 80 % intervals cover at least 75 % of held-out runs they were not built from.
    @Test func intervalsCoverHeldOutRuns() throws {
        let report = try Self.report()
        for spread in report.spreads {
            #expect(spread.timeCoverage >= 0.75, "\(spread.backend) time coverage \(spread.timeCoverage)")
            #expect(spread.speedupCoverage >= 0.75, "\(spread.backend) speedup coverage \(spread.speedupCoverage)")
        }
    }

    /// Efficiency per head dimension: exact where measured, log-linear in between, the nearest outside.
    @Test func efficiencyByHeadDimInterpolates() {
        var profile = KernelProfile(efficiency: 0.5)
        #expect(profile.efficiency(headDim: 96) == 0.5)
        profile.efficiencyByHeadDim = [64: 0.4, 256: 0.8]
        #expect(profile.efficiency(headDim: 64) == 0.4)
        #expect(abs(profile.efficiency(headDim: 128)! - 0.6) < 1e-12)   // log2: halfway from 64 to 256
        #expect(profile.efficiency(headDim: 32) == 0.4)
        #expect(profile.efficiency(headDim: 512) == 0.8)
    }

    @Test func loadsAndRejectsTheNewKeys() throws {
        let base = try String(contentsOfFile: Repo.path("hardware/h200-sxm.yaml"), encoding: .utf8)
        let spec = try HardwareSpec.parse(text: base, file: "h200.yaml")
        let flex = try #require(spec.kernels["flex"])
        #expect(flex.efficiencyByHeadDim.count == 3)
        #expect(flex.maskCost != nil && flex.hostOverhead != nil)
        let bad = base.replacingOccurrences(of: "efficiency_by_head_dim: {64:", with: "efficiency_by_head_dim: {sixty:")
        #expect(bad != base)
        #expect(throws: Diagnostic.self) { try HardwareSpec.parse(text: bad, file: "h200.yaml") }
        let noDivision = base.replacingOccurrences(of: #"division: [0-9.]+, "#, with: "", options: .regularExpression)
        #expect(noDivision != base)
        do {
            _ = try HardwareSpec.parse(text: noDivision, file: "h200.yaml")
            Issue.record("a mask_cost without `division` loaded")
        } catch {
            #expect(error.description.contains("division"))
            #expect(error.line != nil)
        }
        #expect(flex.maskCost?.perElementLoad == 7.98)
        // per_element_division is a factor ≥ 1; the error names the key's line.
        let cheaper = base.replacingOccurrences(of: "per_element_division: 3.58", with: "per_element_division: 0.5")
        #expect(cheaper != base)
        do {
            _ = try HardwareSpec.parse(text: cheaper, file: "h200.yaml")
            Issue.record("per_element_division 0.5 loaded")
        } catch {
            #expect(error.path.hasSuffix("per_element_division") && error.message.contains("≥ 1") && error.line == 19)
        }
        let workload = """
            attnsim: 1
            name: w
            problem: {batch: 1, heads: 1, head_dim: 64, tokens: [256], dtype: bf16}
            mask: {kind: causal}
            kernel: {backend: flex, mask_params: %@}
            """
        let parsed = try Workload.parse(text: workload.replacingOccurrences(of: "%@", with: "tensor, mask_cost: {ops_per_element: 12}"), file: "w.yaml")
        #expect(parsed.kernel?.maskParams == .tensor)
        #expect(parsed.kernel?.maskOpsPerElement == 12)
        #expect(throws: Diagnostic.self) {
            try Workload.parse(text: workload.replacingOccurrences(of: "%@", with: "runtime"), file: "w.yaml")
        }
    }
}
