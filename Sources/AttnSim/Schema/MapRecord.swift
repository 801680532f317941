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
    /// GNA on a GPU: the best mapping in the flattened token order against the best with the token permutation
    /// (multi-dimensional tiles); absent for other masks.
    @OmittedWhenNil public var tokenOrder: TokenOrder? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", hardware, workload, searched, denseTimeS = "dense_time_s", ranked
        case tokenOrder = "token_order"
    }

    public struct TokenOrder: Codable, Sendable, Equatable {
        public struct Side: Codable, Sendable, Equatable {
            public var mapping: SimulationRecord.Mapping
            public var timeS: Double
            /// One head's visited and fully attended KV tiles.
            public var visited: Int
            public var full: Int

            enum CodingKeys: String, CodingKey { case mapping, timeS = "time_s", visited, full }
        }
        public var flattened: Side
        public var permuted: Side
        /// flattened.time_s / permuted.time_s.
        public var gain: Double
    }

    public struct Ranked: Codable, Sendable, Equatable {
        public var mapping: SimulationRecord.Mapping
        /// Simulated time, seconds.
        public var timeS: Double

        enum CodingKeys: String, CodingKey { case mapping, timeS = "time_s" }
    }
}
