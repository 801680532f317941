import ArgumentParser
import AttnSim

struct HardwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Inspect hardware files.",
        subcommands: [Show.self, List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the hardware presets (hardware/*.yaml), which commands take by name.")

        func run() throws {
            print(PresetListing.table(.hardware) { path in
                (try? HardwareSpec.load(path: path)).map { "\($0.kind.rawValue)  \($0.description ?? "")" } ?? "(does not load)"
            }, terminator: "")
        }
    }

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
