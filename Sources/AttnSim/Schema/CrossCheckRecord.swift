/// One row of a cross-check, the same keys whoever measured it: each object of the list `attnsim crosscheck
/// --format json` prints (CPU kernels on this host) and of `configs` in `attnsim crosscheck-gpu --format json`
/// (GPU runs, decode calls). Times in seconds; speedups over the dense run; errors as predicted over measured,
/// minus one (0.1: the prediction is 10 % too high). A key a cross-check does not measure is `null`.
public struct CrossCheckRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    /// The workload file's name (CPU) or the measured config's id (GPU).
    public var workload: String
    /// The pass the times are of: `forward`, `backward` or `training` (a CPU workload's `pass:`); null where the
    /// cross-check does not say (GPU runs).
    public var pass: String?
    public var measuredTimeS: Double?
    public var predictedTimeS: Double?
    public var measuredSpeedup: Double?
    public var predictedSpeedup: Double?
    /// The upper bound the measurement is held to (wave-aware or roofline); null where none applies.
    public var boundSpeedup: Double?
    public var measuredDenseTimeS: Double?
    public var predictedDenseTimeS: Double?
    /// A backward or training pass: the sparse run's backward alone (null for the forward).
    public var measuredBackwardTimeS: Double?
    public var predictedBackwardTimeS: Double?
    public var speedupError: Double?
    public var timeError: Double?
    /// `fit` (trained a profile fit), `held-out`, or `all` (no fit ran).
    public var set: String?
    /// The model that predicted (`cpu-event`, `gpu-event`, `gpu-decode`, ...).
    public var model: String?
    /// Decode calls: the K/V tokens kept of the context.
    public var kept: Int?

    public init(workload: String, measuredTimeS: Double?, predictedTimeS: Double?, measuredSpeedup: Double?,
                predictedSpeedup: Double?, boundSpeedup: Double?, measuredDenseTimeS: Double?, predictedDenseTimeS: Double?,
                speedupError: Double?, timeError: Double?, set: String?, model: String?, kept: Int? = nil,
                pass: String? = nil, measuredBackwardTimeS: Double? = nil, predictedBackwardTimeS: Double? = nil) {
        self.workload = workload
        self.pass = pass
        self.measuredBackwardTimeS = finite(measuredBackwardTimeS)
        self.predictedBackwardTimeS = finite(predictedBackwardTimeS)
        self.measuredTimeS = finite(measuredTimeS)
        self.predictedTimeS = finite(predictedTimeS)
        self.measuredSpeedup = finite(measuredSpeedup)
        self.predictedSpeedup = finite(predictedSpeedup)
        self.boundSpeedup = finite(boundSpeedup)
        self.measuredDenseTimeS = finite(measuredDenseTimeS)
        self.predictedDenseTimeS = finite(predictedDenseTimeS)
        self.speedupError = finite(speedupError)
        self.timeError = finite(timeError)
        self.set = set
        self.model = model
        self.kept = kept
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", workload, pass, measuredTimeS = "measured_time_s", predictedTimeS = "predicted_time_s"
        case measuredSpeedup = "measured_speedup", predictedSpeedup = "predicted_speedup", boundSpeedup = "bound_speedup"
        case measuredDenseTimeS = "measured_dense_time_s", predictedDenseTimeS = "predicted_dense_time_s"
        case measuredBackwardTimeS = "measured_backward_time_s", predictedBackwardTimeS = "predicted_backward_time_s"
        case speedupError = "speedup_error", timeError = "time_error", set, model, kept
        /// Version 0 `crosscheck-gpu` rows named the config `id`.
        case id
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(SchemaVersion.self, forKey: .schemaVersion)
        if let name = try c.decodeIfPresent(String.self, forKey: .workload) {
            workload = name
        } else if let id = try c.decodeIfPresent(String.self, forKey: .id) {
            workload = id
        } else {
            throw DecodingError.keyNotFound(CodingKeys.workload, .init(codingPath: c.codingPath, debugDescription: "missing"))
        }
        pass = try c.decodeIfPresent(String.self, forKey: .pass)
        measuredTimeS = try c.decodeIfPresent(Double.self, forKey: .measuredTimeS)
        predictedTimeS = try c.decodeIfPresent(Double.self, forKey: .predictedTimeS)
        measuredSpeedup = try c.decodeIfPresent(Double.self, forKey: .measuredSpeedup)
        predictedSpeedup = try c.decodeIfPresent(Double.self, forKey: .predictedSpeedup)
        boundSpeedup = try c.decodeIfPresent(Double.self, forKey: .boundSpeedup)
        measuredDenseTimeS = try c.decodeIfPresent(Double.self, forKey: .measuredDenseTimeS)
        predictedDenseTimeS = try c.decodeIfPresent(Double.self, forKey: .predictedDenseTimeS)
        measuredBackwardTimeS = try c.decodeIfPresent(Double.self, forKey: .measuredBackwardTimeS)
        predictedBackwardTimeS = try c.decodeIfPresent(Double.self, forKey: .predictedBackwardTimeS)
        speedupError = try c.decodeIfPresent(Double.self, forKey: .speedupError)
        timeError = try c.decodeIfPresent(Double.self, forKey: .timeError)
        set = try c.decodeIfPresent(String.self, forKey: .set)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        kept = try c.decodeIfPresent(Int.self, forKey: .kept)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(workload, forKey: .workload)
        try c.encodeIfPresent(pass, forKey: .pass)
        try c.encodeIfPresent(measuredTimeS, forKey: .measuredTimeS)
        try c.encodeIfPresent(predictedTimeS, forKey: .predictedTimeS)
        try c.encodeIfPresent(measuredSpeedup, forKey: .measuredSpeedup)
        try c.encodeIfPresent(predictedSpeedup, forKey: .predictedSpeedup)
        try c.encodeIfPresent(boundSpeedup, forKey: .boundSpeedup)
        try c.encodeIfPresent(measuredDenseTimeS, forKey: .measuredDenseTimeS)
        try c.encodeIfPresent(predictedDenseTimeS, forKey: .predictedDenseTimeS)
        try c.encodeIfPresent(measuredBackwardTimeS, forKey: .measuredBackwardTimeS)
        try c.encodeIfPresent(predictedBackwardTimeS, forKey: .predictedBackwardTimeS)
        try c.encodeIfPresent(speedupError, forKey: .speedupError)
        try c.encodeIfPresent(timeError, forKey: .timeError)
        try c.encodeIfPresent(set, forKey: .set)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(kept, forKey: .kept)
    }
}

