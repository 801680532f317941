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

    @Test(arguments: regressions)
    func regression(_ name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Repo.root.appendingPathComponent("fuzz/regressions/\(name)")))
        let clock = ContinuousClock()
        var outcome: FuzzEntry.Outcome = .skipped
        let elapsed = clock.measure { outcome = Self.entry.run(bytes) }
        Self.check(outcome, name)
        #expect(elapsed < .seconds(Self.limit), "\(name) took \(elapsed)")
        if ProcessInfo.processInfo.environment["ATTNSIM_FUZZ_VERBOSE"] != nil { print("\(name) (\(elapsed)): \(outcome)") }
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
