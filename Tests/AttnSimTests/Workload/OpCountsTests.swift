import Testing
@testable import AttnSim

@Suite("Op counts")
struct OpCountsTests {
    // BERT-Base at 1K (references.md [FuseMax-artifact] flat_validation.csv): B = 64, H = 12, E = F = 64, M = P = 1024.
    static let bh = 64.0 * 12
    static let e = 64.0, f = 64.0, m = 1024.0, p = 1024.0

    func ops(_ pairs: [OpCounts.Kind: Double]) -> OpCounts {
        var counts = OpCounts()
        for (kind, value) in pairs { counts[kind] = value }
        return counts
    }

    @Test func perPointConvention() throws {
        // The FuseMax artifact's binding (proposal.py): per iteration point.
        #expect(try Einsum(parsing: "QK[m,p] = Q[e,p] * K[e,m]").opsPerPoint == ops([.mac: 1]))
        #expect(try Einsum(parsing: "GM[p] = max_m QK[m,p]").opsPerPoint == ops([.max: 1]))
        #expect(try Einsum(parsing: "GM[p] = min_m QK[m,p]").opsPerPoint == ops([.max: 1]))
        #expect(try Einsum(parsing: "SN[m,p] = exp(QK[m,p] - GM[p])").opsPerPoint == ops([.exp: 1, .add: 1]))
        #expect(try Einsum(parsing: "SD[p] = SN[m,p]").opsPerPoint == ops([.add: 1]))
        #expect(try Einsum(parsing: "A[m,p] = SN[m,p] / SD[p]").opsPerPoint == ops([.div: 1]))
        #expect(try Einsum(parsing: "A[m1,m0,p] = SLN[m1,m0,p] * C[m1,p] / SD[p]").opsPerPoint
            == ops([.mul: 1, .div: 1]))
        // A sum over a product of three: the top multiply fuses with the add into a MAC.
        #expect(try Einsum(parsing: "Y[] = A[k] * B[k] * C[k]").opsPerPoint == ops([.mac: 1, .mul: 1]))
        // A sum whose top is not a multiply: add per point plus the inner ops.
        #expect(try Einsum(parsing: "Y[] = A[k] + B[k]").opsPerPoint == ops([.add: 2]))
        #expect(try Einsum(parsing: "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])").opsPerPoint == ops([.max: 1]))
        #expect(try Einsum(parsing: "Z[m] = max(A[m], B[m], C[m])").opsPerPoint == ops([.max: 2]))
        #expect(try Einsum(parsing: "Z[m] = -A[m]").opsPerPoint == ops([.add: 1]))
        // Constants and copies cost nothing; a constant factor costs nothing, its multiply does.
        #expect(try Einsum(parsing: "RM[0,p] = -inf").opsPerPoint.isZero)
        #expect(try Einsum(parsing: "BK[e,m1,m0] = K[e,m1*M0+m0]").opsPerPoint.isZero)
        #expect(try Einsum(parsing: "QK[m,p] = 1 / 8 * Q[e,p] * K[e,m]").opsPerPoint == ops([.mac: 1, .mul: 1]))
    }

    @Test func threePassBertBase1K() throws {
        let cascade = try #require(Cascade.preset(named: "attention-3pass"))
        let cost = try cascade.opCounts(binding: .attention(M: 1024, P: 1024, E: 64, F: 64), multiplier: Self.bh)
        let (bh, e, f, m, p) = (Self.bh, Self.e, Self.f, Self.m, Self.p)
        // Hand count, one op per iteration point (the FuseMax artifact's convention):
        #expect(cost["QK"]?.ops == ops([.mac: 64 * 12 * 64 * 1024 * 1024]))   // B·H·E·M·P MACs
        #expect(cost["GM"]?.ops == ops([.max: 64 * 12 * 1024 * 1024]))        // B·H·M·P max
        #expect(cost["SN"]?.ops == ops([.exp: bh * m * p, .add: bh * m * p])) // exp and subtract
        #expect(cost["SD"]?.ops == ops([.add: bh * m * p]))
        #expect(cost["A"]?.ops == ops([.div: bh * m * p]))
        #expect(cost["AV"]?.ops == ops([.mac: 64 * 12 * 64 * 1024 * 1024]))   // B·H·F·M·P MACs
        #expect(cost["QK"]?.iterationPoints == bh * e * m * p)
        #expect(cost["QK"]?.ranks == ["m", "p", "e"])
        #expect(cost["QK"]?.reducedRanks == ["e"])
        #expect(cost["AV"]?.text == "AV[f,p] = A[m,p] * V[f,m]")
        #expect(cost.total == ops([.mac: bh * (e + f) * m * p, .max: bh * m * p, .exp: bh * m * p,
                                   .add: 2 * bh * m * p, .div: bh * m * p]))
    }

    @Test func onePassMatchesTheBindingTable() throws {
        // The FuseMax artifact's binding (proposal.py: iteration points and cost per point), BERT-Base 1K,
        // M0 = 256 ⇒ M1 = 4. The table's 1D-array "MAC" for SPD and SPNV is a multiply here, and its exp-as-6-MACs is
        // one exp: those are the hardware's costs, not the cascade's operations.
        let cascade = try #require(Cascade.preset(named: "attention-1pass"))
        let cost = try cascade.opCounts(binding: .attention(M: 1024, P: 1024, E: 64, F: 64, M0: 256),
                                        multiplier: Self.bh)
        let (bh, e, f, m, p, m1) = (Self.bh, Self.e, Self.f, Self.m, Self.p, 4.0)
        let table: [(String, Double, OpCounts)] = [
            ("BQK", bh * e * m * p, ops([.mac: 1])),              // (44) B·H·E·M·P
            ("LM", bh * m * p, ops([.max: 1])),                   // (45) B·H·M·P
            ("SLN", bh * m * p, ops([.exp: 1, .add: 1])),         // (47) B·H·M·P
            ("SLD", bh * m * p, ops([.add: 1])),                  // (48) B·H·M·P
            ("SLNV", bh * f * m * p, ops([.mac: 1])),             // (49) B·H·F·M·P
            ("RM", bh * m1 * p, ops([.max: 1])),                  // (46) B·H·M1·P
            ("PRM", bh * m1 * p, ops([.exp: 1, .add: 1])),        // (50) B·H·M1·P
            ("SPD", bh * m1 * p, ops([.mul: 1])),                 // (51) B·H·M1·P
            ("RD", bh * m1 * p, ops([.add: 1])),                  // (52) B·H·M1·P
            ("SPNV", bh * f * m1 * p, ops([.mul: 1])),            // (53) B·H·F·M1·P
            ("RNV", bh * f * m1 * p, ops([.add: 1])),             // (54) B·H·F·M1·P
            ("AV", bh * f * p, ops([.div: 1])),                   // (55) B·H·F·P
        ]
        for (name, points, perPoint) in table {
            let einsum = try #require(cost[name], "\(name)")
            #expect(einsum.iterationPoints == points, "\(name)")
            #expect(einsum.ops == perPoint * points, "\(name)")
        }
        // Initialization (39)–(43) costs nothing.
        #expect(cost.einsums.filter { $0.section == .initialization }.allSatisfy { $0.ops.isZero })
        #expect(cost.einsums.count == 17)
    }

    @Test func onePassOverheadOverThreePass() throws {
        // FuseMax Cascade 5 against Cascade 4: per (m1, p) row it adds 1 max, 1 sub+exp, 1 multiply, 1 add, F
        // multiplies and F adds; divisions drop from M·P to F·P.
        let binding = RankBinding.attention(M: 1024, P: 1024, E: 64, F: 64, M0: 256)
        let one = try #require(Cascade.preset(named: "attention-1pass")).opCounts(binding: binding).total
        let three = try #require(Cascade.preset(named: "attention-3pass")).opCounts(binding: binding).total
        let rows = 4.0 * 1024, f = 64.0
        #expect(one.max - three.max == rows)
        #expect(one.exp - three.exp == rows)
        #expect(one.mul - three.mul == rows * (1 + f))
        #expect(one.add - three.add == rows * (2 + f))  // the subtract of PRM, the add of RD, F adds of RNV
        #expect(one.mac == three.mac)
        #expect(three.div == 1024 * 1024)
        #expect(one.div == f * 1024)
    }

    @Test func largeCountsStayExact() throws {
        // XLM at 1M (flat_validation.csv: B = 64, H = 16, E = 128): QK MACs ≈ 1.1e17.
        let cascade = try #require(Cascade.preset(named: "attention-3pass"))
        let cost = try cascade.opCounts(binding: .attention(M: 1 << 20, P: 1 << 20, E: 128, F: 128),
                                        multiplier: 64 * 16)
        #expect(cost["QK"]?.ops.mac == 64 * 16 * 128 * 1_048_576.0 * 1_048_576.0)
    }

    @Test func arithmetic() {
        var a = ops([.mac: 2, .div: 1])
        a += ops([.mac: 1, .exp: 3])
        #expect(a == ops([.mac: 3, .div: 1, .exp: 3]))
        #expect((a * 2).total == 14)
        #expect(a.description == "mac=3 exp=3 div=1")
        #expect(OpCounts().description == "none")
    }
}
