/// The `--format json` form of `attnsim simulate` (README.md, the CLI contract; docs/schema/result.schema.json):
/// the typed ``SimulationRecord``, every documented key present, `null` where this version's models do not
/// compute a value. Extra keys may be added, never removed.
extension SimulationResult {
    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one header row (the record's columns) and one data row.
    public var csv: String { RecordCSV.text([record]) }
}
