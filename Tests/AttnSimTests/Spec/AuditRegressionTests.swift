import Foundation
import Testing
@testable import AttnSim

/// The hostile-input audit of issue 15: each input it found accepted, crashing or hanging now ends in a clean
/// error (a `Diagnostic` naming the file, line, field and what was expected; exit status 2 from the CLI) or in a
/// physically valid result. Expected messages are the ones the loaders give.
@Suite struct AuditRegressionTests {
    static let h100 = Repo.path("hardware/h100-sxm5-80gb.yaml")
    static let fusemax = Repo.path("hardware/fusemax-cloud.yaml")

    /// The diagnostic `body` throws, or nil when it succeeds.
    func diagnostic(_ body: () throws -> Void) -> Diagnostic? {
        do {
            try body()
            return nil
        } catch {
            return error as? Diagnostic
        }
    }

    func workload(_ text: String) throws(Diagnostic) -> Workload { try Workload.parse(text: text, file: "wl.yaml") }

    // MARK: Workload files

    /// `cascade: []` used to run with nothing to compute and still report a time.
    @Test func emptyCascadeIsAnError() throws {
        let error = try #require(diagnostic {
            _ = try workload("attnsim: 1\nname: w\nproblem: {heads: 1, head_dim: 64, tokens: 1024}\ncascade: []\n")
        })
        #expect(error.path == "cascade" && error.line == 4)
        #expect(error.message.contains("an empty cascade computes nothing"))
    }

    /// `heads: ~` used to be taken as absent (1 head); a key with no value is an error, whatever the key.
    @Test(arguments: ["heads: ~", "heads: null", "heads:"])
    func nullHeadsIsAnError(_ heads: String) throws {
        let error = try #require(diagnostic {
            _ = try workload("attnsim: 1\nname: w\nproblem:\n  head_dim: 64\n  tokens: 1024\n  \(heads)\n")
        })
        #expect(error.path == "problem.heads" && error.line == 6)
        #expect(error.message.contains("expected a whole number ≥ 1, found nothing (null)"))
    }

    /// A block mask naming a file that does not exist is an error naming the file (it must never exit 0).
    @Test func missingBlockMaskFileIsAnError() throws {
        let error = try #require(diagnostic {
            _ = try workload("attnsim: 1\nname: w\nproblem: {heads: 1, head_dim: 64, tokens: 1024}\n"
                + "mask: {kind: block, file: missing.json}\n")
        })
        #expect(error.path == "mask.file" && error.line == 4)
        #expect(error.message.contains("cannot open the block-mask file: no such file (missing.json)"))
    }

    /// A pinned tile shape the backend does not offer (FNA Hopper has a list) used to simulate while `map` said no
    /// legal mapping exists; both now say the same.
    @Test func pinnedIllegalTileGetsMapsMessage() throws {
        let hardware = try HardwareSpec.load(path: Self.h100)
        var text = try String(contentsOfFile: Repo.path("workloads/hunyuan-gna-s16x8x8.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "kernel: {backend: auto, q_tile: auto, kv_tile: auto,",
                                         with: "kernel: {backend: fna-hopper, q_tile: [3, 7, 11], kv_tile: [3, 7, 11],")
        let pinned = try workload(text)
        let simulate = try #require(diagnostic { _ = try Simulator.run(hardware: hardware, workload: pinned) })
        let map = try #require(diagnostic { _ = try GPUEngine.rank(hardware: hardware, workload: pinned) })
        #expect(simulate == map)
        #expect(simulate.message.contains("no legal GPU mapping"))
    }

    /// A mask no kernel profile implements (the B200 preset lists `flash` for none/causal and `fna-blackwell` for GNA
    /// only) is named as such, not blamed on the tiles.
    @Test func maskNoProfileImplementsIsNamed() throws {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/b200.yaml"))
        let sliding = try workload("""
            attnsim: 1
            name: sw
            problem: {batch: 1, heads: 1, head_dim: 64, tokens: [1024], dtype: bf16}
            mask: {kind: sliding_window, window: 256}
            """)
        let error = try #require(diagnostic { _ = try Simulator.run(hardware: hardware, workload: sliding) })
        #expect(error.path == "mask.kind")
        #expect(error.message.contains("implements a `sliding_window` mask") && error.message.contains("fna-blackwell: gna"))
    }

    /// The mapper's total work is held to 10⁸ CTAs (HunyuanVideo with 11,111 heads: each of the 56 mappings is just
    /// under the 10⁷-CTA grid limit, and ranking them took 62 s in a release build).
    @Test func mapperWorkIsBounded() throws {
        let hardware = try HardwareSpec.load(path: Self.h100)
        let text = try String(contentsOfFile: Repo.path("workloads/hunyuan-gna-s16x8x8.yaml"), encoding: .utf8)
        let many = try workload(text.replacingOccurrences(of: "heads: 24,", with: "heads: 11111,"))
        let error = try #require(diagnostic { _ = try Simulator.run(hardware: hardware, workload: many) })
        #expect(error.path == "kernel")
        #expect(error.message.contains("mappings would simulate") && error.message.contains("the mapper takes up to 100 000 000"),
                "\(error.message)")
    }

    /// A UTF-8 byte-order mark before `attnsim: 1` (Windows editors) is skipped.
    @Test func byteOrderMarkIsAccepted() throws {
        let text = try String(contentsOfFile: Repo.path("workloads/bert-base-1k.yaml"), encoding: .utf8)
        let root = try SpecDocument.parse(data: Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)), file: "bom.yaml")
        #expect(try root.mapping(allowed: Workload.topKeys).required("name").string() == "bert-base-1k")
    }

    /// A symbolic-link loop used to read "no such file".
    @Test func symbolicLinkLoopIsNamed() throws {
        let directory = URL(fileURLWithPath: try temporaryFile(named: "x", contents: Data())).deletingLastPathComponent()
        let a = directory.appendingPathComponent("a.yaml").path, b = directory.appendingPathComponent("b.yaml").path
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        let error = try #require(diagnostic { _ = try Workload.load(path: a) })
        #expect(error.message == "cannot open the file: too many levels of symbolic links (a symbolic-link loop)")
    }

    // MARK: Hardware files

    /// Hardware figures are kept to a range where no product overflows: `clock: 1e-300 Hz` gave a time of 1.9e306 s,
    /// `energy: {mac: 1e300 J}` a null energy, a 1e300-byte buffer passed.
    @Test(arguments: [
        ("clock: 940 MHz", "clock: 1e-300 Hz", "clock", "1 Hz to 1000 THz"),
        ("mac: 17.1645 pJ", "mac: 1e300 J", "energy.mac", "1e-06 fJ to 1 J"),
        ("size: 16 MiB", "size: 1e300 B", "memory[1].size", "0.125 B to 1000 PB"),
        ("bandwidth: 400 GiB/s", "bandwidth: 1e-300 B/s", "memory[0].bandwidth", "1 B/s to 1000 PB/s"),
    ])
    func hardwareFiguresStayInRange(_ good: String, _ bad: String, _ path: String, _ range: String) throws {
        let text = try String(contentsOfFile: Self.fusemax, encoding: .utf8).replacingOccurrences(of: good, with: bad)
        let error = try #require(diagnostic { _ = try HardwareSpec.parse(text: text, file: "hw.yaml") })
        #expect(error.path == path)
        #expect(error.message.contains("is outside the range attnsim models, \(range)"), "\(error.message)")
    }

    // MARK: Spatial mapping files

    /// The best FuseMax mapping of BERT-Base 1K as `attnsim map --write-mapping` writes it, edited by `edit`, fed
    /// back through a workload.
    func simulateEditedMapping(_ edit: (String) -> String) throws(Diagnostic) -> SimulationResult {
        let hardware = try HardwareSpec.load(path: Self.fusemax)
        var workload = try Workload.load(path: Repo.path("workloads/fusemax/bert-base-1k.yaml"))
        let best = try SpatialEngine.rank(hardware: hardware, workload: workload)[0].mapping
        let path: String
        do {
            path = try temporaryFile(named: "mapping.yaml", contents: Data(edit(best.yaml).utf8))
        } catch {
            throw Diagnostic(file: "mapping.yaml", message: "\(error)")
        }
        workload.kernel = KernelChoice(mapping: path)
        return try Simulator.run(hardware: hardware, workload: workload)
    }

    /// Hand edits that used to change nothing (`buffer: 0 MiB`), give PE utilisations of 191–215 % (negative
    /// `stall_per_tile`, `stages: []`), trap (`tile: 3037000500`: overflow at SpatialEngine.swift:73) or give null
    /// times (`cycles_per_point: 1e308`).
    @Test(arguments: [
        ("buffer: 16 MiB", "buffer: 0 MiB", "expected a value > 0, found 0 B"),
        ("buffer: 16 MiB", "buffer: 256 KiB", "324 KiB; the buffer holds 256 KiB"),
        ("stall_per_tile: 0", "stall_per_tile: -300", "expected a value ≥ 0, found -300"),
        ("\ntile: 256", "\ntile: 3037000500", "larger than the 2D array's side (256 PEs)"),
        ("\np1: 4", "\np1: 4096", "p1 4096 counts query rows or blocks, more than the 1024 query tokens"),
        ("stages: [[BQK, LM, RD, RNV, AV], [RM], [SLN, SLD, PRM, SPD], [SLNV, SPNV]]", "stages: []",
         "expected at least one stage"),
        ("[RM]", "[]", "expected at least one Einsum in the stage"),
        ("[RM]", "[RM, BQK]", "`BQK` is in more than one stage"),
        (", [RM]", "", "bound Einsums in no stage: RM"),
        ("kind: epochs", "kind: phases", "only the unfused dataflow has, in three phases"),
        ("cycles_per_point: 7", "cycles_per_point: 1e308", "1e+308 is outside the range attnsim models"),
    ])
    func badMappingEditsAreErrors(_ good: String, _ bad: String, _ message: String) throws {
        let error = try #require(diagnostic {
            _ = try simulateEditedMapping { yaml in
                #expect(yaml.contains(good))
                return yaml.replacingOccurrences(of: good, with: bad)
            }
        })
        #expect(error.line != nil)
        #expect(error.message.contains(message), "\(error.message)")
    }

    /// An unfused mapping whose phase count was changed by hand used to trap (index out of range at
    /// SpatialEngine.swift:84).
    @Test func editedPhaseCountIsAnError() throws {
        let hardware = try HardwareSpec.load(path: Self.fusemax)
        let problem = try Workload.load(path: Repo.path("workloads/fusemax/bert-base-1k.yaml")).problem
        let yaml = try SpatialMapper.mapping(.unfused, hardware: hardware, problem: problem).yaml
        #expect(yaml.contains("stages: [[QK], [GM, SN, SD, A], [AV]]"))
        let path = try temporaryFile(named: "unfused.yaml", contents: Data(yaml.replacingOccurrences(
            of: "stages: [[QK], [GM, SN, SD, A], [AV]]", with: "stages: [[QK], [GM, SN, SD, A, AV]]").utf8))
        let error = try #require(diagnostic { _ = try SpatialMapping.load(path: path, hardware: hardware, problem: problem) })
        #expect(error.path == "combination.kind")
        #expect(error.message.contains("found 2 phase(s) with dataflow unfused"))
    }

    /// The mapping as written loads back and runs (the checks above accept what the mapper writes).
    @Test func writtenMappingStillRuns() throws {
        let result = try simulateEditedMapping { $0 }
        let time = try #require(result.simulated.time)
        #expect(time > 0 && time.isFinite)
        for (_, busy) in result.simulated.utilization { #expect(busy >= 0 && busy <= 1 + 1e-9) }
    }
}

