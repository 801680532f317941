import Testing
@testable import AttnSim

@Suite("Einsum parser")
struct EinsumParserTests {
    /// The text forms of FuseMax §III–§IV (references.md [FuseMax]), and the brief's variants, that must parse.
    static let examples = [
        "QK[m,p] = Q[e,p] * K[e,m]",                                 // (33)
        "GM[p] = max_m QK[m,p]",                                     // (34)
        "SN[m,p] = exp(QK[m,p] - GM[p])",                            // (35)
        "SD[p] = SN[m,p]",                                           // (36)
        "A[m,p] = SN[m,p] / SD[p]",                                  // (37)
        "AV[f,p] = A[m,p] * V[f,m]",                                 // (38)
        "BK[e,m1,m0] = K[e, m1*M0+m0]",                              // (39)
        "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])",                      // (46)
        "RM[0,p] = -inf",
        "RM[m1:m1=0,p] = -inf",                                      // (41)
        "AV[f,p] = RNV[f,M1,p] / RD[M1,p]",                          // (55)
        "RZ[i+1] = RZ[i] * RY[i+1] / RY[i] + RY[i+1] * A[i]",        // (13)
        "Y[] = A[k] * B[k]",                                         // (5)
        "Y = A[k] * B[k]",
        "LM[p] = max_{m1,m0} BQK[m1,m0,p]",
        "SD[p] = sum_m SN[m,p]",
        "X[p] = min_m QK[m,p]",
        "QK[m,p] = 0.125 × Q[e,p] × K[e,m]",                         // (22) with the scale, × spelled out
        "A[m,p] = SN[m,p] ÷ SD[p]   // a comment",
        "RM[0,p] = −∞",
        "Z[m] = -(A[m] - min(B[m], C[m], D[m]))",
    ]

    @Test("every example parses", arguments: examples)
    func parses(_ text: String) throws {
        let einsum = try Einsum(parsing: text)
        // The canonical form parses back to the same Einsum.
        let again = try Einsum(parsing: einsum.description)
        #expect(again == einsum)
        #expect(again.description == einsum.description)
    }

    @Test func matrixMultiplyReducesTheMissingRank() throws {
        let qk = try Einsum(parsing: "QK[m,p] = Q[e,p] * K[e,m]")
        #expect(qk.name == "QK")
        #expect(qk.ranks == ["m", "p", "e"])
        #expect(qk.reducedRanks == ["e"])
        #expect(qk.reductionOperator == .sum)
        #expect(qk.reads.map(\.name) == ["Q", "K"])
        #expect(qk.description == "QK[m,p] = Q[e,p] * K[e,m]")
    }

    @Test func explicitReductions() throws {
        let gm = try Einsum(parsing: "GM[p] = max_m QK[m,p]")
        #expect(gm.reductionOperator == .max)
        #expect(gm.reducedRanks == ["m"])
        let lm = try Einsum(parsing: "LM[p] = max_{m1,m0} BQK[m1,m0,p]")
        #expect(lm.reduction?.ranks == ["m1", "m0"])
        #expect(lm.description == "LM[p] = max_{m1,m0} BQK[m1,m0,p]")
        #expect(try Einsum(parsing: "X[p] = min_m QK[m,p]").reductionOperator == .min)
    }

    @Test func indexForms() throws {
        let bk = try Einsum(parsing: "BK[e,m1,m0] = K[e, m1*M0+m0]")
        #expect(bk.reads[0].indices[1] == .affine([.init(rank: "m1", stride: ["M0"]), .init(rank: "m0")], offset: 0))
        #expect(bk.reducedRanks.isEmpty)
        #expect(bk.description == "BK[e,m1,m0] = K[e,m1*M0+m0]")

        let rm = try Einsum(parsing: "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])")
        #expect(rm.output.indices == [.shifted("m1", by: 1), .rank("p")])
        #expect(rm.iterativeRank == "m1")
        #expect(rm.ranks == ["m1", "p"])
        #expect(rm.reducedRanks.isEmpty)

        #expect(try Einsum(parsing: "RM[0,p] = -inf").output.indices == [.constant(0), .rank("p")])
        let pinned = try Einsum(parsing: "RM[m1:m1=0,p] = -inf")
        #expect(pinned.output.indices == [.pinned("m1", at: 0), .rank("p")])
        #expect(pinned.writesFixedIndex)
        #expect(pinned.expression == .negate(.number(.infinity)))

        let av = try Einsum(parsing: "AV[f,p] = RNV[f,M1,p] / RD[M1,p]")
        #expect(av.reads[0].indices == [.rank("f"), .endpoint("m1"), .rank("p")])
        #expect(av.ranks == ["f", "p"])  // an endpoint contributes no rank

        let scalar = try Einsum(parsing: "Y = A[k] * B[k]")
        #expect(scalar.output.indices.isEmpty)
        #expect(scalar == (try Einsum(parsing: "Y[] = A[k] * B[k]")))
        #expect(scalar.description == "Y[] = A[k] * B[k]")
    }

