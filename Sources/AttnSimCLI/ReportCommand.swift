import ArgumentParser
import AttnSim

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page (inline SVG charts, sortable tables) from a sweep's results folder.",
        discussion: """
            Reads DIR/sweep.json, DIR/points.jsonl and, when present, DIR/crosscheck.json (the list \
            `attnsim crosscheck --format json` prints). The page draws only what the results hold: GNA speedups \
            against the swept axis with their upper bounds, time against energy with the Pareto front, a roofline, \
            utilization, cross-check errors, and tables of every point. Example:
              attnsim sweep sweeps/hunyuan-strides.yaml --out runs/strides
              attnsim report runs/strides --out strides.html
            """)

    @Argument(help: "Sweep results folder (written by attnsim sweep).") var directory: String
    @Option(help: "Output HTML file (default: DIR/report.html).") var out: String?

    func run() throws {
        let report = try reportingDiagnostics { () throws(Diagnostic) in try SweepReport.load(directory: directory) }
        let path = out ?? (directory.hasSuffix("/") ? directory : directory + "/") + "report.html"
        try writeOutput(report.html(), to: path, command: "report")
        printError("attnsim report: \(report.points.count) points (\(report.errorPoints.count) with an error) → \(path)")
    }
}
