import Foundation
import Testing
@testable import AttnSim

/// `attnsim sweep` and `attnsim merge` through the real binary: bytes independent of --jobs, a resume after
/// `kill -9` and a shard-and-merge reproduce an uninterrupted run, invalid points are recorded, bad specs refused.
@Suite(.serialized) struct SweepTests {
    /// 3 × 40 = 120 points of a small 3-D GNA problem on the H100 with pinned tiles (milliseconds each, even in a
    /// debug build); stride 0 on the last axis (every 8th value) is invalid and recorded with its error.
    static func spec(in folder: URL) throws -> String {
        let workload = folder.appendingPathComponent("gna.yaml").path
        try """
            attnsim: 1
            name: small-gna
            problem: {heads: 4, head_dim: 64, tokens: [8, 16, 16], dtype: bf16}
            mask: {kind: gna, window: [5, 7, 7]}
            kernel: {backend: fna-hopper, q_tile: [2, 8, 8], kv_tile: [2, 8, 8], tiling: multi_dim}
            """.write(toFile: workload, atomically: true, encoding: .utf8)
        let strides = (1...40).map { "[\(($0 % 3) + 1), \(($0 % 5) + 1), \($0 % 8)]" }.joined(separator: ", ")
        let text = """
            attnsim: 1
            name: test-sweep
            hardware: \(Repo.path("hardware/h100-sxm5-80gb.yaml"))
            workload: gna.yaml
            axes:
              - {path: kernel.q_tile, values: [[2, 8, 8], [1, 8, 16], [4, 4, 8]]}
              - {path: mask.stride, values: [\(strides)]}

            """
        let path = folder.appendingPathComponent("sweep.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func outputs(_ folder: String) throws -> [String] {
        try ["sweep.json", "points.jsonl", "points.csv"].map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
    }

    @Test func jobsDoNotChangeTheBytesAndErrorsAreRecorded() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.spec(in: dir)
        let one = try CLI.run(["sweep", spec, "--out", dir.path + "/one", "--jobs", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        let two = try CLI.run(["sweep", spec, "--out", dir.path + "/two", "--jobs", "2"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try Self.outputs(dir.path + "/one") == Self.outputs(dir.path + "/two"))
        let lines = try String(contentsOfFile: dir.path + "/one/points.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 120)
        // Stride 0 on the last axis (every 24th value) is invalid: recorded, not fatal.
        let errors = lines.filter { $0.contains("\"status\":\"error\"") }
        #expect(!errors.isEmpty && errors.allSatisfy { $0.contains("stride") })
        // A rerun of a finished sweep evaluates nothing and changes nothing.
        let again = try CLI.run(["sweep", spec, "--out", dir.path + "/one", "--jobs", "2"])
        #expect(again.stderr.contains("0 evaluated now"))
        #expect(try Self.outputs(dir.path + "/one") == Self.outputs(dir.path + "/two"))
    }

    @Test func resumeAfterKillReproducesTheBytes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.spec(in: dir)
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/full"]).status == 0)
        // Start, kill -9 once some points are written, rerun.
        let process = Process()
        process.executableURL = try #require(CLI.executable)
        process.arguments = ["sweep", spec, "--out", dir.path + "/killed", "--jobs", "1"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let points = dir.path + "/killed/points"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let written = ((try? FileManager.default.contentsOfDirectory(atPath: points)) ?? []).filter { $0.hasSuffix(".json") }
            if written.count >= 10 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: points)) ?? []).filter { $0.hasSuffix(".json") }
        #expect(written.count < 120, "the run finished before it could be killed")
        let resumed = try CLI.run(["sweep", spec, "--out", dir.path + "/killed"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"))
        #expect(try Self.outputs(dir.path + "/killed") == Self.outputs(dir.path + "/full"))
    }

    @Test func shardsMergeToTheSameBytes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.spec(in: dir)
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/full"]).status == 0)
        for i in 0..<3 { #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/s\(i)", "--shard", "\(i)/3"]).status == 0) }
        let incomplete = try CLI.run(["merge", dir.path + "/s0", dir.path + "/s1", "--out", dir.path + "/bad"])
        #expect(incomplete.status == 2 && incomplete.stderr.contains("in no shard"))
        let repeated = try CLI.run(["merge", dir.path + "/s0", dir.path + "/s0", "--out", dir.path + "/bad"])
        #expect(repeated.status == 2 && repeated.stderr.contains("in both"))
        let merged = try CLI.run(["merge", dir.path + "/s0", dir.path + "/s1", dir.path + "/s2", "--out", dir.path + "/merged"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try Self.outputs(dir.path + "/merged") == Self.outputs(dir.path + "/full"))
    }

    @Test func badSpecsAndFoldersAreRefused() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "attnsim: 1\nname: x\nworkload: w.yaml\naxes:\n  - {path: mask..stride, values: [1]}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try CLI.run(["sweep", bad, "--out", dir.path + "/o"])
        #expect(result.status == 2 && result.stderr.contains("bad.yaml:5") && result.stderr.contains("not a field path"))
        // A folder of another sweep is not overwritten.
        let spec = try Self.spec(in: dir)
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/o2", "--shard", "0/40"]).status == 0)
        try (try String(contentsOfFile: spec, encoding: .utf8) + "# edited\n").write(toFile: spec, atomically: true, encoding: .utf8)
        let other = try CLI.run(["sweep", spec, "--out", dir.path + "/o2", "--shard", "0/40"])
        #expect(other.status == 2 && other.stderr.contains("another sweep"))
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/o3", "--shard", "3/2"]).status == 2)
    }

    static var hasGNUParallel: Bool {
        ["/usr/bin/parallel", "/usr/local/bin/parallel"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// scripts/sweep-parallel.sh: three shards through GNU parallel, merged, equal to a single run (.ci/run installs
    /// GNU parallel; without it this test is reported as skipped).
    @Test(.enabled(if: hasGNUParallel, "GNU parallel is not installed")) func gnuParallelFanOut() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.spec(in: dir)
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/full"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repo.path("scripts/sweep-parallel.sh"), spec, dir.path + "/fan", "3"]
        var environment = ProcessInfo.processInfo.environment
        environment["ATTNSIM"] = try #require(CLI.executable).path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Self.outputs(dir.path + "/fan/merged") == Self.outputs(dir.path + "/full"))
    }

    static var hasChromium: Bool {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// The report of a real sweep in a real browser: scripts/check-report.sh renders it in headless Chromium and
    /// fails on a script error or an empty screenshot (.ci/run installs Chromium; without it: skipped).
    @Test(.enabled(if: hasChromium, "Chromium is not installed")) func reportRendersInChromium() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.spec(in: dir)
        #expect(try CLI.run(["sweep", spec, "--out", dir.path + "/run"]).status == 0)
        let report = try CLI.run(["report", dir.path + "/run", "--out", dir.path + "/report.html"])
        #expect(report.status == 0, "\(report.stderr)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repo.path("scripts/check-report.sh"), dir.path + "/report.html", dir.path + "/shot.png"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let png = try Data(contentsOf: dir.appendingPathComponent("shot.png"))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
