/// Decodes `Decodable` values from `JSONValue` (what `JSONValue.parse` reads), the reverse of `JSONValueEncoder`:
/// object keys are looked up by name (`allKeys` keeps the file's order), `null` and an absent key both decode an
/// optional as nil, a whole number written as `2` or `2.0` decodes an integer type, anything else that does not fit
/// is an error whose ``Failure/path`` names the field (`simulated.time_s`, `axes[0].name`).
public struct JSONValueDecoder {
    public init() {}

    /// A value that does not have the type's shape: where (`a.b[2].c`, empty for the root) and what was expected.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(Failure) -> T {
        do {
            return try JSONValueDecoding.decode(type, from: value, at: [])
        } catch let error as DecodingError {
            throw Self.failure(error)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(path: "", message: "\(error)")
        }
    }

    /// `a.b[2].c` for a coding path.
    public static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue == "\(index)" || key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    static func failure(_ error: DecodingError) -> Failure {
        switch error {
        case .keyNotFound(let key, let context):
            return Failure(path: path(context.codingPath + [key]), message: "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return Failure(path: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return Failure(path: "", message: "\(error)")
        }
    }
}

/// The decoder's machinery.
enum JSONValueDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T {
        if type == JSONValue.self { return value as! T }
        if let scalar = try scalar(type, from: value, at: path) { return scalar }
        do {
            return try T(from: Decoder(value: value, codingPath: path))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.count == path.count {
            // An enum's raw value that is none of its cases: say which ones there are.
            guard let cases = type as? any (CaseIterable & RawRepresentable).Type else { throw DecodingError.dataCorrupted(context) }
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription:
                "expected one of \(rawValues(cases).joined(separator: ", ")); found \(value.serialized(pretty: false))"))
        }
    }

    static func rawValues<C: CaseIterable & RawRepresentable>(_ type: C.Type) -> [String] {
        C.allCases.map { JSONValue.string("\($0.rawValue)").serialized() }
    }

    /// Scalars without a trip through a single-value container.
    static func scalar<T>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T? {
        func mismatch() -> DecodingError {
            let context = DecodingError.Context(codingPath: path, debugDescription:
                "expected \(describe(type)), found \(describe(value))")
            return value == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
        }
        func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
            switch value {
            case .integer(let number):
                guard let exact = I(exactly: number) else { throw mismatch() }
                return exact
            case .number(let number):
                guard let exact = I(exactly: number) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription:
                        "expected a whole number, found \(JSONValue.format(number))"))
                }
                return exact
            default: throw mismatch()
            }
        }
        switch type {
        case is Double.Type:
            guard let number = value.doubleValue else { throw mismatch() }
            return (number as! T)
        case is Float.Type:
            guard let number = value.doubleValue else { throw mismatch() }
            return (Float(number) as! T)
        case is String.Type:
            guard case .string(let text) = value else { throw mismatch() }
            return (text as! T)
        case is Bool.Type:
            guard case .bool(let flag) = value else { throw mismatch() }
            return (flag as! T)
        case is Int.Type: return (try integer(Int.self) as! T)
        case is Int64.Type: return (try integer(Int64.self) as! T)
        case is Int32.Type: return (try integer(Int32.self) as! T)
        case is Int16.Type: return (try integer(Int16.self) as! T)
        case is Int8.Type: return (try integer(Int8.self) as! T)
        case is UInt.Type: return (try integer(UInt.self) as! T)
        case is UInt64.Type: return (try integer(UInt64.self) as! T)
        case is UInt32.Type: return (try integer(UInt32.self) as! T)
        case is UInt16.Type: return (try integer(UInt16.self) as! T)
        case is UInt8.Type: return (try integer(UInt8.self) as! T)
        default: return nil
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "true or false"
        case .number, .integer: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "a whole number"
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
    }

    struct Decoder: Swift.Decoder {
        let value: JSONValue
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
            guard case .object(let pairs) = value else {
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath,
                    debugDescription: "expected an object, found \(JSONValueDecoding.describe(value))"))
            }
            return KeyedDecodingContainer(Keyed<K>(pairs: pairs, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let items) = value else {
                throw DecodingError.typeMismatch(JSONValue.self, .init(codingPath: codingPath,
                    debugDescription: "expected a list, found \(JSONValueDecoding.describe(value))"))
            }
            return Unkeyed(items: items, codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath) }
    }

    struct Keyed<K: CodingKey>: KeyedDecodingContainerProtocol {
        let pairs: [(String, JSONValue)]
        let codingPath: [any CodingKey]

        var allKeys: [K] { pairs.compactMap { K(stringValue: $0.0) } }

        func value(_ key: K) -> JSONValue? { pairs.first { $0.0 == key.stringValue }?.1 }

        func contains(_ key: K) -> Bool { value(key) != nil }

        func decodeNil(forKey key: K) throws -> Bool { (value(key) ?? .null) == .null }

        func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T {
            guard let found = value(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return try JSONValueDecoding.decode(type, from: found, at: codingPath + [key])
        }

        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) throws -> KeyedDecodingContainer<N> {
            try Decoder(value: value(key) ?? .null, codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: K) throws -> any UnkeyedDecodingContainer {
            try Decoder(value: value(key) ?? .null, codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Swift.Decoder { try superDecoder(forKey: K(stringValue: "super")!) }

        func superDecoder(forKey key: K) throws -> any Swift.Decoder {
            Decoder(value: value(key) ?? .null, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private func next<T>(_ type: T.Type) throws -> JSONValue {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [Key(intValue: currentIndex)],
                                                               debugDescription: "the list ends here"))
            }
            return items[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            guard try next(JSONValue.self) == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let item = try next(type)
            let decoded = try JSONValueDecoding.decode(type, from: item, at: codingPath + [Key(intValue: currentIndex)])
            currentIndex += 1
            return decoded
        }

        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
            let item = try next(type)
            let container = try Decoder(value: item, codingPath: codingPath + [Key(intValue: currentIndex)]).container(keyedBy: type)
            currentIndex += 1
            return container
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let item = try next(JSONValue.self)
            let container = try Decoder(value: item, codingPath: codingPath + [Key(intValue: currentIndex)]).unkeyedContainer()
            currentIndex += 1
            return container
        }

        mutating func superDecoder() throws -> any Swift.Decoder {
            let item = try next(JSONValue.self)
            defer { currentIndex += 1 }
            return Decoder(value: item, codingPath: codingPath + [Key(intValue: currentIndex)])
        }
    }

    struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { value == .null }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONValueDecoding.decode(type, from: value, at: codingPath)
        }
    }
}
