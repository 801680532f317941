import Foundation
import Yams

/// A YAML node together with where it came from (file, line, column) and its field path.
///
/// Loaders walk a document through `SpecNode` and `SpecMapping` instead of `Codable`, so that every value
/// they reject can be reported with its exact position and path, and every unknown key gets a
/// "did you mean" from the keys the loader actually accepts.
///
/// ```swift
/// let root = try SpecDocument.load(path: "hw.yaml")
/// let fields = try root.mapping(allowed: ["attnsim", "name", "clock"])
/// let clock = try fields.required("clock").quantity(.frequency)   // 1.83e9
/// ```
public struct SpecNode {
    let node: Node
    public let path: FieldPath
    public let file: String

    init(node: Node, path: FieldPath, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// 1-based line and column of the node's first character.
    public var line: Int { node.mark?.line ?? 1 }
    public var column: Int { node.mark?.column ?? 1 }

    /// An error located at this node.
    public func error(_ message: String, columnOffset: Int = 0) -> Diagnostic {
        Diagnostic(file: file, line: line, column: column + columnOffset, path: path.description, message: message)
    }

    /// What the node is, for messages ("a list", "a mapping", "the text \"abc\"").
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            return "\"\(scalar.string)\""
        }
    }

    /// True for an explicit YAML null (`~`, `null`, or an empty value).
    public var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    // MARK: Structure

    /// The node as a mapping whose keys must all be among `allowed`; duplicate keys are errors too.
    public func mapping(allowed: [String]) throws(Diagnostic) -> SpecMapping {
        let entries = try mappingEntries()
        for entry in entries where !allowed.contains(entry.key) {
            throw entry.keyNode.error(
                "unknown key `\(entry.key)`\(DidYouMean.hint(for: entry.key, among: allowed)); "
                    + "expected one of: \(allowed.joined(separator: ", "))")
        }
        return SpecMapping(node: self, entries: entries)
    }

    /// The node as a mapping with free-form keys (e.g. `matrix: {bf16: ..., fp8: ...}`).
    public func mappingEntries() throws(Diagnostic) -> [SpecMapping.Entry] {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping of `key: value` pairs, found \(kindDescription)")
        }
        var seen: Set<String> = []
        var entries: [SpecMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let keyWrapper = SpecNode(node: keyNode, path: path, file: file)
            guard case .scalar(let keyScalar) = keyNode else {
                throw keyWrapper.error("expected a plain key, found \(keyWrapper.kindDescription)")
            }
            let key = keyScalar.string
            let keyPath = path.appending(key)
            if !seen.insert(key).inserted {
                throw SpecNode(node: keyNode, path: keyPath, file: file).error("duplicate key `\(key)`")
            }
            entries.append(SpecMapping.Entry(
                key: key,
                keyNode: SpecNode(node: keyNode, path: keyPath, file: file),
                value: SpecNode(node: valueNode, path: keyPath, file: file)))
        }
        return entries
    }

    /// The node as a list of nodes.
    public func sequence() throws(Diagnostic) -> [SpecNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list (`[a, b]` or lines starting with `- `), found \(kindDescription)")
        }
        return sequence.enumerated().map { SpecNode(node: $1, path: path.appending($0), file: file) }
    }

    /// True when the node is a list.
    public var isSequence: Bool {
        if case .sequence = node { return true }
        return false
    }

    // MARK: Scalars

    func scalarText(expected: String) throws(Diagnostic) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("expected \(expected), found \(kindDescription)")
        }
        return scalar.string
    }

    /// Offset of the scalar's text from the node's mark (1 for quoted scalars), to point inside values.
    var textColumnOffset: Int {
        guard case .scalar(let scalar) = node else { return 0 }
        return (scalar.style == .singleQuoted || scalar.style == .doubleQuoted) ? 1 : 0
    }

    public func string() throws(Diagnostic) -> String {
        try scalarText(expected: "a text value")
    }

    /// A whole number; YAML's `1_000` and plain digits are accepted, fractions are not.
    public func int() throws(Diagnostic) -> Int {
        let text = try scalarText(expected: "a whole number")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a whole number, found \"\(text)\"")
        }
        return value
    }

    /// A whole number that must be at least `minimum` (1 by default: sizes and counts).
    public func int(atLeast minimum: Int) throws(Diagnostic) -> Int {
        _ = try scalarText(expected: "a whole number ≥ \(minimum)")
        let value = try int()
        guard value >= minimum else {
            throw error("expected a whole number ≥ \(minimum), found \(value)")
        }
        return value
    }

    public func bool() throws(Diagnostic) -> Bool {
        let text = try scalarText(expected: "true or false")
        switch text {
        case "true", "True", "TRUE", "yes", "1": return true
        case "false", "False", "FALSE", "no", "0": return false
        default: throw error("expected true or false, found \"\(text)\"")
        }
    }

    /// A value with a unit (`3.35 TB/s`), or a plain number for `.number`, in SI units.
    public func quantity(_ dimension: Dimension) throws(Diagnostic) -> Double {
        let text = try scalarText(expected: "a \(dimension.noun)")
        do {
            return try Quantity.parse(text, as: dimension)
        } catch {
            throw self.error(error.message, columnOffset: textColumnOffset + error.offset)
        }
    }

    /// A physical figure (a clock, a bandwidth, a size, a per-action energy, a cost): greater than zero (or zero,
    /// when `zeroAllowed`) and inside `dimension.plausibleRange`, so that every product the models form with the
    /// largest problem stays finite (no `inf` or `NaN` in any result).
    public func physicalQuantity(_ dimension: Dimension, zeroAllowed: Bool = false) throws(Diagnostic) -> Double {
        let value = try quantity(dimension)
        let range = dimension.plausibleRange
        guard (zeroAllowed && value == 0) || value > 0 else {
            throw error("expected a value \(zeroAllowed ? "≥" : ">") 0, found \(Quantity.format(value, dimension))")
        }
        guard value == 0 || range.contains(value) else {
            throw error("\(Quantity.format(value, dimension)) is outside the range attnsim models, "
                + "\(Quantity.format(range.lowerBound, dimension)) to \(Quantity.format(range.upperBound, dimension))")
        }
        return value
    }

    /// One of a fixed set of words (an enum's raw value), with a "did you mean" on typos.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(Diagnostic) -> T
    where T.RawValue == String {
        let names = T.allCases.map(\.rawValue)
        let text = try scalarText(expected: "one of \(names.joined(separator: ", "))")
        guard let value = T(rawValue: text) else {
            throw error("unknown value \"\(text)\"\(DidYouMean.hint(for: text, among: names)); "
                + "expected one of: \(names.joined(separator: ", "))")
        }
        return value
    }

    /// A list of whole numbers, or a single number standing for a 1-element list (`tokens: 1024`).
    public func intList(atLeast minimum: Int = 1) throws(Diagnostic) -> [Int] {
        if isSequence {
            let items = try sequence()
            guard !items.isEmpty else { throw error("expected at least one whole number, found an empty list") }
            var values: [Int] = []
            for item in items { values.append(try item.int(atLeast: minimum)) }
            return values
        }
        return [try int(atLeast: minimum)]
    }

    /// A mapping whose keys are the raw values of `Key` (e.g. `matrix: {bf16: ..., fp8: ...}`), each value read
    /// by `read`; an unknown key gets a "did you mean" among the legal ones.
    public func keyedValues<Key: RawRepresentable & CaseIterable & Hashable, Value>(
        _ type: Key.Type, keyNoun: String, read: (SpecNode) throws(Diagnostic) -> Value
    ) throws(Diagnostic) -> [Key: Value] where Key.RawValue == String {
        var result: [Key: Value] = [:]
        for entry in try mappingEntries() {
            guard let key = Key(rawValue: entry.key) else {
                let names = Key.allCases.map(\.rawValue)
                throw entry.keyNode.error("unknown \(keyNoun) `\(entry.key)`"
                    + "\(DidYouMean.hint(for: entry.key, among: names)); expected one of: \(names.joined(separator: ", "))")
            }
            result[key] = try read(entry.value)
        }
        return result
    }

    public func stringList() throws(Diagnostic) -> [String] {
        var values: [String] = []
        for item in try sequence() { values.append(try item.string()) }
        return values
    }
}

