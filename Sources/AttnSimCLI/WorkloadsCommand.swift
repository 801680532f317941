import ArgumentParser
import AttnSim

/// `attnsim workloads`: the workload presets, which commands take by name.
struct WorkloadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workloads",
        abstract: "List the workload presets (workloads/*.yaml), which commands take by name.")

    func run() throws {
        print(PresetListing.table(.workloads) { path in
            (try? Workload.load(path: path)).map { $0.description ?? "" } ?? "(does not load)"
        }, terminator: "")
    }
}

/// The listing `hw list` and `workloads` print: one line per preset, its name and what `describe` says of it.
enum PresetListing {
    static func table(_ kind: Presets.Kind, describe: (String) -> String) -> String {
        let presets = Presets.all(kind)
        guard !presets.isEmpty else {
            return "no \(kind.rawValue)/ folder here or beside the attnsim build; give files by path\n"
        }
        let width = presets.map(\.name.count).max() ?? 0
        var lines = ["\(kind.noun) presets (by name, e.g. `attnsim simulate h100 bert-base-1k`; a unique start of a name will do)"]
        for preset in presets {
            var text = describe(preset.path)
            if text.count > 100 { text = String(text.prefix(99)) + "…" }
            lines.append("  " + preset.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
