import ArgumentParser
import AttnSim
import AttnSimKernels
import Foundation

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure this host (cores, clock, peak FMA rate, STREAM triad, caches) and write a `kind: cpu` hardware file.",
        discussion: "Build with -c release: a debug build times unoptimized kernels. Takes about 5-10 s (--quick: about 1 s).")

    @Option(help: "Write the hardware file here (folders are created) instead of printing it.") var out: String?
    @Option(help: "The file's `name:` (default: host-<cpu model>-<cores>c).") var name: String?
    @Option(help: "Threads for the all-core runs (default: every active CPU).") var threads: Int?
    @Flag(help: "A short run (about 1 s) with smaller triad arrays, for tests and a first look.") var quick = false

    func run() throws {
        #if DEBUG
        printError("attnsim calibrate: warning: this is a debug build; measure with a release build (swift build -c release)")
        #endif
        if let threads, threads < 1 { printError("attnsim calibrate: error: --threads must be at least 1"); throw ExitCode(2) }
        var options = quick ? HostCalibration.Options.quick : .standard
        options.threads = threads
        let host = HostCalibration.measure(options) { printError("attnsim calibrate: \($0)") }
        let text = host.hardwareYAML(name: name)
        guard let out else { print(text, terminator: ""); return }
        let directory = URL(fileURLWithPath: out).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeOutput(text, to: out, command: "calibrate")
        printError("attnsim calibrate: wrote \(out): \(host.cores) cores at \(Quantity.format(host.clock, .frequency)), "
            + "fp32 FMA \(Quantity.format(host.fmaSingleCore, .flopRate)) on 1 core and "
            + "\(Quantity.format(host.fmaAllCores, .flopRate)) on \(host.threads), "
            + "triad \(Quantity.format(host.triadBandwidth, .bandwidth))")
    }
}
