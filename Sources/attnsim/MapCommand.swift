import ArgumentParser
import AttnSim

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Search the mappings of a workload on a device: the best one and the runners-up, by simulated time.")

    @Argument(help: "Hardware file.") var hardware: String
    @Argument(help: "Workload file.") var workload: String
    @Option(help: "How many runners-up to print.") var top: Int = 5
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() throws {
        let report = try reportingDiagnostics { () throws(Diagnostic) in
            try MappingReport(hardware: HardwareSpec.load(path: hardware), workload: Workload.load(path: workload),
                              top: max(1, top))
        }
        switch format {
        case .json: print(report.json.serialized())
        case .table, .csv: print(report.table, terminator: "")
        }
    }
}
