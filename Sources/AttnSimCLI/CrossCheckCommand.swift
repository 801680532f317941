import ArgumentParser
import AttnSim
import AttnSimKernels
import Foundation

struct CrossCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Run real CPU attention kernels on this machine and hold attnsim's predictions against them.",
        discussion: """
            For each workload the simulator picks the mapping; the kernels run its tiles — the sparse workload (causal, \
            GNA, or a pruned prefill on compacted K/V) and its dense baseline — with a warm-up and the median of \
            --repetitions runs. A workload with `pass: backward` or `pass: training` runs the forward and backward \
            kernels and is held against the prediction of that pass (the profile needs a `backward:` block, which \
            `attnsim calibrate` writes). A folder argument stands for every .yaml file in it. Example:
              attnsim crosscheck hardware/host-calibrated.yaml validation/cpu/workloads
            """)

    @Argument(help: "CPU hardware file with a kernel profile (e.g. from `attnsim calibrate`).") var hardware: String
    @Argument(help: "Workload files or folders of them.") var workloads: [String]
    @Option(help: "Worker threads (default: the hardware file's core count).") var threads: Int?
    @Option(help: "Timed runs per kernel after one warm-up (the median is reported).") var repetitions: Int = 5
    @Flag(help: "Fit the profile's efficiency, masked-tile cost and per-Q-tile cost (and, on backward and training workloads, the backward's efficiency) on every third workload first; the others are held out.")
    var fit = false
    @Option(help: "Kernel profile to use and fit.") var backend: String = "cpu"
    @Option(help: "Output format: table, json or csv (one row per workload).") var format: OutputFormat = .table
    @Option(name: .customLong("save-json"), help: "Also write the JSON list to this file (e.g. validation/cpu/results.json).")
    var saveJSON: String?

    func run() throws {
        guard repetitions >= 1 else { printError("attnsim crosscheck: error: --repetitions must be at least 1"); throw ExitCode(2) }
        let report = try reportingDiagnostics { () throws(Diagnostic) -> CPUCrossCheckReport in
            var spec = try HardwareSpec.load(path: hardware)
            guard spec.kind == .cpu else {
                throw Diagnostic(file: hardware, path: "kind", message: "crosscheck runs CPU kernels; this file is `kind: \(spec.kind.rawValue)`")
            }
            var loaded: [Workload] = []
            for path in try Self.expand(workloads) {
                var workload = try Workload.load(path: path)
                if workload.kernel?.backend == nil {
                    var kernel = workload.kernel ?? KernelChoice()
                    kernel.backend = .fixed(backend)
                    workload.kernel = kernel
                }
                loaded.append(workload)
            }
            let count = threads ?? min(spec.units?.count ?? 1, ProcessInfo.processInfo.activeProcessorCount)
            let check = CPUCrossCheck(threads: count, repetitions: repetitions)
            var measured: [(Workload, CPUCrossCheck.Measurement)] = []
            for (index, workload) in loaded.enumerated() {
                printError("[\(index + 1)/\(loaded.count)] \(workload.name)")
                measured.append((workload, try check.measure(workload, hardware: spec)))
            }
            var fitted: KernelProfile?
            if fit {
                var profile = try GPUEngine.profile(spec, backend: backend, file: hardware)
                let trainingSet = measured.enumerated().filter { CPUCrossCheck.isTraining($0.offset) && $0.element.0.pruning == nil }
                    .map(\.element)
                func samples(_ pass: (TrainingPass) -> Bool) -> [ProfileFit.Sample] {
                    trainingSet.filter { pass($0.0.pass) }
                        .map { ProfileFit.Sample(workload: $0.0, dense: $0.1.dense, sparse: $0.1.sparse) }
                }
                // The forward costs on forward workloads, then the backward's efficiency on the others.
                let forward = samples { !$0.runsBackward }, backward = samples(\.runsBackward)
                if !forward.isEmpty {
                    profile = ProfileFit.fit(hardware: spec, backend: backend, start: profile, samples: forward)
                    spec.kernels[backend] = profile
                }
                if !backward.isEmpty {
                    profile = ProfileFit.fitBackward(hardware: spec, backend: backend, start: profile, samples: backward)
                    spec.kernels[backend] = profile
                }
                fitted = profile
            }
            var rows: [CPUCrossCheck.Row] = []
            for (index, (workload, times)) in measured.enumerated() {
                rows.append(try check.predict(workload, hardware: spec, measured: times, training: CPUCrossCheck.isTraining(index)))
            }
            return CPUCrossCheckReport(hardware: spec.name, threads: count, rows: rows, fitted: fitted)
        }
        if let saveJSON { try writeOutput(report.json.serialized() + "\n", to: saveJSON, command: "crosscheck") }
        switch format {
        case .json: print(report.json.serialized())
        case .csv: print(report.csv, terminator: "")
        case .table: print(report.table, terminator: "")
        }
    }

    /// Files as given; a folder stands for its .yaml files, sorted.
    static func expand(_ paths: [String]) throws(Diagnostic) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Diagnostic(file: path, message: "no such file or folder")
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { $0.hasSuffix(".yaml") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        guard !files.isEmpty else { throw Diagnostic(file: paths.first ?? ".", message: "no workload files given") }
        return files
    }
}
