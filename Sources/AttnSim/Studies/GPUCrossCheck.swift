import Foundation

/// Predictions held against real GPU runs: the measured JSON written by `validation/gpu/flex_gna_bench.py`
/// (one entry per config: token layout, window, stride, dilation, causal, heads, tile; dense and GNA kernel
/// times), each config simulated with a backend profile, and the profile's costs fitted on a training part.
public struct GPUCrossCheck: Sendable {
    /// One measured configuration.
    public struct Measurement: Sendable {
        public var id: String
        public var tokens: [Int]
        public var window: [Int]
        public var stride: [Int]
        public var dilation: [Int]
        public var causal: [Bool]
        public var batch: Int
        public var heads: Int
        public var headDim: Int
        public var tile: [Int]
        /// Measured seconds: dense FlexAttention and GNA FlexAttention.
        public var denseTime: Double
        public var sparseTime: Double
        /// Partial and full KV blocks per (batch, head) that FlexAttention's BlockMask reported.
        public var partialBlocks: Int?
        public var fullBlocks: Int?

        public var measuredSpeedup: Double { denseTime / sparseTime }
    }

    /// One config's prediction next to its measurement.
    public struct Row: Sendable {
        public var measurement: Measurement
        public var training: Bool
        public var predictedDense: Double
        public var predictedSparse: Double
        public var waveBound: Double?
        public var predictedPartial: Int
        public var predictedFull: Int

        public var predictedSpeedup: Double { predictedDense / predictedSparse }
        public var speedupError: Double { predictedSpeedup / measurement.measuredSpeedup - 1 }
        public var timeError: Double { predictedSparse / measurement.sparseTime - 1 }
    }

    public var device: String
    public var measurements: [Measurement]
    /// Configs left out because their kernel layout is not one attnsim models.
    public var skipped: [String] = []

    /// Reads the measured JSON; errors name the file and the config.
    public init(path: String) throws(Diagnostic) {
        let data = try SpecDocument.contents(ofFile: path)
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let configs = root["configs"] as? [[String: Any]] else {
            throw Diagnostic(file: path, message: "expected a JSON object with a `configs` list")
        }
        device = ((root["device"] as? [String: Any])?["name"] as? String) ?? "unknown GPU"
        var list: [Measurement] = []
        var skipped: [String] = []
        for (index, config) in configs.enumerated() {
            func ints(_ key: String) throws(Diagnostic) -> [Int] {
                guard let values = config[key] as? [Int] else {
                    throw Diagnostic(file: path, path: "configs[\(index)].\(key)", message: "expected a list of integers")
                }
                return values
            }
            func number(_ key: String) -> Double? { (config[key] as? NSNumber)?.doubleValue }
            guard let dense = number("flex_dense_ms"), let sparse = number("flex_gna_ms"), dense > 0, sparse > 0 else {
                continue   // a config that did not run (timed out, out of memory) has no times to compare
            }
            if config["dilation_outer"] as? Bool == false, ((config["dilation"] as? [Int]) ?? []).contains(where: { $0 > 1 }) {
                // Dilation groups interleaved inside tiles: attnsim models NATTEN's layout (groups folded into the
                // batch, references.md [NATTEN-src] token_permute), so this layout's blocks are not the modelled ones.
                skipped.append(config["id"] as? String ?? "config \(index)")
                continue
            }
            let tokens = try ints("tokens")
            let blocks = config["blocks"] as? [String: Any]
            list.append(Measurement(
                id: config["id"] as? String ?? "config \(index)", tokens: tokens, window: try ints("window"),
                stride: (config["stride"] as? [Int]) ?? tokens.map { _ in 1 },
                dilation: (config["dilation"] as? [Int]) ?? tokens.map { _ in 1 },
                causal: (config["causal"] as? [Bool]) ?? tokens.map { _ in false },
                batch: config["batch"] as? Int ?? 1, heads: config["heads"] as? Int ?? 1,
                headDim: config["head_dim"] as? Int ?? 128, tile: try ints("tile"),
                denseTime: dense / 1e3, sparseTime: sparse / 1e3,
                partialBlocks: blocks?["partial"] as? Int, fullBlocks: blocks?["full"] as? Int))
        }
        measurements = list
        self.skipped = skipped
    }

    /// Every third config (by position in the file, starting with the first) trains the fit; the rest are held out.
    public static func isTraining(_ index: Int) -> Bool { index % 3 == 0 }

    /// The workload a measurement describes: GNA on its token layout, tiles as FlexAttention's permutation made them.
    public static func workload(_ m: Measurement, backend: String) throws(Diagnostic) -> Workload {
        let list = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
        let causal = "[" + m.causal.map { $0 ? "true" : "false" }.joined(separator: ", ") + "]"
        return try Workload.parse(text: """
            attnsim: 1
            name: \(m.id)
            problem: {batch: \(m.batch), heads: \(m.heads), head_dim: \(m.headDim), tokens: \(list(m.tokens)), dtype: bf16}
            mask: {kind: gna, window: \(list(m.window)), stride: \(list(m.stride)), dilation: \(list(m.dilation)), causal: \(causal)}
            kernel: {backend: \(backend), q_tile: \(list(m.tile)), kv_tile: \(list(m.tile)), tiling: multi_dim, kv_tiling: static}
            """, file: "measurement \(m.id)")
    }

    /// Predictions for every measurement with `hardware`'s profile `backend`.
    public func rows(hardware: HardwareSpec, backend: String) throws(Diagnostic) -> [Row] {
        var rows: [Row] = []
        for (index, m) in measurements.enumerated() {
            let workload = try Self.workload(m, backend: backend)
            let result = try Simulator.run(hardware: hardware, workload: workload)
            guard let gpu = result.gpu else {
                throw Diagnostic(file: hardware.file, message: "the GPU event simulator did not run for \(m.id)")
            }
            rows.append(Row(measurement: m, training: Self.isTraining(index), predictedDense: gpu.dense.time,
                            predictedSparse: gpu.sparse.time, waveBound: result.bounds.waveSpeedup,
                            predictedPartial: gpu.grid.visited - gpu.grid.full, predictedFull: gpu.grid.full))
        }
        return rows
    }

    /// Fits the profile's efficiency, masked-tile cost (base and per axis) and per-CTA cost to the training configs'
    /// measured dense and GNA times (`ProfileFit`).
    public func fit(hardware: HardwareSpec, backend: String) throws(Diagnostic) -> KernelProfile {
        // A backend not yet in the file starts as FlexAttention does: 128-token tiles, mask on partial tiles only.
        let start = hardware.kernels[backend]
            ?? KernelProfile(qTileTokens: 128, kvTileTokens: 128, efficiency: 0.6, maskedTileCost: 1.3, perCTA: 2e-6)
        var samples: [ProfileFit.Sample] = []
        for (index, m) in measurements.enumerated() where Self.isTraining(index) {
            samples.append(.init(workload: try Self.workload(m, backend: backend), dense: m.denseTime, sparse: m.sparseTime))
        }
        return ProfileFit.fit(hardware: hardware, backend: backend, start: start, samples: samples)
    }
}
