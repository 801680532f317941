import Foundation

/// `schema_version`, the first key of every JSON object attnsim writes (README.md, "Result schema"). It changes
/// when a key is removed or renamed or its meaning or unit changes; adding keys keeps it. Readers take results of
/// their version and older ones; a file without the key was written before it existed and reads as version 0.
public struct SchemaVersion: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var number: Int

    public init(_ number: Int) { self.number = number }

    /// What this attnsim writes: 1 adds `schema_version`, writes byte counts as whole numbers, gives
    /// `crosscheck-gpu` the row keys of `crosscheck` and writes CSV with a fixed set of columns.
    public static let current = SchemaVersion(1)
    /// Files written before `schema_version` existed.
    public static let unversioned = SchemaVersion(0)

    public var description: String { "\(number)" }

    public static func < (a: SchemaVersion, b: SchemaVersion) -> Bool { a.number < b.number }

    public init(from decoder: any Decoder) throws {
        number = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(number)
    }
}

extension KeyedDecodingContainer {
    /// Synthesized `init(from:)` picks this overload: a record without `schema_version` is version 0.
    public func decode(_ type: SchemaVersion.Type, forKey key: Key) throws -> SchemaVersion {
        try decodeIfPresent(SchemaVersion.self, forKey: key) ?? .unversioned
    }
}

/// A byte count as JSON writes it: a whole number of bytes. Models count traffic in real numbers (a 4-bit value
/// is half a byte, an average over pruned layers need not be whole); the record rounds to the nearest byte, halves
/// away from zero. Version 0 files wrote the fraction; reading one rounds it the same way.
public struct ByteCount: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    /// The nearest whole byte count; nil for nil, NaN, infinity or a count beyond Int64.
    public init?(_ bytes: Double?) {
        guard let bytes, bytes.isFinite, let whole = Int64(exactly: bytes.rounded(.toNearestOrAwayFromZero)) else { return nil }
        value = whole
    }

    public var bytes: Double { Double(value) }
    public var description: String { "\(value)" }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let number = try container.decode(Double.self)
        guard let count = ByteCount(number) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected a byte count, found \(number)"))
        }
        self = count
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// `x` when it is a finite number, else nil (JSON has no NaN or infinity; the schema says `null`).
func finite(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}
