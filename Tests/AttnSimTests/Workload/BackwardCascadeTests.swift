import Testing
@testable import AttnSim

/// The backward cascades (`Cascade+Backward.swift`) and `pass:` in workload files.
struct BackwardCascadeTests {
    /// Passes over the keys m: FlashAttention-2's backward with the saved log-sum-exp and the preprocessing D is one
    /// pass (references.md [FlashAttention-2] Algorithm 2 walks each KV tile's Q tiles once); D taken from P ∘ dP needs
    /// the whole row first (two); recomputing the softmax without saved statistics is FuseMax's 3-pass softmax first
    /// (references.md [FuseMax] §III, Cascade 4: three). The forward presets keep their counts (3, 2, 1).
    @Test func passesOverTheKeys() throws {
        let expected = ["attention-backward": 1, "attention-backward-d-from-p": 2, "attention-backward-recompute": 3,
                        "attention-3pass": 3, "attention-2pass": 2, "attention-1pass": 1]
        for (name, passes) in expected {
            let cascade = try #require(Cascade.preset(named: name), "\(name) parses")
            #expect(cascade.passes(over: "m").total == passes, "\(name)")
        }
        // KV-major: the backward's reductions over the queries (dK, dV) are one pass over p.
        #expect(try #require(Cascade.preset(named: "attention-backward")).passes(over: "p").total == 1)
    }

    /// The backward does 2.5 times the forward's multiply-accumulates when E = F: five matrix products against two
    /// (references.md [FlashAttention-2] §3.2: "2 matmuls in the forward pass and 5 matmuls in the backward pass").
    @Test func fiveProductsAgainstTwo() throws {
        let problem = try BlockSparseKernelTests.workload("problem: {head_dim: 64, tokens: 1024}").problem
        let binding = RankBinding.attention(problem)
        let forward = try #require(Cascade.preset(named: "attention-1pass")).opCounts(binding: binding, multiplier: 1)
        let backward = try #require(Cascade.preset(named: "attention-backward")).opCounts(binding: binding, multiplier: 1)
        let macs = { (cost: CascadeCost) in cost.total.mac }
        // The backward's D preprocessing adds P·F MACs: 1024 · 64.
        #expect(macs(backward) == 2.5 * macs(forward) + 1024 * 64)
        #expect(PassFLOPs.backward(headDim: 64, valueDim: 64) == 2.5 * PassFLOPs.forward(headDim: 64, valueDim: 64))
    }

    @Test func passKeyAndErrors() throws {
        let training = try BlockSparseKernelTests.workload("pass: training\nproblem: {head_dim: 64, tokens: 128}")
        #expect(training.pass == .training && training.backwardCascadeName == "attention-backward")
        #expect(try BlockSparseKernelTests.workload("problem: {head_dim: 64, tokens: 128}").pass == .forward)
        // A backward cascade on a forward workload, an unknown pass, and a forward preset as the backward cascade.
        for (yaml, fragment) in [
            ("problem: {head_dim: 64, tokens: 128}\nbackward_cascade: attention-backward", "test.yaml:4:19"),
            ("pass: inference\nproblem: {head_dim: 64, tokens: 128}", "forward, backward, training"),
            ("pass: backward\nproblem: {head_dim: 64, tokens: 128}\nbackward_cascade: attention-1pass", "attention-backward-d-from-p"),
            ("problem: {head_dim: 64, tokens: 128}\ncascade: attention-backward", "unknown cascade preset"),
        ] {
            #expect(throws: Diagnostic.self) { try BlockSparseKernelTests.workload(yaml) }
            do { _ = try BlockSparseKernelTests.workload(yaml) } catch {
                #expect(String(describing: error).contains(fragment), "\(error)")
            }
        }
    }
}
