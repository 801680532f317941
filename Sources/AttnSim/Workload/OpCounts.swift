/// Operation counts by kind, as `Double` (they reach 1e17 for 1M-token attention).
///
/// Kinds follow the FuseMax binding table (references.md [FuseMax-artifact] `proposal.py`): `mac`, `add` (subtraction
/// counts as an add), `mul`, `max` (min counts as a max), `exp`, `div`; and `cmp` (comparisons of a top-k engine,
/// references.md [SpAtten-RTL]), which no attention Einsum produces but hardware files list as an op of a PE array.
///
/// ```swift
/// var ops = OpCounts()
/// ops[.mac] += 64
/// (ops * 2).total   // 128
/// ```
public struct OpCounts: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case mac, add, mul, max, exp, div, cmp
    }

    public var mac = 0.0
    public var add = 0.0
    public var mul = 0.0
    public var max = 0.0
    public var exp = 0.0
    public var div = 0.0
    public var cmp = 0.0

    public init() {}

    public subscript(kind: Kind) -> Double {
        get {
            switch kind {
            case .mac: mac
            case .add: add
            case .mul: mul
            case .max: max
            case .exp: exp
            case .div: div
            case .cmp: cmp
            }
        }
        set {
            switch kind {
            case .mac: mac = newValue
            case .add: add = newValue
            case .mul: mul = newValue
            case .max: max = newValue
            case .exp: exp = newValue
            case .div: div = newValue
            case .cmp: cmp = newValue
            }
        }
    }

    /// All operations, each counted once (a MAC is one operation).
    public var total: Double { Kind.allCases.reduce(0) { $0 + self[$1] } }

    public var isZero: Bool { total == 0 }

    public static func + (a: OpCounts, b: OpCounts) -> OpCounts {
        var sum = a
        for kind in Kind.allCases { sum[kind] += b[kind] }
        return sum
    }

    public static func += (a: inout OpCounts, b: OpCounts) { a = a + b }

    public static func * (a: OpCounts, factor: Double) -> OpCounts {
        var scaled = a
        for kind in Kind.allCases { scaled[kind] *= factor }
        return scaled
    }

    /// The nonzero counts, as `mac=… add=…`; `none` when all are zero.
    public var description: String {
        let parts = Kind.allCases.filter { self[$0] != 0 }.map { "\($0.rawValue)=\(Self.format(self[$0]))" }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    private static func format(_ x: Double) -> String {
        x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