/// `attnsim gna` flags: each audit case exits 2 with one line naming the flag, quickly (no hang, no trap).
@Suite struct GNAFlagAuditTests {
    static let base = ["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--q-tile", "4x8x8", "--kv-tile", "2x8x8"]

    @Test(arguments: [
        (["--causal", "2x0x0"], "--causal 2x0x0: 2 is not a flag; expected 1 (causal) or 0 per axis"),
        (["--units", "9223372036854775807"], "--units: 9223372036854775807: expected at most 1048576"),   // overflow in TileBounds
        (["--units", "132", "--batch", "4611686018427387904"], "--tokens: the problem is too large to model"),  // GNAReport:82
        (["--attention-share", "0.5", "--steps", "0"], "--steps 0: expected a whole number ≥ 1"),          // printed -nan×
        (["--steps", "50"], "--steps needs --attention-share"),
        (["--dense-steps", "3"], "--dense-steps needs --steps"),
        (["--stride", "0x1x1"], "--stride: 0: expected whole numbers ≥ 1"),
        (["--q-tile", "2048x1024x1"], "--q-tile: a tile of 2048×1024×1 tokens is too large to model"),
    ])
    func badFlagExitsWith2(_ flags: [String], _ message: String) throws {
        let output = try CLI.run(Self.base + flags)
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("attnsim gna: error: "))
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    /// Sizes that used to allocate 8.8 GB, hang or overflow: refused with the limit that was hit.
    @Test(arguments: [
        (["--tokens", "1099511627775", "--window", "128", "--q-tile", "128", "--kv-tile", "128"],
         "--tokens: the problem is too large to model: batch·heads·P·M·E = 1.547e+26, expected under 9e18"),
        (["--tokens", "1000000000", "--window", "1000", "--q-tile", "1", "--kv-tile", "1", "--kv-tiling", "dynamic",
          "--head-dim", "8"], "takes 1 000 000 001 steps (a count per Q tile along each axis, one per token of a causal axis); attnsim takes up to 300 000 000"),
        (["--tokens", "4194304", "--window", "65536", "--q-tile", "128", "--kv-tile", "128", "--sweep-stride"],
         "--sweep-stride: sweeping strides 1…window on every axis takes 2 147 549 184 steps"),
        (["--tokens", "100000", "--window", "99999", "--q-tile", "5", "--kv-tile", "1", "--tiling", "single_dim"],
         "--tiling: single_dim tiling of 100000 tokens with these tiles needs 2 000 000 000 tile tests; attnsim takes up to 800 000 000"),
    ])
    func hugeWorkIsRefused(_ flags: [String], _ message: String) throws {
        let output = try CLI.run(["gna"] + flags)
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    /// The wave-aware bound of a huge batch is computed without overflowing Int (TileBounds, was GNABounds.swift:38).
    @Test func waveBoundOfAHugeBatchIsFinite() {
        let bound = TileBounds.wave(denseQTiles: 1 << 40, denseKVTiles: 1 << 20, visited: 1 << 45, worstVisited: 1 << 10,
                                    units: 132, instances: 1 << 40)
        #expect(bound.isFinite && bound > 0)
        // Exact where the products fit: 480 Q tiles × 24 heads on 132 SMs is 88 waves of 900 KV tiles; the sparse grid
        // 480·81·24 / 132 = 7069.1 → 7070 (HunyuanVideo 16×8×8, GNACLITests' tile counts).
        #expect(TileBounds.wave(denseQTiles: 480, denseKVTiles: 900, visited: 480 * 81, worstVisited: 81, units: 132,
                                instances: 24) == 88.0 * 900 / 7070)
    }
}

