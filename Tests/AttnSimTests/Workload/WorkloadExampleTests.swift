import Testing
@testable import AttnSim

@Suite struct WorkloadExampleTests {
    @Test func everyShippedWorkloadLoads() throws {
        let files = Repo.files(in: "workloads", withExtension: "yaml")
        #expect(files.count >= 7)
        for file in files { _ = try Workload.load(path: file) }
    }

    /// references.md [FuseMax-artifact] flat_validation.csv: BERT-Base B = 64, H = 12, E = F = 64; 1K = 1024 tokens.
    @Test func bertShape() throws {
        let workload = try Workload.load(path: Repo.path("workloads/bert-base-1k.yaml"))
        #expect(workload.problem == Problem(batch: 64, heads: 12, headDim: 64, valueDim: 64, tokens: [1024],
                                            kvTokens: [1024], dtype: .fp16))
        #expect(workload.mask.kind == "none")
    }

    /// GNA paper Table 1 and Tables 2–4: HunyuanVideo 30×48×80, window 18×24×24.
    @Test func hunyuanMask() throws {
        let workload = try Workload.load(path: Repo.path("workloads/hunyuan-gna-s16x8x8.yaml"))
        #expect(workload.problem.tokens == [30, 48, 80])
        let mask = try #require(workload.mask as? GNAMask)
        #expect(mask.axes.map(\.window) == [18, 24, 24])
        #expect(mask.axes.map(\.stride) == [16, 8, 8])
        #expect(mask.axes.map(\.causal) == [false, false, false])
    }

    /// references.md [Mistral-7B Table 1, §2]: 32 heads × 128, sliding window W = 4096; 32K tokens.
    @Test func mistralSlidingWindow() throws {
        let workload = try Workload.load(path: Repo.path("workloads/sliding-window-32k.yaml"))
        #expect(workload.problem.heads == 32 && workload.problem.headDim == 128 && workload.problem.tokens == [32768])
        #expect(workload.mask as? SlidingWindowMask == SlidingWindowMask(queries: 32768, keys: 32768, window: 4096))
    }

    /// references.md [CausVid causal_model.py], [Wan2.1]: 21 latent frames of 1560 tokens, 12 heads × 128.
    @Test func blockCausalVideo() throws {
        let workload = try Workload.load(path: Repo.path("workloads/block-causal-video.yaml"))
        #expect(workload.problem.heads == 12 && workload.problem.tokens == [21 * 1560])
        #expect(workload.mask as? BlockCausalMask == BlockCausalMask(queries: 32760, keys: 32760, block: 1560))
    }

    /// Both simulate end to end on the H100 with the `flex` profile (`Simulator.run` checks the physical
    /// invariants), with exact effective FLOPs and a tile analysis.
    @Test func oneDimensionalMaskWorkloadsSimulate() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        for name in ["sliding-window-32k", "block-causal-video"] {
            let workload = try Workload.load(path: Repo.path("workloads/\(name).yaml"))
            let result = try Simulator.run(hardware: hardware, workload: workload)
            #expect(result.gpu?.mapping.backend == "flex", "\(name)")
            #expect(result.effectiveFLOPs != nil && result.tiles != nil, "\(name)")
            #expect((result.simulated.speedup ?? 0) > 1, "\(name)")
        }
    }
}
