import Foundation

/// Hardware and workload presets by name (`attnsim simulate h100 bert-base-1k`): the YAML files of the repository's
/// `hardware/` and `workloads/` folders, found from the working directory or from the repository the executable was
/// built in (`.build/<configuration>/attnsim`). A name matches a file's stem exactly or, failing that, as the start of
/// exactly one stem (`h100` → `h100-sxm5-80gb`).
public enum Presets {
    public enum Kind: String, Sendable {
        case hardware, workloads

        public var noun: String { self == .hardware ? "hardware" : "workload" }
    }

    /// The repository the running executable was built in: .build/<configuration>/attnsim (or
    /// .build/<triple>/<configuration>/attnsim) → the folder above it holding `Package.swift`; nil elsewhere.
    public static var executableRepository: String? {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        var url = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            url = url.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return nil
    }

    /// The folders searched, nearest first, that exist.
    static func directories(_ kind: Kind) -> [String] {
        var roots = [FileManager.default.currentDirectoryPath]
        if let repository = executableRepository { roots.append(repository) }
        var seen: Set<String> = []
        return roots.map { ($0 as NSString).appendingPathComponent(kind.rawValue) }.filter { directory in
            var isDirectory: ObjCBool = false
            let standard = (directory as NSString).standardizingPath
            return FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
                && seen.insert(standard).inserted
        }
    }

    /// Every preset of `kind`: its name (the file's stem) and path, by name; the nearest folder's file wins a name.
    public static func all(_ kind: Kind) -> [(name: String, path: String)] {
        var found: [String: String] = [:]
        for directory in directories(kind).reversed() {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in names where file.hasSuffix(".yaml") {
                found[String(file.dropLast(5))] = (directory as NSString).appendingPathComponent(file)
            }
        }
        return found.sorted { $0.key < $1.key }.map { (name: $0.key, path: $0.value) }
    }

    /// `argument` itself where a file is there; else the path of the preset it names. A name that matches no preset
    /// or several gets an error listing them.
    public static func resolve(_ argument: String, kind: Kind) throws(Diagnostic) -> String {
        if FileManager.default.fileExists(atPath: argument) || argument.contains("/") || argument.hasSuffix(".yaml") {
            return argument
        }
        let presets = all(kind)
        if let exact = presets.first(where: { $0.name == argument }) { return exact.path }
        let starting = presets.filter { $0.name.hasPrefix(argument) }
        if starting.count == 1 { return starting[0].path }
        let names = presets.map(\.name)
        if starting.count > 1 {
            throw Diagnostic(file: argument, message: "\"\(argument)\" names several \(kind.noun) presets: "
                             + starting.map(\.name).joined(separator: ", "))
        }
        let other: Kind = kind == .hardware ? .workloads : .hardware
        if all(other).contains(where: { $0.name == argument || $0.name.hasPrefix(argument) }) {
            throw Diagnostic(file: argument, message: "\"\(argument)\" is a \(other.noun) preset, where a \(kind.noun) file was "
                             + "expected (the commands take the hardware first: `attnsim simulate HARDWARE WORKLOAD`)")
        }
        throw Diagnostic(file: argument, message: "no such file, and no \(kind.noun) preset of that name"
                         + DidYouMean.hint(for: argument, among: names)
                         + (names.isEmpty ? "" : "; \(kind.noun) presets: " + names.joined(separator: ", ")))
    }
}
