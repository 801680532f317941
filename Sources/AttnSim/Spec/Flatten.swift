import Foundation

/// CSV from typed records: a fixed set of columns derived from a `Decodable` type's key paths (``columns(of:)``),
/// the same for every row whatever keys a row happens to fill, and one cell per column (README.md, "Result schema"):
///
/// - `null` or an absent key is an empty cell; text is written as is; numbers and `true`/`false` in JSON's form;
/// - a list is one cell, its items joined by `;` (`2;8;8`); an object whose keys are data (utilization per unit)
///   is one cell of `key=value` items joined by `;` (`SM=0.56;HBM=0.32`); an item that is itself a list or an object
///   is its compact JSON; inside items `\`, `;` and `=` are written `\\`, `\;` and `\=`;
/// - cells are quoted as RFC 4180 says (a cell holding `,`, `"` or a line break is quoted, `"` doubled).
public enum Flatten {
    /// The leaf key paths of a record type, in declaration order: every key its decoder can ask for, optional or
    /// not. Lists, objects with data keys (no fixed keys) and raw JSON are leaves (one cell).
    public static func columns<T: Decodable>(of type: T.Type) -> [[String]] {
        let recorder = ColumnProbe.Recorder()
        _ = try? ColumnProbe.decode(type, at: [], recorder)
        return recorder.paths
    }

    /// The column's header: its keys joined by `.` (`simulated.time_s`).
    public static func name(_ column: [String]) -> String { column.joined(separator: ".") }

    /// A header row of `columns` and one row per value.
    public static func csv(_ rows: [JSONValue], columns: [[String]]) -> String {
        var lines = [columns.map { field(name($0)) }.joined(separator: ",")]
        for row in rows {
            lines.append(columns.map { cell(value(row, at: $0)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func value(_ row: JSONValue, at keys: [String]) -> JSONValue? {
        var current = row
        for key in keys {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return field(text)
        case .array(let items)?: return field(items.map(item).joined(separator: ";"))
        case .object(let pairs)?: return field(pairs.map { escape($0.0) + "=" + item($0.1) }.joined(separator: ";"))
        case let scalar?: return field(scalar.serialized(pretty: false))
        }
    }

    /// One item of a list or one value of a data-keyed object.
    static func item(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return escape(text)
        default: return escape(value.serialized(pretty: false))
        }
    }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == ";" || $0 == "=" }) else { return text }
        var out = ""
        for character in text {
            if character == "\\" || character == ";" || character == "=" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A decoder that answers every question with a placeholder and records the key paths a type asks for: the
/// columns of ``Flatten/columns(of:)``. Optionals are followed into their wrapped type (the probe says every key
/// is present and none is null); enums must be `CaseIterable` (the probe hands back their first case).
enum ColumnProbe {
    final class Recorder {
        var paths: [[String]] = []
        var seen: Set<[String]> = []

        func leaf(_ path: [String]) {
            if seen.insert(path).inserted { paths.append(path) }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
    }

    static func placeholder<T>(_ type: T.Type) -> T? {
        switch type {
        case is Double.Type: return (0.0 as! T)
        case is Float.Type: return (Float(0) as! T)
        case is String.Type: return ("" as! T)
        case is Bool.Type: return (false as! T)
        case is Int.Type: return (0 as Int as! T)
        case is Int64.Type: return (0 as Int64 as! T)
        case is Int32.Type: return (0 as Int32 as! T)
        case is Int16.Type: return (0 as Int16 as! T)
        case is Int8.Type: return (0 as Int8 as! T)
        case is UInt.Type: return (0 as UInt as! T)
        case is UInt64.Type: return (0 as UInt64 as! T)
        case is UInt32.Type: return (0 as UInt32 as! T)
        case is UInt16.Type: return (0 as UInt16 as! T)
        case is UInt8.Type: return (0 as UInt8 as! T)
        default:
            if let cases = type as? any CaseIterable.Type { return firstCase(cases) as? T }
            return nil
        }
    }

    static func firstCase<C: CaseIterable>(_ type: C.Type) -> Any? { C.allCases.first }

    /// Decodes a placeholder of `type` at `path`; a value that asked for no keys of its own is one column.
    static func decode<T: Decodable>(_ type: T.Type, at path: [String], _ recorder: Recorder) throws -> T {
        if let value = placeholder(type) {
            recorder.leaf(path)
            return value
        }
        let before = recorder.paths.count
        let value = try T(from: Decoder(path: path, recorder: recorder))
        if recorder.paths.count == before { recorder.leaf(path) }
        return value
    }

    struct Decoder: Swift.Decoder {
        let path: [String]
        let recorder: Recorder
        var codingPath: [any CodingKey] { path.map { ColumnProbe.Key(stringValue: $0) } }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
            KeyedDecodingContainer(Keyed<K>(path: path, recorder: recorder))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            recorder.leaf(path)
            return Unkeyed(codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(path: path, recorder: recorder)
        }
    }

    struct Keyed<K: CodingKey>: KeyedDecodingContainerProtocol {
        let path: [String]
        let recorder: Recorder
        var codingPath: [any CodingKey] { path.map { ColumnProbe.Key(stringValue: $0) } }
        var allKeys: [K] { [] }

        func contains(_ key: K) -> Bool { true }
        func decodeNil(forKey key: K) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T {
            try ColumnProbe.decode(type, at: path + [key.stringValue], recorder)
        }

        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) throws -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>(path: path + [key.stringValue], recorder: recorder))
        }

        func nestedUnkeyedContainer(forKey key: K) throws -> any UnkeyedDecodingContainer {
            recorder.leaf(path + [key.stringValue])
            return Unkeyed(codingPath: codingPath + [key])
        }

        func superDecoder() throws -> any Swift.Decoder { Decoder(path: path, recorder: recorder) }
        func superDecoder(forKey key: K) throws -> any Swift.Decoder { Decoder(path: path + [key.stringValue], recorder: recorder) }
    }

    /// Every list is empty to the probe.
    struct Unkeyed: UnkeyedDecodingContainer {
        let codingPath: [any CodingKey]
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }

        func end() -> DecodingError {
            .valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the probe's lists are empty"))
        }

        mutating func decodeNil() throws -> Bool { throw end() }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw end() }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> { throw end() }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw end() }
        mutating func superDecoder() throws -> any Swift.Decoder { throw end() }
    }

    struct Single: SingleValueDecodingContainer {
        let path: [String]
        let recorder: Recorder
        var codingPath: [any CodingKey] { path.map { ColumnProbe.Key(stringValue: $0) } }

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            recorder.leaf(path)
            return try ColumnProbe.decode(type, at: path, recorder)
        }
    }
}
