import Foundation
import Testing
@testable import AttnSim

/// Masks on spatial arrays: the array runs only the M0 × P0 tiles a mask visits. Checked against facts that do not
/// depend on the model's numbers: a mask with every block full is dense; with whole tiles skipped, the MAC work
/// falls by exactly the skipped share; nothing runs faster than its visited share of the dense time.
struct SpatialMaskTests {
    static let fusemax = Result { try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml")) }

    /// A block-mask workload of `tokens` tokens (blocks of 256, the FuseMax array side) from full-block lists.
    static func workload(tokens: Int, full: [[Int]], partial: [[Int]]? = nil) throws -> Workload {
        let table = BlockMaskFile(
            blockSize: (256, 256),
            heads: [.init(full: Self.table(full), partial: Self.table(partial ?? full.map { _ in [] }))],
            attendedPairs: nil, perHead: false)
        let path = try temporaryFile(named: "mask.json", contents: Data(table.jsonBytes()))
        return try Workload.parse(text: """
            attnsim: 1
            name: spatial-block
            problem: {batch: 2, heads: 4, head_dim: 64, tokens: \(tokens), dtype: fp16}
            mask: {kind: block, file: \(path)}
            """, file: "wl.yaml")
    }

    static func table(_ rows: [[Int]]) -> BlockTable {
        var table = BlockTable()
        for row in rows {
            table.indices += row.map(Int32.init)
            table.offsets.append(table.indices.count)
        }
        return table
    }

    @Test func everyBlockFullIsDense() throws {
        let hardware = try Self.fusemax.get()
        let n = 8
        let masked = try Simulator.run(hardware: hardware,
                                       workload: Self.workload(tokens: 256 * n, full: (0..<n).map { _ in Array(0..<n) }))
        #expect(masked.simulated.model == .spatial)
        #expect(masked.simulated.time == masked.simulated.denseTime)
        #expect(masked.simulated.dramBytes == masked.simulated.denseDRAMBytes)
    }

    /// Block-diagonal attention over 8 blocks skips 7/8 of the tiles: the 2D array's MACs (one per QK and AV
    /// point) fall to exactly 1/8, and the time to no less than 1/8 of dense.
    @Test func skippedTilesDoNoWork() throws {
        let hardware = try Self.fusemax.get()
        let n = 8
        let diagonal = try Self.workload(tokens: 256 * n, full: (0..<n).map { [$0] })
        let dense = try Self.workload(tokens: 256 * n, full: (0..<n).map { _ in Array(0..<n) })
        let sparse = try Simulator.run(hardware: hardware, workload: diagonal)
        let full = try Simulator.run(hardware: hardware, workload: dense)
        let macs = { (r: SimulationResult) in r.energy?.components.first { $0.name == "mac" }?.joules ?? 0 }
        #expect(abs(macs(sparse) / macs(full) - 1.0 / 8) < 1e-12)
        let time = try #require(sparse.simulated.time), denseTime = try #require(full.simulated.time)
        #expect(time >= denseTime / 8 * (1 - 1e-12))
        #expect(time < denseTime)
        #expect(try #require(sparse.simulated.dramBytes) < (try #require(full.simulated.dramBytes)))
        for (_, busy) in sparse.simulated.utilization { #expect(busy >= 0 && busy <= 1 + 1e-12) }
    }

    /// Partial tiles pay the element mask: the same visited tiles keep the array that evaluates it busier, and never
    /// take less time (the mask may hide behind another array that binds).
    @Test func partialTilesPayTheMask() throws {
        let hardware = try Self.fusemax.get()
        let n = 4
        let full = try Simulator.run(hardware: hardware, workload: Self.workload(tokens: 256 * n, full: (0..<n).map { [$0] }))
        let partial = try Simulator.run(hardware: hardware, workload: Self.workload(
            tokens: 256 * n, full: (0..<n).map { _ in [] }, partial: (0..<n).map { [$0] }))
        #expect(try #require(partial.simulated.time) >= (try #require(full.simulated.time)))
        let busy = { (r: SimulationResult) in r.spatial?.busyCycles.map(\.1).reduce(0, +) ?? 0 }
        #expect(busy(partial) > busy(full))
        #expect(partial.tiles?.partial == n && full.tiles?.full == n)
    }
}
