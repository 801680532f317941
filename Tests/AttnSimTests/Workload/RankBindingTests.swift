import Testing
@testable import AttnSim

@Suite("Rank binding")
struct RankBindingTests {
    @Test func attentionBinding() throws {
        // FuseMax §IV: M → (M1, M0), P → (P2, P1, P0); M0 = P0 = 256 in the artifact (references.md
        // [FuseMax-artifact]).
        let binding = RankBinding.attention(M: 1000, P: 1024, E: 64, F: 128, M0: 256, P0: 256)
        #expect(try binding.size(of: "m") == 1000)
        #expect(try binding.size(of: "m0") == 256)
        #expect(try binding.size(of: "m1") == 4)     // ceil(1000 / 256)
        #expect(try binding.size(of: "p2") == 4)
        #expect(try binding.size(of: "p1") == 1)
        #expect(try binding.size(of: "f") == 128)
        #expect(binding["k"] == 1000)
        #expect(binding["i"] == 1000)
        #expect(try binding.points(of: ["m", "p"]) == 1000 * 1024)
        #expect(try binding.points(of: []) == 1)
    }

    @Test func unboundAndInvalidSizes() {
        #expect(throws: RankBindingError(rank: "x", reason: .unbound)) {
            try RankBinding(["m": 4]).size(of: "x")
        }
        #expect(throws: RankBindingError(rank: "m0", reason: .nonPositive(0))) {
            try RankBinding.attention(M: 8, P: 8, E: 4, F: 4, M0: 0).size(of: "m0")
        }
    }

    @Test func opCountsNameTheEinsumOfAnUnboundRank() throws {
        let cascade = try Cascade.parse(lines: ["QK[m,p] = Q[e,p] * K[e,m]"])
        do {
            _ = try cascade.opCounts(binding: RankBinding(["m": 4, "p": 4]))
            Issue.record("expected an unbound-rank error")
        } catch {
            #expect(error == RankBindingError(rank: "e", reason: .unbound, einsum: "QK"))
            #expect(error.description.contains("rank e is not bound"))
        }
    }
}
