import ArgumentParser
import AttnSim
import AttnSimCLI
import Foundation

/// The command-line mode: the input (after its selector byte) is a list of arguments, one per line or separated by
/// NUL bytes (empty ones dropped), given to the subcommand `commands[selector / 32]` and run in process as `attnsim` runs it
/// (`AttnSimCommand.parseAsRoot`, then `run()`; `Sources/attnsim/main.swift`), with stdout and stderr on /dev/null and the scratch folder as the
/// working directory. What it fuzzes is the flags, not the files they name:
/// - a path under the repository's shipped folders (`hardware/…`, `workloads/…`, `validation/…`, `sweeps/…`,
///   `data/…`) is made absolute, so it names the shipped file;
/// - the value of an option that writes a file (`--out`, `--write-mapping`, `--trace`, `--save-json`) becomes
///   `fuzz-output`, in the scratch folder (removed after the run);
/// - an input with an absolute path or `..` in an argument, or naming a command that runs kernels, measures the
///   host or writes folders (`calibrate`, `bench`, `crosscheck`, `sweep`, `merge`, `report`), is skipped.
///
/// A thrown `Diagnostic` (printed, status 2), `ExitCode` or ArgumentParser error (usage, `--help`) is a correct
/// outcome; ArgumentParser calls `exit()` only from `main()` and `exit(withError:)`, which this mode does not call.
extension FuzzEntry {
    /// The subcommands, by `selector / 32`; the last is none (the arguments name it, or are `--help`, `--version`).
    public static let commands: [[String]] = [["gna"], ["simulate"], ["map"], ["cascade"], ["hw", "show"],
                                              ["spatial-sweep"], ["crosscheck-gpu"], []]
    /// Commands the mode never runs: they run CPU kernels, time the host or write folders.
    static let unsafeCommands: Set<String> = ["calibrate", "bench", "crosscheck", "sweep", "merge", "report"]
    /// Options whose value is a file the command writes.
    static let writingOptions = ["--out", "--write-mapping", "--trace", "--save-json"]
    static let shippedFolders = ["hardware/", "workloads/", "validation/", "sweeps/", "data/"]
    /// Where a writing option's file goes, in the scratch folder.
    static let outputName = "fuzz-output"

    /// The command line an input stands for (without the program name), or nil when it is skipped.
    public func arguments(_ bytes: ArraySlice<UInt8>, command: Int) -> [String]? {
        let pieces = bytes.split { $0 == 0 || $0 == 10 }
        var arguments = Self.commands[command % Self.commands.count] + pieces.map { String(decoding: $0, as: UTF8.self) }
        for index in arguments.indices {
            for option in Self.writingOptions {
                if arguments[index] == option, index + 1 < arguments.count {
                    arguments[index + 1] = Self.outputName
                } else if arguments[index].hasPrefix(option + "=") {
                    arguments[index] = option + "=" + Self.outputName
                }
            }
        }
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("/") || argument.contains("..") || Self.unsafeCommands.contains(argument) { return nil }
            if Self.shippedFolders.contains(where: argument.hasPrefix) { arguments[index] = root + "/" + argument }
        }
        return arguments
    }

    /// The options of the subcommands, for `argumentMutation`.
    public static let options = ["--tokens", "--window", "--stride", "--dilation", "--causal", "--q-tile", "--kv-tile",
                                 "--kv-tiling", "--tiling", "--batch", "--heads", "--head-dim", "--units",
                                 "--attention-share", "--steps", "--dense-steps", "--sweep-stride", "--format", "--top",
                                 "--baseline", "--energy-accounting", "--rank", "--cascade", "--dataflow", "--sides",
                                 "--buffers", "--backend", "--fit", "--help"]

    /// The fuzzer's mutation of a command line (byte mutations mostly break its structure): at argument `pick`,
    /// by `choice`, delete an argument, duplicate one, or insert an option from `options` with an extreme value
    /// (`extremes`) as a 1-D, 2-D or 3-D shape (`65536x65536`). One argument a line in the result.
    public static func argumentMutation(_ bytes: [UInt8], pick: Int, choice: Int) -> [UInt8]? {
        guard let selector = bytes.first else { return nil }
        var arguments = bytes.dropFirst().split { $0 == 0 || $0 == 10 }.map { Array($0) }
        let at = abs(pick % (arguments.count + 1))
        switch abs(choice % 3) {
        case 0 where !arguments.isEmpty:
            arguments.remove(at: min(at, arguments.count - 1))
        case 1 where !arguments.isEmpty:
            arguments.insert(arguments[min(at, arguments.count - 1)], at: at)
        default:
            let value = extremes[abs(pick / 7 % extremes.count)]
            let shape = Array(repeating: value, count: 1 + abs(choice / 3 % 3)).joined(separator: "x")
            arguments.insert(contentsOf: [Array(options[abs(choice / 9 % options.count)].utf8), Array(shape.utf8)], at: at)
        }
        return [selector] + Array(arguments.joined(separator: [10]))
    }

    func runArguments(_ bytes: ArraySlice<UInt8>, command: Int) -> Outcome {
        guard let arguments = arguments(bytes, command: command) else { return .skipped }
        return .ran(status: isolated {
            do {
                var parsed = try AttnSimCommand.parseAsRoot(arguments)
                try parsed.run()
                return 0
            } catch {
                // What `attnsim` prints before it exits (help and usage text are generated here).
                print(AttnSimCommand.fullMessage(for: error))
                return AttnSimCommand.status(for: error).rawValue
            }
        })
    }

    /// `ATTNSIM_FUZZ_OUTPUT` set: command lines keep stdout and stderr, so a replayed input shows its output and a
    /// trap's message (on /dev/null both are lost; libFuzzer still saves the input).
    static let keepsOutput = ProcessInfo.processInfo.environment["ATTNSIM_FUZZ_OUTPUT"] != nil

    /// Runs `body` with stdout and stderr on /dev/null and the scratch folder as the working directory, then puts
    /// them back and removes what a writing option wrote. Process-wide state: the fuzzer runs one input at a time;
    /// the tests run each command-line input in a child process.
    func isolated<T>(_ body: () -> T) -> T {
        fflush(nil)
        let saved = (dup(STDOUT_FILENO), dup(STDERR_FILENO))
        if !Self.keepsOutput {
            let null = open("/dev/null", O_WRONLY)
            dup2(null, STDOUT_FILENO)
            dup2(null, STDERR_FILENO)
            close(null)
        }
        let directory = FileManager.default.currentDirectoryPath
        chdir(scratch)
        defer {
            fflush(nil)
            dup2(saved.0, STDOUT_FILENO)
            dup2(saved.1, STDERR_FILENO)
            close(saved.0)
            close(saved.1)
            chdir(directory)
            try? FileManager.default.removeItem(atPath: scratch + "/" + Self.outputName)
        }
        return body()
    }
}
