import AttnSim
import Foundation

/// The one function the loader fuzzer (`Sources/AttnSimFuzz`, `fuzz/README.md`) and its regression tests
/// (`FuzzRegressionTests`) call: arbitrary bytes in, a `Diagnostic` or a result out — never a trap, a hang or
/// unbounded memory.
///
/// ```swift
/// let entry = try FuzzEntry(root: "/path/to/attnsim")
/// switch entry.run(Array(try Data(contentsOf: url))) {
/// case .rejected(let diagnostic): print(diagnostic)      // bad input, reported: the correct outcome
/// case .loaded, .simulated, .skipped: break
/// }
/// ```
///
/// The first byte selects what the rest of the input is (the seed corpus in `fuzz/corpus/` starts each file
/// with it):
/// - `selector % 4 == 0`: a hardware file, simulated with the workload `fixedWorkloads[(selector / 4) % 4]`;
/// - `1`: a workload file, simulated on `fixedHardware[(selector / 4) % 4]`;
/// - `2`: by `selector / 4 % 4`: `0` a sweep spec, `1` a SpAtten pruning trace (CSV), `3` a block-mask file (JSON);
///   `2` (`selector % 32` is `0x0a` or `0x1a`) the two modes below. Sweeps and traces are parsed only (running a
///   sweep reads files; a workload reads its trace from a file); a block mask is read for a 4096-token problem and
///   tiled at 64 and 128 tokens;
/// - `selector % 32 == 0x0a`: a spatial mapping file (as `attnsim map --write-mapping` writes it), fed back through
///   `kernel: {mapping: FILE}` of the fixed spatial pair `mappingPairs[selector / 32]` and simulated
///   (`FuzzEntry+Mapping.swift`);
/// - `selector % 32 == 0x1a`: command-line arguments, one per line (or NUL-separated), after the subcommand
///   `commands[selector / 32]`, parsed and run in process by `AttnSimCommand` (`FuzzEntry+Arguments.swift`);
/// - `3`: a workload file, parsed and simulated on every fixed hardware.
///
/// A simulated result is also rendered as a table and as JSON, as `attnsim simulate` prints it.
/// Inputs naming device or kernel files (`/dev/`, `/proc/`, `/sys/`) are skipped: a workload's `trace:` or
/// mapping file is read, and reading `/dev/zero` or `/dev/stdin` is the user's own request, not a loader bug.
public struct FuzzEntry: Sendable {
    /// What one input did. Every case is a correct outcome; the fuzzer only looks for traps, hangs and memory.
    public enum Outcome: Sendable {
        /// Bad input, reported with a `Diagnostic`.
        case rejected(Diagnostic)
        /// Loaded (and, for a sweep, nothing more to do).
        case loaded
        /// Loaded and simulated; the predicted times, in seconds (nil where no model gives one).
        case simulated([Double?])
        /// A command line, run in process: the status the `attnsim` process would have exited with (0 after a
        /// normal run or `--help`, 2 after bad input; `AttnSimCommand.status(for:)`).
        case ran(status: Int32)
        /// Not run (see the type's comment).
        case skipped
    }

    /// What a selector byte feeds: the loaders (hardware, workload, sweep, trace, block mask), a mapping file or a
    /// command line. The fuzzer can be held to one mode (`FUZZ_MODE`, fuzz/README.md).
    public enum Mode: String, Sendable, CaseIterable {
        case loaders, mapping, arguments

        public init(selector: UInt8) {
            switch selector % 32 {
            case 0x0a: self = .mapping
            case 0x1a: self = .arguments
            default: self = .loaders
            }
        }

        /// `selector` moved into this mode, keeping its other bits (the fuzzer's mutator uses it).
        public func selector(_ selector: UInt8) -> UInt8 {
            switch self {
            case .mapping: return selector & 0xe0 | 0x0a
            case .arguments: return selector & 0xe0 | 0x1a
            case .loaders: return Mode(selector: selector) == .loaders ? selector : selector ^ 0x08
            }
        }
    }

