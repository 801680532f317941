import ArgumentParser
import AttnSim

struct CascadeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cascade",
        abstract: "Print a workload's Einsum cascade: ranks, op counts per Einsum, and passes over the softmax rank.")

    @Argument(help: "Workload file.")
    var workload: String

    @Option(help: "The rank whose passes are counted (its tiles m0, m1, ... count with it).")
    var rank: String = "m"

    @Option(help: "Use this cascade preset instead of the workload's (attention-3pass, attention-2pass, attention-1pass, unfused).")
    var cascade: String?

    @Option(help: "Output format: table, json or csv (one row per Einsum).")
    var format: OutputFormat = .table

    func run() throws {
        let report = try reportingDiagnostics { () throws(Diagnostic) in
            var loaded = try Workload.load(path: workload)
            if let cascade { loaded = try loaded.replacingCascade(withPreset: cascade) }
            return try CascadeReport(workload: loaded, rank: rank)
        }
        switch format {
        case .json: print(report.json.serialized())
        case .csv: print(report.csv, terminator: "")
        case .table: print(report.table, terminator: "")
        }
    }
}
