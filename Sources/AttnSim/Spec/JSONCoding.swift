/// Pieces typed records are built from: keys left out when nil, objects whose keys are data, and raw JSON.

/// A key that is left out when its value is nil (a plain optional is written as `null`): for keys that exist only
/// for some results, such as `tiles.head_patterns` or the GPU-only keys of `simulated.mapping`.
@propertyWrapper
public struct OmittedWhenNil<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension OmittedWhenNil: Equatable where Value: Equatable {}

extension KeyedEncodingContainer {
    /// Synthesized `encode(to:)` picks this overload for `@OmittedWhenNil` properties: nil writes no key.
    public mutating func encode<Value>(_ value: OmittedWhenNil<Value>, forKey key: Key) throws {
        if let wrapped = value.wrappedValue { try encode(wrapped, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Synthesized `init(from:)` picks this overload: an absent key (or `null`) is nil.
    public func decode<Value>(_ type: OmittedWhenNil<Value>.Type, forKey key: Key) throws -> OmittedWhenNil<Value> {
        OmittedWhenNil(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

/// An object whose keys are data (utilization per unit, energy per component, peaks per element type), in the
/// order they were added.
public struct OrderedMap<Value: Codable & Sendable>: Codable, Sendable {
    public var entries: [(key: String, value: Value)]

    public init(_ entries: [(key: String, value: Value)] = []) { self.entries = entries }

    public subscript(key: String) -> Value? { entries.first { $0.key == key }?.value }

    public var keys: [String] { entries.map(\.key) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: StringCodingKey.self)
        entries = try container.allKeys.map { ($0.stringValue, try container.decode(Value.self, forKey: $0)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: StringCodingKey.self)
        for (key, value) in entries { try container.encode(value, forKey: StringCodingKey(stringValue: key)) }
    }
}

extension OrderedMap: Equatable where Value: Equatable {
    public static func == (a: OrderedMap, b: OrderedMap) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// Raw JSON inside a typed record (a sweep axis's values, which can be anything a YAML file holds).
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
        } else if let object = try? decoder.container(keyedBy: StringCodingKey.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) })
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let flag):
            var single = encoder.singleValueContainer()
            try single.encode(flag)
        case .number(let number):
            var single = encoder.singleValueContainer()
            try single.encode(number)
        case .integer(let number):
            var single = encoder.singleValueContainer()
            try single.encode(number)
        case .string(let text):
            var single = encoder.singleValueContainer()
            try single.encode(text)
        case .array(let items):
            var list = encoder.unkeyedContainer()
            for item in items { try list.encode(item) }
        case .object(let pairs):
            var object = encoder.container(keyedBy: StringCodingKey.self)
            for (key, value) in pairs { try object.encode(value, forKey: StringCodingKey(stringValue: key)) }
        }
    }
}

/// A coding key that is any string: the keys of objects whose keys are data (`OrderedMap`, raw `JSONValue`).
struct StringCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
