/// Flattens a JSON object into dotted column names (`simulated.time_s`) for CSV output and sweep tables.
public enum Flatten {
    public static func columns(_ value: JSONValue, prefix: String = "") -> [(String, JSONValue)] {
        switch value {
        case .object(let pairs):
            return pairs.flatMap { key, inner in columns(inner, prefix: prefix.isEmpty ? key : "\(prefix).\(key)") }
        default:
            return [(prefix, value)]
        }
    }

    /// RFC 4180 CSV: a header row (every column any row has, in order of first appearance) and a row per value;
    /// numbers in JSON's form, null or absent as an empty field.
    public static func csv(_ rows: [JSONValue]) -> String {
        guard !rows.isEmpty else { return "" }
        var header: [String] = []
        var seen: Set<String> = []
        for row in rows {
            for (name, _) in columns(row) where seen.insert(name).inserted { header.append(name) }
        }
        var lines = [header.map(field).joined(separator: ",")]
        for row in rows {
            let values = Dictionary(columns(row), uniquingKeysWith: { a, _ in a })
            lines.append(header.map { cell(values[$0] ?? .null) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return field(text)
        default: return field(value.serialized(pretty: false))
        }
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
