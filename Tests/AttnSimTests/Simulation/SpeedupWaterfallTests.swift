import Foundation
import Testing
@testable import AttnSim

/// The speedup waterfall: each level is a real call with some mechanisms switched off, checked against sums written
/// out by hand; the chain starts at the FLOP bound computed from the mask and ends at the simulator's prediction.
@Suite struct SpeedupWaterfallTests {
    /// A call of `ctas` CTAs on 4 single-slot SMs, each with 10 visited tiles of which 6 are full, at 1 µs a tile.
    static func call(ctas: Int, masked: Double = 1.5, perCTA: Double = 0, launch: Double = 0, host: Double? = nil,
                     bandwidth: Double = .infinity, bytesPerTile: Double = 0) -> KernelCall {
        var cost = GPUKernelCost(sms: 4, ctasPerSM: 1, computeTileTime: 1e-6, memoryTileTime: 0, maskedTileCost: masked,
                                 perCTA: perCTA, launch: launch, dramBytesPerTile: bytesPerTile, kvTileBytes: bytesPerTile,
                                 tileFLOPs: 1)
        cost.bandwidth = bandwidth
        let grid = QTileGrid(tiles: Array(repeating: QTileVisit(visited: 10, full: 6), count: ctas), denseKVTiles: 10,
                             qTileTokens: 128, kvTileTokens: 128)
        return KernelCall(grid: grid, instances: 1, cost: cost, persistent: false, problemBytes: 0, hostOverhead: host)
    }

    /// 5 CTAs on 4 slots: two waves. By hand: schedule level 2 × 10 µs; masked tiles add 4 × 0.5 µs per CTA;
    /// 3 µs per CTA and a 4 µs launch add 2 × 3 + 4; a host that takes 100 µs to issue the call holds it to 100 µs.
    @Test func levelsByHand() {
        let call = Self.call(ctas: 5, perCTA: 3e-6, launch: 4e-6)
        #expect(abs(call.tileWorkTime - 5 * 10e-6 / 4) < 1e-15)
        #expect(abs(call.time(upTo: .schedule) - 20e-6) < 1e-15)
        #expect(abs(call.time(upTo: .maskEvaluation) - 2 * 12e-6) < 1e-15)
        #expect(abs(call.time(upTo: .fixedCosts) - (2 * 15e-6 + 4e-6)) < 1e-15)
        #expect(call.time(upTo: .memory) == call.simulate().time)
        let hosted = Self.call(ctas: 5, perCTA: 3e-6, launch: 4e-6, host: 100e-6)
        #expect(abs(hosted.time(upTo: .maskEvaluation) - 24e-6) < 1e-15)
        #expect(abs(hosted.time(upTo: .fixedCosts) - 100e-6) < 1e-15)
    }

    /// The levels the waterfall reads skip runs that cannot differ (no partial tiles, no fixed costs) and agree
    /// with timing every level.
    @Test func levelTimesAgreeWithEveryRun() {
        var full = Self.call(ctas: 7)
        full.grid.tiles = full.grid.tiles.map { QTileVisit(visited: $0.visited, full: $0.visited) }
        for call in [Self.call(ctas: 5, perCTA: 3e-6, launch: 4e-6, host: 30e-6), Self.call(ctas: 6), full,
                     Self.call(ctas: 4, bandwidth: 1e12, bytesPerTile: 1e6)] {
            let every = KernelCall.Mechanisms.allCases.map { call.time(upTo: $0) }
            #expect(call.levelTimes(whole: call.simulate().time) == every)
        }
    }

    /// Memory: 4 CTAs (one wave) each moving 10 tiles × 1 MB at 1 TB/s shared — 40 MB take 40 µs, longer than the
    /// 12 µs of work, so only the memory level sees it.
    @Test func memoryLevel() {
        let call = Self.call(ctas: 4, bandwidth: 1e12, bytesPerTile: 1e6)
        #expect(abs(call.time(upTo: .fixedCosts) - 12e-6) < 1e-15)
        #expect(abs(call.time(upTo: .memory) - 40e-6) < 1e-12)
    }

    static func simulate(_ hardware: String, _ workload: String) throws -> (SimulationResult, Workload) {
        let hw = try HardwareSpec.load(path: Repo.path("hardware/\(hardware).yaml"))
        let wl = try Workload.load(path: Repo.path("workloads/\(workload).yaml"))
        return (try Simulator.run(hardware: hw, workload: wl), wl)
    }

