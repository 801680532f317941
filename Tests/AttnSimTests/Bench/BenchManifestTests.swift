import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// bench/manifest.yaml lists every `attnsim bench` case exactly once, and nothing else.
@Suite struct BenchManifestTests {
    @Test func manifestCoversEveryCase() throws {
        let manifest = try BenchManifest.load(path: Repo.path("bench/manifest.yaml"))
        let listed = manifest.cases.map(\.name)
        let cases = (Benchmark.all(root: Repo.root.path) + KernelBenchmarks.all()).map(\.name)
        #expect(Set(listed) == Set(cases))
        #expect(listed.count == Set(listed).count)
        #expect(manifest.cases.contains { !$0.peers.isEmpty })
        #expect(BenchManifest.ratio(3010.4) == "3010× faster" && BenchManifest.ratio(0.5) == "2.0× slower")
    }
}
