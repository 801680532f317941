/// The right-hand side of an Einsum: an arithmetic expression over tensor accesses (references.md
/// [FuseMax §II-C, §IV]).
///
/// The EDGE shorthands map onto it as follows: infix `×` is ``Operator/multiply``, `A/B` is ``Operator/divide``,
/// `max(A,B)` is a ``Function/max`` call, and the user-defined sub-then-exp `e^{A−B}` is `exp(A - B)`.
///
/// ```swift
/// let sn = try Einsum(parsing: "SN[m,p] = exp(QK[m,p] - GM[p])")
/// sn.expression.description   // "exp(QK[m,p] - GM[p])"
/// ```
public indirect enum EinsumExpr: Sendable, Equatable, CustomStringConvertible {
    /// A literal; `inf` is `.number(.infinity)`.
    case number(Double)
    case tensor(TensorAccess)
    case negate(EinsumExpr)
    case binary(Operator, EinsumExpr, EinsumExpr)
    case call(Function, [EinsumExpr])

    public enum Operator: String, Sendable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"

        var precedence: Int { self == .add || self == .subtract ? 1 : 2 }
    }

    /// The functions an Einsum may call.
    public enum Function: String, Sendable, CaseIterable {
        /// One argument.
        case exp
        /// Two or more arguments: a map-max (EDGE `max(A,B)`, merge ∪).
        case max
        /// Two or more arguments.
        case min

        /// The fewest arguments the function takes; `exp` takes exactly one.
        var minimumArguments: Int { self == .exp ? 1 : 2 }
    }

    /// Every tensor access in the expression, left to right.
    public var accesses: [TensorAccess] {
        switch self {
        case .number: []
        case .tensor(let access): [access]
        case .negate(let x): x.accesses
        case .binary(_, let l, let r): l.accesses + r.accesses
        case .call(_, let args): args.flatMap(\.accesses)
        }
    }

    /// True when the expression reads no tensor (`0`, `-inf`): it is a constant and costs nothing.
    public var isConstant: Bool { accesses.isEmpty }

    public var description: String { rendered(parentPrecedence: 0) }

    private var precedence: Int {
        switch self {
        case .binary(let op, _, _): op.precedence
        case .negate: 3
        case .number(let x) where x < 0: 3
        default: 4
        }
    }

    private func rendered(parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .number(let x):
            text = Self.format(x)
        case .tensor(let access):
            text = access.description
        case .negate(let x):
            text = "-" + x.rendered(parentPrecedence: 3)
        case .binary(let op, let l, let r):
            // Left-associative: a right operand of equal precedence keeps its parentheses.
            let right = r.rendered(parentPrecedence: op.precedence + 1)
            text = "\(l.rendered(parentPrecedence: op.precedence)) \(op.rawValue) \(right)"
        case .call(let f, let args):
            text = "\(f.rawValue)(\(args.map { $0.rendered(parentPrecedence: 0) }.joined(separator: ", ")))"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }

    private static func format(_ x: Double) -> String {
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }
}
