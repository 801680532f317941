import Foundation
import Testing
import AttnSimFuzzing
@testable import AttnSim

/// The loader fuzzer's findings (`fuzz/README.md`), replayed through the fuzzer's own entry (`FuzzEntry`), and
/// the absurd sizes of issue 9: each gives a `Diagnostic` or a finite result, quickly — never a trap or a hang.
@Suite struct FuzzRegressionTests {
    static let entry: FuzzEntry = {
        do { return try FuzzEntry(root: Repo.root.path) } catch { fatalError("\(error)") }
    }()

    /// Every input in `fuzz/regressions/` (minimized inputs that crashed or hung the fuzzer before their fix; each
    /// starts with `FuzzEntry`'s selector byte).
    static let regressions: [String] = {
        let folder = Repo.root.appendingPathComponent("fuzz/regressions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }()

    @Test func regressionFolderIsNotEmpty() {
        #expect(!Self.regressions.isEmpty, "fuzz/regressions/ holds the fuzzer's findings")
    }

    /// Findings whose fix is being made on another branch (wip-harden, issue 15's audit): each still traps, hangs
    /// or takes more than 2 GB on this branch, so it runs in a child process (`awaitingFix`), which fails until
    /// the fix is merged. Once it passes, take its name out of this list (empty since main merged wip-harden).
    static let awaitingFixes: Set<String> = [
    ]

    /// Command-line inputs change the process's stdout, stderr and working directory while they run, so each runs
    /// in a child process (`inChildProcess`); so do the findings awaiting a fix, which would take this process down.
    static func runsInChildProcess(_ name: String) -> Bool {
        guard let selector = try? Data(contentsOf: Repo.root.appendingPathComponent("fuzz/regressions/\(name)")).first
        else { return false }
        return FuzzEntry.Mode(selector: selector) == .arguments || awaitingFixes.contains(name)
    }

    static func input(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: Repo.root.appendingPathComponent("fuzz/regressions/\(name)")))
    }

    @Test(arguments: regressions.filter { !runsInChildProcess($0) })
    func regression(_ name: String) throws {
        let bytes = try Self.input(name)
        let clock = ContinuousClock()
        var outcome: FuzzEntry.Outcome = .skipped
        let elapsed = clock.measure { outcome = Self.entry.run(bytes) }
        Self.check(outcome, name)
        #expect(elapsed < .seconds(Self.limit), "\(name) took \(elapsed)")
        if ProcessInfo.processInfo.environment["ATTNSIM_FUZZ_VERBOSE"] != nil { print("\(name) (\(elapsed)): \(outcome)") }
    }

    @Test(arguments: regressions.filter { runsInChildProcess($0) && !awaitingFixes.contains($0) })
    func commandLineRegression(_ name: String) async throws {
        try await Self.expectCleanInChildProcess(name)
    }

    /// Fails until wip-harden's fixes are merged (see `awaitingFixes`).
    @Test("Findings awaiting fixes from wip-harden (fail until merged)", arguments: awaitingFixes.sorted())
    func awaitingFix(_ name: String) async throws {
        try await Self.expectCleanInChildProcess(name)
    }

