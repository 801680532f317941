import Foundation
import Testing
import Yams
@testable import AttnSim

/// `uniform:` axes: one value set on every layer of a per-layer pruning list, recorded as the value itself.
struct UniformAxisTests {
    static func spec(_ axis: String, workload: String = "workloads/spatten/gpt2-medium-decode.yaml") throws(Diagnostic) -> SweepSpec {
        try SweepSpec.parse(text: """
            attnsim: 1
            name: t
            hardware: hardware/spatten.yaml
            workload: \(workload)
            axes:
              - \(axis)
            """, file: Repo.path("t.yaml"))
    }

    @Test func expandsToEveryLayer() throws {
        let spec = try Self.spec("{path: pruning.token_keep, uniform: [1.0, 0.5]}")
        let layers = try #require(try Workload.load(path: Repo.path("workloads/spatten/gpt2-medium-decode.yaml")).pruning?.layers)
        let axis = try #require(spec.axes.first)
        #expect(axis.values.count == 2)
        let set = try #require(axis.values[1][0].sequence)
        #expect(set.count == layers && set.allSatisfy { $0.scalar?.string == "0.5" })
        #expect(axis.shown(1, 0).scalar?.string == "0.5")
        let runner = SweepRunner(spec: spec, output: NSTemporaryDirectory() + "unused", jobs: 1)
        #expect(runner.axesJSON([1])["pruning.token_keep"] == .number(0.5))
    }

    /// The shipped SpAtten sweep says each keep ratio once and records it as a number.
    @Test func shippedSweepUsesIt() throws {
        let spec = try SweepSpec.load(path: Repo.path("sweeps/spatten-keep-targets.yaml"))
        let axis = try #require(spec.axes.first { $0.names == ["pruning.token_keep"] })
        #expect(axis.values.count == 11 && axis.values.allSatisfy { $0[0].sequence?.count == 24 })
    }

    @Test func errors() {
        func message(_ axis: String) -> String? {
            do { _ = try Self.spec(axis); return nil } catch { return error.description }
        }
        #expect(message("{path: mask.stride, uniform: [1]}")?.contains("per-layer list of the pruning schedule") == true)
        #expect(message("{path: pruning.token_keep, uniform: [1.0], values: [[1.0]]}")?.contains("not both") == true)
        #expect(message("{path: pruning.token_keep, uniform: []}")?.contains("at least one value") == true)
        #expect(message("{path: pruning.token_keep, uniform: [[1.0]]}")?.contains("one value") == true)
    }
}
