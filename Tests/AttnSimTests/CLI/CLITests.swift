import Foundation
import Testing

/// Runs the real `attnsim` executable (built with the tests) and checks exit status and output.
enum CLI {
    static let executable: URL? = {
        let fm = FileManager.default
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        candidates.append(Repo.root.appendingPathComponent(".build/debug"))
        return candidates.map { $0.appendingPathComponent("attnsim") }.first { fm.isExecutableFile(atPath: $0.path) }
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = try #require(executable, "attnsim executable not found next to the tests")
        process.arguments = arguments
        process.currentDirectoryURL = Repo.root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite struct CLITests {
    @Test func simulateReadmeExample() throws {
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("prediction (model: gpu-event)"))
    }

    @Test func simulateJSONHasTheContractKeys() throws {
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml",
                                  "--format", "json"])
        #expect(output.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        for key in ["hardware", "workload", "flops", "tiles", "bounds", "simulated", "end_to_end"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        let simulated = try #require(object["simulated"] as? [String: Any])
        for key in ["time_s", "dense_time_s", "speedup", "dram_bytes", "dense_dram_bytes", "utilization", "energy_j",
                    "bottleneck"] {
            #expect(simulated.keys.contains(key), "missing simulated.\(key)")
        }
        let tiles = try #require(object["tiles"] as? [String: Any])
        for key in ["q_tiles", "kv_tiles_self_attention", "visited", "full", "partial", "worst_visited"] {
            #expect(tiles.keys.contains(key), "missing tiles.\(key)")
        }
        let bounds = try #require(object["bounds"] as? [String: Any])
        for key in ["flop_speedup", "tile_speedup", "tile_speedup_mean", "wave_speedup"] {
            #expect(bounds.keys.contains(key), "missing bounds.\(key)")
        }
    }

    /// Each kind of bad file: a one-line `file:line:column: error:` message on stderr, status 2, no stack trace.
    @Test(arguments: [
        ("syntax.yaml", "attnsim: 1\nname: [oops\n"),
        ("type.yaml", "attnsim: 1\nname: x\nkind: gpu\nclock: fast\n"),
        ("unknown.yaml", "attnsim: 1\nnmae: x\n"),
        ("empty.yaml", ""),
        ("missing.yaml", "attnsim: 1\nname: x\nkind: gpu\nunits: {name: SM, count: 1}\n"),
        ("negative.yaml", "attnsim: 1\nname: x\nkind: gpu\nclock: -1 GHz\n"),
        ("unit.yaml", "attnsim: 1\nname: x\nkind: gpu\nclock: 1 GHzz\n"),
    ])
    func badHardwareExitsWithStatus2(_ name: String, _ text: String) throws {
        let path = try temporaryFile(named: name, contents: Data(text.utf8))
        let output = try CLI.run(["hw", "show", path])
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("\(path):"))
        #expect(output.stderr.contains(": error: "))
        #expect(output.stdout.isEmpty)
    }

    @Test func binaryWorkloadExitsWithStatus2() throws {
        let path = try temporaryFile(named: "bin.yaml", contents: Data([0x00, 0x01, 0xff, 0xfe]))
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(path):1:1: error:"))
    }

    @Test func missingFileExitsWithStatus2() throws {
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", "workloads/does-not-exist.yaml"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("no such file"))
    }

    @Test func windowLargerThanTokensExitsWithStatus2() throws {
        let text = """
            attnsim: 1
            name: w
            problem: {heads: 1, head_dim: 64, tokens: [16, 16]}
            mask: {kind: gna, window: [32, 4]}
            """
        let path = try temporaryFile(named: "window.yaml", contents: Data(text.utf8))
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(path):4:27: error: mask.window:"))
    }

    @Test func hwShowPrintsDerivedFigures() throws {
        let output = try CLI.run(["hw", "show", "hardware/h100-sxm5-80gb.yaml"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("ridge"))
        #expect(output.stdout.contains("FLOP/cycle"))
    }
}

