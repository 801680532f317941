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
}
