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
