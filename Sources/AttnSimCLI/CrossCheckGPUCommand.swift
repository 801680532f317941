import ArgumentParser
import AttnSim

struct CrossCheckGPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck-gpu",
        abstract: "Hold GPU predictions against measured kernel runs (validation/gpu/*.json), optionally fitting the profile.")

    @Argument(help: "GPU hardware file.") var hardware: String
    @Argument(help: "Measured JSON from validation/gpu/protocol_bench.py, flex_gna_bench.py, sdpa_decode_bench.py (decode calls), seer_bench.py, or estimator_bench.py (per-call estimators).")
    var measured: String
    @Option(help: "Backend profile to check (flex_gna_bench.py files; protocol files name each config's backend).")
    var backend: String = "flex"
    @Flag(help: "Fit the profiles on the training configs (every third) first: efficiency, masked-tile or per-operation mask cost, per-CTA and host costs.")
    var fit = false
    @Flag(help: "Print only the summary and the held-out error by family, not one row per config (table format).")
    var summary = false
    @Option(help: "Predict with the kernel profiles of this hardware file (another GPU's fit) on HARDWARE's SMs, memory and clock: the cross-GPU check.")
    var profilesFrom: String?
    @Option(help: "Output format: table, json or csv (one row per config, the columns of `crosscheck`).")
    var format: OutputFormat = .table

    func run() throws {
        if EstimatorCrossCheck.isEstimatorFile(path: measured) {
            let check = try reportingDiagnostics { () throws(Diagnostic) in
                try EstimatorCrossCheck(path: measured, hardware: HardwareSpec.load(path: hardware))
            }
            print(check.table, terminator: "")
            return
        }
        if GPUDecodeCrossCheck.isDecodeFile(path: measured) {
            let report = try reportingDiagnostics { () throws(Diagnostic) in
                let check = try GPUDecodeCrossCheck(path: measured)
                return GPUDecodeCrossCheckReport(device: check.device, rows: try check.rows(hardware: HardwareSpec.load(path: hardware)))
            }
            switch format {
            case .json: print(report.json.serialized())
            case .csv: print(report.csv, terminator: "")
            case .table: print(report.table, terminator: "")
            }
            return
        }
        let report = try reportingDiagnostics { () throws(Diagnostic) in
            var spec = try HardwareSpec.load(path: hardware)
            if let profilesFrom {
                for (name, profile) in try HardwareSpec.load(path: profilesFrom).kernels { spec.kernels[name] = profile }
            }
            let check = try GPUCrossCheck(path: measured)
            var fitted: [String: KernelProfile] = [:]
            if fit {
                fitted = try check.fit(hardware: spec, backend: backend)
                for (name, profile) in fitted { spec.kernels[name] = profile }
            }
            return GPUCrossCheckReport(device: check.device, backend: backend,
                                       rows: try check.rows(hardware: spec, backend: backend), fitted: fitted,
                                       skipped: check.skipped)
        }
        switch format {
        case .json: print(report.json.serialized())
        case .csv: print(report.csv, terminator: "")
        case .table: print(summary ? report.summaryTable : report.table, terminator: "")
        }
    }
}
