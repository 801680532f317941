/// One Extended Einsum: an output tensor, an optional explicit reduction and an expression
/// (references.md [FuseMax §II-C], [EDGE]).
///
/// Text form, one Einsum per string:
///
/// ```
/// QK[m,p] = Q[e,p] * K[e,m]             ranks missing on the left are reduced; the default reduction is sum
/// GM[p] = max_m QK[m,p]                 explicit reduction operator: sum_, max_ or min_ then the ranks
/// LM[p] = max_{m1,m0} BQK[m1,m0,p]      several reduced ranks go in braces
/// SN[m,p] = exp(QK[m,p] - GM[p])        map with a function call (exp, max, min)
/// BK[e,m1,m0] = K[e,m1*M0+m0]           tiling a rank (M0 is the size of m0)
/// RM[m1+1,p] = max(RM[m1,p], LM[m1,p])  iterative rank m1
/// RM[0,p] = -inf                        initialization of iterative state (also RM[m1:m1=0,p] = -inf)
/// AV[f,p] = RNV[f,M1,p] / RD[M1,p]      uppercase index: the endpoint (final state) of iterative rank m1
/// Y[] = A[k] * B[k]                     scalar output (also `Y = A[k] * B[k]`)
/// ```
///
/// An explicit reduction applies to the whole right-hand side and must list exactly the reduced ranks.
/// `×`, `÷`, `−` and `∞` are accepted for `*`, `/`, `-` and `inf`; `//` starts a comment.
public struct Einsum: Sendable, Equatable, CustomStringConvertible {
    /// An explicit reduction written in front of the right-hand side: `max_m`, `sum_{m0,m1}`.
    public struct Reduction: Sendable, Equatable {
        public enum Operator: String, Sendable, CaseIterable {
            case sum, max, min
        }

        public var op: Operator
        public var ranks: [String]
        /// Column of the operator name, and of each listed rank, in the Einsum's text.
        public var column: Int
        public var rankColumns: [Int]

        public init(op: Operator, ranks: [String], column: Int = 0, rankColumns: [Int]? = nil) {
            self.op = op
            self.ranks = ranks
            self.column = column
            self.rankColumns = rankColumns ?? Array(repeating: column, count: ranks.count)
        }

        public static func == (a: Reduction, b: Reduction) -> Bool {
            a.op == b.op && Set(a.ranks) == Set(b.ranks)
        }
    }

    public let output: TensorAccess
    public let reduction: Reduction?
    public let expression: EinsumExpr
    /// The text the Einsum was parsed from (its canonical form for an Einsum built in code).
    public let source: String
    /// The iteration space: every rank on either side, output ranks first, in order of appearance.
    /// An endpoint (`M1`), a constant or a pinned index contributes no rank; `m1+1` is rank `m1`.
    public let ranks: [String]
    /// Ranks on the right that do not index the output, in order of appearance.
    public let reducedRanks: [String]

    /// Builds an Einsum from parts; ``validate(einsumIndex:)`` checks it. The parser calls both.
    public init(output: TensorAccess, reduction: Reduction? = nil, expression: EinsumExpr, source: String? = nil) {
        self.output = output
        self.reduction = reduction
        self.expression = expression
        let reads = expression.accesses
        ranks = Self.uniqued(output.ranks + reads.flatMap(\.ranks))
        var written = Set(output.ranks)
        for case .pinned(let r, _) in output.indices { written.insert(r) }
        reducedRanks = Self.uniqued(reads.flatMap(\.ranks)).filter { !written.contains($0) }
        self.source = source ?? Self.render(output, reduction, expression)
    }

    /// Parses and validates one Einsum; errors carry `einsumIndex`.
    public init(parsing text: String, einsumIndex: Int = 0) throws(CascadeParseError) {
        self = try EinsumParser.parse(text, einsumIndex: einsumIndex)
    }

    /// The output tensor's name.
    public var name: String { output.name }

    /// Tensor accesses on the right, left to right.
    public var reads: [TensorAccess] { expression.accesses }

    /// How the reduced ranks are combined; nil when nothing is reduced. The default is `sum`.
    public var reductionOperator: Reduction.Operator? {
        reducedRanks.isEmpty ? nil : (reduction?.op ?? .sum)
    }

    /// The rank `r` of an output index `r+k` (`m1` for `RM[m1+1,p]`): the Einsum builds iterative state.
    public var iterativeRank: String? {
        for case .shifted(let r, _) in output.indices { return r }
        return nil
    }

    /// True when the output is written at a fixed position (`RM[0,p]`, `RM[m1:m1=0,p]`).
    public var writesFixedIndex: Bool { output.indices.contains(where: \.isFixed) }

    public var description: String { Self.render(output, reduction, expression) }

    private static func render(_ output: TensorAccess, _ reduction: Reduction?, _ expression: EinsumExpr) -> String {
        var rhs = expression.description
        if let reduction {
            let ranks = reduction.ranks.count == 1
                ? reduction.ranks[0] : "{\(reduction.ranks.joined(separator: ","))}"
            rhs = "\(reduction.op.rawValue)_\(ranks) \(rhs)"
        }
        return "\(output) = \(rhs)"
    }

    /// The elements of `items` in first-seen order, without repeats.
    static func uniqued(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    public static func == (a: Einsum, b: Einsum) -> Bool {
        a.output == b.output && a.reduction == b.reduction && a.expression == b.expression
    }
}