    /// The hardware a fuzzed workload runs on: a GPU with kernel profiles, a spatial array, the SpAtten array
    /// and a CPU.
    public static let hardwareFiles = ["hardware/h100-sxm5-80gb.yaml", "hardware/fusemax-cloud.yaml",
                                       "hardware/spatten.yaml", "hardware/epyc-9354.yaml"]
    /// The workloads a fuzzed hardware file runs: dense, GNA, pruned decode and a FuseMax point.
    public static let workloadFiles = ["workloads/bert-base-1k.yaml", "workloads/flux-gna.yaml",
                                       "workloads/gpt2-small-decode-pruned.yaml", "workloads/fusemax/bert-base-1k.yaml"]

    public let fixedHardware: [HardwareSpec]
    public let fixedWorkloads: [Workload]
    /// The name fuzzed workloads are given (in `workloads/spatten/`, so the seeds' relative `trace:` paths
    /// resolve).
    public let workloadFile: String
    public let hardwareFile: String
    public let sweepFile: String
    public let traceFile: String
    public let blockMaskFile: String
    /// The spatial hardware and workload a fuzzed mapping file runs on (`mappingPairs`).
    public let mappingTargets: [MappingTarget]
    /// The repository (command lines name its files).
    public let root: String
    /// A folder of this process's own: mapping files are written here, and command lines run with it as the
    /// working directory.
    public let scratch: String

