import ArgumentParser
import AttnSim
import Foundation

/// `attnsim fit-gpu RESULTS --base HW --out FILE`: fits a GPU's kernel profiles (`flex`, `flash`) to a results file
/// written by `scripts/calibrate_gpu.py` (or validation/gpu/protocol_bench.py) on every third configuration, prints
/// the error on the others, and writes a hardware file: the base file's datasheet numbers with the fitted profiles
/// and their held-out spread (`held_out:`, the 80 % error bars of every prediction).
struct FitGPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-gpu",
        abstract: "Fit a GPU's kernel profiles to measured runs (scripts/calibrate_gpu.py) and write a hardware file.")

    @Argument(help: "Results JSON from scripts/calibrate_gpu.py or validation/gpu/protocol_bench.py.")
    var results: String
    @Option(help: "Hardware file of the same GPU model: its datasheet numbers (SMs, peaks, memory) are kept.")
    var base: String
    @Option(help: "Hardware file to write.") var out: String
    @Option(help: "`name:` of the written file (default: the output file's name without .yaml).") var name: String?

    func run() throws {
        let (text, report) = try reportingDiagnostics { () throws(Diagnostic) -> (String, GPUCrossCheckReport) in
            let spec = try HardwareSpec.load(path: base)
            guard spec.kind == .gpu, let units = spec.units else {
                throw Diagnostic(file: base, path: "kind", message: "fit-gpu needs a GPU hardware file as --base")
            }
            let check = try GPUCrossCheck(path: results)
            if let sms = check.deviceSMs, sms != units.count {
                throw Diagnostic(file: results, path: "device.sms",
                                 message: "the results were measured on a GPU with \(sms) SMs, but \(base) has \(units.count); "
                                    + "give --base the hardware file of the GPU that ran them")
            }
            guard !check.measurements.isEmpty else {
                throw Diagnostic(file: results, message: "no configuration with a measured time and a dense baseline")
            }
            var fitted = try check.fit(hardware: spec, backend: "flex")
            var fittedSpec = spec
            for (backend, profile) in fitted { fittedSpec.kernels[backend] = profile }
            var report = GPUCrossCheckReport(device: check.device, backend: "flex",
                                             rows: try check.rows(hardware: fittedSpec, backend: "flex"), fitted: fitted,
                                             skipped: check.skipped)
            let date = check.measuredOn ?? "an unrecorded date"
            let file = (results as NSString).lastPathComponent
            for (backend, var profile) in fitted {
                let spread = report.spreads.first { $0.backend == backend }
                profile.heldOut = spread?.spread
                profile.heldOutByFamily = spread?.byFamily ?? [:]
                profile.sources = [
                    "fit by `attnsim fit-gpu \(file) --base \(base)` (least squares on log time over the dense and masked runs of every "
                        + "third configuration) to runs measured on \(check.device) (\(date)); fields not fitted come from \(base)'s "
                        + "\(backend) profile (see its sources)",
                ] + (spread.map {
                    [String(format: "held_out (and held_out_by_family, per prediction family): 10th-90th percentile of measured / "
                            + "predicted over the %d held-out configs; built from every other one, it covered %.0f %% (time) and "
                            + "%.0f %% (speedup) of the rest",
                            $0.spread.configs, $0.timeCoverage * 100, $0.speedupCoverage * 100)]
                } ?? [])
                fitted[backend] = profile
            }
            let baseText = String(decoding: try SpecDocument.contents(ofFile: base), as: UTF8.self)
            let outName = name ?? ((out as NSString).lastPathComponent as NSString).deletingPathExtension
            let text = HardwareSpec.replacingProfiles(in: baseText, name: outName, profiles: fitted)
            _ = try HardwareSpec.parse(text: text, file: out)   // what is written must load
            report.fitted = fitted
            return (text, report)
        }
        do {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            printError("attnsim fit-gpu: error: cannot write \(out): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        print(report.summaryTable, terminator: "")
        print("wrote \(out)")
    }
}
