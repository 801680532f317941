/// `attnsim cascade --format json`: a workload's Einsum cascade with operation counts over all batch × heads
/// instances and the passes over the softmax rank.
public struct CascadeRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var workload: String
    public var cascade: String
    /// The rank whose passes are counted, and how many there are.
    public var rank: String
    public var passes: Int
    /// Rank → size, bound from the workload's problem.
    public var ranks: OrderedMap<Int>
    public var einsums: [EinsumRow]
    /// Operation kind → count, summed over the Einsums.
    public var totalOps: OrderedMap<Double>

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", workload, cascade, rank, passes, ranks, einsums, totalOps = "total_ops"
    }

    public struct EinsumRow: Codable, Sendable, Equatable {
        public var name: String
        public var einsum: String
        /// `initialization`, `main`, ... (the cascade's sections).
        public var section: String
        public var pass: Int
        public var iterationPoints: Double
        /// Operation kind → count.
        public var ops: OrderedMap<Double>

        enum CodingKeys: String, CodingKey { case name, einsum, section, pass, iterationPoints = "iteration_points", ops }
    }
}
