import Foundation
import Testing
@testable import AttnSim

/// Spatial energy against the FuseMax artifact's final energies (pJ), as tabulated in
/// validation/fusemax/energy-accounting.md §6 from the artifact's CSVs (FuseMax: attn-binding.csv; FLAT:
/// data/pregenerated/attn-flat.csv; unfused: attn-unfused.csv; +Cascade: attn-cascade.csv), and the paper's
/// ratios (references.md [FuseMax], headline results: attention energy 79% of FLAT, 77% of unfused).
@Suite struct FuseMaxEnergyTests {
    /// (FuseMax, FLAT, unfused, +Cascade) energies in pJ, per "model length".
    static let artifact: [String: (fusemax: Double, flat: Double, unfused: Double, cascade: Double)] = [
        "BERT 1K": (1.950645149855e+12, 2.485344e+12, 2.605414e+12, 2.241396e+12),
        "BERT 4K": (3.089752007412e+13, 3.976769e+13, 4.139661e+13, 3.544072e+13),
        "BERT 16K": (4.931091118916e+14, 6.361172e+14, 6.611858e+14, 5.656361e+14),
        "BERT 64K": (7.885539507510e+15, 1.048492e+16, 1.057433e+16, 9.046683e+15),
        "BERT 256K": (1.265883463231e+17, 1.671229e+17, 1.692011e+17, 1.545695e+17),
        "BERT 1M": (2.028812999224e+18, 2.752657e+18, 2.785492e+18, 2.492732e+18),
        "TrXL 1K": (2.600860199807e+12, 3.313791e+12, 3.473885e+12, 2.988528e+12),
        "TrXL 4K": (4.119669343216e+13, 5.302358e+13, 5.519548e+13, 4.725429e+13),
        "TrXL 16K": (6.574788158555e+14, 8.481563e+14, 8.815810e+14, 7.541814e+14),
        "TrXL 64K": (1.051405277468e+16, 1.397989e+16, 1.409911e+16, 1.206224e+16),
        "TrXL 256K": (1.690712294219e+17, 2.293899e+17, 2.321608e+17, 2.060926e+17),
        "TrXL 1M": (2.705083998966e+18, 3.670210e+18, 3.713989e+18, 3.323643e+18),
        "T5 1K": (1.300430099904e+12, 1.656896e+12, 1.736942e+12, 1.494264e+12),
        "T5 4K": (2.059834671608e+13, 2.651179e+13, 2.759774e+13, 2.362715e+13),
        "T5 16K": (3.287394079278e+14, 4.240781e+14, 4.407905e+14, 3.770907e+14),
        "T5 64K": (5.257026387339e+15, 6.989946e+15, 7.049555e+15, 6.031122e+15),
        "T5 256K": (8.453561471096e+16, 1.114153e+17, 1.128007e+17, 1.030463e+17),
        "T5 1M": (1.352541999483e+18, 1.835105e+18, 1.856994e+18, 1.661822e+18),
        "XLM 1K": (5.071622554597e+12, 5.766422e+12, 5.993255e+12, 5.529701e+12),
        "XLM 4K": (8.031243646496e+13, 9.243945e+13, 9.512373e+13, 8.735209e+13),
        "XLM 16K": (1.281664885805e+15, 1.472095e+15, 1.518906e+15, 1.393864e+15),
        "XLM 64K": (2.049968933572e+16, 2.393515e+16, 2.429021e+16, 2.229252e+16),
        "XLM 256K": (3.296878387934e+17, 3.896859e+17, 3.953270e+17, 3.730379e+17),
        "XLM 1M": (5.274894234596e+18, 6.234917e+18, 6.322953e+18, 5.968458e+18),
    ]

    typealias Point = FuseMaxClosedFormTests.Point
    static let lengthNames = [1 << 10: "1K", 1 << 12: "4K", 1 << 14: "16K", 1 << 16: "64K", 1 << 18: "256K", 1 << 20: "1M"]

    static func energy(_ dataflow: SpatialMapping.Dataflow, _ point: Point, hardware name: String,
                       accounting: EnergyAccounting) throws -> Double {
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/\(name).yaml"))
        let run = try FuseMaxClosedFormTests.evaluate(dataflow, point, hardware: name)
        return try #require(run.energy(hardware: hardware, accounting: accounting)).total
    }

    static func key(_ point: Point) -> String { "\(point.model) \(lengthNames[point.length]!)" }

    /// FuseMax under the artifact's accounting: the closed forms of §5.1 reproduce the artifact's energies to 1e-6
    /// up to 64K. At 256K and 1M the artifact's values are 0.34–0.53% higher (0.35% of 2/3 at BERT-256K) from
    /// a uint64 overflow in Timeloop's partition sizes (§4.1), which attnsim does not reproduce.
    @Test(arguments: FuseMaxClosedFormTests.points)
    func fusemaxMatchesArtifact(_ point: Point) throws {
        let ours = try Self.energy(.fusemax, point, hardware: "fusemax-cloud", accounting: .artifact) * 1e12
        let error = ours / Self.artifact[Self.key(point)]!.fusemax - 1
        if point.length <= 1 << 16 {
            #expect(abs(error) < 1e-5, "\(error)")
        } else {
            #expect(error < -0.002 && error > -0.006, "\(error): the §4.1 overflow adds 0.34–0.53% to the artifact")
        }
    }

