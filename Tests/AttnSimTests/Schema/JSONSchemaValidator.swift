@testable import AttnSim

/// A JSON Schema (draft 2020-12) validator for the subset docs/schema/result.schema.json uses, and nothing more:
/// `type` (a name or a list of names, `null` included), `required`, `properties`, `additionalProperties` (false or a
/// schema), `items`, `enum` and `minimum`; `$schema`, `title` and `description` are annotations. Any other keyword
/// is reported as unsupported, so the schema cannot lean on a rule this validator would silently skip.
struct JSONSchemaValidator {
    var schema: JSONValue

    static let keywords: Set<String> = ["type", "required", "properties", "additionalProperties", "items", "enum", "minimum"]
    static let annotations: Set<String> = ["$schema", "title", "description"]

    /// Problems with `value`, each as `path: what` (empty when it conforms).
    func problems(_ value: JSONValue) -> [String] {
        var found: [String] = []
        check(value, against: schema, at: "$", &found)
        return found
    }

    static func typeName(_ value: JSONValue) -> [String] {
        switch value {
        case .null: return ["null"]
        case .bool: return ["boolean"]
        case .integer: return ["integer", "number"]
        // JSON Schema: an integer is a number with a zero fractional part, however it is written.
        case .number(let x): return x.isFinite && x == x.rounded() ? ["integer", "number"] : ["number"]
        case .string: return ["string"]
        case .array: return ["array"]
        case .object: return ["object"]
        }
    }

    func check(_ value: JSONValue, against schema: JSONValue, at path: String, _ found: inout [String]) {
        guard case .object(let rules) = schema else { found.append("\(path): the schema here is not an object"); return }
        for (keyword, _) in rules where !Self.keywords.contains(keyword) && !Self.annotations.contains(keyword) {
            found.append("\(path): unsupported keyword \(keyword)")
        }
        if let type = schema["type"] {
            let allowed: [String]
            switch type {
            case .string(let name): allowed = [name]
            case .array(let names): allowed = names.compactMap { if case .string(let n) = $0 { return n } else { return nil } }
            default: allowed = []
            }
            if !Self.typeName(value).contains(where: allowed.contains) {
                found.append("\(path): expected \(allowed.joined(separator: " or ")), found \(value.serialized(pretty: false).prefix(60))")
                return
            }
        }
        if case .array(let choices)? = schema["enum"], !choices.contains(value) {
            found.append("\(path): \(value.serialized(pretty: false)) is not one of \(JSONValue.array(choices).serialized(pretty: false))")
        }
        if let minimum = schema["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            found.append("\(path): \(number) is below the minimum \(minimum)")
        }
        if case .object(let pairs) = value {
            if case .array(let names)? = schema["required"] {
                for case .string(let name) in names where value[name] == nil { found.append("\(path): missing \(name)") }
            }
            let properties = schema["properties"]
            for (key, item) in pairs {
                if let rule = properties?[key] {
                    check(item, against: rule, at: "\(path).\(key)", &found)
                } else {
                    switch schema["additionalProperties"] {
                    case .bool(false)?: found.append("\(path): key \(key) is not in the schema")
                    case let rule? where rule != .bool(true): check(item, against: rule, at: "\(path).\(key)", &found)
                    default: break
                    }
                }
            }
        }
        if case .array(let items) = value, let rule = schema["items"] {
            for (index, item) in items.enumerated() { check(item, against: rule, at: "\(path)[\(index)]", &found) }
        }
    }

    /// The key paths the schema describes, in its order: objects with `properties` are followed, everything else
    /// (a list, an object whose keys are data) is one path.
    static func leafPaths(_ schema: JSONValue, prefix: [String] = []) -> [[String]] {
        guard case .object(let properties)? = schema["properties"] else { return [prefix] }
        return properties.flatMap { leafPaths($0.1, prefix: prefix + [$0.0]) }
    }
}
