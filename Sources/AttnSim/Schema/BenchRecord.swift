/// One object of the list `attnsim bench --format json` prints: a case's time per run of its body, seconds.
public struct BenchRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var name: String
    /// Median, minimum and maximum over the samples.
    public var medianS: Double
    public var minS: Double
    public var maxS: Double
    /// Runs of the body in all.
    public var runs: Int
    public var targetS: Double?
    public var meetsTarget: Bool?
    /// Kernels: FLOP per second at the median, and its share of the FMA peak measured in the same run (present
    /// only when a peak was measured).
    public var flopPerS: Double?
    @OmittedWhenNil public var shareOfPeak: Double? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", name, medianS = "median_s", minS = "min_s", maxS = "max_s", runs
        case targetS = "target_s", meetsTarget = "meets_target", flopPerS = "flop_per_s", shareOfPeak = "share_of_peak"
    }
}