    /// The unfused baseline (§5.4, mapper-chosen mappings in the artifact) to 1e-5 up to 64K; the §4.1 overflow
    /// adds 1.7–2.9% to the artifact's softmax at 256K/1M (not at BERT/T5-256K).
    @Test(arguments: FuseMaxClosedFormTests.points)
    func unfusedMatchesArtifact(_ point: Point) throws {
        let ours = try Self.energy(.unfused, point, hardware: "flat-cloud", accounting: .artifact) * 1e12
        let error = ours / Self.artifact[Self.key(point)]!.unfused - 1
        #expect(abs(error) < (point.length <= 1 << 16 ? 1e-5 : 0.03), "\(error)")
    }

    /// "+Cascade" (§5.2): to 0.1% up to 64K; 4.6–7.7% below the artifact at 256K/1M, where the overflow hits its
    /// QK and SLN buffer counts.
    @Test(arguments: FuseMaxClosedFormTests.points)
    func cascadeMatchesArtifact(_ point: Point) throws {
        let ours = try Self.energy(.fusemaxCascade, point, hardware: "flat-cloud", accounting: .artifact) * 1e12
        let error = ours / Self.artifact[Self.key(point)]!.cascade - 1
        #expect(abs(error) < (point.length <= 1 << 16 ? 1e-3 : 0.08), "\(error)")
    }

    /// FLAT within 4%: attnsim's FLAT moves the closed-form DRAM traffic (the latency model's), while the
    /// artifact's per-point DSE re-reads Q and K from DRAM at ≤ 64K (1–3.5% of FLAT's energy, §5.3), and the
    /// overflow adds up to 2.9% at 256K/1M. attnsim is below the artifact at every point.
    @Test(arguments: FuseMaxClosedFormTests.points)
    func flatMatchesArtifact(_ point: Point) throws {
        let ours = try Self.energy(.flat, point, hardware: "flat-cloud", accounting: .artifact) * 1e12
        let error = ours / Self.artifact[Self.key(point)]!.flat - 1
        #expect(error <= 0 && error > -0.04, "\(error)")
    }

    /// The headline (references.md [FuseMax], arithmetic mean of per-point ratios over the 24 points): FuseMax's
    /// attention energy is 79% of FLAT's (artifact 78.75%) and 77% of unfused (76.74%), under the artifact's
    /// accounting. Counting the register files of every PE instead moves FuseMax/FLAT to about 86%
    /// (energy-accounting.md §7: 0.856 with the artifact's own FLAT traffic and overflow, which attnsim leaves
    /// out: they move the artifact-accounting ratio by +1.4 points, hence the tolerance).
    @Test func headlineRatios() throws {
        var overFLAT: [Double] = [], overUnfused: [Double] = [], fullOverFLAT: [Double] = []
        for point in FuseMaxClosedFormTests.points {
            let fusemax = try Self.energy(.fusemax, point, hardware: "fusemax-cloud", accounting: .artifact)
            overFLAT.append(try fusemax / Self.energy(.flat, point, hardware: "flat-cloud", accounting: .artifact))
            overUnfused.append(try fusemax / Self.energy(.unfused, point, hardware: "flat-cloud", accounting: .artifact))
            fullOverFLAT.append(try Self.energy(.fusemax, point, hardware: "fusemax-cloud", accounting: .full)
                / Self.energy(.flat, point, hardware: "flat-cloud", accounting: .full))
        }
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(values.count) }
        #expect(abs(mean(overFLAT) - 0.79) <= 0.02, "\(mean(overFLAT))")
        #expect(abs(mean(overUnfused) - 0.77) <= 0.02, "\(mean(overUnfused))")
        #expect(abs(mean(fullOverFLAT) - 0.856) <= 0.03, "\(mean(fullOverFLAT))")
    }

    /// Full accounting at BERT-64K against energy-accounting.md §7's "total if RF counted for all PEs":
    /// FuseMax 1.3135e16 pJ (its 1e-11 spec, overflow-free at 64K), and the breakdown's shares: MACs 96.41%,
    /// buffer 2.74% of the artifact-accounting total.
    @Test func fullCountAtBERT64K() throws {
        let point = Point(model: "BERT", heads: 12, e: 64, length: 1 << 16)
        let full = try Self.energy(.fusemax, point, hardware: "fusemax-cloud", accounting: .full)
        #expect(abs(full * 1e12 / 1.3135e16 - 1) < 1e-3, "\(full)")
        let hardware = try HardwareSpec.load(path: Repo.path("hardware/fusemax-cloud.yaml"))
        let run = try FuseMaxClosedFormTests.evaluate(.fusemax, point, hardware: "fusemax-cloud")
        let artifact = try #require(run.energy(hardware: hardware, accounting: .artifact))
        let parts = Dictionary(artifact.components.map { ($0.name, $0.joules / artifact.total) }, uniquingKeysWith: +)
        // The artifact charges its multiplies (SPD, SPNV) as MACs: attnsim reports them as `mul` priced as a MAC.
        #expect(abs(parts["mac"]! + parts["mul"]! - 0.9641) < 5e-4)
        #expect(abs(parts["buffer"]! - 0.0274) < 5e-4)
        #expect(artifact.unpriced.isEmpty)
    }
}
