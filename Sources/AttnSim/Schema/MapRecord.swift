/// `attnsim map --format json`: the mapper's ranking, best first.
public struct MapRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var hardware: String
    public var workload: String
    /// Mappings in the space searched.
    public var searched: Int
    /// The dense baseline with the best backend and tiles, seconds (GPUs).
    public var denseTimeS: Double?
    public var ranked: [Ranked]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", hardware, workload, searched, denseTimeS = "dense_time_s", ranked
    }

    public struct Ranked: Codable, Sendable, Equatable {
        public var mapping: SimulationRecord.Mapping
        /// Simulated time, seconds.
        public var timeS: Double

        enum CodingKeys: String, CodingKey { case mapping, timeS = "time_s" }
    }
}
