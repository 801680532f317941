/// One index of a tensor access in an Extended Einsum (references.md [FuseMax §II-C], [EDGE]).
///
/// ```
/// QK[m,p]          .rank("m"), .rank("p")
/// RM[m1+1,p]       .shifted("m1", by: 1)     iterative rank m1: state written at m1+1 (Einsum 46)
/// RM[0,p]          .constant(0)              initialization of iterative state
/// RM[m1:m1=0,p]    .pinned("m1", at: 0)      the paper's filtered spelling of the same (Einsum 41)
/// RD[M1,p]         .endpoint("m1")           final state of iterative rank m1 (Einsum 55)
/// K[e,m1*M0+m0]    .affine(...)              tiling m = m1·M0 + m0 (Einsum 39)
/// ```
///
/// Rank names are lowercase letters followed by digits (`m`, `m0`, `p2`); an uppercase symbol is a rank's size
/// (`M0` is the size of `m0`), and standing alone it is the endpoint of that rank.
public enum EinsumIndex: Sendable, Hashable, CustomStringConvertible {
    case rank(String)
    case shifted(String, by: Int)
    case constant(Int)
    case pinned(String, at: Int)
    /// The endpoint of a rank, stored as the rank's (lowercase) name: `M1` is `.endpoint("m1")`.
    case endpoint(String)
    /// A sum of rank terms and a constant offset, e.g. `m1*M0+m0`.
    case affine([Term], offset: Int)

    /// A rank times a stride, in an affine index: `m1*M0` is `Term(rank: "m1", stride: ["M0"])`.
    public struct Term: Sendable, Hashable, CustomStringConvertible {
        public var rank: String
        /// Factors of the stride: size symbols (`M0`) or integer literals; empty means 1.
        public var stride: [String]

        public init(rank: String, stride: [String] = []) {
            self.rank = rank
            self.stride = stride
        }

        public var description: String { ([rank] + stride).joined(separator: "*") }
    }

    /// The ranks this index iterates (a constant, a pinned rank or an endpoint iterates none).
    public var ranks: [String] {
        switch self {
        case .rank(let r), .shifted(let r, _): [r]
        case .affine(let terms, _): terms.map(\.rank)
        case .constant, .pinned, .endpoint: []
        }
    }

    /// True for an index that selects one fixed position (`0`, `m1:m1=0`).
    public var isFixed: Bool {
        switch self {
        case .constant, .pinned: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .rank(let r): r
        case .shifted(let r, let k): k < 0 ? "\(r)\(k)" : "\(r)+\(k)"
        case .constant(let k): "\(k)"
        case .pinned(let r, let k): "\(r):\(r)=\(k)"
        case .endpoint(let r): r.uppercased()
        case .affine(let terms, let offset):
            terms.map(\.description).joined(separator: "+")
                + (offset == 0 ? "" : offset < 0 ? "\(offset)" : "+\(offset)")
        }
    }
}
