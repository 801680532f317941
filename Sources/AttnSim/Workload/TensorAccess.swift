/// A tensor as it appears in an Einsum, on either side: `QK[m,p]`, `RD[M1,p]`, `Y[]` (references.md [FuseMax §II-C]).
///
/// Tensor names start with an uppercase letter. The source columns are kept for error messages and do not take
/// part in equality.
public struct TensorAccess: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var indices: [EinsumIndex]
    /// Column of the tensor name in the Einsum's text.
    public var column: Int
    /// Column of each index in the Einsum's text.
    public var indexColumns: [Int]

    public init(name: String, indices: [EinsumIndex], column: Int = 0, indexColumns: [Int]? = nil) {
        self.name = name
        self.indices = indices
        self.column = column
        self.indexColumns = indexColumns ?? Array(repeating: column, count: indices.count)
    }

    /// Ranks iterated by this access, in index order, without repeats.
    public var ranks: [String] { Einsum.uniqued(indices.flatMap(\.ranks)) }

    /// True when some index carries a rank of `family` (see ``PassAnalysis/isInFamily(_:of:)``).
    func carriesRank(ofFamily family: String) -> Bool {
        ranks.contains { PassAnalysis.isInFamily($0, of: family) }
    }

    public static func == (a: TensorAccess, b: TensorAccess) -> Bool {
        a.name == b.name && a.indices == b.indices
    }

    public var description: String {
        "\(name)[\(indices.map(\.description).joined(separator: ","))]"
    }
}
