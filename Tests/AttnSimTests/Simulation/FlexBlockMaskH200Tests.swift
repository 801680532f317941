import Foundation
import Testing
@testable import AttnSim

/// Held-out check of block masks on a GPU: FlexAttention with four BlockMasks (causal, sliding window, documents,
/// 2-D neighbourhood) at 8K and 32K tokens, measured on an H200 (validation/gpu/h200-flex-block.json, torch 2.11,
/// 2026-12-03). The `flex` profile of hardware/h200-sxm.yaml was fitted on validation/gpu/h200-protocol.json, so
/// none of these runs informed the model.
struct FlexBlockMaskH200Tests {
    struct Row { var name: String; var measured: Double; var predicted: Double; var bound: Double }

    static func rows() throws -> [Row] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repo.path("validation/gpu/h200-flex-block.json")))
        let root = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let configs = try #require(root["configs"] as? [[String: Any]])
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h200-sxm.yaml"))
        return try configs.map { config in
            let mask = try #require(config["mask"] as? String).replacingOccurrences(of: "_", with: "-")
            let tokens = try #require(config["tokens"] as? Int)
            let name = "\(mask)-\(tokens / 1024)k"
            let workload = try Workload.load(path: Repo.path("validation/gpu/h200-block/\(name).yaml"))
            let result = try Simulator.run(hardware: hardware, workload: workload)
            let measured = try #require(config["flex_dense_ms"] as? Double) / (try #require(config["flex_ms"] as? Double))
            return Row(name: name, measured: measured, predicted: try #require(result.simulated.speedup),
                       bound: try #require(result.bounds.waveSpeedup))
        }
    }

    @Test func heldOutSpeedups() throws {
        let rows = try Self.rows()
        #expect(rows.count == 8)
        let errors = rows.map { abs($0.predicted / $0.measured - 1) }.sorted()
        let median = (errors[3] + errors[4]) / 2
        // 10 % when this test was written with the H100-fitted profile, 9.6 % with the H200 protocol fit (README,
        // "Block-sparse masks"); held to 15 %.
        #expect(median <= 0.15, "median |speedup error| \(median)")
        for row in rows { #expect(row.bound >= row.measured, "\(row.name): wave bound \(row.bound) < \(row.measured)") }
    }
}
