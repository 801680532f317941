import Foundation

/// GPU decode with token-pruned, compacted K/V (SpAtten-style, references.md [SpAtten]) held against measured SDPA
/// calls (`validation/gpu/sdpa_decode_bench.py` → `h100-sdpa-decode.json`): one query token per (batch, head) over k
/// kept keys. Each measured config becomes a one-layer decode workload with `token_keep: [keep]`; the prediction
/// is the attention call of `PruningEngine`'s GPU decode model. Dense (keep 1) calls are the fit's training
/// set; the pruned ones are held out.
public struct GPUDecodeCrossCheck: Sendable {
    public struct Measurement: Sendable {
        public var id: String
        public var batch: Int
        public var heads: Int
        public var context: Int
        public var keep: Double
        public var kept: Int
        public var headDim: Int
        /// Seconds per call with K/V beyond L2 (the script's rotated measurement).
        public var time: Double
    }

    public struct Row: Sendable {
        public var measurement: Measurement
        public var training: Bool
        public var predicted: Double
        /// The dense call of the same (batch, heads, context), measured and predicted.
        public var measuredDense: Double?
        public var predictedDense: Double
        public var bound: Double

        public var timeError: Double { predicted / measurement.time - 1 }
        public var measuredSpeedup: Double? { measuredDense.map { $0 / measurement.time } }
        public var predictedSpeedup: Double { predictedDense / predicted }
        public var speedupError: Double? { measuredSpeedup.map { predictedSpeedup / $0 - 1 } }
    }

    public var device: String
    public var measurements: [Measurement]

    /// Whether a measured JSON is a decode file (it has a `decode` list).
    public static func isDecodeFile(path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return root["decode"] is [[String: Any]]
    }

    public init(path: String) throws(Diagnostic) {
        let data = try SpecDocument.contents(ofFile: path)
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let configs = root["decode"] as? [[String: Any]] else {
            throw Diagnostic(file: path, message: "expected a JSON object with a `decode` list (sdpa_decode_bench.py)")
        }
        device = ((root["device"] as? [String: Any])?["name"] as? String) ?? "unknown GPU"
        var list: [Measurement] = []
        for (index, config) in configs.enumerated() {
            func int(_ key: String) throws(Diagnostic) -> Int {
                guard let value = config[key] as? Int, value > 0 else {
                    throw Diagnostic(file: path, path: "decode[\(index)].\(key)", message: "expected a positive integer")
                }
                return value
            }
            let number = { (key: String) in (config[key] as? NSNumber)?.doubleValue }
            guard let micros = number("sdpa_rot_us") ?? number("sdpa_us"), micros > 0, let keep = number("keep") else {
                continue   // a config that did not run has nothing to compare
            }
            list.append(Measurement(id: config["id"] as? String ?? "decode \(index)", batch: try int("B"),
                                    heads: try int("H"), context: try int("L"), keep: keep, kept: try int("k"),
                                    headDim: try int("head_dim"), time: micros * 1e-6))
        }
        measurements = list
    }

    /// The one-layer decode workload of a measurement.
    public static func workload(_ m: Measurement) throws(Diagnostic) -> Workload {
        try Workload.parse(text: """
            attnsim: 1
            name: \(m.id)
            problem: {batch: \(m.batch), heads: \(m.heads), head_dim: \(m.headDim), tokens: 1, kv_tokens: \(m.context), dtype: fp16}
            pruning: {mode: decode, kv_access: compacted, layers: 1, token_keep: [\(m.keep)]}
            """, file: "measurement \(m.id)")
    }

    public func rows(hardware: HardwareSpec) throws(Diagnostic) -> [Row] {
        var rows: [Row] = []
        for m in measurements {
            let workload = try Self.workload(m)
            let outcome = try PruningEngine.run(hardware: hardware, workload: workload)
            guard let attention = outcome.attentionTime else {
                throw Diagnostic(file: hardware.file, message: "the GPU decode model did not run for \(m.id)")
            }
            let dense = measurements.first { $0.batch == m.batch && $0.heads == m.heads && $0.context == m.context && $0.keep == 1 }
            rows.append(Row(measurement: m, training: m.keep == 1, predicted: attention, measuredDense: dense?.time,
                            predictedDense: outcome.denseTime, bound: outcome.rooflineSpeedup))
        }
        return rows
    }
}
