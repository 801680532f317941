import ArgumentParser
import AttnSim

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page (interactive Vega-Lite charts, a filterable points table) from a sweep's results folder.",
        discussion: """
            Reads DIR/sweep.json, DIR/points.jsonl and, when present, DIR/crosscheck.json (the list \
            `attnsim crosscheck --format json` prints). The page draws only what the results hold: GNA speedup \
            heatmaps with their FLOP, tile and wave-aware upper bounds, speedup, time and traffic against a keep \
            ratio, time against energy with the Pareto front, a roofline with its roofs, waterfalls from the FLOP \
            bound to the prediction, utilization, cross-check errors, and every point. The charts are drawn by the \
            vendored Vega and Vega-Lite (vendor/vega/), inlined: the page needs no network. Example:
              attnsim sweep sweeps/hunyuan-strides.yaml --out runs/strides
              attnsim report runs/strides --out strides.html --x 'mask.stride[2]' --y 'mask.stride[1]'
            """)

    @Argument(help: "Sweep results folder (written by attnsim sweep).") var directory: String
    @Option(help: "Output HTML file (default: DIR/report.html).") var out: String?
    @Option(help: "The heatmaps' x axis: an axis path, or one component of a list-valued axis (mask.stride[2]).") var x: String?
    @Option(help: "The heatmaps' y axis (as --x).") var y: String?

    func run() throws {
        let report = try reportingDiagnostics { () throws(Diagnostic) in try SweepReport.load(directory: directory) }
        let path = out ?? (directory.hasSuffix("/") ? directory : directory + "/") + "report.html"
        let options = SweepReport.Options(x: x, y: y)
        let page = try reportingDiagnostics { () throws(Diagnostic) in try report.html(options: options, library: try VegaLibrary.load()) }
        try writeOutput(page, to: path, command: "report")
        printError("attnsim report: \(report.points.count) points (\(report.errorPoints.count) with an error) → \(path)")
    }
}
