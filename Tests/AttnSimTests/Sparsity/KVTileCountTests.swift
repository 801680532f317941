import Testing
@testable import AttnSim

/// `TileWork.kvTileCounts` (O(1)) counts exactly the KV tiles `forEachKVTile` walks (the CPU kernels' visits).
@Suite struct KVTileCountTests {
    @Test func countsMatchTheWalkOnEverySmallAxis() {
        var checked = 0
        for n in 2...16 {
            for window in 2...n {
                for stride in 1...window {
                    for causal in [false, true] {
                        let axis = GNAAxis(length: n, window: window, stride: stride, causal: causal)
                        for qTile in 1...5 {
                            for kvTile in 1...5 {
                                for kvTiling in [KernelChoice.KVTiling.static, .dynamic] {
                                    var q0 = 0
                                    while q0 < n {
                                        var walked = TileWork.AxisTile(visited: 0, full: 0)
                                        TileWork.forEachKVTile(axis, groupLength: n, qStart: q0, qTile: qTile, kvTile: kvTile,
                                                               kvTiling: kvTiling) { _, full in
                                            walked.visited += 1
                                            if full { walked.full += 1 }
                                        }
                                        let counted = TileWork.kvTileCounts(axis, groupLength: n, qStart: q0, qTile: qTile,
                                                                            kvTile: kvTile, kvTiling: kvTiling)
                                        if counted != walked {
                                            Issue.record("\(axis) q0 \(q0) TQ \(qTile) TKV \(kvTile) \(kvTiling): \(counted) vs \(walked)")
                                            return
                                        }
                                        checked += 1
                                        q0 += qTile
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 100_000)
    }
}