    /// Runs the input in a child process that must exit normally: a trap, more than `limit` seconds (SIGALRM) or
    /// more than 4 GB of address space (a failed allocation traps) fails the test without taking this process down.
    static func expectCleanInChildProcess(_ name: String) async throws {
        let bytes = try input(name)
        await #expect(processExitsWith: .success, "\(name)") { [bytes = bytes as [UInt8]] in
            alarm(UInt32(FuzzRegressionTests.limit))
            var memory = rlimit(rlim_cur: 4 << 30, rlim_max: 4 << 30)
            #if os(Linux)
            setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
            #else
            setrlimit(RLIMIT_AS, &memory)
            #endif
            if case .simulated(let times) = FuzzRegressionTests.entry.run(bytes),
               times.contains(where: { $0.map { !$0.isFinite || $0 < 0 } ?? false }) {
                exit(3)
            }
        }
    }

    /// A generous bound on one input (a debug build, a loaded CI machine); release builds take milliseconds.
    static let limit = 10

    static func check(_ outcome: FuzzEntry.Outcome, _ name: String) {
        if case .simulated(let times) = outcome {
            for time in times.compactMap({ $0 }) {
                #expect(time.isFinite && time >= 0, "\(name): time \(time)")
            }
        }
    }

    // MARK: The harness's modes

    @Test func selectorsPickTheModes() {
        #expect(FuzzEntry.Mode(selector: 0x02) == .loaders)
        #expect(FuzzEntry.Mode(selector: 0x0e) == .loaders)
        #expect(FuzzEntry.Mode(selector: 0x0a) == .mapping)
        #expect(FuzzEntry.Mode(selector: 0xea) == .mapping)
        #expect(FuzzEntry.Mode(selector: 0x1a) == .arguments)
        #expect(FuzzEntry.Mode(selector: 0xfa) == .arguments)
        for selector in UInt8.min...UInt8.max {
            for mode in FuzzEntry.Mode.allCases {
                #expect(FuzzEntry.Mode(selector: mode.selector(selector)) == mode)
            }
        }
    }

    @Test func commandLinesNameTheShippedFilesAndWriteOnlyToTheScratchFolder() {
        let entry = Self.entry
        func arguments(_ text: String, command: Int) -> [String]? {
            entry.arguments(ArraySlice(Array(text.utf8)), command: command)
        }
        #expect(arguments("hardware/fusemax-cloud.yaml\u{0}workloads/fusemax/bert-base-1k.yaml\n--write-mapping\nm.yaml\n"
                          + "--trace=/etc/x\n\n--top\n3\n", command: 2)
                == ["map", entry.root + "/hardware/fusemax-cloud.yaml", entry.root + "/workloads/fusemax/bert-base-1k.yaml",
                    "--write-mapping", "fuzz-output", "--trace=fuzz-output", "--top", "3"])
        #expect(arguments("hardware/h100-sxm5-80gb.yaml", command: 4) == ["hw", "show", entry.root + "/hardware/h100-sxm5-80gb.yaml"])
        #expect(arguments("--version", command: 7) == ["--version"])
        #expect(arguments("hardware/../../x.yaml", command: 1) == nil)
        #expect(arguments("/etc/passwd", command: 4) == nil)
        #expect(arguments("calibrate\n--out\nx.yaml", command: 7) == nil)
        #expect(arguments("sweep\nsweeps/hunyuan-strides.yaml", command: 7) == nil)
    }

    @Test func numberMutationReachesCommandLineNumbers() throws {
        let input = Array("\u{1a}--tokens\n30x48x80\n--units\n132".utf8)
        let choice = try #require(FuzzEntry.extremes.firstIndex(of: "3037000500"))
        let mutated = try #require(FuzzEntry.numberMutation(input, pick: 1, choice: choice))
        #expect(String(decoding: mutated, as: UTF8.self) == "\u{1a}--tokens\n30x3037000500x80\n--units\n132")
        let last = try #require(FuzzEntry.numberMutation(input, pick: 3, choice: 0))
        #expect(String(decoding: last, as: UTF8.self) == "\u{1a}--tokens\n30x48x80\n--units\n0")
    }

    @Test func argumentMutationEditsWholeArguments() throws {
        let input = Array("\u{1a}--units\n132\n--heads\n24".utf8)
        let deleted = try #require(FuzzEntry.argumentMutation(input, pick: 1, choice: 0))
        #expect(String(decoding: deleted, as: UTF8.self) == "\u{1a}--units\n--heads\n24")
        let duplicated = try #require(FuzzEntry.argumentMutation(input, pick: 0, choice: 1))
        #expect(String(decoding: duplicated, as: UTF8.self) == "\u{1a}--units\n--units\n132\n--heads\n24")
        let option = try #require(FuzzEntry.options.firstIndex(of: "--tokens"))
        let inserted = try #require(FuzzEntry.argumentMutation(input, pick: 4, choice: 9 * option + 3 + 2))
        #expect(String(decoding: inserted, as: UTF8.self) == "\u{1a}--units\n132\n--heads\n24\n--tokens\n0x0")
    }

    /// The mapping files of the seed corpus (`fuzz/mappings/`, as `attnsim map --write-mapping` wrote them).
    static let mappingSeeds = Repo.files(in: "fuzz/mappings", withExtension: "yaml")

    @Test(arguments: mappingSeeds.enumerated().map { $0 })
    func mappingSeedSimulates(_ index: Int, _ path: String) throws {
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for pair in Set([0, index % FuzzEntry.mappingPairs.count]) {
            let outcome = Self.entry.run([FuzzEntry.Mode.mapping.selector(UInt8(32 * pair))] + file)
            guard case .simulated(let times) = outcome else {
                Issue.record("\(path) on \(FuzzEntry.mappingPairs[pair]): \(outcome)")
                continue
            }
            #expect(times.allSatisfy { $0.map { $0.isFinite && $0 > 0 } ?? false }, "\(path): \(times)")
        }
    }

    /// A few quick command-line seeds (`fuzz/argv/`) in one child process: each runs to status 0 (a normal run or
    /// help) and a flag the parser rejects to 2, as `attnsim` exits; the working directory comes back, and what a
    /// writing option wrote is gone from the scratch folder.
    @Test func commandLineSeedsRunInProcess() async throws {
        var inputs: [[UInt8]] = []
        for (name, command) in [("gna-help-example", 0), ("map-fusemax-write-mapping", 2), ("cascade-3pass", 3),
                                ("hw-show-h100-json", 4), ("root-help-gna", 7), ("root-version", 7)] {
            let text = try Data(contentsOf: Repo.root.appendingPathComponent("fuzz/argv/\(name).args"))
            inputs.append([FuzzEntry.Mode.arguments.selector(UInt8(32 * command))] + [UInt8](text))
        }
        let usageError = [FuzzEntry.Mode.arguments.selector(0)] + Array("--tokens\n--window\n3".utf8)
        await #expect(processExitsWith: .success) { [inputs = inputs as [[UInt8]], usageError = usageError as [UInt8]] in
            alarm(UInt32(FuzzRegressionTests.limit))
            let directory = FileManager.default.currentDirectoryPath
            for (index, input) in (inputs + [usageError]).enumerated() {
                guard case .ran(status: index < inputs.count ? 0 : 2) = FuzzRegressionTests.entry.run(input) else {
                    exit(Int32(10 + index))
                }
                if FileManager.default.currentDirectoryPath != directory { exit(3) }
            }
            if (try? FileManager.default.contentsOfDirectory(atPath: FuzzRegressionTests.entry.scratch))?.isEmpty != true {
                exit(4)
            }
        }
    }

    // MARK: Absurd sizes (issue 9)

    struct Absurd: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var testDescription: String { name }
    }

    static func workload(_ name: String, problem: String, _ rest: String = "") -> Absurd {
        Absurd(name: name, yaml: "attnsim: 1\nname: \(name)\nproblem: {\(problem)}\n\(rest)")
    }

    static let absurd: [Absurd] = [
        workload("1e12 tokens", problem: "batch: 1, heads: 1, head_dim: 64, tokens: 1000000000000"),
        workload("1e12 tokens, causal", problem: "head_dim: 64, tokens: 1000000000000", "mask: {kind: causal}"),
        workload("1e12 kv tokens, one query", problem: "head_dim: 64, tokens: 1, kv_tokens: 1000000000000"),
        workload("1e12 tokens, 2-D GNA", problem: "head_dim: 64, tokens: [1000000, 1000000]",
                 "mask: {kind: gna, window: [3, 3]}"),
        workload("1e12 kv tokens, pruned decode", problem: "heads: 12, head_dim: 64, tokens: 1, kv_tokens: 1000000000000",
                 "pruning: {mode: decode, layers: 1, token_keep: [0.5], head_keep: [12], value_keep: 0.2}"),
        workload("2^40 heads", problem: "heads: 1099511627776, head_dim: 64, tokens: 1024"),
        workload("2^40 heads, one token", problem: "heads: 1099511627776, head_dim: 1, tokens: 1"),
        workload("2^40 heads, GNA", problem: "heads: 1099511627776, head_dim: 1, tokens: [4, 4]",
                 "mask: {kind: gna, window: [3, 3]}"),
        workload("2^40 batch, decode", problem: "batch: 1099511627776, head_dim: 1, tokens: 1, kv_tokens: 8"),
        workload("2^63 everything", problem: "batch: 9223372036854775807, heads: 9223372036854775807, "
                    + "head_dim: 9223372036854775807, tokens: 9223372036854775807"),
        workload("0-sized tiles", problem: "head_dim: 64, tokens: [64, 64]",
                 "mask: {kind: gna, window: [8, 8]}\nkernel: {backend: fna-hopper, q_tile: [0, 0], kv_tile: [0, 8]}"),
        workload("0-sized 1-D tile", problem: "head_dim: 64, tokens: 4096",
                 "kernel: {backend: flash, q_tile: 0, kv_tile: 128}"),
        workload("1-token tiles, 3-D GNA", problem: "head_dim: 64, tokens: [64, 64, 64]",
                 "mask: {kind: gna, window: [63, 63, 63]}\n"
                    + "kernel: {backend: flex, q_tile: [1, 1, 1], kv_tile: [1, 1, 1], tiling: multi_dim}"),
        workload("2^40-token tiles", problem: "head_dim: 64, tokens: 4096",
                 "kernel: {backend: flash, q_tile: 1099511627776, kv_tile: 1099511627776}"),
        workload("window larger than the tokens", problem: "head_dim: 64, tokens: [16, 16]",
                 "mask: {kind: gna, window: [1000000, 17], stride: [1000000, 1], dilation: [1000000, 1]}"),
        workload("2^40 head_dim", problem: "head_dim: 1099511627776, tokens: 2"),
    ]

    @Test(arguments: absurd)
    func absurdSizes(_ absurd: Absurd) {
        let clock = ContinuousClock()
        for hardware in Self.entry.fixedHardware {
            var outcome = ""
            let elapsed = clock.measure {
                do {
                    let workload = try Workload.parse(text: absurd.yaml, file: "absurd.yaml")
                    let result = try Simulator.run(hardware: hardware, workload: workload)
                    _ = result.table
                    _ = result.json.serialized()
                    if let time = result.simulated.time {
                        #expect(time.isFinite && time >= 0, "\(absurd.name) on \(hardware.name): time \(time)")
                    }
                    outcome = "time \(result.simulated.time.map { "\($0)" } ?? "null")"
                } catch {
                    outcome = "\(error)"
                }
            }
            #expect(elapsed < .seconds(2), "\(absurd.name) on \(hardware.name) took \(elapsed): \(outcome)")
            if ProcessInfo.processInfo.environment["ATTNSIM_FUZZ_VERBOSE"] != nil {
                print("\(absurd.name) on \(hardware.name) (\(elapsed)): \(outcome)")
            }
        }
    }
}
