/// `--format csv` of every command: the columns of the row's record type (``Flatten/columns(of:)``), always led by
/// `schema_version` (rows whose type has no such key of its own, such as `map`'s ranked mappings, get the version
/// this attnsim writes).
public enum RecordCSV {
    public static func text<Row: Codable>(_ rows: [Row]) -> String {
        var columns = Flatten.columns(of: Row.self)
        var values = rows.map { JSONValue(encoding: $0) }
        if columns.first != ["schema_version"] {
            columns.insert(["schema_version"], at: 0)
            let version = JSONValue(encoding: SchemaVersion.current)
            values = values.map { value in
                guard case .object(let pairs) = value else { return value }
                return .object([("schema_version", version)] + pairs)
            }
        }
        return Flatten.csv(values, columns: columns)
    }
}