    /// On shipped GPU workloads the chain starts at the FLOP bound of the mask's own pair count, passes the mean tile
    /// bound of `TileAnalysis` (an independent count over the mask's tiles) where the dense grid has the same tiles,
    /// reaches the simulator's speedup at the memory level, and the steps' times add up to the sparse time.
    @Test(arguments: [("h100-sxm5-80gb", "hunyuan-gna-s16x8x8"), ("h100-sxm5-80gb", "sliding-window-32k"),
                      ("h200-sxm", "seer-block-sparse-32k"), ("h100-sxm5-80gb", "strided-16k"),
                      ("h100-sxm5-80gb", "document-sliding-window-32k")])
    func gpuChain(_ hardware: String, _ workload: String) throws {
        let (result, _) = try Self.simulate(hardware, workload)
        let waterfall = try #require(result.waterfall)
        let names = waterfall.steps.map(\.name)
        #expect(names.first == .flopBound && names.last == .endToEnd)
        #expect(names.contains(.wavesAndTail) && names.contains(.maskEvaluation) && names.contains(.fixedCosts))
        if let flop = result.bounds.flopSpeedup {
            #expect(abs(waterfall.steps[0].speedup / flop - 1) < 1e-9)
        }
        let tile = try #require(waterfall.step(.tileQuantisation))
        if let mean = result.bounds.tileSpeedupMean, let gpu = result.gpu,
           gpu.denseCall?.grid.qTileTokens == gpu.grid.qTileTokens, gpu.denseCall?.grid.kvTileTokens == gpu.grid.kvTileTokens,
           result.tileAnalysis?.patterns == 1 {
            // The mean tile bound counts dense tiles over visited ones; equal tile shapes make it the FLOP ratio of
            // whole tiles (ragged edges aside: the dense grid pads its last tile too).
            #expect(abs(tile.speedup / mean - 1) < 0.02, "tile step \(tile.speedup) vs mean tile bound \(mean)")
        }
        let memory = try #require(waterfall.step(.memory))
        let speedup = try #require(result.simulated.speedup)
        #expect(abs(memory.speedup / speedup - 1) < 1e-12)
        let upToMemory = waterfall.steps.prefix { $0.name != .maskConstruction }
        let time = try #require(result.simulated.time)
        #expect(abs(upToMemory.reduce(0) { $0 + $1.time } / time - 1) < 1e-9)
        // Factors multiply: each is the ratio of consecutive speedups.
        let product = waterfall.steps.reduce(1.0) { $0 * $1.factor }
        #expect(abs(product * waterfall.steps[0].speedup / waterfall.final! - 1) < 1e-9)
    }

    /// End to end: the last step is Amdahl over the model's attention share and schedule (GNA paper Tables 2–4,
    /// HunyuanVideo: a = 0.607, 15 of 50 steps dense), applied to the speedup after mask construction.
    @Test func endToEndIsAmdahl() throws {
        let (result, workload) = try Self.simulate("h100-sxm5-80gb", "hunyuan-gna-s16x8x8")
        let waterfall = try #require(result.waterfall)
        let model = try #require(workload.model)
        let beforeLast = waterfall.steps[waterfall.steps.count - 2].speedup
        let a = model.attentionShare
        let sparseStep = (1 - a) + a / beforeLast
        let total = Double(model.totalSteps ?? 1), dense = Double(model.denseSteps ?? 0)
        #expect(abs(waterfall.final! - total / (dense + (total - dense) * sparseStep)) < 1e-12)
        // Without mask construction the end-to-end step is `end_to_end.speedup`.
        #expect(waterfall.step(.maskConstruction)?.modelled == false)
        #expect(abs(waterfall.final! - result.endToEndSpeedup!) < 1e-12)
    }

    /// Mask construction: SeerAttention's gate runs every call, so its estimator time is the step's time.
    @Test func maskConstructionCountsTheEstimator() throws {
        let (result, _) = try Self.simulate("h200-sxm", "seer-block-sparse-32k")
        let step = try #require(result.waterfall?.step(.maskConstruction))
        let estimator = try #require(result.simulated.estimator)
        #expect(step.modelled)
        #expect(abs(step.time - estimator.time - (result.simulated.maskBuildTime ?? 0)) < 1e-15)
        let speedup = try #require(result.simulated.speedupWithEstimator)
        if result.simulated.maskBuildTime == nil { #expect(abs(step.speedup / speedup - 1) < 1e-12) }
    }

    /// A dense workload against its own kernel has no speedup to explain; a pruned one has a chain from its FLOP
    /// ratio through the engine's costs to its prediction.
    @Test func denseHasNoneAndOtherEnginesHaveOneStep() throws {
        #expect(try Self.simulate("h100-sxm5-80gb", "bert-base-1k").0.waterfall == nil)
        let (pruned, _) = try Self.simulate("spatten", "spatten/gpt2-medium-decode")
        let waterfall = try #require(pruned.waterfall)
        #expect(waterfall.steps.map(\.name) == [.flopBound, .otherCosts, .maskConstruction, .endToEnd])
        #expect(abs(waterfall.step(.otherCosts)!.speedup / pruned.simulated.speedup! - 1) < 1e-12)
    }

    /// The roofs: NVIDIA H100 SXM5 datasheet, dense BF16 989.4 TFLOP/s and HBM3 3.35 TB/s; FuseMax's cloud array
    /// (FuseMax artifact, arch-2d.yaml / arch-1d.yaml / cascade.py): 256×256 MAC PEs and 256 1D PEs at 940 MHz,
    /// DRAM 400 GiB/s.
    @Test func roofs() throws {
        let h100 = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml")).roofs(.bf16)
        #expect(h100.compute.map(\.flopsPerSecond) == [989.4e12])
        #expect(h100.memory.map(\.name) == ["HBM"] && h100.memory[0].bytesPerSecond == 3.35e12)
        let fusemax = try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml")).roofs(.bf16)
        #expect(fusemax.compute.map(\.name) == ["pe2d", "pe1d"])
        #expect(abs(fusemax.compute[0].flopsPerSecond - 65_536 * 2 * 940e6) < 1)
        #expect(abs(fusemax.compute[1].flopsPerSecond - 256 * 2 * 940e6) < 1)
        #expect(abs((fusemax.memory.first?.bytesPerSecond ?? 0) / (400 * 1_073_741_824) - 1) < 1e-12)
    }
}
