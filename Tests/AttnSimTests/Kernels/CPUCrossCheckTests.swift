import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// `attnsim crosscheck` end to end on small workloads — correctness only (the kernels ran, the simulator
/// predicted with the CPU engine, the report has the contract's keys); no timing assertions.
@Suite struct CPUCrossCheckTests {
    static let hardware = """
        attnsim: 1
        name: test-cpu
        kind: cpu
        clock: 2 GHz
        units: {name: core, count: 2}
        vector: {fp32: 100 GFLOP/s}
        memory:
          - {name: DRAM, bandwidth: 20 GB/s}
          - {name: L3, size: 8 MiB}
          - {name: L2, size: 1 MiB, per: unit}
        kernels:
          cpu: {q_tile_tokens: 16, kv_tile_tokens: 16, efficiency: 0.8, masked_tile_cost: 1.5, per_cta: 2 us}
        """

    static let workloads = [
        """
        attnsim: 1
        name: small-gna
        problem: {heads: 2, head_dim: 32, tokens: [16, 16], dtype: fp32}
        mask: {kind: gna, window: [5, 5], stride: [2, 2]}
        kernel: {backend: cpu, q_tile: [4, 4], kv_tile: [4, 4], tiling: multi_dim}
        """,
        """
        attnsim: 1
        name: small-causal
        problem: {heads: 1, head_dim: 32, tokens: 200, dtype: fp32}
        mask: {kind: causal}
        kernel: {backend: cpu}
        """,
        """
        attnsim: 1
        name: small-pruned
        problem: {heads: 2, head_dim: 32, tokens: 128, dtype: fp32}
        pruning: {mode: prefill, kv_access: compacted, layers: 3, token_keep: [1.0, 0.5, 0.25]}
        kernel: {backend: cpu}
        """,
    ]

