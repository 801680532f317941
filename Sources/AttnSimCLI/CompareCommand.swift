import ArgumentParser
import AttnSim

/// `attnsim compare HW1 HW2 … WL`: one workload on several devices, their predictions side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Simulate one workload on several devices and print their predictions side by side.")

    @Argument(help: "Two or more hardware files (or preset names), then the workload file (or preset name).")
    var files: [String] = []

    @Option(help: "Output format: table, json (a list of simulate's objects) or csv (one row per device).")
    var format: OutputFormat = .table

    func run() throws {
        guard files.count >= 3 else {
            throw badFlag("compare", "expected two or more hardware files and then one workload, found \(files.count) argument(s)")
        }
        let results = try reportingDiagnostics { () throws(Diagnostic) -> [SimulationResult] in
            let workload = try Workload.load(path: files.last!)
            return try files.dropLast().map { (path) throws(Diagnostic) in
                try Simulator.run(hardware: HardwareSpec.load(path: path), workload: workload)
            }
        }
        switch format {
        case .table: print(Self.table(results), terminator: "")
        case .json: print(JSONValue.array(results.map(\.json)).serialized())
        case .csv:
            // Every result has the same columns: one header, one row per device.
            let texts = results.map { $0.csv.split(separator: "\n", omittingEmptySubsequences: false) }
            print(([String(texts[0][0])] + texts.map { String($0[1]) }).joined(separator: "\n"))
        }
    }

    static func table(_ results: [SimulationResult]) -> String {
        var table = TextTable(title: "attnsim compare: \(results[0].workload) on \(results.count) devices")
        func row(_ label: String, _ value: (SimulationResult) -> String?) {
            let cells = results.map { value($0) ?? "—" }
            if cells.contains(where: { $0 != "—" }) { table.add([label] + cells) }
        }
        func time(_ x: Double?) -> String? { x.map { Quantity.format($0, .time) } }
        func times(_ x: Double?) -> String? { x.map { String(format: "%.2f×", $0) } }
        row("", { $0.hardware })
        row("model", { $0.simulated.model.rawValue })
        row("mapping", { $0.gpu?.mapping.description })
        row("time", { time($0.simulated.time) })
        row("dense time", { time($0.simulated.denseTime) })
        row("speedup", { times($0.simulated.speedup) })
        row("FLOP-wise bound", { times($0.bounds.flopSpeedup) })
        row("wave-aware bound", { times($0.bounds.waveSpeedup) })
        row("mask build", { time($0.simulated.maskBuildTime) })
        row("estimator", { time($0.simulated.estimator?.time) })
        row("DRAM traffic", { $0.simulated.dramBytes.map { Quantity.format($0, .bytes) } })
        row("bottleneck", { $0.simulated.bottleneck })
        row("utilization (compute)", { $0.simulated.utilization.first.map { String(format: "%.1f %% %@", $0.1 * 100, $0.0) } })
        row("energy", { $0.simulated.energy.map { Quantity.format($0, .energy) } })
        return table.rendered
    }
}
