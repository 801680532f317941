import Foundation
import Testing
@testable import AttnSim

/// Bad input gives a `Diagnostic` naming file, line, column, field and what was expected (never a crash).
/// Line and column numbers below are counted by hand in the YAML texts of each test.
@Suite struct BadInputTests {
    static let goodHardware = """
        attnsim: 1
        name: test-gpu
        kind: gpu
        clock: 1.83 GHz
        units: {name: SM, count: 132}
        matrix: {bf16: 989.4 TFLOP/s}
        memory:
          - {name: HBM, size: 80 GB, bandwidth: 3.35 TB/s}
          - {name: SMEM, size: 228 KiB, per: unit}
        """

    static let goodWorkload = """
        attnsim: 1
        name: test-wl
        problem: {batch: 1, heads: 8, head_dim: 64, tokens: [16, 32], dtype: bf16}
        mask: {kind: gna, window: [8, 8], stride: [2, 4]}
        """

    func hardwareError(_ text: String) -> Diagnostic? {
        do {
            _ = try HardwareSpec.parse(text: text, file: "hw.yaml")
            return nil
        } catch {
            return error
        }
    }

    func workloadError(_ text: String) -> Diagnostic? {
        do {
            _ = try Workload.parse(text: text, file: "wl.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func goodFilesLoad() throws {
        let hw = try HardwareSpec.parse(text: Self.goodHardware, file: "hw.yaml")
        #expect(hw.memory.count == 2)
        let wl = try Workload.parse(text: Self.goodWorkload, file: "wl.yaml")
        #expect((wl.mask as? GNAMask)?.axes.map(\.window) == [8, 8])
    }

    @Test func yamlSyntaxError() throws {
        let error = try #require(hardwareError("attnsim: 1\nname: [unclosed\nkind: gpu\n"))
        #expect(error.file == "hw.yaml")
        #expect(error.line != nil && error.column != nil)
        #expect(error.message.contains("YAML syntax error"))
    }

    @Test func wrongType() throws {
        let text = Self.goodHardware.replacingOccurrences(of: "count: 132", with: "count: many")
        let error = try #require(hardwareError(text))
        #expect(error.path == "units.count")
        #expect((error.line, error.column) == (5, 26))
        #expect(error.message.contains("whole number"))
    }

    @Test func unknownKeyWithSuggestion() throws {
        let text = Self.goodHardware.replacingOccurrences(of: "bandwidth: 3.35", with: "bandwith: 3.35")
        let error = try #require(hardwareError(text))
        #expect(error.path == "memory[0].bandwith")
        #expect((error.line, error.column) == (8, 30))
        #expect(error.message.contains("did you mean `bandwidth`"))
        #expect(error.description.hasPrefix("hw.yaml:8:30: error: memory[0].bandwith: unknown key"))
    }

    @Test func missingKey() throws {
        let text = Self.goodHardware.replacingOccurrences(of: "clock: 1.83 GHz\n", with: "")
        let error = try #require(hardwareError(text))
        #expect(error.path == "clock")
        #expect(error.message.contains("missing required key `clock`"))
        #expect(error.line == 1)
    }

    @Test func zeroAndNegativeSizes() throws {
        let zero = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "size: 80 GB", with: "size: 0 GB")))
        #expect(zero.path == "memory[0].size")
        #expect((zero.line, zero.column) == (8, 23))
        let negative = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "count: 132", with: "count: -4")))
        #expect(negative.path == "units.count")
        let negativeBandwidth = try #require(
            hardwareError(Self.goodHardware.replacingOccurrences(of: "3.35 TB/s", with: "-3.35 TB/s")))
        #expect(negativeBandwidth.path == "memory[0].bandwidth")
        let zeroHeads = try #require(workloadError(Self.goodWorkload.replacingOccurrences(of: "heads: 8", with: "heads: 0")))
        #expect(zeroHeads.path == "problem.heads")
        let zeroHeadDim = try #require(
            workloadError(Self.goodWorkload.replacingOccurrences(of: "head_dim: 64", with: "head_dim: 0")))
        #expect(zeroHeadDim.path == "problem.head_dim")
    }

    /// `problem.kv_heads` must divide `heads`; `kernel.kv_splits` is a whole number from 1 to 128 or `auto`.
    @Test func badKVHeadsAndSplits() throws {
        let decode = """
            attnsim: 1
            name: decode
            problem: {batch: 1, heads: 32, kv_heads: 8, head_dim: 128, tokens: 1, kv_tokens: 4096}
            kernel: {backend: flash, kv_splits: 4}
            """
        #expect(workloadError(decode) == nil)
        for bad in ["kv_heads: 5", "kv_heads: 64", "kv_heads: 0", "kv_heads: two"] {
            let error = try #require(workloadError(decode.replacingOccurrences(of: "kv_heads: 8", with: bad)), "\(bad)")
            #expect(error.path == "problem.kv_heads", "\(bad)")
            // The value starts at column 42 of line 3 (and kv_splits' at column 37 of line 4).
            #expect((error.line, error.column) == (3, 42), "\(bad)")
        }
        let five = try #require(workloadError(decode.replacingOccurrences(of: "kv_heads: 8", with: "kv_heads: 5")))
        #expect(five.message.contains("expected a divisor of heads (32)"))
        for bad in ["kv_splits: 0", "kv_splits: 129", "kv_splits: many", "kv_splits: 2.5", "kv_splits: [2]"] {
            let error = try #require(workloadError(decode.replacingOccurrences(of: "kv_splits: 4", with: bad)), "\(bad)")
            #expect(error.path == "kernel.kv_splits", "\(bad)")
            #expect((error.line, error.column) == (4, 37), "\(bad)")
            #expect(error.message.contains("from 1 to 128") && error.message.contains("`auto`"), "\(bad)")
        }
        let pruned = decode.replacingOccurrences(of: "kernel: {backend: flash, kv_splits: 4}",
                                                 with: "pruning: {mode: decode, layers: 1, token_keep: [0.5]}")
        let error = try #require(workloadError(pruned))
        #expect(error.path == "pruning" && error.message.contains("problem.kv_heads"))
    }

    @Test func unknownUnitPointsAtTheUnit() throws {
        let error = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "3.35 TB/s", with: "3.35 TB/sec")))
        #expect(error.path == "memory[0].bandwidth")
        // The value starts at column 41 of line 8; the unit 5 characters later.
        #expect((error.line, error.column) == (8, 46))
    }

    @Test func unitOfTheWrongKind() throws {
        let error = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "1.83 GHz", with: "1.83 TB/s")))
        #expect(error.path == "clock")
        let missingUnit = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "80 GB", with: "80")))
        #expect(missingUnit.path == "memory[0].size")
    }

    @Test func windowLargerThanTokens() throws {
        let error = try #require(workloadError(Self.goodWorkload.replacingOccurrences(of: "window: [8, 8]", with: "window: [20, 8]")))
        #expect(error.path == "mask.window")
        #expect((error.line, error.column) == (4, 27))
        #expect(error.message.contains("larger than the 16 tokens"))
    }

    @Test func strideLargerThanWindow() throws {
        let error = try #require(workloadError(Self.goodWorkload.replacingOccurrences(of: "stride: [2, 4]", with: "stride: [2, 9]")))
        #expect(error.path == "mask.stride")
    }

    @Test func memoryMustGoOuterToInner() throws {
        let text = Self.goodHardware.replacingOccurrences(of: "size: 228 KiB", with: "size: 228 GB")
        let error = try #require(hardwareError(text))
        #expect(error.path == "memory[1].size")
        #expect(error.message.contains("outer to inner"))
    }

    @Test func keyOfAnotherKind() throws {
        let error = try #require(hardwareError(Self.goodHardware + "\nword: 16 bit\n"))
        #expect(error.path == "word")
        #expect(error.message.contains("kind: gpu"))
    }

    @Test func emptyFile() throws {
        for text in ["", "# only a comment\n", "\n\n"] {
            let error = try #require(hardwareError(text))
            #expect((error.line, error.column) == (1, 1))
            #expect(error.message.contains("empty"))
        }
    }

    @Test func binaryFile() throws {
        var bytes = Array("attnsim: 1\nname: x\n".utf8)
        bytes += [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]
        #expect(throws: Diagnostic.self) { try SpecDocument.parse(data: Data(bytes), file: "bin.yaml") }
        do {
            _ = try SpecDocument.parse(data: Data(bytes), file: "bin.yaml")
        } catch {
            #expect((error.line, error.column) == (3, 5))
            #expect(error.message.contains("binary"))
        }
        let latin1 = Data([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a])   // "name: é" in Latin-1
        do {
            _ = try SpecDocument.parse(data: latin1, file: "latin1.yaml")
            Issue.record("expected an error")
        } catch {
            #expect((error.line, error.column) == (1, 7))
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func notAMapping() throws {
        let error = try #require(hardwareError("- a\n- b\n"))
        #expect(error.message.contains("mapping"))
        let version = try #require(hardwareError(Self.goodHardware.replacingOccurrences(of: "attnsim: 1", with: "attnsim: 2")))
        #expect(version.path == "attnsim")
    }

    @Test func duplicateKey() throws {
        let error = try #require(hardwareError(Self.goodHardware + "\nname: again\n"))
        #expect(error.message.contains("duplicate"))
    }

    @Test func pruningScheduleRules() throws {
        let base = """
            attnsim: 1
            name: p
            problem: {heads: 4, head_dim: 64, tokens: 1, kv_tokens: 1024}
            pruning: {mode: decode, layers: 3, token_keep: KEEP, head_keep: [4, 4, 3]}
            """
        #expect(workloadError(base.replacingOccurrences(of: "KEEP", with: "[1.0, 0.5, 0.5]")) == nil)
        let rising = try #require(workloadError(base.replacingOccurrences(of: "KEEP", with: "[0.5, 0.6, 0.4]")))
        #expect(rising.path == "pruning.token_keep[1]")
        #expect(rising.message.contains("non-increasing"))
        let outOfRange = try #require(workloadError(base.replacingOccurrences(of: "KEEP", with: "[1.5, 0.6, 0.4]")))
        #expect(outOfRange.path == "pruning.token_keep[0]")
        let zero = try #require(workloadError(base.replacingOccurrences(of: "KEEP", with: "[1, 0.5, 0]")))
        #expect(zero.path == "pruning.token_keep[2]")
        let short = try #require(workloadError(base.replacingOccurrences(of: "KEEP", with: "[1, 0.5]")))
        #expect(short.path == "pruning.token_keep")
    }

    @Test func unknownCascadePreset() throws {
        let error = try #require(workloadError(Self.goodWorkload + "\ncascade: attention-1pas\n"))
        #expect(error.path == "cascade")
        #expect(error.message.contains("did you mean `attention-1pass`"))
    }

    static let decodeProblem = "attnsim: 1\nname: d\nproblem: {heads: 12, head_dim: 64, tokens: 1, kv_tokens: 1024, dtype: fp16}\n"

    /// Pruning schedules: contradictory or malformed fields name the field and what was expected.
    @Test func badPruningSchedules() throws {
        let both = try #require(workloadError(Self.decodeProblem
            + "pruning: {mode: decode, trace: t.csv, layers: 2, token_keep: [1, 0.5]}\n"))
        #expect(both.path == "pruning.layers" && both.message.contains("cannot be combined with `trace`"))
        let refetch = try #require(workloadError(Self.decodeProblem + """
            pruning: {mode: decode, layers: 2, token_keep: [1, 0.5],
                      quantization: {k_msb_bits: 6, k_lsb_bits: 4, v_bits: 6, refetch: [0.1, 0.2, 0.3]}}

            """))
        #expect(refetch.path == "pruning.quantization.refetch" && refetch.message.contains("expected 2 probabilities"))
        let noLSB = try #require(workloadError(Self.decodeProblem + """
            pruning: {mode: decode, layers: 1, token_keep: [0.5], quantization: {k_msb_bits: 6, k_lsb_bits: 0, v_bits: 6, refetch: 0.1}}

            """))
        #expect(noLSB.message.contains("a refetch needs LSBs"))
        let warmup = try #require(workloadError(Self.decodeProblem
            + "pruning: {mode: decode, steps: 2, warmup_steps: 3, layers: 1, token_keep: [0.5]}\n"))
        #expect(warmup.path == "pruning.warmup_steps")
        let missing = try #require(workloadError(Self.decodeProblem + "pruning: {mode: decode, trace: nowhere.csv}\n"))
        #expect(missing.path == "pruning.trace" && missing.line == 4 && missing.message.contains("cannot open the trace file: no such file"))
        let prefillTrace = try #require(workloadError(Self.decodeProblem + "pruning: {trace: t.csv}\n"))
        #expect(prefillTrace.message.contains("mode: decode"))
    }
}
