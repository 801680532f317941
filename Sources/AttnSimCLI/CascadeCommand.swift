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

    @Option(help: "Use this cascade preset instead of the workload's (attention-3pass, attention-2pass, attention-1pass, unfused; backward: attention-backward, attention-backward-d-from-p, attention-backward-recompute).")
    var cascade: String?

    @Option(help: "Output format: table, json or csv (one row per Einsum).")
    var format: OutputFormat = .table

    func run() throws {
        // A training workload reports its forward cascade, then its backward one.
        let reports = try reportingDiagnostics { () throws(Diagnostic) in
            var loaded = try Workload.load(path: workload)
            if let cascade { loaded = try loaded.replacingCascade(withPreset: cascade) }
            return loaded.pass == .training
                ? [try CascadeReport(workload: loaded, rank: rank, backward: false),
                   try CascadeReport(workload: loaded, rank: rank, backward: true)]
                : [try CascadeReport(workload: loaded, rank: rank)]
        }
        switch format {
        case .json:
            print((reports.count == 1 ? reports[0].json : .array(reports.map(\.json))).serialized())
        case .csv: print(reports.map(\.csv).joined(), terminator: "")
        case .table: print(reports.map(\.table).joined(separator: "\n"), terminator: "")
        }
    }
}