@Suite struct GNACLITests {
    @Test func gnaJSON() throws {
        let output = try CLI.run(["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--stride", "16x8x8",
                                  "--q-tile", "4x8x8", "--kv-tile", "2x8x8", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let tiles = try #require(object["tiles"] as? [String: Any])
        // Q padding 30 → 32 along T gives 480 Q tiles (8 × 6 × 10); the worst Q tile visits
        // 900 / 11.11 = 81 KV tiles (K_SA = 15 × 6 × 10 = 900, S_sim = 11.11, GNA paper Tables 2–4).
        #expect(tiles["q_tiles"] as? Int == 480)
        #expect(tiles["worst_visited"] as? Int == 81)
        let bounds = try #require(object["bounds"] as? [String: Any])
        // GNA paper Tables 2–4: 11.11 for stride 16×8×8; 10.42 with Q padding charged.
        #expect(abs((bounds["tile_speedup"] as? Double ?? 0) - 11.11) < 0.01)
        #expect(abs((bounds["tile_speedup_qpad"] as? Double ?? 0) - 10.42) < 0.01)
        let blockSparse = try #require(object["block_sparse"] as? [String: Any])
        #expect(blockSparse["exact"] as? Bool == true)
    }

    /// FuseMax on BERT-Base 1K: the artifact's energy is 1.950645e12 pJ (attn-binding.csv, as tabulated in
    /// validation/fusemax/energy-accounting.md §6) under its one-PE register-file accounting; counting every PE
    /// it is 3.1784e12 pJ (§7).
    @Test func simulateEnergyAccounting() throws {
        for (accounting, joules) in [("artifact", 1.950645), ("full", 3.1784)] {
            let output = try CLI.run(["simulate", "hardware/fusemax-cloud.yaml", "workloads/fusemax/bert-base-1k.yaml",
                                      "--energy-accounting", accounting, "--format", "json"])
            #expect(output.status == 0, "\(output.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let simulated = try #require(object["simulated"] as? [String: Any])
            #expect(abs((simulated["energy_j"] as? Double ?? 0) / joules - 1) < 1e-4, "\(accounting)")
            #expect(simulated["energy_accounting"] as? String == accounting)
            let parts = try #require(simulated["energy_breakdown_j"] as? [String: Double])
            #expect(abs(parts.values.reduce(0, +) / joules - 1) < 1e-4)
        }
    }

    @Test func simulateAndGNAAgree() throws {
        let simulate = try CLI.run(["simulate", "hardware/b200.yaml", "workloads/hunyuan-gna-s16x8x8.yaml", "--format", "json"])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(simulate.stdout.utf8)) as? [String: Any])
        // Run `attnsim gna` with the tiles the mapper chose for `simulate`.
        let mapping = try #require((a["simulated"] as? [String: Any])?["mapping"] as? [String: Any])
        let shape = { (key: String) in ((mapping[key] as? [Int]) ?? []).map(String.init).joined(separator: "x") }
        let gna = try CLI.run(["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--stride", "16x8x8",
                               "--q-tile", shape("q_tile"), "--kv-tile", shape("kv_tile"), "--format", "json"])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(gna.stdout.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: a["tiles"] as? [String: Any] ?? [:])
            .isEqual(to: b["tiles"] as? [String: Any] ?? ["": 0]))
        let boundsA = try #require(a["bounds"] as? [String: Any])
        let boundsB = try #require(b["bounds"] as? [String: Any])
        #expect(boundsA["tile_speedup"] as? Double == boundsB["tile_speedup"] as? Double)
        #expect(boundsA["wave_speedup"] is Double)   // simulate knows the SM count
    }

    @Test(arguments: [
        ["--window", "40x24x24"],            // window larger than the 30 tokens of axis 0
        ["--window", "18x24x24", "--stride", "19x1x1"],
        ["--window", "18x24"],               // one value short
        ["--window", "18x24x24", "--heads", "0"],
    ])
    func badFlagsExitWithStatus2(_ flags: [String]) throws {
        let output = try CLI.run(["gna", "--tokens", "30x48x80", "--q-tile", "4x8x8", "--kv-tile", "2x8x8"] + flags)
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("attnsim gna: error: --"))
    }

    @Test func sweepPrintsTheFronts() throws {
        let output = try CLI.run(["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--q-tile", "4x8x8",
                                  "--kv-tile", "2x8x8", "--sweep-stride"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("1: 1.36×, 2: 1.50×, 16: 1.67×"))   // the T axis front (GNAStrideSweepTests)
    }
}

