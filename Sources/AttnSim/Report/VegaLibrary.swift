import Foundation

/// The charting library the report page inlines: Vega 5.21.0 and Vega-Lite 4.17.0, vendored unchanged in the
/// repository's `vendor/vega/` (its README names the registry package, the digests and the licences).
///
/// The files are read at run time, found like the presets (``Presets``): in the repository the executable was built
/// in (`.build/<configuration>/attnsim` → the folder holding `Package.swift`), then under the working directory;
/// `ATTNSIM_VEGA_DIR`, when set, names the one folder to read them from instead. A missing file is a ``Diagnostic``
/// naming the files and the folders searched, never a crash.
public struct VegaLibrary: Sendable {
    /// The vendored files, in the order the page loads them.
    public static let files = ["vega-5.21.0.js", "vega-lite-4.17.0.js"]
    /// The versions the page's script is written against (Vega-Lite 4's `selection` syntax).
    public static let vegaVersion = "5.21.0", vegaLiteVersion = "4.17.0"

    /// The scripts' texts, in ``files`` order.
    public var scripts: [String]

    public init(scripts: [String]) { self.scripts = scripts }

    /// The folders searched for `vendor/vega`, nearest first: the executable's repository, then the working directory;
    /// `ATTNSIM_VEGA_DIR`, when set, is the only one.
    static func candidateFolders() -> [String] {
        if let named = ProcessInfo.processInfo.environment["ATTNSIM_VEGA_DIR"], !named.isEmpty { return [named] }
        var folders: [String] = []
        if let repository = Presets.executableRepository {
            folders.append((repository as NSString).appendingPathComponent("vendor/vega"))
        }
        folders.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("vendor/vega"))
        var seen: Set<String> = []
        return folders.filter { seen.insert(($0 as NSString).standardizingPath).inserted }
    }

    /// Reads the vendored scripts from the first folder that holds all of them.
    public static func load() throws(Diagnostic) -> VegaLibrary {
        let folders = candidateFolders()
        for folder in folders {
            let paths = files.map { (folder as NSString).appendingPathComponent($0) }
            guard paths.allSatisfy({ FileManager.default.isReadableFile(atPath: $0) }) else { continue }
            return try load(folder: folder)
        }
        throw Diagnostic(file: files.joined(separator: ", "), message: "the report's charting library is missing: looked in "
            + folders.joined(separator: ", ") + " (the repository's vendor/vega/ holds them; set ATTNSIM_VEGA_DIR to a folder "
            + "with \(files.joined(separator: " and ")))")
    }

    /// Reads the scripts from `folder`; a missing or unreadable file is a diagnostic naming it.
    public static func load(folder: String) throws(Diagnostic) -> VegaLibrary {
        var scripts: [String] = []
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
                throw Diagnostic(file: path, message: "the report's charting library is missing or empty: expected \(file) "
                    + "(Vega \(vegaVersion) / Vega-Lite \(vegaLiteVersion), vendored in the repository's vendor/vega/)")
            }
            scripts.append(String(decoding: data, as: UTF8.self))
        }
        return VegaLibrary(scripts: scripts)
    }
}
