import Foundation
import Testing

/// README.md's `$ attnsim …` examples print what the README shows: scripts/check-readme.sh re-runs them through the
/// `attnsim` built with the tests and compares (exactly, or with the host's measurements masked; the script's header
/// has the rules). With `--fast` it leaves out the examples a debug build takes minutes over (the 6,006-point sweep,
/// calibrate, crosscheck) and lists them; `scripts/check-readme.sh` alone builds a release binary and runs them too.
/// About 20 s on 2 cores.
@Suite struct ReadmeExamplesTests {
    static var hasPython3: Bool {
        ["/usr/bin/python3", "/usr/local/bin/python3"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: hasPython3, "python3 is not installed")) func readmeExamplesPrintWhatTheReadmeShows() throws {
        let executable = try #require(CLI.executable, "attnsim executable not found next to the tests")
        let (status, text) = try runProcess(URL(fileURLWithPath: "/bin/bash"),
                                            [Repo.path("scripts/check-readme.sh"), "--fast", executable.path])
        #expect(status == 0, "\(text)")
        #expect(text.contains("check-readme: ") && text.contains(" 0 mismatch(es)"), "\(text)")
    }
}
