import AttnSim
import AttnSimFuzzing
import Foundation

// The libFuzzer target for attnsim's loaders (fuzz/README.md), built only when ATTNSIM_FUZZ is set and with
// `-sanitize=fuzzer`. SwiftPM makes this file's top-level code the program's `main` (shadowing libFuzzer's), so
// it hands the command line to libFuzzer's driver itself. All logic lives in `FuzzEntry`, shared with the
// regression tests (Tests/AttnSimTests/Spec/FuzzRegressionTests.swift).

/// libFuzzer's entry point (compiler-rt `FuzzerDriver.cpp`): parses the flags, then calls `callback` per input.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The repository: `ATTNSIM_ROOT`, or the checkout this file was built from.
let entry: FuzzEntry = {
    let root = ProcessInfo.processInfo.environment["ATTNSIM_ROOT"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    do {
        return try FuzzEntry(root: root)
    } catch {
        fatalError("attnsim-fuzz: cannot load the fixed hardware and workloads under \(root): \(error)")
    }
}()

/// libFuzzer's own mutator, for the custom mutator below to fall back on.
@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// One input in three gets a number replaced by an extreme (`FuzzEntry.numberMutation`); the rest get libFuzzer's
/// byte-level mutations. Deterministic in `seed`, as libFuzzer requires.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    func next() -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(truncatingIfNeeded: state >> 1)
    }
    if next() % 3 == 0,
       let mutated = FuzzEntry.numberMutation(Array(UnsafeBufferPointer(start: data, count: size)),
                                              pick: next(), choice: next()),
       mutated.count <= maxSize {
        mutated.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: mutated.count) }
        return mutated.count
    }
    return libFuzzerMutate(data, size, maxSize)
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { data, size in
    _ = entry.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
})
