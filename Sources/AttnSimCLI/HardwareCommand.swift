import ArgumentParser
import AttnSim

struct HardwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Inspect hardware files.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a hardware file and print it normalized, with derived peaks and ridge points.")

        @Argument(help: "Hardware file.")
        var file: String

        @Option(help: "Output format: table or json (a hardware file is no table of rows: no csv).")
        var format: TableOrJSONFormat = .table

        func run() throws {
            let spec = try reportingDiagnostics { () throws(Diagnostic) in try HardwareSpec.load(path: file) }
            switch format {
            case .json: print(spec.json.serialized())
            case .table: print(spec.table, terminator: "")
            }
        }
    }
}
