import Foundation
import Testing
@testable import AttnSim

/// The GPU backward and training passes (`GPUEngine+Backward.swift`), held against the H200's forward + backward
/// runs (validation/gpu/h200-backward.json, lent H200, 2026-12-04) and against physics.
struct TrainingGPUTests {
    static let h200 = Repo.path("hardware/h200-sxm.yaml")

    static func workload(_ yaml: String) throws -> Workload {
        try Workload.parse(text: "attnsim: 1\nname: t\n" + yaml, file: "test.yaml")
    }

    /// A training point is its forward call and its backward kernels in sequence; the backward of dense attention costs
    /// more than its FLOPs at peak (no kernel beats the tensor cores) and, at 32K tokens, 2.3–3.2 times the forward, the
    /// range the H200 measured for dense backward ÷ forward (2.86–2.89 with cuDNN at head_dim 128, 2.55 at 64; flex
    /// 2.91–2.92; validation/gpu/h200-backward.json).
    @Test(arguments: ["flash", "flex"])
    func passesAddUp(backend: String) throws {
        let hardware = try HardwareSpec.load(path: Self.h200)
        let base = "problem: {heads: 16, head_dim: 128, tokens: 32768}\nmask: {kind: causal}\n"
            + "kernel: {backend: \(backend), q_tile: [128], kv_tile: [128]}\n"
        let forward = try Simulator.run(hardware: hardware, workload: Self.workload(base))
        let backward = try Simulator.run(hardware: hardware, workload: Self.workload("pass: backward\n" + base))
        let training = try Simulator.run(hardware: hardware, workload: Self.workload("pass: training\n" + base))
        let (f, b, t) = (try #require(forward.simulated.time), try #require(backward.simulated.time),
                         try #require(training.simulated.time))
        #expect(abs(t - (f + b)) <= 1e-12 * t)
        #expect(b / f > 2.3 && b / f < 3.2, "backward ÷ forward \(b / f)")
        #expect(backward.denseFLOPs == 2.5 * forward.denseFLOPs)
        let peak = try #require(hardware.peakFLOPs(.bf16))
        let effective = try #require(backward.effectiveFLOPs)
        #expect(b >= effective / peak)
        let denseBackward = try #require(backward.simulated.denseTime)
        #expect(denseBackward >= backward.denseFLOPs / peak)
        // The kernels the backend launches.
        let names = try #require(backward.gpu?.sparseBackward).kernels.map(\.name)
        #expect(names == (backend == "flash" ? ["preprocess", "dk_dv_dq_atomic", "convert_dq"] : ["preprocess", "dk_dv", "dq"]))
    }

    /// The target: held-out median |time error| of forward + backward at most 12 % on the H200, and no bound
    /// below a measured speedup.
    @Test func heldOutTrainingRuns() throws {
        let hardware = try HardwareSpec.load(path: Self.h200)
        let check = try GPUCrossCheck(path: Repo.path("validation/gpu/h200-backward.json"))
        // 40 runs, and SDPA's 10 with FlashAttention-2 forced (the `fa2` profile).
        #expect(check.isTraining && check.measurements.count == 50)
        var errors: [Double] = []
        for (index, m) in check.measurements.enumerated() {
            let result = try Simulator.run(hardware: hardware, workload: m.workload)
            let time = try #require(result.simulated.time)
            if !check.trains(m, index: index) { errors.append(abs(time / m.sparseTime - 1)) }
            // The FlashAttention-2 runs are single timings taken beside cuDNN's (`repeat=False` in backward_bench.py), and
            // its causal fwd + bwd measured 2.03× and 2.004× against a FLOP-wise 2.00× (README, "Training"): they are
            // left out of the bound check, which covers the 40 repeated runs.
            if let measured = m.measuredSpeedup, m.family != "fa2" {
                for bound in [result.bounds.waveSpeedup, result.bounds.flopSpeedup].compactMap({ $0 }) {
                    #expect(bound >= measured, "\(m.id): bound \(bound) below the measured \(measured)")
                }
            }
        }
        let median = errors.sorted()[errors.count / 2]
        #expect(errors.count == 33 && median <= 0.12, "held-out median |time error| \(median)")
    }

    /// A backend without a backward profile is an error naming the key to add.
    @Test func missingBackwardProfile() throws {
        let hardware = try HardwareSpec.load(path: Self.h200)
        let workload = try Self.workload("pass: training\nproblem: {head_dim: 128, tokens: 4096}\n"
            + "kernel: {backend: block-sparse, q_tile: [64], kv_tile: [64]}\nmask: {kind: block, block: 64, density: 0.2, causal: true}")
        #expect(throws: Diagnostic.self) { try Simulator.run(hardware: hardware, workload: workload) }
        do { _ = try Simulator.run(hardware: hardware, workload: workload) } catch {
            #expect(error.description.contains("backward:") && error.description.contains("flash, flex"))
        }
    }

    /// The training-step roll-up: the linear layers do 6 FLOPs per weight and token (references.md [Megatron-LM] §5.1:
    /// forward 2, backward 4), mixed-precision Adam streams 28 bytes per weight (its 16 bytes of state, references.md
    /// [ZeRO] §3: the fp32 states and the gradient read, the fp32 states and the weight written), and the step's
    /// speedup is its dense time over its sparse time with the same linear layers and update.
    @Test func trainingStepRollUp() throws {
        let hardware = try HardwareSpec.load(path: Self.h200)
        let workload = try Workload.load(path: Repo.path("workloads/training-hunyuan-gna.yaml"))
        let result = try Simulator.run(hardware: hardware, workload: workload)
        let weights = 4.0 * 3072 * 3072 + 2.0 * 3072 * 12288
        let tokens = 30.0 * 48 * 80
        let peak = try #require(hardware.peakFLOPs(.bf16))
        let linear = try #require(result.linearTime), update = try #require(result.optimizerTime)
        #expect(abs(linear - 6 * weights * tokens / peak) <= 1e-9 * linear)
        // 4.8 TB/s: the H200's HBM3e (references.md [H200-specs]).
        #expect(abs(update - weights * 28 / 4.8e12) <= 1e-9 * update)
        let (sparse, dense) = (try #require(result.simulated.time), try #require(result.simulated.denseTime))
        let step = try #require(result.layerTime)
        #expect(abs(step - (sparse + linear + update)) <= 1e-12)
        let speedup = try #require(result.endToEndSpeedup)
        #expect(abs(speedup - (dense + linear + update) / (sparse + linear + update)) <= 1e-12)
        let attentionSpeedup = try #require(result.simulated.speedup)
        #expect(speedup > 1 && speedup < attentionSpeedup)
        // An optimizer without the layer's widths is an error.
        #expect(throws: Diagnostic.self) {
            try Workload.parse(text: "attnsim: 1\nname: t\npass: training\nproblem: {head_dim: 64, tokens: 128}\n"
                               + "model: {attention_share: 0.5, optimizer: adam}", file: "t.yaml")
        }
    }

    /// The mapper picks the dQ variant among those a profile offers: it ranks every candidate by its simulated time, so
    /// its choice is the faster of the two variants simulated one by one; a variant the backend lacks is an error; and a
    /// training pass with the backend left to the mapper skips backends without a backward.
    @Test func mapperPicksTheDQVariant() throws {
        var hardware = try HardwareSpec.load(path: Self.h200)
        var both = try #require(hardware.kernels["flash"]?.backward)
        both.variants = [.atomic, .separate]
        hardware.kernels["flash"]?.backward = both
        let shape = "problem: {heads: 16, head_dim: 128, tokens: 16384}\nmask: {kind: causal}\n"
        func time(_ dq: String) throws -> Double {
            let workload = try Self.workload("pass: training\n" + shape
                + "kernel: {backend: flash, q_tile: [128], kv_tile: [128], dq: \(dq)}")
            return try #require(try Simulator.run(hardware: hardware, workload: workload).simulated.time)
        }
        let (atomic, separate) = (try time("atomic"), try time("separate"))
        #expect(atomic != separate)
        let auto = try Self.workload("pass: training\n" + shape + "kernel: {backend: flash, q_tile: [128], kv_tile: [128], dq: auto}")
        let ranked = try GPUEngine.rank(hardware: hardware, workload: auto)
        #expect(ranked.map(\.mapping.dq).contains(.atomic) && ranked.map(\.mapping.dq).contains(.separate))
        let chosen = try Simulator.run(hardware: hardware, workload: auto)
        #expect(chosen.gpu?.mapping.dq == (atomic < separate ? .atomic : .separate))
        #expect(chosen.simulated.time == min(atomic, separate))

        let flex = try Self.workload("pass: training\n" + shape + "kernel: {backend: flex, q_tile: [128], kv_tile: [128], dq: atomic}")
        #expect(throws: Diagnostic.self) { try Simulator.run(hardware: hardware, workload: flex) }

        let block = try Self.workload("pass: training\nproblem: {heads: 8, head_dim: 128, tokens: 8192}\n"
            + "mask: {kind: block, block: 128, density: 0.2, causal: true}\nkernel: {q_tile: [128], kv_tile: [128]}")
        let picked = try Simulator.run(hardware: hardware, workload: block)
        let backend = try #require(picked.gpu?.mapping.backend)
        #expect(hardware.kernels[backend]?.backward != nil, "picked \(backend)")
    }

    /// Deterministic FlashAttention-2: ⌈SMs ÷ instances⌉ CTAs per instance, CTA s owning KV tiles s, s + n, … (PyTorch's
    /// vendored FlashAttention-2, `run_flash_bwd_seqk_parallel`): the same pairs in fewer CTAs, never faster; a backend
    /// without the mode is an error.
    @Test func deterministicBackward() throws {
        let hardware = try HardwareSpec.load(path: Self.h200)
        let kv = QTileGrid.causalKVMajor(queries: 1000, keys: 1000, qTile: 64, kvTile: 64)
        let grouped = GPUEngine.deterministicGrid(kv, splits: 5, heads: 1)
        #expect(grouped.tiles.count == 5 && grouped.visited == kv.visited && grouped.full == kv.full)
        // CTA 0 owns KV tiles 0, 5, 10, 15 of the 16; causal KV tile n is touched by Q tiles n…15, 16 − n of them:
        // 16 + 11 + 6 + 1.
        #expect(grouped.tiles[0].visited == 16 + 11 + 6 + 1)
        func time(_ backend: String, _ deterministic: Bool) throws -> Double {
            let workload = try Self.workload("pass: backward\nproblem: {batch: 2, heads: 16, head_dim: 128, tokens: 8192}\n"
                + "mask: {kind: causal}\nkernel: {backend: \(backend), q_tile: [128], kv_tile: [128], deterministic: \(deterministic)}")
            return try #require(try Simulator.run(hardware: hardware, workload: workload).simulated.time)
        }
        #expect(try time("fa2", true) > time("fa2", false))
        #expect(throws: Diagnostic.self) { try time("flash", true) }
        // FlexAttention's separate dQ pass is deterministic already: the flag changes nothing.
        #expect(try time("flex", true) == time("flex", false))
    }
}