    /// Loads the fixed hardware and workloads from the repository at `root`.
    public init(root: String) throws(Diagnostic) {
        let base = URL(fileURLWithPath: root)
        func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }
        var hardware: [HardwareSpec] = []
        for file in Self.hardwareFiles { hardware.append(try HardwareSpec.load(path: path(file))) }
        var workloads: [Workload] = []
        for file in Self.workloadFiles { workloads.append(try Workload.load(path: path(file))) }
        var targets: [MappingTarget] = []
        for (hardwareFile, workloadFile) in Self.mappingPairs {
            targets.append(MappingTarget(hardware: try HardwareSpec.load(path: path(hardwareFile)),
                                         workload: try Workload.load(path: path(workloadFile))))
        }
        fixedHardware = hardware
        fixedWorkloads = workloads
        mappingTargets = targets
        self.root = base.path
        scratch = try Self.makeScratch()
        workloadFile = path("workloads/spatten/fuzz-input.yaml")
        hardwareFile = path("hardware/fuzz-input.yaml")
        sweepFile = path("sweeps/fuzz-input.yaml")
        traceFile = path("data/spatten-traces/fuzz-input.csv")
        blockMaskFile = path("workloads/masks/fuzz-input.json")
    }

    /// Runs one input. Never throws: a `Diagnostic` is the expected answer to bad input.
    ///
    /// - Complexity: bounded by the loaders' limits on sizes (a problem's element count, token axes) and the
    ///   models' costs for the sizes they accept; the fuzzer runs it with a 10 s timeout per input.
    public func run(_ bytes: [UInt8]) -> Outcome {
        guard let selector = bytes.first else { return .skipped }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        if ["/dev/", "/proc/", "/sys/"].contains(where: text.contains) { return .skipped }
        let choice = Int(selector / 4)
        do {
            switch Mode(selector: selector) {
            case .mapping: return try runMapping(bytes.dropFirst(), target: Int(selector / 32))
            case .arguments: return runArguments(bytes.dropFirst(), command: Int(selector / 32))
            case .loaders: break
            }
            switch selector % 4 {
            case 0:
                let hardware = try HardwareSpec.parse(text: text, file: hardwareFile)
                return .simulated([try simulate(hardware, fixedWorkloads[choice % fixedWorkloads.count])])
            case 1:
                let workload = try Workload.parse(text: text, file: workloadFile)
                return .simulated([try simulate(fixedHardware[choice % fixedHardware.count], workload)])
            case 2 where choice % 4 == 0:
                _ = try SweepSpec.parse(text: text, file: sweepFile)
                return .loaded
            case 2 where choice % 4 == 3:
                let tokens = 4096
                let table = try BlockMaskFile.parse(text: text, file: blockMaskFile) { size in
                    ((tokens + size.q - 1) / size.q, (tokens + size.kv - 1) / size.kv)
                }
                let mask = BlockMask(file: blockMaskFile, table: table, queries: tokens, keys: tokens)
                var visited: [Double?] = []
                for tile in [64, 128] {
                    visited.append(Double(mask.combinedTileGrid(MaskTiling(qTile: [tile], kvTile: [tile])).visited))
                }
                return .simulated(visited + [mask.attendedPairs])
            case 2:
                _ = try PruningTrace.parse(text, file: traceFile)
                return .loaded
            default:
                let workload = try Workload.parse(text: text, file: workloadFile)
                var times: [Double?] = []
                var firstError: Diagnostic?
                for hardware in fixedHardware {
                    do { times.append(try simulate(hardware, workload)) } catch {
                        firstError = firstError ?? error
                        times.append(nil)
                    }
                }
                if let firstError, times.allSatisfy({ $0 == nil }) { return .rejected(firstError) }
                return .simulated(times)
            }
        } catch {
            return .rejected(error)
        }
    }

    /// The extremes `numberMutation` writes in place of a number: zero and one, signs, the edges of Int32, Int,
    /// Double's exact integers and range, and the absurd sizes (10^12 tokens, 2^40 heads); for command
    /// lines also the first Int whose square overflows (⌈√2^63⌉), sizes where quadratic work starts to hurt
    /// (2^16, 2^20, 10^9, 2^40 − 1), Int.min and Swift's own spellings of NaN and infinity.
    public static let extremes = ["0", "1", "-1", "2", "0.5", "1e-300", "4e-324", "2147483648", "4294967296",
                                  "1000000000000", "1099511627776", "9007199254740993", "4611686018427387904",
                                  "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e300",
                                  "1e400", "-1e400", ".nan", ".inf", "1_000_000",
                                  "3037000500", "65536", "1048576", "1000000000", "1099511627775",
                                  "-9223372036854775808", "nan", "inf"]

    /// One structure-aware mutation for the fuzzer: the `pick`-th number of the text (after the selector byte)
    /// replaced by `extremes[choice % extremes.count]` — byte-level mutations rarely turn `132` into `2^63 - 1`.
    /// Numbers are runs of digits, signs, `.` and exponents, so a command line's `--units⏎132` and each axis of
    /// `30x48x80` count as numbers too. Nil when the input holds no number.
    public static func numberMutation(_ bytes: [UInt8], pick: Int, choice: Int) -> [UInt8]? {
        func isNumberByte(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || b == 46 || b == 101 || b == 69 || b == 43 || b == 45 }
        var runs: [Range<Int>] = []
        var i = 1
        while i < bytes.count {
            guard isNumberByte(bytes[i]) else { i += 1; continue }
            var j = i
            while j < bytes.count && isNumberByte(bytes[j]) { j += 1 }
            if bytes[i..<j].contains(where: { $0 >= 48 && $0 <= 57 }) { runs.append(i..<j) }
            i = j
        }
        guard !runs.isEmpty else { return nil }
        var result = bytes
        result.replaceSubrange(runs[abs(pick % runs.count)], with: Array(extremes[abs(choice % extremes.count)].utf8))
        return result
    }

    /// Simulates, then renders the result the ways the CLI prints it.
    func simulate(_ hardware: HardwareSpec, _ workload: Workload) throws(Diagnostic) -> Double? {
        let result = try Simulator.run(hardware: hardware, workload: workload)
        _ = result.table
        _ = result.json.serialized()
        return result.simulated.time
    }
}
