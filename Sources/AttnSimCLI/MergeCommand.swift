import ArgumentParser
import AttnSim
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shard folders of one sweep, checking that no point is missing or repeated.")

    @Argument(help: "Shard results folders.") var folders: [String]
    @Option(help: "Merged results folder.") var out: String

    func run() throws {
        let count = try reportingDiagnostics { () throws(Diagnostic) in try SweepRunner.merge(folders, into: out) }
        printError("attnsim merge: \(count) points from \(folders.count) folders into \(out)/points.jsonl and points.csv")
    }
}
