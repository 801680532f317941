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

/// Runs an executable from the repository root (or `directory`) to its end; its exit status and stdout and stderr
/// together. `environment` adds to (or overrides) this process's.
func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                in directory: URL = Repo.root) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
