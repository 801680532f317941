import Foundation
import Testing
@testable import AttnSim

/// The backward cascades on FuseMax-style spatial arrays (`SpatialBackwardMapping`, `SpatialEngine+Backward.swift`),
/// against hand computations: the Einsum op counts of the backward and the forward, the DRAM words of the
/// KV-stationary loop nest counted tensor by tensor, the fibers the pass analysis says a multi-pass cascade carries,
/// and the physical floors on time.
@Suite struct SpatialBackwardTests {
    static let cloud = Result { try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml")) }

    /// fusemax-cloud with its 16 MiB global buffer replaced by `buffer`.
    static func hardware(buffer: String) throws -> HardwareSpec {
        let text = try String(contentsOfFile: Repo.path("hardware/fusemax-cloud.yaml"), encoding: .utf8)
        #expect(text.contains("size: 16 MiB"))
        return try HardwareSpec.parse(text: text.replacingOccurrences(of: "size: 16 MiB", with: "size: \(buffer)"),
                                      file: "fusemax-\(buffer).yaml")
    }

    static func workload(pass: TrainingPass, cascade: String = "attention-backward", batch: Int = 1, heads: Int = 2,
                         tokens: Int = 1024, e: Int = 64, f: Int = 64, backend: String = "fusemax",
                         mask: String = "{kind: none}") throws -> Workload {
        try Workload.parse(text: """
            attnsim: 1
            name: backward-test
            pass: \(pass.rawValue)
            \(pass == .forward ? "" : "backward_cascade: \(cascade)")
            problem: {batch: \(batch), heads: \(heads), head_dim: \(e), v_dim: \(f), tokens: \(tokens), dtype: fp16}
            mask: \(mask)
            kernel: {backend: \(backend)}
            """, file: "wl.yaml")
    }

    static func evaluate(_ workload: Workload, on hardware: HardwareSpec) throws -> SpatialEvaluation {
        let mapping = try SpatialEngine.chooseMapping(hardware: hardware, workload: workload)
        return try SpatialEngine.evaluate(mapping, hardware: hardware, problem: workload.problem, mask: workload.mask)
    }

    static func macs(_ actions: SpatialActions, on array: String) -> Double {
        actions.operations.first { $0.array == array }?.ops.mac ?? 0
    }

    /// The backward's five products against the forward's two, from the op counts the engine charges: FlashAttention-2
    /// §3.2 (references.md [FlashAttention-2]) counts 2(3E + 2F) FLOPs per pair for the backward (S recomputed, dV, dP,
    /// dQ, dK) against 2(E + F) for the forward, 2.5× when E = F. Both run their exp on the 2D array as 6 MACs
    /// (references.md [FuseMax-artifact] proposal.py), one per score, which the hand count takes out.
    @Test(arguments: [(64, 64), (128, 128), (64, 32)])
    func backwardProductsAreTheFLOPCountOfFlashAttention2(_ dims: (Int, Int)) throws {
        let (e, f) = dims
        let hardware = try Self.cloud.get()
        let forward = try Self.evaluate(Self.workload(pass: .forward, e: e, f: f), on: hardware)
        let backward = try Self.evaluate(Self.workload(pass: .backward, e: e, f: f), on: hardware)
        let scores = 1.0 * 2 * 1024 * 1024  // B·H·M·P
        let forwardProducts = Self.macs(forward.actions, on: "pe2d") - 6 * scores
        let backwardProducts = Self.macs(backward.actions, on: "pe2d") - 6 * scores
        #expect(forwardProducts == Double(e + f) * scores)
        #expect(backwardProducts == Double(3 * e + 2 * f) * scores)
        #expect(abs(backwardProducts / forwardProducts - Double(3 * e + 2 * f) / Double(e + f)) < 1e-12)
        if e == f { #expect(backwardProducts / forwardProducts == 2.5) }
        // The preprocessing D = rowsum(dO ∘ O): F MACs per query row, on the 1D array.
        #expect(Self.macs(backward.actions, on: "pe1d") == Double(f) * 2 * 1024)
    }

    /// DRAM bytes of the 1-pass backward, counted by hand from the dataflow (SpatialBackwardMapping): a 256 KiB buffer
    /// holds one 256-key block of K, V, dK, dV (256 × 256 words, 128 KiB) beside one 256-query tile of Q, dO, L, D, dQ
    /// (256 × 194 words, 97 KiB), and two blocks would need 353 KiB: K1 = 1, so M2 = 1024 / 256 = 4 blocks.
    @Test func oneSmallBlockTrafficByHand() throws {
        let hardware = try Self.hardware(buffer: "256 KiB")
        let run = try Self.evaluate(Self.workload(pass: .backward), on: hardware)
        let mapping = try #require(run.mapping.backward)
        #expect(mapping.kvTiles == 1 && mapping.kvBlocks == 4)
        let need: Double = 2 * (256 * 256 + 256 * 194)
        #expect(mapping.bufferNeed == need)
        // Words per instance (M = P = 1024, E = F = 64):
        let kv = 1024.0 * (64 + 64)                // K and V read once
        let gradients = 1024.0 * (64 + 64)         // dK and dV written once
        let queries = 4 * 1024.0 * (64 + 64 + 1 + 1)  // Q, dO, L, D through each of the 4 blocks
        let dq = (4 + 3) * 1024.0 * 64             // dQ written 4 times, read back 3
        let preprocessing = 1024.0 * (64 + 64) + 1024  // dO and O read, D written
        let bytes = 2 * 2 * (kv + gradients + queries + dq + preprocessing)  // 2 bytes, 2 instances
        #expect(run.dramBytes == bytes)
        #expect(run.dramBytes == 5_541_888)
    }

    /// The 2-pass cascade on the same small buffer: D = rowsum(P ∘ dP) reduces over the keys, so dS waits for the
    /// second pass and P and dP (2 words per pair, 4 MiB per instance) cannot stay in 256 KiB: written once, read back
    /// once (FuseMax §III's cost of a pass, references.md [FuseMax]). Pass 1 uses K, V, dV and Q, L, dO, D
    /// (256 × 192 + 256 × 130 words), pass 2 K, dK and Q, D, dQ (256 × 128 + 256 × 129): K1 = 1 again.
    @Test func twoPassSpillTrafficByHand() throws {
        let hardware = try Self.hardware(buffer: "256 KiB")
        let run = try Self.evaluate(Self.workload(pass: .backward, cascade: "attention-backward-d-from-p"), on: hardware)
        let mapping = try #require(run.mapping.backward)
        #expect(mapping.passes == 2 && mapping.kvTiles == 1 && mapping.kvBlocks == 4 && !mapping.fibersOnChip)
        #expect(mapping.fibers.crossings.map(\.tensor) == ["P", "DP"])
        let k = 2 * 1024.0 * 64       // K read by pass 1 (S) and pass 2 (dQ)
        let v = 1024.0 * 64           // V read by pass 1 (dP)
        let gradients = 1024.0 * 128  // dV (pass 1) and dK (pass 2) written once
        let q = 2 * 4 * 1024.0 * 64   // Q through 4 blocks in pass 1 (S) and pass 2 (dK)
        let l = 4 * 1024.0            // L through 4 blocks in pass 1
        let dO = 4 * 1024.0 * 64      // dO through 4 blocks in pass 1 (dV, dP)
        let d = (4 + 3 + 4) * 1024.0  // D summed over 4 blocks (written 4, read back 3), then read by 4 blocks of pass 2
        let dq = (4 + 3) * 1024.0 * 64
        let fibers = (2 + 2) * 1024.0 * 1024  // P and dP written once and read once
        #expect(run.backward?.fiberBytes == 2 * 2 * fibers)
        #expect(run.dramBytes == 2 * 2 * (k + v + gradients + q + l + dO + d + dq + fibers))
    }

    /// The fibers each cascade carries between passes (``PassFibers``), from the cascades' Einsums by hand: Cascade 4's
    /// QK then SN (references.md [FuseMax] §IV), one M fiber live at a time, each written and read once; the
    /// d-from-p backward's P and dP, both live across its one boundary; the recompute backward's S and SN, with dP
    /// formed in the pass that reads it.
    @Test func passFibersByHand() throws {
        let binding = RankBinding.attention(M: 1024, P: 1024, E: 64, F: 64)
        let forward = try #require(Cascade.preset(named: "attention-3pass")).passFibers(binding: binding)
        #expect(forward.crossings.map(\.tensor) == ["QK", "SN"])
        #expect(forward.heldPerPair == 1 && forward.writtenPerPair == 2 && forward.readPerPair == 2)
        let dFromP = try #require(Cascade.preset(named: "attention-backward-d-from-p")).passFibers(binding: binding)
        #expect(dFromP.heldPerPair == 2 && dFromP.writtenPerPair == 2 && dFromP.readPerPair == 2)
        let recompute = try #require(Cascade.preset(named: "attention-backward-recompute"))
        let fibers = try recompute.passFibers(binding: binding)
        #expect(fibers.crossings.map(\.tensor) == ["S", "SN"])
        #expect(fibers.heldPerPair == 1 && fibers.writtenPerPair == 2 && fibers.readPerPair == 2)
        let scheduled = recompute.scheduledPasses()
        let dp = try #require(recompute.einsums.firstIndex { $0.name == "DP" })
        #expect(recompute.passes().entries[dp].pass == 1 && scheduled[dp] == 3)
        let onePass = try #require(Cascade.preset(named: "attention-backward")).passFibers(binding: binding)
        #expect(onePass.crossings.isEmpty && onePass.heldPerPair == 0)
    }

    /// The pass counts the mapping reports are the pass analysis's (1, 2, 3), and a fiber that fits the buffer stays
    /// there: at 1K tokens P and dP take 1024 × 1024 × 2 words × 2 bytes = 4 MiB of the 16 MiB, so the 2-pass
    /// cascade moves no fiber through DRAM.
    @Test func passesAndBuffer() throws {
        let hardware = try Self.cloud.get()
        for (cascade, passes) in [("attention-backward", 1), ("attention-backward-d-from-p", 2),
                                  ("attention-backward-recompute", 3)] {
            let run = try Self.evaluate(Self.workload(pass: .backward, cascade: cascade), on: hardware)
            let mapping = try #require(run.mapping.backward)
            #expect(mapping.passes == passes)
            #expect(mapping.passes == Cascade.preset(named: cascade)?.passes(over: "m").total)
            #expect(mapping.bufferNeed <= hardware.sharedBufferBytes)
            #expect(run.backward?.fiberBytes == 0)
            #expect(mapping.fibersOnChip == (passes > 1))
        }
        let dFromP = try Self.evaluate(Self.workload(pass: .backward, cascade: "attention-backward-d-from-p"), on: hardware)
        // The held fibers (4 MiB), a block of K1 = 4 tiles of K, V, dV (4 × 256 × 192 words) and one Q tile of Q, L,
        // dO, D (256 × 130 words), 2 bytes a word.
        #expect(dFromP.mapping.backward?.kvTiles == 4)
        let need: Double = 4 * 1_048_576 + 2 * (4 * 256 * 192 + 256 * 130)
        #expect(dFromP.mapping.backward?.bufferNeed == need)
    }

    /// More passes never run faster: each extra pass re-walks the keys, re-reads what its Einsums use and carries
    /// fibers on chip or through DRAM; at 16K and 64K the fibers no longer fit and go through DRAM.
    @Test(arguments: [1024, 4096, 16384, 65536])
    func morePassesAreNeverFaster(_ tokens: Int) throws {
        for hardware in [try Self.cloud.get(), try Self.hardware(buffer: "256 KiB")] {
            let times = try ["attention-backward", "attention-backward-d-from-p", "attention-backward-recompute"].map {
                try Self.evaluate(Self.workload(pass: .backward, cascade: $0, batch: 4, heads: 12, tokens: tokens),
                                  on: hardware).time
            }
            #expect(times[0] <= times[1] && times[1] <= times[2], "\(tokens) tokens on \(hardware.name): \(times)")
        }
        if tokens >= 16384 {
            let spilled = try Self.evaluate(Self.workload(pass: .backward, cascade: "attention-backward-d-from-p",
                                                          tokens: tokens), on: Self.cloud.get())
            #expect(spilled.mapping.backward?.fibersOnChip == false)
            #expect(spilled.backward?.fiberBytes == 2 * 2 * 4 * Double(tokens) * Double(tokens))
        }
    }

    /// A training step is its forward and its backward in sequence: times, traffic, busy cycles and energy add.
    @Test func trainingIsForwardThenBackward() throws {
        let hardware = try Self.cloud.get()
        for cascade in ["attention-backward", "attention-backward-recompute"] {
            let forward = try Self.evaluate(Self.workload(pass: .forward, tokens: 4096), on: hardware)
            let backward = try Self.evaluate(Self.workload(pass: .backward, cascade: cascade, tokens: 4096), on: hardware)
            let training = try Self.evaluate(Self.workload(pass: .training, cascade: cascade, tokens: 4096), on: hardware)
            func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * abs(b) }
            #expect(close(training.time, forward.time + backward.time))
            #expect(training.forwardTime == forward.time && training.backward?.time == backward.time)
            #expect(close(training.dramBytes, forward.dramBytes + backward.dramBytes))
            let energy = try #require(training.energy(hardware: hardware)?.total)
            let parts = try #require(forward.energy(hardware: hardware)?.total) + (backward.energy(hardware: hardware)?.total ?? 0)
            #expect(close(energy, parts))
            for ((name, busy), (_, f)) in zip(training.busyCycles, forward.busyCycles) {
                let b = backward.busyCycles.first { $0.0 == name }?.1 ?? 0
                #expect(close(busy, f + b))
            }
        }
    }

    /// Time is never below the pass's FLOPs at the arrays' peak (PassFLOPs: 2(E + F) forward, 2(3E + 2F) backward per
    /// pair) nor below its DRAM bytes at the off-chip bandwidth, whichever dataflow, cascade and mask.
    @Test(arguments: [TrainingPass.backward, .training])
    func timeIsAboveItsFloors(_ pass: TrainingPass) throws {
        let hardware = try Self.cloud.get()
        let peak = try #require(hardware.peakFLOPs(.fp16))
        let bandwidth = try #require(hardware.offChip.bandwidth)
        for backend in ["fusemax", "fusemax-arch", "fusemax-cascade"] {
            for cascade in Cascade.backwardPresetNames {
                for (tokens, mask) in [(1024, "{kind: none}"), (16384, "{kind: none}"), (4096, "{kind: causal}")] {
                    let workload = try Self.workload(pass: pass, cascade: cascade, batch: 2, heads: 4, tokens: tokens,
                                                     backend: backend, mask: mask)
                    let result = try Simulator.run(hardware: hardware, workload: workload)
                    let time = try #require(result.simulated.time)
                    let pairs = 2.0 * 4 * Double(tokens) * Double(tokens)
                    #expect(result.denseFLOPs == pairs * PassFLOPs.perPair(pass, headDim: 64, valueDim: 64))
                    let flops = try #require(result.effectiveFLOPs)
                    #expect(time >= flops / peak, "\(backend) \(cascade) \(tokens)")
                    #expect(time >= (result.simulated.dramBytes ?? 0) / bandwidth, "\(backend) \(cascade) \(tokens)")
                    #expect(result.spatial?.backward?.mapping.passes == Cascade.preset(named: cascade)?.passes().total)
                }
            }
        }
    }

    /// The mapper ranks the dataflows with a backward; FLAT and unfused have none, and pinning one is an error that
    /// says so.
    @Test func dataflowsWithoutABackward() throws {
        let hardware = try Self.cloud.get()
        let ranked = try SpatialEngine.rank(hardware: hardware, workload: Self.workload(pass: .training, backend: "auto"))
        #expect(Set(ranked.map(\.mapping.dataflow)) == [.fusemax, .fusemaxArch, .fusemaxCascade])
        #expect(ranked.first?.mapping.dataflow == .fusemax)
        for backend in ["flat", "unfused"] {
            #expect(throws: Diagnostic.self) {
                _ = try SpatialEngine.rank(hardware: hardware, workload: Self.workload(pass: .backward, backend: backend))
            }
        }
        let training = try Self.workload(pass: .training)
        do {
            _ = try SpatialMapper.backward(.flat, hardware: hardware, workload: training)
            Issue.record("FLAT got a backward")
        } catch {
            #expect(error.message.contains("no backward"))
        }
    }

