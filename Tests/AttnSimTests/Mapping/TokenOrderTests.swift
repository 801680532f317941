import Foundation
import Testing
@testable import AttnSim

/// `attnsim map`'s token-permutation answer for GNA: the best mapping in the flattened 1-D order against the best with
/// multi-dimensional tiles (the permutation that gathers each box of the token grid into one tile).
@Suite struct TokenOrderTests {
    /// A 16×32 grid whose neighbourhoods are 8×16 blocks (window = stride = 8×16: every query of a block attends
    /// exactly its block, the GNA paper's perfectly block-sparse case, references.md [GNA §3]). Permuted into 8×16
    /// tiles every visited tile is full; in the flattened order a 128-token tile is 4 rows of 32 tokens across two
    /// blocks, so tiles are partial — counted here element by element from `GNAMask.attends`.
    @Test func permutationTurnsPartialTilesFull() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let workload = try Workload.parse(text: """
            attnsim: 1
            name: blocks-16x32
            problem: {batch: 1, heads: 8, head_dim: 128, tokens: [16, 32], dtype: bf16}
            mask: {kind: gna, window: [8, 16], stride: [8, 16], causal: [false, false]}
            kernel: {backend: flex}
            """, file: "blocks.yaml")
        let report = try MappingReport(hardware: hardware, workload: workload)
        let order = try #require(report.tokenOrder)
        #expect(order.permuted.visited == order.permuted.full && order.permuted.visited > 0)
        // The flattened order, element by element: 512 tokens in 128-token tiles.
        let mask = try #require(workload.mask as? GNAMask)
        var visited = 0, full = 0
        for q0 in stride(from: 0, to: 512, by: 128) {
            for k0 in stride(from: 0, to: 512, by: 128) {
                var attended = 0
                for q in q0 ..< q0 + 128 { for k in k0 ..< k0 + 128 where mask.attends(query: q, key: k, head: 0) { attended += 1 } }
                if attended > 0 { visited += 1 }
                if attended == 128 * 128 { full += 1 }
            }
        }
        #expect(order.flattened.visited == visited && order.flattened.full == full)
        #expect(full < visited)
        #expect(order.gain > 1)
        #expect(report.record.tokenOrder?.gain == order.gain)
    }

    /// A 1-D mask has no other order to compare.
    @Test func oneDimensionalMasksHaveNone() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let report = try MappingReport(hardware: hardware,
                                       workload: try Workload.load(path: Repo.path("workloads/sliding-window-32k.yaml")))
        #expect(report.tokenOrder == nil)
    }
}
