/// A problem found while reading an Einsum cascade written as text, pointing at the Einsum and the column.
///
/// Every parse and validation failure of ``Einsum/init(parsing:einsumIndex:)`` and ``Cascade/parse(name:lines:)``
/// is one of these. `message` says what was expected, so a workload loader can show it under the offending
/// character:
///
/// ```swift
/// do { _ = try Cascade.parse(name: "inline", lines: ["QK[m,p] = Q[e,p] *"]) }
/// catch { print(error) }   // Einsum 0, column 18: expected an operand (...) but found the end of the Einsum
/// ```
public struct CascadeParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Position of the Einsum in its cascade (0-based; 0 for an Einsum parsed on its own).
    public var einsumIndex: Int
    /// 0-based offset, in characters, into the Einsum's text.
    public var column: Int
    /// What is wrong and what was expected.
    public var message: String

    public init(einsumIndex: Int, column: Int, message: String) {
        self.einsumIndex = einsumIndex
        self.column = column
        self.message = message
    }

    public var description: String {
        "Einsum \(einsumIndex), column \(column): \(message)"
    }
}
