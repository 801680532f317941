import ArgumentParser
import AttnSim

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate one workload on one device: bounds, predicted time, traffic and utilization.")

    @Argument(help: "Hardware file (e.g. hardware/h100-sxm5-80gb.yaml).")
    var hardware: String

    @Argument(help: "Workload file (e.g. workloads/bert-base-1k.yaml).")
    var workload: String

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let result = try reportingDiagnostics { () throws(Diagnostic) in
            let hw = try HardwareSpec.load(path: hardware)
            let wl = try Workload.load(path: workload)
            return try Simulator.run(hardware: hw, workload: wl)
        }
        switch format {
        case .table: print(result.table, terminator: "")
        case .json: print(result.json.serialized())
        case .csv: print(Flatten.csv([result.json]), terminator: "")
        }
    }
}
