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

    @Option(help: "GPU: the backend of the dense baseline run (default: the chosen backend itself), e.g. flash.")
    var baseline: String?

    @Option(help: ArgumentHelp(
        "Spatial arrays: how register-file energy is counted: full (every PE) or artifact (one PE per array, as the "
            + "FuseMax artifact does; validation/fusemax/energy-accounting.md).", valueName: "full|artifact"))
    var energyAccounting: EnergyAccounting = .full

    @Option(help: "Write a Chrome/Perfetto trace of the GPU simulation (one track per SM, a slice per CTA).")
    var trace: String?

    func run() throws {
        let result = try reportingDiagnostics { () throws(Diagnostic) in
            let hw = try HardwareSpec.load(path: hardware)
            let wl = try Workload.load(path: workload)
            return try Simulator.run(hardware: hw, workload: wl, trace: trace != nil, baseline: baseline,
                                     energyAccounting: energyAccounting)
        }
        if let trace {
            guard let gpu = result.gpu else {
                printError("attnsim simulate: error: --trace needs the GPU event simulator (a GPU hardware file with kernel profiles)")
                throw ExitCode(2)
            }
            let text = ChromeTrace.json(gpu.sparse, hardware: result.hardware, workload: result.workload).serialized(pretty: false)
            try writeOutput(text, to: trace, command: "simulate")
        }
        switch format {
        case .table: print(result.table, terminator: "")
        case .json: print(result.json.serialized())
        case .csv: print(result.csv, terminator: "")
        }
    }
}