    @Test func smallCrossCheckRuns() throws {
        let hardware = try HardwareSpec.parse(text: Self.hardware, file: "cpu.yaml")
        let workloads = try Self.workloads.enumerated().map { try Workload.parse(text: $1, file: "wl\($0).yaml") }
        let check = CPUCrossCheck(threads: 2, repetitions: 1)
        let rows = try check.rows(workloads, hardware: hardware)
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.measuredDense > 0 && row.measuredSparse > 0 && row.predictedDense > 0 && row.predictedSparse > 0)
            #expect(row.model == "cpu-event")
        }
        // GNA carries the wave-aware bound; causal and pruned rows carry none.
        #expect(try #require(rows[0].bound) > 1)
        #expect(rows[1].bound == nil && rows[2].bound == nil)
        let json = CPUCrossCheckReport(hardware: hardware.name, threads: 2, rows: rows).json
        guard case .array(let items) = json, case .object(let fields) = items[0] else { Issue.record("not a list"); return }
        let keys = Set(fields.map(\.0))
        for key in ["workload", "measured_time_s", "predicted_time_s", "measured_speedup", "predicted_speedup", "bound_speedup"] {
            #expect(keys.contains(key))
        }
    }

    /// The test file with a backward profile (as `attnsim calibrate` writes one).
    static let trainingHardware = hardware.replacingOccurrences(
        of: "per_cta: 2 us}", with: "per_cta: 2 us, backward: {dq: separate, efficiency: 0.5}}")

    static let trainingWorkloads = [
        """
        attnsim: 1
        name: training-causal
        pass: training
        problem: {heads: 2, head_dim: 32, tokens: 96, dtype: fp32}
        mask: {kind: causal}
        kernel: {backend: cpu}
        """,
        """
        attnsim: 1
        name: backward-gna
        pass: backward
        problem: {heads: 2, head_dim: 32, tokens: [12, 12], dtype: fp32}
        mask: {kind: gna, window: [5, 5]}
        kernel: {backend: cpu, q_tile: [4, 4], kv_tile: [4, 4], tiling: multi_dim}
        """,
        """
        attnsim: 1
        name: forward-window
        problem: {heads: 1, head_dim: 32, tokens: 128, dtype: fp32}
        mask: {kind: sliding_window, window: 40}
        kernel: {backend: cpu}
        """,
    ]

    /// Training and backward workloads run the forward and backward kernels on both problems and are held against the
    /// prediction of the same pass: finite, positive times; a training pass is its forward and its backward; the table
    /// and the JSON name the pass (a forward row's backward times are null).
    @Test func trainingPassesRun() throws {
        let hardware = try HardwareSpec.parse(text: Self.trainingHardware, file: "cpu.yaml")
        let workloads = try Self.trainingWorkloads.enumerated().map { try Workload.parse(text: $1, file: "wl\($0).yaml") }
        let rows = try CPUCrossCheck(threads: 2, repetitions: 1).rows(workloads, hardware: hardware)
        #expect(rows.map(\.pass) == [.training, .backward, .forward])
        for row in rows {
            for time in [row.measuredDense, row.measuredSparse, row.predictedDense, row.predictedSparse] {
                #expect(time.isFinite && time > 0, "\(row.workload)")
            }
        }
        let (training, backward, forward) = (rows[0], rows[1], rows[2])
        let (measuredBackward, predictedBackward) = (try #require(training.measuredBackward), try #require(training.predictedBackward))
        #expect(measuredBackward > 0 && predictedBackward > 0)
        #expect(training.measuredSparse > measuredBackward && training.predictedSparse > predictedBackward)
        #expect(backward.measuredBackward == backward.measuredSparse && backward.predictedBackward == backward.predictedSparse)
        #expect(forward.measuredBackward == nil && forward.predictedBackward == nil)
        // The prediction is the simulator's for the workload's own pass.
        let simulated = try Simulator.run(hardware: hardware, workload: workloads[0])
        #expect(training.predictedSparse == simulated.simulated.time && training.predictedDense == simulated.simulated.denseTime)

        let report = CPUCrossCheckReport(hardware: hardware.name, threads: 2, rows: rows)
        let lines = report.table.split(separator: "\n")
        #expect(lines[1].contains(" pass ") && lines[1].contains("backward meas/pred"))
        #expect(lines[2].contains(" training ") && lines[3].contains(" backward ") && lines[4].contains(" forward "))
        guard case .array(let items) = report.json else { Issue.record("not a list"); return }
        #expect(items[0]["pass"] == .string("training") && items[1]["pass"] == .string("backward"))
        #expect(items[2]["pass"] == .string("forward") && items[2]["measured_backward_time_s"] == .null)
        for key in ["workload", "measured_time_s", "predicted_time_s", "measured_speedup", "predicted_speedup", "bound_speedup",
                    "measured_backward_time_s", "predicted_backward_time_s"] {
            #expect(items[0][key] != nil, "\(key)")
        }
        #expect(report.csv.split(separator: "\n").first?.contains(",pass,") == true)
    }

    /// `--fit` on training workloads fits the backward's efficiency: from times the simulator predicts at 0.3, a fit
    /// started at 0.5 finds 0.3 again and leaves the forward costs alone.
    @Test func backwardFitRecoversTheEfficiency() throws {
        let hardware = try HardwareSpec.parse(text: Self.trainingHardware, file: "cpu.yaml")
        var truth = hardware
        truth.kernels["cpu"]?.backward?.efficiency = 0.3
        let samples = try ["causal", "none"].map { mask in
            let workload = try Workload.parse(text: """
                attnsim: 1
                name: fit-\(mask)
                pass: training
                problem: {heads: 2, head_dim: 32, tokens: 256, dtype: fp32}
                mask: {kind: \(mask)}
                kernel: {backend: cpu}
                """, file: "fit.yaml")
            let result = try Simulator.run(hardware: truth, workload: workload)
            return ProfileFit.Sample(workload: workload, dense: result.simulated.denseTime, sparse: try #require(result.simulated.time))
        }
        let start = try #require(hardware.kernels["cpu"])
        let fitted = ProfileFit.fitBackward(hardware: hardware, backend: "cpu", start: start, samples: samples)
        #expect(abs(try #require(fitted.backward?.efficiency) - 0.3) < 0.005)
        #expect(fitted.efficiency == start.efficiency && fitted.perCTA == start.perCTA)
    }

    /// The committed host file prices the shipped training workloads with its calibrated backward: every one simulates
    /// with the CPU engine, its backward's kernels those of a `dq: separate` backward (no kernels are timed here).
    @Test func shippedTrainingWorkloadsUseTheCalibratedBackward() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/host-calibrated.yaml"))
        let backward = try #require(hardware.kernels["cpu"]?.backward)
        #expect(backward.dq == .separate && (backward.efficiency ?? 0) > 0)
        let files = Repo.files(in: "validation/cpu/training-workloads", withExtension: "yaml")
        #expect(files.count == 9)
        for file in files {
            let workload = try Workload.load(path: file)
            #expect(workload.pass.runsBackward, "\(file)")
            let result = try Simulator.run(hardware: hardware, workload: workload)
            #expect(result.simulated.model.rawValue == "cpu-event")
            let run = try #require(result.gpu?.sparseBackward, "\(file)")
            #expect(run.kernels.map(\.name) == ["preprocess", "dk_dv", "dq"], "\(file)")
            #expect((result.simulated.time ?? 0) >= run.total.time && run.total.time > 0, "\(file)")
        }
    }

    /// A training workload on a profile without `backward:`, or a pruned prefill's training, is an error before any
    /// kernel is timed.
    @Test func trainingWithoutBackwardProfileIsAnError() throws {
        let hardware = try HardwareSpec.parse(text: Self.hardware, file: "cpu.yaml")
        let workload = try Workload.parse(text: Self.trainingWorkloads[0], file: "wl.yaml")
        do {
            _ = try CPUCrossCheck(threads: 1, repetitions: 1).measure(workload, hardware: hardware)
            Issue.record("a training workload ran without a backward profile")
        } catch {
            #expect(error.description.contains("backward:"))
        }
        let pruned = try Workload.parse(text: Self.workloads[2].replacingOccurrences(of: "name: small-pruned\n",
                                                                               with: "name: small-pruned\npass: training\n"),
                                        file: "pruned.yaml")
        #expect(pruned.pass == .training)
        #expect(throws: Diagnostic.self) {
            _ = try CPUCrossCheck(threads: 1, repetitions: 1).measure(pruned, hardware: try HardwareSpec.parse(text: Self.trainingHardware, file: "cpu.yaml"))
        }
    }

    /// A GPU or spatial file, or a pruning mode the kernels do not run, is an error, not a wrong number.
    @Test func unsupportedInputsAreErrors() throws {
        let hardware = try HardwareSpec.parse(text: Self.hardware, file: "cpu.yaml")
        let decode = try Workload.parse(text: """
            attnsim: 1
            name: decode
            problem: {heads: 2, head_dim: 32, tokens: 1, kv_tokens: 256, dtype: fp32}
            pruning: {mode: decode, layers: 1, token_keep: [0.5]}
            kernel: {backend: cpu}
            """, file: "decode.yaml")
        #expect(throws: Diagnostic.self) { _ = try CPUCrossCheck(threads: 1, repetitions: 1).measure(decode, hardware: hardware) }
    }
}
