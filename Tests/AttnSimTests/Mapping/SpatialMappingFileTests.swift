import Foundation
import Testing
@testable import AttnSim

@Suite struct SpatialMappingFileTests {
    static let hardwarePath = Repo.path("hardware/fusemax-cloud.yaml")

    /// A mapping written out and read back evaluates to the same time and traffic; a workload can point at it.
    @Test func roundTrip() throws {
        let hardware = try HardwareSpec.load(path: Self.hardwarePath)
        let workload = try Workload.load(path: Repo.path("workloads/fusemax/bert-base-64k.yaml"))
        for dataflow in SpatialMapping.Dataflow.allCases {
            let mapping = try SpatialMapper.mapping(dataflow, hardware: hardware, problem: workload.problem)
            let path = try temporaryFile(named: "mapping.yaml", contents: Data(mapping.yaml.utf8))
            let loaded = try SpatialMapping.load(path: path, hardware: hardware)
            #expect(loaded == mapping, "\(dataflow)")
        }
        let best = try SpatialEngine.rank(hardware: hardware, workload: workload)[0]
        func time(_ yaml: String) throws -> Double {
            let path = try temporaryFile(named: "edited.yaml", contents: Data(yaml.utf8))
            var pinned = workload
            pinned.kernel = KernelChoice(mapping: path)
            return try #require(try Simulator.run(hardware: hardware, workload: pinned).simulated.time)
        }
        // An exp unit on the 2D array alone (SLN at 2 cycles instead of 7) gains nothing: its stage is
        // max(SLN + SLD, PRM + SPD) and the 1D half (PRM, still 7 + 1) binds (FuseMax Fig. 4: the two halves of
        // an epoch take almost the same number of cycles, references.md [FuseMax]).
        var edited = best.mapping.yaml.replacingOccurrences(of: "{einsum: SLN, array: pe2d, cycles_per_point: 7}",
                                                            with: "{einsum: SLN, array: pe2d, cycles_per_point: 2}")
        #expect(abs(try time(edited) / best.cost - 1) < 1e-12)
        // Exp units on both arrays: that stage drops from 8 N to 3 N cycles, T from (E + F + 10 + F·PE/M)·N to
        // (E + F + 5 + F·PE/M)·N (the form of FuseMaxClosedFormTests), here with E = F = 64, PE/M = 256/65536.
        edited = edited.replacingOccurrences(of: "{einsum: PRM, array: pe1d, cycles_per_point: 7}",
                                             with: "{einsum: PRM, array: pe1d, cycles_per_point: 2}")
        #expect(abs(try time(edited) / best.cost - (128.0 + 5 + 0.25) / (128.0 + 10 + 0.25)) < 1e-9)
        edited = edited.replacingOccurrences(of: "einsum: SLN,", with: "einsum: SLX,")
        let bad = try temporaryFile(named: "bad.yaml", contents: Data(edited.utf8))
        #expect(throws: Diagnostic.self) { try SpatialMapping.load(path: bad, hardware: hardware) }
        do {
            _ = try SpatialMapping.load(path: bad, hardware: hardware)
        } catch {
            #expect(error.message.contains("no Einsum `SLX`"))
            #expect(error.line == 14)
        }
    }

    /// A tile too small to count a long mask's tiles in seconds is an error at the mapping file's `tile:` line, and
    /// one the mapper would choose (a 2×2 array) an error of the hardware; the fuzzer found both taking over 10 s
    /// (2-D GNA over 65,536 tokens in 2-token tiles: 10⁹ tile tests; fuzz/regressions/*-gna-65536-tokens-hang).
    @Test func tilesTooSmallToCountAMaskAreErrors() throws {
        let hardware = try HardwareSpec.load(path: Self.hardwarePath)
        let workload = try Workload.load(path: Repo.path("workloads/flux-gna.yaml"))
        var mapping = try SpatialMapper.mapping(.fusemax, hardware: hardware, problem: workload.problem)
        mapping.tile = 2
        let path = try temporaryFile(named: "tiny-tile.yaml", contents: Data(mapping.yaml.utf8))
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let error = try #require(throws: Diagnostic.self) {
                try SpatialMapping.load(path: path, hardware: hardware, problem: workload.problem, mask: workload.mask)
            }
            #expect(error.line == 5 && error.message.contains("expected a larger tile"), "\(error)")
            #expect(throws: Diagnostic.self) {
                try SpatialEngine.evaluate(mapping, hardware: hardware, problem: workload.problem, mask: workload.mask)
            }
        }
        #expect(elapsed < .seconds(1))
        mapping.tile = 256
        _ = try SpatialEngine.evaluate(mapping, hardware: hardware, problem: workload.problem, mask: workload.mask)
    }
}
