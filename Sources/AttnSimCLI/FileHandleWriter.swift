import ArgumentParser
import Foundation

enum FileHandleWriter {
    static func writeToStandardError(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

/// Writes a result file atomically; a failure (an `--out` that cannot be written) is one line on stderr and exit
/// status 2, like any bad input.
func writeOutput(_ text: String, to path: String, command: String) throws {
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        printError("attnsim \(command): error: cannot write \(path): \(error.localizedDescription)")
        throw ExitCode(2)
    }
}
