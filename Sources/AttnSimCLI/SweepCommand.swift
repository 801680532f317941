import ArgumentParser
import AttnSim
import Foundation

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a design-space sweep (sweeps/*.yaml) into a results folder; rerun the same command to resume.",
        discussion: """
            Each point is written to DIR/points/ as it finishes; an interrupted run (even kill -9) resumes with the \
            missing points only. When all are done, DIR/points.jsonl and DIR/points.csv hold one row per point, \
            byte-identical whatever --jobs is. --shard I/N runs every N-th point from I (0-based); `attnsim merge` \
            combines the shards.
            """)

    @Argument(help: "Sweep spec (e.g. sweeps/hunyuan-strides.yaml).") var spec: String
    @Option(help: "Results folder.") var out: String
    @Option(help: "Parallel workers (default: every core).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Run one deterministic slice I/N of the points (0 ≤ I < N).") var shard: String?

    /// Far more workers than cores only costs memory (README.md, "Limits").
    static let maxJobs = 1024

    func run() throws {
        guard (1...Self.maxJobs).contains(jobs) else {
            throw badFlag("sweep", "--jobs \(jobs): expected 1…\(Self.maxJobs) parallel workers")
        }
        var slice: (index: Int, count: Int)?
        if let shard {
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
                throw badFlag("sweep", "--shard expects I/N with 0 ≤ I < N, e.g. 0/4; found \(shard)")
            }
            slice = (i, n)
        }
        let interactive = isatty(STDERR_FILENO) != 0
        let summary = try reportingDiagnostics { () throws(Diagnostic) in
            let sweep = try SweepSpec.load(path: spec)
            let runner = SweepRunner(spec: sweep, output: out, jobs: jobs, shard: slice)
            // The progress bar redraws with a carriage return, so it bypasses the escaping of printError (it holds no names).
            return try runner.run(progress: SweepProgress(interactive: interactive) { FileHandleWriter.writeToStandardError($0) })
        }
        printError("attnsim sweep: \(summary.mine) of \(summary.points) points in \(out)"
            + (slice.map { " (shard \($0.index)/\($0.count))" } ?? "") + "; \(summary.evaluated) evaluated now, "
            + "\(summary.failed) recorded with an error; results: \(out)/points.jsonl, \(out)/points.csv")
    }
}
