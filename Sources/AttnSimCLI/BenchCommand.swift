import ArgumentParser
import AttnSim
import AttnSimKernels
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time attnsim's own work (build with -c release for numbers worth reporting).")

    @Option(help: "Only cases whose name contains this text.") var filter: String?
    @Option(help: "Samples per case (the median, min and max are over these).") var samples: Int = 11
    @Option(help: "Repository root holding hardware/ and workloads/.") var root: String = "."
    @Option(help: "Output format: table, json or csv (one row per case).") var format: OutputFormat = .table

    /// Each sample of the slowest case (the 6,006-point sweep) takes about two minutes in a release build.
    static let maxSamples = 101

    func run() throws {
        #if DEBUG
        printError("attnsim bench: warning: this is a debug build; time a release build (swift build -c release)")
        #endif
        guard (1...Self.maxSamples).contains(samples) else {
            throw badFlag("bench", "--samples \(samples): expected 1…\(Self.maxSamples) (README.md, \"Limits\")")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw badFlag("bench", "--root \(root): no such folder; expected the repository root holding hardware/ and workloads/")
        }
        let all = Benchmark.all(root: root) + KernelBenchmarks.all()
        let cases = all.filter { filter == nil || $0.name.contains(filter!) }
        guard !cases.isEmpty else {
            throw badFlag("bench", "--filter \(filter ?? ""): no case's name contains it; cases: "
                + all.map(\.name).joined(separator: ", "))
        }
        let runner = BenchmarkRunner(samples: samples)
        var results: [BenchmarkResult] = []
        for (index, benchmark) in cases.enumerated() {
            if format == .table { printError("[\(index + 1)/\(cases.count)] \(benchmark.name)") }
            do {
                results.append(try runner.run(benchmark))
            } catch let diagnostic as Diagnostic {
                printError(diagnostic.description)
                throw ExitCode(2)
            }

        }
        // Kernel throughput is reported against the FMA peak measured now, on every core.
        var peak: Double?
        if results.contains(where: { $0.flops != nil }) {
            peak = HostCalibration.measurePeakFMA(threads: ProcessInfo.processInfo.activeProcessorCount, seconds: 0.5)
        }
        let rows = results.map { $0.record(peak: peak) }
        switch format {
        case .json:
            print(JSONValue.array(rows.map { JSONValue(encoding: $0) }).serialized())
        case .csv:
            print(RecordCSV.text(rows), terminator: "")
        case .table:
            print(BenchmarkReport.table(results, peak: peak), terminator: "")
            let manifest = root + "/bench/manifest.yaml"
            if FileManager.default.fileExists(atPath: manifest) {
                let peers = try reportingDiagnostics { () throws(Diagnostic) in try BenchManifest.load(path: manifest) }
                print(peers.table(results), terminator: "")
            }
        }
    }
}
