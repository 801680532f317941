import ArgumentParser
import AttnSim

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Search the mappings of a workload on a device: the best one and the runners-up, by simulated time.")

    @Argument(help: "Hardware file.") var hardware: String
    @Argument(help: "Workload file.") var workload: String
    @Option(help: "How many mappings to print, the best first.") var top: Int = 6
    @Option(help: "Output format: table, json or csv (one row per ranked mapping).") var format: OutputFormat = .table
    @Option(name: .customLong("write-mapping"),
            help: "Spatial hardware: write the best mapping to this file (feed it back with kernel: {mapping: FILE}).")
    var writeMapping: String?

    func run() throws {
        guard top >= 1 else { throw badFlag("map", "--top \(top): expected a count of mappings ≥ 1 (the best first)") }
        let report = try reportingDiagnostics { () throws(Diagnostic) in
            try MappingReport(hardware: HardwareSpec.load(path: hardware), workload: Workload.load(path: workload),
                              top: top)
        }
        if let writeMapping {
            guard let yaml = report.bestYAMLFile else {
                printError("attnsim map: error: --write-mapping is for spatial hardware (GPU mappings are the kernel: block above)")
                throw ExitCode(2)
            }
            try writeOutput(yaml, to: writeMapping, command: "map")
        }
        switch format {
        case .json: print(report.json.serialized())
        case .csv: print(report.csv, terminator: "")
        case .table: print(report.table, terminator: "")
        }
    }
}
