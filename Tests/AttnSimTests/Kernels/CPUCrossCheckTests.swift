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
