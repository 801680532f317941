import Testing
@testable import AttnSim

@Suite struct SpatialDesignSweepTests {
    /// The FuseMax artifact's buffer sweep (FuseMax Fig. 12 at 256K; references.md [FuseMax-artifact] `pareto.py`): the
    /// smallest power-of-two global buffer that keeps FuseMax compute-bound at 256K tokens, per PE array: 16² → 16 KiB,
    /// 32² → 32 KiB, 64² → 64 KiB, 128² → 128 KiB, 256² → 256 KiB, 512² → 1 MiB for E = 64 (BERT); twice that for
    /// E = 128 (XLM).
    @Test(arguments: [("bert-base-256k", [16, 32, 64, 128, 256, 512], [16, 32, 64, 128, 256, 1024]),
                      ("xlm-256k", [16, 32, 64, 128, 256, 512], [32, 64, 128, 256, 512, 2048])])
    func minimumBufferAt256K(_ file: String, _ sides: [Int], _ expectedKiB: [Int]) throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml"))
        let workload = try Workload.load(path: Repo.path("workloads/fusemax/\(file).yaml"))
        let buffers = (2...13).map { Double(1 << $0) * 1024 }   // 4 KiB … 8 MiB, doubling as the artifact does
        let sweep = try SpatialDesignSweep(hardware: hardware, workload: workload, dataflow: .fusemax, sides: sides,
                                           buffers: buffers)
        let found = sweep.minimumBuffers.map { $0.buffer.map { Int($0 / 1024) } }
        #expect(found == expectedKiB.map { Optional($0) }, "\(found)")
        // The same table's P1 at those buffers: 2 rows per array side up to 256², 4 at 512².
        for (side, kib) in zip(sides, expectedKiB) {
            let point = sweep.points.first { $0.side == side && $0.buffer == Double(kib) * 1024 }
            #expect(point?.evaluation?.mapping.p1 == (side == 512 ? 4 : 2), "P1 at \(side)²")
        }
    }

    /// A swept side or buffer is held to what a hardware file may give: the fuzzer's `--sides 16,2^63 − 1` overflowed
    /// the lanes (fuzz/regressions/argv-spatial-sweep-*).
    @Test func sweptSizesStayWithinTheHardwareLimits() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml"))
        for side in [0, HardwareSpec.maxArraySide + 1, Int.max] {
            #expect(throws: Diagnostic.self) { try SpatialDesignSweep.variant(hardware, side: side, buffer: 65536) }
        }
        for buffer in [0, 1e-300, 1e22, .infinity, .nan] {
            #expect(throws: Diagnostic.self) { try SpatialDesignSweep.variant(hardware, side: 16, buffer: buffer) }
        }
        #expect(try SpatialDesignSweep.variant(hardware, side: HardwareSpec.maxArraySide, buffer: 1e18).arrays[0].shape
                == [HardwareSpec.maxArraySide, HardwareSpec.maxArraySide])
    }
}
