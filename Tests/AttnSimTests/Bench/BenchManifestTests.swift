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

    static func loadError(_ text: String) throws -> Diagnostic? {
        let path = try temporaryFile(named: "manifest.yaml", contents: Data(text.utf8))
        do {
            _ = try BenchManifest.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    /// A malformed manifest is a diagnostic naming line, column and field, like every other file attnsim reads.
    @Test func malformedManifestsNameTheField() throws {
        let good = """
            attnsim: 1
            cases:
              - case: gna.bound.hunyuan
                covers: "GNA bounds"
                peers:
                  - {tool: "Timeloop", time: 10 ms, what: "one mapping", source: "references.md [peer-timings]"}
            """
        let manifest = try BenchManifest.load(path: try temporaryFile(named: "manifest.yaml", contents: Data(good.utf8)))
        #expect(manifest.cases.count == 1 && manifest.cases[0].peers.first?.time == 0.01)

        let misspelt = try #require(try Self.loadError(good.replacingOccurrences(of: "covers:", with: "cover:")))
        #expect(misspelt.line == 4 && misspelt.column == 5 && misspelt.path == "cases[0].cover")
        #expect(misspelt.message.contains("did you mean `covers`"))

        let missing = try #require(try Self.loadError(good.replacingOccurrences(of: "what: \"one mapping\", ", with: "")))
        #expect(missing.line == 6 && missing.path == "cases[0].peers[0].what" && missing.message.contains("missing required key"))

        let unitless = try #require(try Self.loadError(good.replacingOccurrences(of: "time: 10 ms", with: "time: 10")))
        #expect(unitless.line == 6 && unitless.path == "cases[0].peers[0].time")

        let version = try #require(try Self.loadError(good.replacingOccurrences(of: "attnsim: 1", with: "attnsim: 2")))
        #expect(version.line == 1 && version.path == "attnsim")

        let notAList = try #require(try Self.loadError("attnsim: 1\ncases: {case: x}\n"))
        #expect(notAList.line == 2 && notAList.path == "cases")
    }
}
