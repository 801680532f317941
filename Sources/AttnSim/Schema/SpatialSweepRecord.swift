/// One object of the list `attnsim spatial-sweep --format json` prints: one (array side, buffer size) design.
public struct SpatialSweepRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    /// The 2D array's side (the 1D array scales with it) and the global buffer, bytes.
    public var side: Int
    public var bufferBytes: ByteCount?
    /// Time per layer and its compute and memory parts, seconds; null where the design does not fit.
    public var timeS: Double?
    public var computeTimeS: Double?
    public var memoryTimeS: Double?
    public var energyJ: Double?
    public var bottleneck: String?
    /// The P partition the mapper chose.
    public var p1: Int?
    /// Why the design could not run the workload.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", side, bufferBytes = "buffer_bytes", timeS = "time_s"
        case computeTimeS = "compute_time_s", memoryTimeS = "memory_time_s", energyJ = "energy_j", bottleneck, p1, error
    }
}
