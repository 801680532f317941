/// `DIR/sweep.json` of a sweep's results folder: what was swept. The runner fills every key; a reader takes any
/// of them missing (the report draws what it finds).
public struct SweepMetaRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var name: String?
    public var description: String?
    /// The spec's file name, and a fingerprint of its text (a folder refuses another sweep's points).
    public var spec: String?
    public var fingerprint: String?
    /// `grid` or `zip`.
    public var mode: String?
    /// One entry per path (a zipped group of paths gives one entry each).
    public var axes: [Axis]?
    /// Points in the whole sweep, after filters.
    public var points: Int?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", name, description, spec, fingerprint, mode, axes, points
    }

    public struct Axis: Codable, Sendable, Equatable {
        /// The path as the spec writes it (`mask.stride`, `hardware.memory[1].size`, `hardware`).
        public var name: String
        /// The values in the spec's order (files by their base name), as YAML gives them: numbers, text, lists.
        public var values: [JSONValue]
    }
}

/// One line of `DIR/points.jsonl` (and the file `DIR/points/NNNNNNNN.json`).
public struct SweepPointRecord: Codable, Sendable {
    public var schemaVersion: SchemaVersion = .current
    /// The point's place in the sweep after filters (a reader takes the line's position where it is missing).
    public var index: Int?
    /// Axis path → the point's value.
    public var axes: OrderedMap<JSONValue>?
    public var status: Status
    /// The error of a point that could not be simulated.
    public var error: String?
    /// What `attnsim simulate --format json` prints for the point; null for an error point.
    public var result: SimulationRecord?

    public enum Status: String, Codable, Sendable, CaseIterable {
        case ok, error
    }

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", index, axes, status, error, result }
}
