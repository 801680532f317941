import Testing
@testable import AttnSim

@Suite("Cascade presets")
struct CascadePresetsTests {
    @Test func everyPresetParses() throws {
        #expect(Cascade.presetNames == ["attention-3pass", "attention-2pass", "attention-1pass", "unfused"])
        for name in Cascade.presetNames {
            let cascade = try #require(Cascade.preset(named: name), "\(name)")
            #expect(cascade.name == name)
        }
        #expect(Cascade.preset(named: "attention-4pass") == nil)
    }

    @Test func threePassIsCascade4() throws {
        // FuseMax Cascade 4: Einsums (33)–(38), no initialization section.
        let cascade = try #require(Cascade.preset(named: "attention-3pass"))
        #expect(cascade.einsums.map(\.name) == ["QK", "GM", "SN", "SD", "A", "AV"])
        #expect(cascade.sections.allSatisfy { $0 == .extended })
        #expect(cascade.inputs == ["Q", "K", "V"])
    }

    @Test func unfusedHasTheSameEinsumsAsThreePass() throws {
        // references.md [FuseMax-artifact] unfused.py: the unfused baseline differs in dataflow, not in the cascade.
        let unfused = try #require(Cascade.preset(named: "unfused"))
        let threePass = try #require(Cascade.preset(named: "attention-3pass"))
        #expect(unfused.einsums == threePass.einsums)
        #expect(unfused.name == "unfused")
    }

    @Test func twoPassIsTheSection15Reconstruction() throws {
        let cascade = try #require(Cascade.preset(named: "attention-2pass"))
        #expect(cascade.einsums.map(\.name)
            == ["BK", "BV", "BQK", "LM", "SLN", "SLD", "GM", "C", "SD", "A", "AV"])
        #expect(cascade.sections.filter { $0 == .initialization }.count == 2)  // BK, BV
    }

    @Test func onePassIsCascade5() throws {
        // FuseMax Cascade 5: initialization (39)–(43), Extended Einsums (44)–(55).
        let cascade = try #require(Cascade.preset(named: "attention-1pass"))
        #expect(cascade.einsums.map(\.name) == [
            "BK", "BV", "RM", "RD", "RNV",
            "BQK", "LM", "RM", "SLN", "SLD", "SLNV", "PRM", "SPD", "RD", "SPNV", "RNV", "AV",
        ])
        #expect(cascade.sections == Array(repeating: .initialization, count: 5)
            + Array(repeating: .extended, count: 12))
        #expect(cascade.einsums.compactMap(\.iterativeRank) == ["m1", "m1", "m1"])  // RM, RD, RNV
        #expect(cascade.inputs == ["K", "V", "Q"])
    }
}
