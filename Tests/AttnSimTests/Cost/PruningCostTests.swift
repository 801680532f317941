import Testing
@testable import AttnSim

/// The pruning cost of a schedule (`PruningCost`), against the figures its source states.
@Suite struct PruningCostTests {
    /// references.md [LTP]: LTP's schedule with final keep 0.3 on 12 layers gives attention 1.78× and the FFN
    /// (∝ tokens) 1.41× less work.
    @Test func bertPrefillSavings() throws {
        let w = try Workload.load(path: Repo.path("workloads/spatten/bert-base-prefill.yaml"))
        let schedule = PruningSchedule(try #require(w.pruning), problem: w.problem)
        let cost = PruningCost(schedule)
        #expect(abs(cost.denseFLOPs / cost.flops - 1.78) < 0.02, "\(cost.denseFLOPs / cost.flops)")
        let tokens = schedule.layers.reduce(0) { $0 + $1.queries }, denseTokens = schedule.dense.reduce(0) { $0 + $1.queries }
        #expect(abs(Double(denseTokens) / Double(tokens) - 1.41) < 0.01)
    }
}
