import Testing
@testable import AttnSim

@Suite("Pass analysis (FuseMax §III)")
struct PassAnalysisTests {
    @Test("attention presets", arguments: [
        ("attention-3pass", 3),   // FuseMax Cascade 4
        ("attention-2pass", 2),   // FuseMax §IV's 2-pass cascade
        ("attention-1pass", 1),   // FuseMax Cascade 5
        ("unfused", 3),           // same Einsums as Cascade 4 (FuseMax artifact)
    ])
    func presetPasses(_ name: String, _ expected: Int) throws {
        let cascade = try #require(Cascade.preset(named: name))
        #expect(cascade.passes(over: "m").total == expected)
        #expect(cascade.passes().total == expected)  // m is the default rank
    }

    @Test func cascade4PerEinsum() throws {
        // FuseMax §III: QK:1, GM:1, SN:2, SD:2, A:3, AV:3.
        let analysis = try #require(Cascade.preset(named: "attention-3pass")).passes(over: "m")
        #expect(analysis.entries.map(\.pass) == [1, 1, 2, 2, 3, 3])
        #expect(analysis["SN"] == 2)
        #expect(analysis["AV"] == 3)
    }

    @Test func cascade4WithDeferral() throws {
        // FuseMax Einsums (31)–(32) replace (37)–(38): SNV:2, AV does not iterate M ⇒ 2 ("combines the second and third
        // passes").
        let cascade = try Cascade.parse(lines: [
            "QK[m,p] = Q[e,p] * K[e,m]",
            "GM[p] = max_m QK[m,p]",
            "SN[m,p] = exp(QK[m,p] - GM[p])",
            "SD[p] = SN[m,p]",
            "SNV[f,p] = SN[m,p] * V[f,m]",   // (31)
            "AV[f,p] = SNV[f,p] / SD[p]",    // (32)
        ])
        let analysis = cascade.passes(over: "m")
        #expect(analysis["SNV"] == 2)
        #expect(analysis["AV"] == 2)
        #expect(analysis.total == 2)
    }

    @Test func cascade5PerEinsum() throws {
        // FuseMax Cascade 5 ⇒ 1; initialization Einsums are pass 0.
        let analysis = try #require(Cascade.preset(named: "attention-1pass")).passes(over: "m")
        #expect(analysis.entries.map(\.pass) == [0, 0, 0, 0, 0] + Array(repeating: 1, count: 12))
        #expect(analysis["RM"] == 1)
    }

    @Test func twoPassPerEinsum() throws {
        // The pass algorithm: only A (which rereads the M fiber after SD) and AV are in pass 2. The 2-pass Einsums'
        // description also puts C and SD in pass 2; they revisit only M1-length fibers, which the algorithm does not
        // count.
        let analysis = try #require(Cascade.preset(named: "attention-2pass")).passes(over: "m")
        let passes = Dictionary(uniqueKeysWithValues: analysis.entries.map { ($0.name, $0.pass) })
        #expect(passes == ["BK": 0, "BV": 0, "BQK": 1, "LM": 1, "SLN": 1, "SLD": 1, "GM": 1, "C": 1, "SD": 1,
                           "A": 2, "AV": 2])
    }

    @Test func cascade1() throws {
        // FuseMax §III Cascade 1, Einsums (5)–(6): 2 passes over K.
        let cascade = try Cascade.parse(lines: ["Y[] = A[k] * B[k]", "Z[] = Y[] * A[k]"])
        #expect(cascade.passes(over: "k").entries.map(\.pass) == [1, 2])
        #expect(cascade.passes(over: "k").total == 2)
    }

    @Test func cascade2() throws {
        // FuseMax §III Cascade 2, Einsums (7)–(9): reassociation gives 1 pass.
        let cascade = try Cascade.parse(lines: ["Y = A[k] * B[k]", "X = A[k]", "Z = Y * X"])
        #expect(cascade.sections == [.extended, .extended, .extended])
        #expect(cascade.passes(over: "k").total == 1)
    }

    @Test func cascade3() throws {
        // FuseMax §III Cascade 3, Einsums (10)–(14), written with iterative rank k: 1 pass.
        let cascade = try Cascade.parse(lines: [
            "RY[0] = 0",                                            // (10)
            "RZ[0] = 0",                                            // (11)
            "RY[k+1] = RY[k] + A[k] * B[k]",                        // (12)
            "RZ[k+1] = RZ[k] * RY[k+1] / RY[k] + RY[k+1] * A[k]",   // (13)
            "Z[] = RZ[K]",                                          // (14)
        ])
        let analysis = cascade.passes(over: "k")
        #expect(analysis.entries.map(\.pass) == [0, 0, 1, 1, 1])
        #expect(analysis.total == 1)

        // The same with iterative rank i, as the paper writes it.
        let withI = try Cascade.parse(lines: [
            "RY[i:i=0] = 0", "RZ[i:i=0] = 0",
            "RY[i+1] = RY[i] + A[i] * B[i]",
            "RZ[i+1] = RZ[i] * RY[i+1] / RY[i] + RY[i+1] * A[i]",
            "Z = RZ[I]",
        ])
        #expect(withI.passes(over: "i").total == 1)
    }

    @Test func otherRanksAndFamilies() throws {
        #expect(PassAnalysis.isInFamily("m12", of: "m"))
        #expect(PassAnalysis.isInFamily("m", of: "m"))
        #expect(!PassAnalysis.isInFamily("mx", of: "m"))
        #expect(!PassAnalysis.isInFamily("p", of: "m"))
        // Nothing in Cascade 4 is reduced over p, so a single pass over p.
        #expect(try #require(Cascade.preset(named: "attention-3pass")).passes(over: "p").total == 1)
        #expect(try Cascade.parse(lines: []).passes().total == 0)
    }
}