/// `attnsim crosscheck-gpu --format json` on kernel runs (validation/gpu/h100-flex-gna.json): the held-out error
/// summary and one row per measured config.
public struct GPUCrossCheckRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var device: String
    public var backend: String
    /// Medians of |speedup error| and |time error| over the held-out configs.
    public var medianAbsSpeedupErrorHeldOut: Double?
    public var medianAbsTimeErrorHeldOut: Double?
    /// Configs whose measured speedup beats the wave-aware bound (there must be none).
    public var waveBoundViolations: Int
    public var configs: [CrossCheckRecord]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", device, backend
        case medianAbsSpeedupErrorHeldOut = "median_abs_speedup_error_held_out"
        case medianAbsTimeErrorHeldOut = "median_abs_time_error_held_out"
        case waveBoundViolations = "wave_bound_violations", configs
    }
}

/// `attnsim crosscheck-gpu --format json` on decode calls over compacted K/V (validation/gpu/h100-sdpa-decode.json).
public struct GPUDecodeCrossCheckRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var device: String
    public var medianAbsTimeErrorHeldOut: Double?
    public var medianAbsSpeedupErrorHeldOut: Double?
    /// Calls whose measured speedup beats the roofline bound (there must be none).
    public var boundViolations: Int
    public var configs: [CrossCheckRecord]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", device
        case medianAbsTimeErrorHeldOut = "median_abs_time_error_held_out"
        case medianAbsSpeedupErrorHeldOut = "median_abs_speedup_error_held_out"
        case boundViolations = "bound_violations", configs
    }
}

extension CrossCheckRecord {
    /// The rows as CSV: the record's columns, one row each (the same columns for every cross-check).
    public static func csv(_ rows: [CrossCheckRecord]) -> String {
        RecordCSV.text(rows)
    }
}
