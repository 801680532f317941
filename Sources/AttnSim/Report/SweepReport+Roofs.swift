import Foundation

/// The roofs and the speedup waterfall of a result (`simulated.roofs`, `simulated.waterfall`), read from the raw
/// line: results written before these fields existed lack them (nil: the roofline draws no roof, no waterfall is
/// drawn). Kept apart from ``SweepReport/Result/init(record:)`` until the typed result record carries them.
extension SweepReport {
    /// `{"compute": [{"unit": "SM", "flops_per_s": 9.89e14}], "memory": [{"level": "HBM", "bytes_per_s": 3.35e12}]}`:
    /// one roof per compute unit and per memory level.
    public struct Roofs: Sendable, Equatable, Decodable {
        public struct Compute: Sendable, Equatable, Decodable {
            public var unit: String
            public var flopsPerS: Double
            enum CodingKeys: String, CodingKey { case unit, flopsPerS = "flops_per_s" }
        }
        public struct Memory: Sendable, Equatable, Decodable {
            public var level: String
            public var bytesPerS: Double
            enum CodingKeys: String, CodingKey { case level, bytesPerS = "bytes_per_s" }
        }
        public var compute: [Compute]
        public var memory: [Memory]

        public init(compute: [Compute], memory: [Memory]) {
            self.compute = compute
            self.memory = memory
        }
    }

    /// One step of the waterfall from the FLOP-wise bound to the predicted speedup: its factor multiplies the speedup,
    /// `timeS` is the time it adds, `speedup` the speedup after it.
    public struct WaterfallStep: Sendable, Equatable, Decodable {
        public var name: String
        public var label: String
        public var factor: Double?
        public var timeS: Double?
        public var speedup: Double
        enum CodingKeys: String, CodingKey { case name, label, factor, timeS = "time_s", speedup }
    }

    struct Waterfall: Decodable { var steps: [WaterfallStep] }

    /// Reads `result.simulated.roofs` and `.waterfall` of a point's line into `result`; a field of the wrong shape is a
    /// diagnostic naming its path, as for the typed fields.
    static func readRoofsAndWaterfall(_ line: JSONValue, into result: inout Result, file: String, line number: Int) throws(Diagnostic) {
        guard let simulated = line["result"]?["simulated"] else { return }
        func field<T: Decodable>(_ type: T.Type, _ key: String) throws(Diagnostic) -> T? {
            guard let value = simulated[key], value != .null else { return nil }
            do {
                return try JSONValueDecoder().decode(type, from: value)
            } catch {
                let inner = error.path.isEmpty ? "" : (error.path.hasPrefix("[") ? "" : ".") + error.path
                throw Diagnostic(file: file, line: number, path: "result.simulated.\(key)\(inner)", message: error.message)
            }
        }
        result.roofs = try field(Roofs.self, "roofs")
        result.waterfall = try field(Waterfall.self, "waterfall")?.steps
    }
}
