import AttnSim
import AttnSimFuzzing
import Foundation

// The libFuzzer target for attnsim's loaders, mapping files and command lines (fuzz/README.md), built only when ATTNSIM_FUZZ is set and with
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

/// `FUZZ_MODE=loaders|mapping|arguments` holds a run to one mode (fuzz/README.md): the mutator moves every input's
/// selector into it, and inputs of other modes (seeds of the shared corpus) are not run.
let mode: FuzzEntry.Mode? = ProcessInfo.processInfo.environment["FUZZ_MODE"].map {
    guard let mode = FuzzEntry.Mode(rawValue: $0) else {
        fatalError("attnsim-fuzz: FUZZ_MODE=\($0): expected one of \(FuzzEntry.Mode.allCases.map(\.rawValue))")
    }
    return mode
}

/// libFuzzer's own mutator, for the custom mutator below to fall back on.
@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// One file in three gets a number replaced by an extreme (`FuzzEntry.numberMutation`); a command line gets that
/// two times in five and an argument deleted, duplicated or inserted (`FuzzEntry.argumentMutation`) two times in
/// five (byte mutations mostly break its structure); the rest get libFuzzer's byte-level mutations. Deterministic in `seed`, as libFuzzer requires. Under `FUZZ_MODE` the selector byte is
/// then moved into the mode.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    let size = mutate(data, size, maxSize, seed)
    if let mode, size > 0 { data[0] = mode.selector(data[0]) }
    return size
}

func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    func next() -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(truncatingIfNeeded: state >> 1)
    }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let arguments = bytes.first.map { FuzzEntry.Mode(selector: $0) == .arguments } ?? false
    let roll = next() % 15
    var mutated: [UInt8]?
    if roll < (arguments ? 6 : 5) {
        mutated = FuzzEntry.numberMutation(bytes, pick: next(), choice: next())
    } else if arguments && roll < 12 {
        mutated = FuzzEntry.argumentMutation(bytes, pick: next(), choice: next())
    }
    if let mutated, mutated.count <= maxSize {
        mutated.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: mutated.count) }
        return mutated.count
    }
    return libFuzzerMutate(data, size, maxSize)
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { data, size in
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    // -1: libFuzzer does not add the input to the corpus.
    if let mode, let selector = bytes.first, FuzzEntry.Mode(selector: selector) != mode { return -1 }
    _ = entry.run(bytes)
    return 0
})
