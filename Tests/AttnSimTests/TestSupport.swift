import Foundation

/// Paths to files shipped in the repository, found from this source file so tests run from any directory.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func files(in directory: String, withExtension ext: String) -> [String] {
        let url = root.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".\(ext)") }.sorted().map { url.appendingPathComponent($0).path }
    }
}

/// A scratch file that lives for one test.
func temporaryFile(named name: String, contents: Data) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try contents.write(to: url)
    return url.path
}
