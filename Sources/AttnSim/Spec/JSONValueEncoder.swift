/// Encodes `Encodable` values into `JSONValue`, so typed records print through `JSONValue.serialized` byte for
/// byte as hand-built trees did:
///
/// - object keys keep the order `encode(to:)` writes them (declaration order for synthesized conformances);
/// - a nil optional is written as `null` (`encodeIfPresent` writes the key), unless the property is
///   `@OmittedWhenNil`, whose key is left out;
/// - `Double` and `Float` print in `JSONValue`'s number form; a non-finite value (JSON has no NaN or infinity)
///   becomes `null`; integer types become `.integer` (all their digits);
/// - a `JSONValue` property is inserted as it is.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoding.value(value, at: [])
    }
}

/// The encoder's machinery: containers write into reference-typed nodes, resolved to a `JSONValue` at the end.
enum JSONValueEncoding {
    final class Node {
        enum Content {
            case empty
            case value(JSONValue)
            case object([(String, Node)])
            case array([Node])
        }

        var content: Content = .empty

        init() {}
        init(_ value: JSONValue) { content = .value(value) }

        var resolved: JSONValue {
            switch content {
            case .empty: return .object([])
            case .value(let value): return value
            case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.resolved) })
            case .array(let items): return .array(items.map(\.resolved))
            }
        }

        func set(_ key: String, _ node: Node) {
            guard case .object(var pairs) = content else { content = .object([(key, node)]); return }
            if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = node } else { pairs.append((key, node)) }
            content = .object(pairs)
        }

        func append(_ node: Node) {
            guard case .array(var items) = content else { content = .array([node]); return }
            items.append(node)
            content = .array(items)
        }

        var count: Int {
            switch content {
            case .array(let items): return items.count
            case .object(let pairs): return pairs.count
            default: return 0
            }
        }
    }

    static func value<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> JSONValue {
        try node(value, at: path).resolved
    }

    /// The node of one value: scalars directly, everything else through its `encode(to:)`.
    static func node<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> Node {
        if let scalar = scalar(value) { return Node(scalar) }
        let encoder = Encoder(path: path)
        try value.encode(to: encoder)
        return encoder.root
    }

    static func scalar(_ value: Any) -> JSONValue? {
        switch value {
        case let json as JSONValue: return json
        case let number as Double: return .number(Optional(number))
        case let number as Float: return .number(Optional(Double(number)))
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .integer(Int64(number))
        case let number as Int64: return .integer(number)
        case let number as Int32: return .integer(Int64(number))
        case let number as Int16: return .integer(Int64(number))
        case let number as Int8: return .integer(Int64(number))
        case let number as UInt8: return .integer(Int64(number))
        case let number as UInt16: return .integer(Int64(number))
        case let number as UInt32: return .integer(Int64(number))
        case let number as UInt: return Int64(exactly: number).map { .integer($0) } ?? .number(Double(number))
        case let number as UInt64: return Int64(exactly: number).map { .integer($0) } ?? .number(Double(number))
        default: return nil
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
    }

    final class Encoder: Swift.Encoder {
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        let root: Node

        init(path: [any CodingKey], root: Node = Node()) {
            codingPath = path
            self.root = root
        }

        func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
            if case .object = root.content {} else { root.content = .object([]) }
            return KeyedEncodingContainer(Keyed<K>(node: root, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = root.content {} else { root.content = .array([]) }
            return Unkeyed(node: root, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: root, codingPath: codingPath) }
    }

    struct Keyed<K: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: K) throws { node.set(key.stringValue, Node(.null)) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws {
            node.set(key.stringValue, try JSONValueEncoding.node(value, at: codingPath + [key]))
        }

        // A nil optional is `null`, not an absent key (the CLI contract lists every key).
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: K) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: K) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: K) throws { try present(value, key) }

        private mutating func present<T: Encodable>(_ value: T?, _ key: K) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }

        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
            let child = Node()
            child.content = .object([])
            node.set(key.stringValue, child)
            return KeyedEncodingContainer(Keyed<N>(node: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer {
            let child = Node()
            child.content = .array([])
            node.set(key.stringValue, child)
            return Unkeyed(node: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Swift.Encoder { superEncoder(forKey: K(stringValue: "super")!) }

        mutating func superEncoder(forKey key: K) -> any Swift.Encoder {
            let child = Node()
            node.set(key.stringValue, child)
            return Encoder(path: codingPath + [key], root: child)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.count }

        mutating func encodeNil() throws { node.append(Node(.null)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            node.append(try JSONValueEncoding.node(value, at: codingPath + [Key(intValue: count)]))
        }

        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
            let child = Node()
            child.content = .object([])
            let path = codingPath + [Key(intValue: count)]
            node.append(child)
            return KeyedEncodingContainer(Keyed<N>(node: child, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node()
            child.content = .array([])
            let path = codingPath + [Key(intValue: count)]
            node.append(child)
            return Unkeyed(node: child, codingPath: path)
        }

        mutating func superEncoder() -> any Swift.Encoder {
            let child = Node()
            let path = codingPath + [Key(intValue: count)]
            node.append(child)
            return Encoder(path: path, root: child)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            node.content = try JSONValueEncoding.node(value, at: codingPath).content
        }
    }
}

extension JSONValue {
    /// `value` encoded by ``JSONValueEncoder``. The encoder's containers never throw; an `encode(to:)` that throws
    /// on its own is a programming error and stops here.
    public init<T: Encodable>(encoding value: T) {
        do {
            self = try JSONValueEncoder().encode(value)
        } catch {
            preconditionFailure("cannot encode \(T.self): \(error)")
        }
    }
}