    /// A buffer that cannot hold one block beside one Q tile (128 KiB for K, V, dK, dV alone) is an error naming it.
    @Test func bufferTooSmallForOneBlock() throws {
        let hardware = try Self.hardware(buffer: "128 KiB")
        let workload = try Self.workload(pass: .backward)
        do {
            _ = try SpatialMapper.backward(.fusemax, hardware: hardware, workload: workload)
            Issue.record("a 128 KiB buffer held a 256-key block and a Q tile")
        } catch {
            #expect(error.message.contains("cannot hold one 256-key block"))
        }
    }

    /// A mapping file gives the forward; a training workload that pins one gets the mapper's backward for the file's
    /// dataflow, the same as without the file.
    @Test func mappingFileGetsTheMappersBackward() throws {
        let hardware = try Self.cloud.get()
        let mapped = try SpatialEngine.chooseMapping(hardware: hardware, workload: Self.workload(pass: .training))
        let path = try temporaryFile(named: "m.yaml", contents: Data(mapped.yaml.utf8))
        var workload = try Self.workload(pass: .training)
        var kernel = KernelChoice()
        kernel.mapping = path
        workload.kernel = kernel
        let fromFile = try SpatialEngine.chooseMapping(hardware: hardware, workload: workload)
        #expect(fromFile.pass == .training && fromFile.backward == mapped.backward && fromFile.backward != nil)
        let result = try SpatialEngine.run(hardware: hardware, workload: workload, options: EngineOptions())
        #expect(result.notes.contains { $0.contains("the mapping file gives the forward") })
    }

    /// The JSON record carries the backward's mapping and its share of time and traffic.
    @Test func recordCarriesTheBackward() throws {
        let hardware = try Self.cloud.get()
        let result = try Simulator.run(hardware: hardware, workload: Self.workload(pass: .training, tokens: 4096))
        let record = result.record
        let backward = try #require(record.simulated.mapping?.backward)
        #expect(backward.cascade == "attention-backward" && backward.passes == 1)
        #expect(backward.bindings.map(\.einsum) == ["Delta", "S", "P", "DV", "DP", "DS", "DQ", "DK"])
        #expect(backward.bindings.filter { $0.array == "pe1d" }.map(\.einsum) == ["Delta"])
        let time = try #require(record.simulated.timeS)
        let backwardTime = try #require(record.simulated.backwardTimeS)
        #expect(backwardTime > 0 && backwardTime < time)
        #expect(result.spatial?.forwardTime.map { abs($0 + backwardTime - time) <= 1e-12 * time } == true)
        let forward = try Simulator.run(hardware: hardware, workload: Self.workload(pass: .forward, tokens: 4096)).record
        #expect(forward.simulated.backwardTimeS == nil && forward.simulated.mapping?.backward == nil)
    }
}
