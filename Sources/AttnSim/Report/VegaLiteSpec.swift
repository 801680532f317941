import Foundation

/// A Vega-Lite spec (or any JSON the page embeds) written as Swift literals, keys in the order written, so the page's
/// bytes are stable: `["mark": "point", "encoding": ["x": ["field": "time_s", "type": "quantitative"]]]`.
/// ``json`` turns it into a ``JSONValue``.
indirect enum VL: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case value(JSONValue)
    case list([VL])
    case object([(String, VL)])

    init(stringLiteral text: String) { self = .value(.string(text)) }
    init(integerLiteral number: Int) { self = .value(.integer(Int64(number))) }
    init(floatLiteral number: Double) { self = .value(.number(number)) }
    init(booleanLiteral flag: Bool) { self = .value(.bool(flag)) }
    init(arrayLiteral items: VL...) { self = .list(items) }
    init(dictionaryLiteral pairs: (String, VL)...) { self = .object(pairs) }

    static func string(_ text: String) -> VL { .value(.string(text)) }
    /// A number; nil and non-finite values are `null`.
    static func number(_ number: Double?) -> VL { .value(.number(number)) }
    static func strings(_ texts: [String]) -> VL { .list(texts.map(VL.string)) }
    static let null = VL.value(.null)

    /// This object with `pairs` added (or replacing keys of the same name); other values are returned as they are.
    func with(_ pairs: (String, VL)...) -> VL {
        guard case .object(var existing) = self else { return self }
        for (key, value) in pairs {
            if let at = existing.firstIndex(where: { $0.0 == key }) { existing[at].1 = value } else { existing.append((key, value)) }
        }
        return .object(existing)
    }

    var json: JSONValue {
        switch self {
        case .value(let value): return value
        case .list(let items): return .array(items.map(\.json))
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.json) })
        }
    }
}
