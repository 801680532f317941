import Foundation
import Testing

/// The Python package (python/attnsim) passes its pytest suite against the `attnsim` built with the tests:
/// `python -m pytest python/tests -q` with ATTNSIM_BINARY set to it. The interpreter is ATTNSIM_PYTHON (.ci/run
/// points it at the virtual environment it installs `./python[test]` into), else `python3` on PATH. Without pytest,
/// pandas or numpy there the test is skipped, saying why, unless ATTNSIM_REQUIRE_PYTHON_TESTS=1 (.ci/run sets it
/// when its install succeeded): then a missing module fails it. About 10 s on 2 cores.
@Suite struct PythonPackageTests {
    static let python: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["ATTNSIM_PYTHON"], !explicit.isEmpty { return explicit }
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { $0 + "/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["ATTNSIM_REQUIRE_PYTHON_TESTS"] == "1" }

    /// Runs the interpreter with `arguments` from the repository root; exit status and stdout + stderr.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let interpreter = URL(fileURLWithPath: try #require(python, "no python3 found"))
        return try runProcess(interpreter, arguments, environment: environment)
    }

    static let modulesMissing: String? = {
        guard python != nil else { return "python3 is not installed" }
        guard let checked = try? run(["-c", "import pytest, pandas, numpy"]) else {
            return "\(python ?? "python3") did not run"
        }
        let (status, text) = checked
        return status == 0 ? nil : "pytest, pandas or numpy is not importable by \(python ?? "python3") "
            + "(pip install './python[test]'): \(text.split(separator: "\n").last ?? "")"
    }()

    /// Whether the test runs; when it does not, the reason goes to stderr (the skip note can only be a literal).
    static var enabled: Bool {
        if let missing = modulesMissing, !required {
            FileHandle.standardError.write(Data("PythonPackageTests: skipped: \(missing)\n".utf8))
            return false
        }
        return true
    }

    @Test(.enabled(if: enabled, "pytest, pandas or numpy missing (pip install './python[test]'); see .ci/run"))
    func pytestSuitePasses() throws {
        if let missing = Self.modulesMissing { Issue.record("ATTNSIM_REQUIRE_PYTHON_TESTS=1, but \(missing)") }
        let executable = try #require(CLI.executable, "attnsim executable not found next to the tests")
        let (status, text) = try Self.run(["-m", "pytest", "python/tests", "-q", "-p", "no:cacheprovider"],
                                          environment: ["ATTNSIM_BINARY": executable.path,
                                                        "PYTHONDONTWRITEBYTECODE": "1"])
        #expect(status == 0, "\(text)")
        #expect(text.contains(" passed"), "\(text)")
    }
}
