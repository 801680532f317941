/// A cascade of Einsums: a DAG of Extended Einsums written as a sequence (references.md [TeAAL],
/// [FuseMax §II-C]), split into an initialization section and the Extended Einsums.
///
/// ```swift
/// let cascade = try Cascade.parse(name: "softmax", lines: [
///     "GM[p] = max_m QK[m,p]",
///     "SN[m,p] = exp(QK[m,p] - GM[p])",
///     "SD[p] = SN[m,p]",
///     "A[m,p] = SN[m,p] / SD[p]",
/// ])
/// cascade.inputs              // ["QK"]
/// cascade.passes().total      // 3
/// print(cascade)              // one Einsum per line
/// ```
///
/// **Sections** are decided automatically (there is no marker in the text). An Einsum is *initialization*
/// (EDGE's run-once section, references.md [FuseMax §II-C]) when it does no arithmetic and either writes a constant
/// (`RM[0,p] = -inf`) or copies or re-tiles a cascade input without reducing (`BK[e,m1,m0] = K[e,m1*M0+m0]`).
/// Everything else, including an iterative Einsum and a copy of a produced tensor (`Z[] = RZ[K]`), is *extended*.
/// The stopping condition `◇: m1 ≥ M1` is not written: it is the size bound to the iterative rank.
public struct Cascade: Sendable, Equatable, CustomStringConvertible {
    public enum Section: String, Sendable, CaseIterable {
        case initialization, extended
    }

    /// A preset's name, or "inline" for a cascade written in a workload file.
    public let name: String
    public let einsums: [Einsum]
    /// The section of each Einsum, parallel to `einsums`.
    public let sections: [Section]

    /// Builds and validates a cascade (see ``validate()``).
    public init(name: String = "inline", einsums: [Einsum]) throws(CascadeParseError) {
        self.name = name
        self.einsums = einsums
        let produced = Set(einsums.map(\.name))
        sections = einsums.map { Self.section(of: $0, produced: produced) }
        try validate()
    }

    /// Parses one Einsum per string; an error's `einsumIndex` is the position in `lines`.
    public static func parse(name: String = "inline", lines: [String]) throws(CascadeParseError) -> Cascade {
        var einsums: [Einsum] = []
        for (index, line) in lines.enumerated() {
            einsums.append(try Einsum(parsing: line, einsumIndex: index))
        }
        return try Cascade(name: name, einsums: einsums)
    }

    /// Tensors read but produced by no Einsum, in order of first read.
    public var inputs: [String] {
        let produced = Set(einsums.map(\.name))
        return Einsum.uniqued(einsums.flatMap { $0.reads.map(\.name) }).filter { !produced.contains($0) }
    }

    /// Positions of the Einsums that write `tensor` (an iterative tensor has its initialization and its update).
    public func producers(of tensor: String) -> [Int] {
        einsums.indices.filter { einsums[$0].name == tensor }
    }

    /// One Einsum per line, in canonical text form (each line parses back to the same Einsum).
    public var description: String {
        einsums.map(\.description).joined(separator: "\n")
    }

    public static func == (a: Cascade, b: Cascade) -> Bool {
        a.name == b.name && a.einsums == b.einsums
    }

    private static func section(of einsum: Einsum, produced: Set<String>) -> Section {
        guard einsum.iterativeRank == nil else { return .extended }
        if einsum.expression.isConstant { return .initialization }
        if case .tensor(let source) = einsum.expression, einsum.reducedRanks.isEmpty, !produced.contains(source.name) {
            return .initialization
        }
        return .extended
    }
}
