import Yams

/// A sweep filter, `LEFT OP RIGHT`: each side a field path (of the point's workload, or `hardware.…` of its
/// hardware) or a number; OP one of `<= < >= > == !=`. Lists compare element by element and every element must
/// pass (`mask.stride <= mask.window`); a list against a number compares each element with it.
public struct SweepFilter: Sendable, CustomStringConvertible {
    public enum Operand: Sendable, Equatable {
        case number(Double)
        case workload(FieldPath)
        case hardware(FieldPath)
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case le = "<=", lt = "<", ge = ">=", gt = ">", eq = "==", ne = "!="

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .le: a <= b
            case .lt: a < b
            case .ge: a >= b
            case .gt: a > b
            case .eq: a == b
            case .ne: a != b
            }
        }
    }

    public var left: Operand
    public var comparison: Comparison
    public var right: Operand
    public var description: String

    static func parse(_ node: SpecNode) throws(Diagnostic) -> SweepFilter {
        let text = try node.string()
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, let comparison = Comparison(rawValue: parts[1]) else {
            throw node.error("expected `LEFT OP RIGHT` with spaces around OP (one of "
                + Comparison.allCases.map(\.rawValue).joined(separator: " ") + "), e.g. \"mask.stride <= mask.window\"")
        }
        func operand(_ word: String) throws(Diagnostic) -> Operand {
            if let number = Double(word) { return .number(number) }
            if word.hasPrefix("hardware.") {
                return .hardware(try FieldPath.parse(String(word.dropFirst("hardware.".count)), at: node))
            }
            let field = word.hasPrefix("workload.") ? String(word.dropFirst("workload.".count)) : word
            return .workload(try FieldPath.parse(field, at: node))
        }
        return SweepFilter(left: try operand(parts[0]), comparison: comparison, right: try operand(parts[2]),
                           description: text)
    }

    /// Whether the point passes; a missing or non-numeric field is an error (the point is recorded with it).
    func passes(workload: Node, hardware: Node) throws(SweepPointError) -> Bool {
        func values(_ operand: Operand) throws(SweepPointError) -> [Double] {
            let node: Node?
            let path: FieldPath
            switch operand {
            case .number(let x): return [x]
            case .workload(let p): (node, path) = (SweepPatch.value(at: p, in: workload), p)
            case .hardware(let p): (node, path) = (SweepPatch.value(at: p, in: hardware), p)
            }
            guard let node else { throw SweepPointError("filter `\(description)`: `\(path)` is not set") }
            let scalars: [Node] = node.sequence.map(Array.init) ?? [node]
            var numbers: [Double] = []
            for scalar in scalars {
                guard let text = scalar.scalar?.string, let number = Double(text) else {
                    throw SweepPointError("filter `\(description)`: `\(path)` is not a number or list of numbers")
                }
                numbers.append(number)
            }
            return numbers
        }
        let a = try values(left), b = try values(right)
        guard a.count == b.count || a.count == 1 || b.count == 1 else {
            throw SweepPointError("filter `\(description)`: the sides have \(a.count) and \(b.count) elements")
        }
        for i in 0..<max(a.count, b.count) where !comparison.holds(a[a.count == 1 ? 0 : i], b[b.count == 1 ? 0 : i]) {
            return false
        }
        return true
    }
}

/// Why one point of a sweep has no result (recorded with the point, not fatal to the sweep).
public struct SweepPointError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