/// The rough edges and the other commands' flags, through the real binary.
@Suite(.serialized) struct CLIAuditTests {
    func file(_ name: String, _ text: String) throws -> String { try temporaryFile(named: name, contents: Data(text.utf8)) }

    /// NUL and ESC in a name were printed raw to the terminal (tables and error lines escape them now).
    @Test func controlCharactersInNamesAreEscaped() throws {
        let path = try file("esc.yaml", "attnsim: 1\nname: \"evil\\e[31mred\\0\"\nproblem: {heads: 1, head_dim: 64, tokens: 1024}\n")
        let output = try CLI.run(["simulate", "hardware/h100-sxm5-80gb.yaml", path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("attnsim simulate: evil\\u{1B}[31mred\\u{0} on h100-sxm5-80gb\n"))
        #expect(!output.stdout.contains("\u{1B}") && !output.stdout.contains("\u{0}"))
        #expect("tab\tnew\nline\u{7F}".escapingControlCharacters == "tab\tnew\nline\\u{7F}")
    }

    /// Every error exits 2, including the ones the argument parser finds itself (its own status would be 64); help
    /// and version exit 0.
    @Test func parserErrorsExitWith2() throws {
        for arguments in [["gna", "--tokens", "12"], ["bogus"], ["gna", "--tokens", "x", "--window", "3", "--q-tile", "4",
                                                                  "--kv-tile", "4"], ["simulate"]] {
            let output = try CLI.run(arguments)
            #expect(output.status == 2, "\(arguments): \(output.stderr)")
            // The parser's own "Error:" line, or attnsim's "attnsim: error:" for a word that names no command.
            #expect(output.stderr.lowercased().contains("error:"), "\(arguments)")
        }
        #expect(try CLI.run(["gna", "--help"]).status == 0)
        #expect(try CLI.run(["--version"]).status == 0)
    }

    /// Work past a limit is refused with the numbers: the CTA guard's message ("would have 10 M CTAs; … handles up
    /// to 10 M") now reads visibly above its limit; a cross-check that would time hours of CPU kernels stops first.
    @Test(arguments: [
        (["simulate", "hardware/h100-sxm5-80gb.yaml"],
         "problem: {heads: 1250032, head_dim: 64, tokens: 1024}\nkernel: {backend: flash, q_tile: [128], kv_tile: [128]}\n",
         "the kernel grid would have 10 000 256 CTAs (batch × heads × 8 Q tiles of 128 tokens); the event simulator takes up to 10 000 000"),
        (["crosscheck", "hardware/host-calibrated.yaml"],
         "problem: {heads: 64, head_dim: 64, tokens: 16384, dtype: fp32}\nkernel: {backend: cpu}\n",
         "timing the kernels would run 26 388 279 066 624 dense FLOPs (6 runs); crosscheck takes up to 500 000 000 000 per workload"),
    ])
    func workPastALimitIsRefused(_ command: [String], _ problem: String, _ message: String) throws {
        let path = try file("big.yaml", "attnsim: 1\nname: big\n" + problem)
        let output = try CLI.run(command + [path])
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    /// A shard folder could be reused for another shard (the meta file is the same for every shard); `attnsim report`
    /// exited 1 when its output could not be written, where every bad input exits 2.
    @Test func shardFolderRefusesAnotherShardAndReportExits2() throws {
        let dir = try SweepTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try SweepTests.spec(in: dir)
        let out = dir.path + "/shard"
        let first = try CLI.run(["sweep", spec, "--out", out, "--shard", "0/40", "--jobs", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CLI.run(["sweep", spec, "--out", out, "--shard", "0/40", "--jobs", "1"]).status == 0)   // a resume
        let other = try CLI.run(["sweep", spec, "--out", out, "--shard", "1/40", "--jobs", "1"])
        #expect(other.status == 2)
        #expect(other.stderr.contains("this folder holds shard 0/40, not shard 1/40"), "\(other.stderr)")
        let report = try CLI.run(["report", out, "--out", "/nonexistent-attnsim/r.html"])
        #expect(report.status == 2, "\(report.stderr)")
        #expect(report.stderr.contains("attnsim report: error: cannot write /nonexistent-attnsim/r.html"))
    }

    @Test(arguments: [
        (["map", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml", "--top=-1"], "attnsim map: error: --top -1"),
        (["bench", "--samples", "0"], "attnsim bench: error: --samples 0: expected 1…101"),
        (["bench", "--samples", "1000000"], "attnsim bench: error: --samples 1000000: expected 1…101"),
        (["bench", "--filter", "no-such-case"], "attnsim bench: error: --filter no-such-case: no case's name contains it"),
        (["bench", "--root", "/nonexistent-attnsim"], "attnsim bench: error: --root /nonexistent-attnsim: no such folder"),
        (["sweep", "sweeps/hunyuan-strides.yaml", "--out", "/tmp/x", "--jobs=-1"], "attnsim sweep: error: --jobs -1: expected 1…1024"),
        (["sweep", "sweeps/hunyuan-strides.yaml", "--out", "/tmp/x", "--shard", "3/2"], "attnsim sweep: error: --shard expects I/N"),
    ])
    func badFlagsExitWith2(_ arguments: [String], _ message: String) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    /// A grid of 10⁴ × 10⁴ × 10⁴ values would be listed in full before the first point ran.
    @Test func hugeSweepGridIsRefused() throws {
        let values = "[" + (1...10_000).map(String.init).joined(separator: ", ") + "]"
        let text = "attnsim: 1\nname: huge\nhardware: hardware/h100-sxm5-80gb.yaml\nworkload: workloads/bert-base-1k.yaml\naxes:\n"
            + "  - {path: problem.batch, values: \(values)}\n  - {path: problem.heads, values: \(values)}\n"
            + "  - {path: problem.head_dim, values: \(values)}\n"
        let error = #expect(throws: Diagnostic.self) { try SweepSpec.parse(text: text, file: "huge.yaml") }
        #expect(error?.message.contains("the grid has 1 000 000 000 000 points") == true, "\(String(describing: error))")
        #expect(error?.message.contains("a sweep takes up to 1 000 000") == true)
    }

    /// `attended_pairs: 1e308` in a block-mask file gave a FLOP-wise speedup of 0.
    @Test func blockMaskAttendedPairsAreBounded() throws {
        let text = #"{"attnsim_block_mask": 1, "block_size": [2, 2], "full": [[0], [0, 1]], "attended_pairs": 1e308}"#
        let error = #expect(throws: Diagnostic.self) {
            try BlockMaskFile.parse(text: text, file: "m.json", expect: { _ in (2, 2) })
        }
        #expect(error?.message.contains("`attended_pairs` of head pattern 0 is 1e+308, more than the 12 pairs") == true,
                "\(String(describing: error))")
    }
}