    @Test func precedenceAndParentheses() throws {
        let rz = try Einsum(parsing: "RZ[i+1] = RZ[i] * RY[i+1] / RY[i] + RY[i+1] * A[i]")
        guard case .binary(.add, .binary(.divide, .binary(.multiply, _, _), _), .binary(.multiply, _, _)) = rz.expression
        else {
            Issue.record("wrong tree: \(rz.expression)")
            return
        }
        #expect(try Einsum(parsing: "X[m] = A[m] - (B[m] - C[m])").description == "X[m] = A[m] - (B[m] - C[m])")
        #expect(try Einsum(parsing: "X[m] = (A[m] - B[m]) - C[m]").description == "X[m] = A[m] - B[m] - C[m]")
        #expect(try Einsum(parsing: "X[m] = A[m] / (B[m] * C[m])").description == "X[m] = A[m] / (B[m] * C[m])")
        #expect(try Einsum(parsing: "X[m] = -A[m] * 2").expression
            == .binary(.multiply, .negate(.tensor(TensorAccess(name: "A", indices: [.rank("m")]))), .number(2)))
    }

    /// Malformed Einsums: (text, column of the error, a fragment of the message).
    static let malformed: [(String, Int, String)] = [
        ("QK[m,p] = Q[e,p] *", 18, "expected an operand"),
        ("QK[m,p = Q[e,p]", 7, "expected ',' or ']'"),
        ("qk[m,p] = Q[e,p]", 0, "expected the output tensor"),
        ("QK[m,p] Q[e,p]", 8, "expected '='"),
        ("SN[m,p] = foo(QK[m,p])", 10, "unknown function 'foo'"),
        ("X[m,q] = A[m,p]", 4, "output rank q appears nowhere"),
        ("A[m,p] = SN[m,p] / / SD[p]", 19, "expected an operand"),
        ("GM[p] = max_ QK[m,p]", 13, "expected a rank"),
        ("SN[m,p] = exp(QK[m,p]", 21, "expected ')'"),
        ("A[M,p] = B[m,p]", 2, "endpoint"),
        ("A[m] = B[m] $", 12, "unexpected character '$'"),
        ("GM[p] = max_e QK[m,p]", 12, "rank e is not reduced"),
        ("Y[] = exp(A[k], B[k])", 6, "exp takes one argument"),
        ("A[m] = B[m] + 3 )", 16, "expected an operator"),
        ("BK[e,m1,m0] = K[e, m1*M0*m0]", 25, "only one rank"),
        ("", 0, "expected the output tensor"),
        ("A[m,p] = b[m,p]", 9, "expected a tensor"),
        ("X[p] = sum_m QK[m,p] + max_m QK[m,p]", 23, "may only begin the right-hand side"),
        ("A[m] = B[m1a]", 9, "not a rank name"),
        ("RM[m1:m2=0,p] = -inf", 6, "expected 'm1'"),
        ("A[m,m] = B[m]", 4, "twice"),
        ("SD[p] = max_m SN[m,e,p]", 8, "also reduces rank e"),
        ("A[m] = B[m] + B[m,p]", 14, "has 2 indices here but 1"),
        ("A[m] = max(B[m])", 7, "at least 2 arguments"),
        ("Y[] = A[k] * B[k", 16, "expected ',' or ']'"),
        ("SD[p] = sum(SN[m,p])", 8, "unknown function 'sum'"),
        ("A[m] = sum_m B[m]", 7, "nothing to reduce"),
    ]

    @Test("malformed Einsums fail at the right column", arguments: malformed)
    func malformedFails(_ text: String, _ column: Int, _ fragment: String) {
        #expect {
            _ = try Einsum(parsing: text, einsumIndex: 7)
        } throws: { error in
            guard let error = error as? CascadeParseError else { return false }
            return error.einsumIndex == 7 && error.column == column && error.message.contains(fragment)
        }
        // Show the actual error when the expectation above fails.
        do {
            _ = try Einsum(parsing: text, einsumIndex: 7)
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
        }
    }
}
