import ArgumentParser
import AttnSim

/// The `attnsim` command line (`Sources/attnsim/main.swift` runs it).
public struct AttnSimCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "attnsim",
        abstract: "Predict how fast attention runs on a device, and how much sparsity or pruning can gain.",
        version: AttnSimVersion.string,
        subcommands: [Simulate.self, CompareCommand.self, GNACommand.self, MapCommand.self, SpatialSweepCommand.self, SweepCommand.self, MergeCommand.self, ReportCommand.self, CrossCheckCommand.self, CrossCheckGPUCommand.self, FitGPUCommand.self, HardwareCommand.self, WorkloadsCommand.self, CascadeCommand.self, CalibrateCommand.self, BenchCommand.self])
}

/// Output formats shared by the commands.
extension EnergyAccounting: ExpressibleByArgument {}

/// `--format` of the commands that print rows: CSV has the columns of the command's typed record (README.md,
/// "Result schema").
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// `--format` of the commands whose output is no table of rows (`hw show`): `csv` is refused when parsing.
enum TableOrJSONFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Runs `body`; a `Diagnostic` (bad input) is printed to stderr and ends the process with status 2.
func reportingDiagnostics<T>(_ body: () throws(Diagnostic) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError(error.description)
        throw ExitCode(2)
    }
}

/// One line (or more) on stderr, control characters from names in it escaped.
/// A bad flag is bad input: one line `attnsim COMMAND: error: MESSAGE` on stderr, and exit status 2, like a bad file.
func badFlag(_ command: String, _ message: String) -> ExitCode {
    printError("attnsim \(command): error: \(message)")
    return ExitCode(2)
}

func printError(_ text: String, terminator: String = "\n") {
    var standardError = StandardError()
    print(text.escapingControlCharacters, terminator: terminator, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeToStandardError(string)
    }
}

extension AttnSimCommand {
    /// Parses the process's arguments and runs the command. Every kind of bad input ends with status 2: a flag the
    /// parser rejects (missing, unknown, not a number — ArgumentParser's own status would be 64), a failed
    /// validation, a `Diagnostic`. Help and version requests exit 0, other failures with their own status.
    public static func runExitingWithStatus2OnBadInput() -> Never {
        if let message = unknownSubcommand(Array(CommandLine.arguments.dropFirst())) {
            printError(message)
            Self.exit(withError: ExitCode(2))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
            Self.exit()
        } catch {
            let status = status(for: error)
            if status != exitCode(for: error) {
                printError(fullMessage(for: error))
                Self.exit(withError: status)
            }
            Self.exit(withError: error)
        }
    }

    /// The error line for a first argument that names no subcommand (not a flag either), with the nearest
    /// subcommand's name where one is close; nil where the first argument is a subcommand or a flag.
    public static func unknownSubcommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        return "attnsim: error: unknown command \"\(first)\"" + DidYouMean.hint(for: first, among: names)
            + "; commands: " + names.filter { $0 != "help" }.joined(separator: ", ")
    }

    /// The status `attnsim` ends with after `error` (`runExitingWithStatus2OnBadInput`; the fuzzer reports it too):
    /// 2 for a flag the parser rejects, else ArgumentParser's own (0 for help and version, an `ExitCode`'s value).
    public static func status(for error: Error) -> ExitCode {
        let code = exitCode(for: error)
        return code == .validationFailure ? ExitCode(2) : code
    }
}