@Suite struct BenchCLITests {
    @Test func benchPrintsTheContractKeys() throws {
        let output = try CLI.run(["bench", "--filter", "gna.bound", "--samples", "1", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        for key in ["name", "median_s", "min_s", "max_s", "runs"] { #expect(list[0][key] != nil, "missing \(key)") }
    }
}

/// The command line's conveniences (issue "Surfaces users live in", CLI): presets by name, suggestions, the argument
/// order, `--top`.
@Suite struct CLIConvenienceTests {
    @Test func presetsByName() throws {
        let output = try CLI.run(["simulate", "h100", "bert-base-1k"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("attnsim simulate: bert-base-1k on h100-sxm5-80gb"))
        let list = try CLI.run(["hw", "list"])
        #expect(list.status == 0 && list.stdout.contains("h200-sxm") && list.stdout.contains("spatten-eighth"))
        let workloads = try CLI.run(["workloads"])
        #expect(workloads.status == 0 && workloads.stdout.contains("seer-block-sparse-32k"))
        let ambiguous = try CLI.run(["simulate", "h", "bert-base-1k"])
        #expect(ambiguous.status == 2 && ambiguous.stderr.contains("several hardware presets"))
    }

    @Test func swappedArgumentsAreNamed() throws {
        let byName = try CLI.run(["simulate", "bert-base-1k", "h100"])
        #expect(byName.status == 2 && byName.stderr.contains("is a workload preset") && byName.stderr.contains("hardware first"))
        let byPath = try CLI.run(["simulate", "workloads/bert-base-1k.yaml", "hardware/h100-sxm5-80gb.yaml"])
        #expect(byPath.status == 2 && byPath.stderr.contains("looks like a workload file"))
        let hardwareAsWorkload = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", "hardware/h200-sxm.yaml"])
        #expect(hardwareAsWorkload.status == 2 && hardwareAsWorkload.stderr.contains("looks like a hardware file"))
    }

    @Test func mistypedCommandGetsASuggestion() throws {
        let output = try CLI.run(["simulat", "h100", "bert-base-1k"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("unknown command \"simulat\" (did you mean `simulate`?)"))
    }

    /// `map --top 4` printed five rows (the best and four runners-up); it prints four.
    @Test func topCountsRows() throws {
        let output = try CLI.run(["map", "h100", "bert-base-1k", "--top", "4", "--format", "csv"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.split(separator: "\n").count == 1 + 4)
        let zero = try CLI.run(["map", "h100", "bert-base-1k", "--top", "0"])
        #expect(zero.status == 2 && zero.stderr.contains("≥ 1"))
    }

    /// `compare` runs the same workload on each device: its cells are simulate's numbers for that device.
    @Test func compareSideBySide() throws {
        let output = try CLI.run(["compare", "h100", "h200", "bert-base-1k", "--format", "csv"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for (index, hw) in ["h100", "h200"].enumerated() {
            let alone = try CLI.run(["simulate", hw, "bert-base-1k", "--format", "csv"])
            #expect(String(lines[index + 1]) == String(alone.stdout.split(separator: "\n")[1]))
        }
        let table = try CLI.run(["compare", "h100", "h200", "bert-base-1k"])
        #expect(table.status == 0 && table.stdout.contains("h100-sxm5-80gb") && table.stdout.contains("h200-sxm"))
        let tooFew = try CLI.run(["compare", "h100", "bert-base-1k"])
        #expect(tooFew.status == 2 && tooFew.stderr.contains("two or more hardware files"))
    }

    @Test func hwShowPrintsKernelProfiles() throws {
        let output = try CLI.run(["hw", "show", "h200"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("kernel profiles") && output.stdout.contains("  block-sparse-scan:")
                && output.stdout.contains("skipped_tile: 42.9 ns"))
    }

    /// `--format json` carries the profiles too, in SI units, with their backward: the numbers of hardware/h200-sxm.yaml.
    @Test func hwShowJSONCarriesKernelProfiles() throws {
        let output = try CLI.run(["hw", "show", "h200", "--format", "json"])
        #expect(output.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let flex = try #require((root["kernels"] as? [String: Any])?["flex"] as? [String: Any])
        #expect(flex["per_cta_s"] as? Double == 5.59e-6 && flex["host_overhead_s"] as? Double == 159e-6)
        let backward = try #require(flex["backward"] as? [String: Any])
        #expect(backward["dq"] as? [String] == ["separate"] && backward["host_overhead_s"] as? Double == 870e-6)
        #expect((backward["efficiency_by_head_dim"] as? [String: Double])?["128"] == 0.571)
    }
}