/// The fields of a YAML mapping, looked up by key with errors that name the mapping's location.
public struct SpecMapping {
    public struct Entry {
        public let key: String
        public let keyNode: SpecNode
        public let value: SpecNode
    }

    public let node: SpecNode
    public let entries: [Entry]

    /// The key's value, nil when the key is absent. A key written with no value (`heads: ~`, `heads:`) is *not*
    /// absent: its null node comes back, so reading it fails with "expected …, found nothing (null)" instead of
    /// silently taking the default (leave the key out for that).
    public func optional(_ key: String) -> SpecNode? {
        entries.first(where: { $0.key == key })?.value
    }

    public func required(_ key: String, expecting: String = "") throws(Diagnostic) -> SpecNode {
        guard let value = optional(key), !value.isNull else {
            let hint = expecting.isEmpty ? "" : " (\(expecting))"
            let where_ = node.path.components.isEmpty ? "the document" : "`\(node.path)`"
            throw Diagnostic(file: node.file, line: node.line, column: node.column,
                             path: node.path.appending(key).description,
                             message: "missing required key `\(key)` in \(where_)\(hint)")
        }
        return value
    }

    public func contains(_ key: String) -> Bool { optional(key) != nil }
}

extension Dimension {
    /// The values a figure of hardware or of a mapping may take (`SpecNode.physicalQuantity`): orders of magnitude
    /// beyond any real device either way, yet small enough that a product of a few of them with the largest problem
    /// (batch·heads·P·M·E < 9·10¹⁸) stays far from Double's 1.8·10³⁰⁸.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .bytes: return 0.125 ... 1e18               // 1 bit … 1 EB
        case .bandwidth: return 1 ... 1e18               // 1 B/s … 1 EB/s
        case .frequency: return 1 ... 1e15               // 1 Hz … 1 PHz
        case .time: return 1e-15 ... 1e6                 // 1 fs … 11.6 days
        case .flopRate: return 1 ... 1e21                // 1 FLOP/s … 1 ZFLOP/s
        case .energy: return 1e-21 ... 1                 // 1 zJ … 1 J per action
        case .number: return 1e-9 ... 1e9                // costs, factors, cycles per point
        }
    }

    /// How a message names a value of this dimension ("a bandwidth such as 3.35 TB/s").
    var noun: String {
        switch self {
        case .bytes: return "size with a unit, such as 80 GB or 228 KiB"
        case .bandwidth: return "bandwidth with a unit, such as 3.35 TB/s or 400 GiB/s"
        case .frequency: return "frequency with a unit, such as 1.83 GHz"
        case .time: return "time with a unit, such as 4 us"
        case .flopRate: return "rate with a unit, such as 989.4 TFLOP/s"
        case .energy: return "energy with a unit, such as 17.2 pJ"
        case .number: return "number"
        }
    }
}
