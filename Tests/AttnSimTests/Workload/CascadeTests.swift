import Testing
@testable import AttnSim

@Suite("Cascade")
struct CascadeTests {
    @Test func sectionsAreDecidedAutomatically() throws {
        let cascade = try Cascade.parse(lines: [
            "BK[e,m1,m0] = K[e,m1*M0+m0]",     // re-tiled input: initialization
            "RM[m1:m1=0,p] = -inf",            // constant: initialization
            "QT[p,e] = Q[e,p]",                // copy of an input: initialization
            "BQK[m1,m0,p] = QT[p,e] * BK[e,m1,m0]",
            "LM[m1,p] = max_m0 BQK[m1,m0,p]",
            "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])",
            "X[] = K[e,m]",                    // a reduction, not a copy: extended
            "Y[m1,p] = LM[m1,p]",              // copy of a produced tensor: extended
        ])
        #expect(cascade.sections == [.initialization, .initialization, .initialization,
                                     .extended, .extended, .extended, .extended, .extended])
        #expect(cascade.inputs == ["K", "Q"])
        #expect(cascade.producers(of: "RM") == [1, 5])
    }

    @Test func descriptionPrintsOneEinsumPerLineAndParsesBack() throws {
        for name in Cascade.presetNames {
            let cascade = try #require(Cascade.preset(named: name))
            let lines = cascade.description.split(separator: "\n").map(String.init)
            #expect(lines.count == cascade.einsums.count)
            #expect(try Cascade.parse(name: name, lines: lines) == cascade)
        }
        let threePass = try #require(Cascade.preset(named: "attention-3pass"))
        #expect(threePass.description == """
            QK[m,p] = Q[e,p] * K[e,m]
            GM[p] = max_m QK[m,p]
            SN[m,p] = exp(QK[m,p] - GM[p])
            SD[p] = SN[m,p]
            A[m,p] = SN[m,p] / SD[p]
            AV[f,p] = A[m,p] * V[f,m]
            """)
    }

    @Test func errorsCarryTheEinsumIndex() {
        #expect {
            _ = try Cascade.parse(lines: ["QK[m,p] = Q[e,p] * K[e,m]", "GM[p] = max_m QK[m,p", "SD[p] = SN[m,p]"])
        } throws: { ($0 as? CascadeParseError)?.einsumIndex == 1 }
    }

    /// Cascade-level checks: (lines, Einsum index, column, message fragment).
    static let invalid: [([String], Int, Int, String)] = [
        (["QK[m,p] = Q[e,p] * K[e,m]", "SN[m] = exp(QK[m])"], 1, 12, "has 1 indices here but 2"),
        (["A[p] = B[p]", "B[p] = C[p]"], 0, 7, "read before any Einsum produces it (Einsum 1"),
        (["SPD[m1,p] = RD[m1,p] * PRM[m1,p]", "RD[m1+1,p] = SLD[m1,p] + SPD[m1,p]"], 0, 12, "initialize it first"),
        (["A[m] = A[m] + B[m]"], 0, 7, "read by the Einsum that produces it"),
        (["A[m] = B[m]", "A[m] = C[m]"], 1, 0, "already produced by Einsum 0"),
        // FuseMax's Einsum (43) as printed indexes RNV with two indices, later Einsums with three.
        (["RNV[m1:m1=0,p] = 0", "RNV[f,m1+1,p] = RNV[f,m1,p] + S[f,m1,p]"], 1, 0, "has 3 indices here but 2"),
    ]

    @Test("cascade-level errors", arguments: invalid)
    func invalidCascade(_ lines: [String], _ index: Int, _ column: Int, _ fragment: String) {
        do {
            _ = try Cascade.parse(lines: lines)
            Issue.record("expected an error for \(lines)")
        } catch {
            #expect(error.einsumIndex == index, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }

    @Test func einsumsBuiltInCodeAreValidated() throws {
        let q = TensorAccess(name: "Q", indices: [.rank("e"), .rank("p")])
        let k = TensorAccess(name: "K", indices: [.rank("e"), .rank("m")])
        let qk = Einsum(output: TensorAccess(name: "QK", indices: [.rank("m"), .rank("p")]),
                        expression: .binary(.multiply, .tensor(q), .tensor(k)))
        #expect(qk.source == "QK[m,p] = Q[e,p] * K[e,m]")
        #expect(try Cascade(name: "qk", einsums: [qk]).einsums == [qk])
        let bad = Einsum(output: TensorAccess(name: "X", indices: [.rank("z")]), expression: .tensor(q))
        #expect(throws: CascadeParseError.self) { try Cascade(einsums: [qk, bad]) }
    }

    @Test func allowedOrderings() throws {
        // An iterative Einsum reads its own state; state initialized earlier may be read before its update.
        _ = try Cascade.parse(lines: ["RM[m1+1,p] = max(RM[m1,p], LM[m1,p])"])
        _ = try Cascade.parse(lines: [
            "RD[0,p] = 0",
            "SPD[m1,p] = RD[m1,p] * PRM[m1,p]",
            "RD[m1+1,p] = SLD[m1,p] + SPD[m1,p]",
        ])
        // An endpoint read may come before the Einsum that builds the state.
        _ = try Cascade.parse(lines: ["Z[] = RZ[K]", "RZ[0] = 0", "RZ[k+1] = RZ[k] + A[k]"])
    }
}
