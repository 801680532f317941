import Foundation

/// Predictions held against real GPU runs: the measured JSON written by `validation/gpu/protocol_bench.py` (each
/// record carries its workload, family, dense and masked times) or by `flex_gna_bench.py` (GNA configs: token
/// layout, window, stride, dilation, causal, heads, tile), each config simulated with its backend profile, and the
/// profiles' costs fitted on every third config.
public struct GPUCrossCheck: Sendable {
    /// One measured configuration.
    public struct Measurement: Sendable {
        public var id: String
        /// The protocol family (`sdpa`, `flex`, `window`, `gna`, …; `gna` for flex_gna_bench.py's files).
        public var family: String
        /// The workload it ran; its `kernel.backend` is replaced by the checked backend where `backendFixed` is false
        /// (flex_gna_bench.py's files describe FlexAttention runs that any GNA-capable profile may predict).
        public var workload: Workload
        public var backendFixed: Bool
        /// Measured seconds: the dense baseline (same backend, no mask; nil where the file has none, as for decode
        /// calls) and the run itself.
        public var denseTime: Double?
        public var sparseTime: Double
        /// Partial and full KV blocks per (batch, head) that FlexAttention's BlockMask reported.
        public var partialBlocks: Int?
        public var fullBlocks: Int?
        /// Measured seconds of one `create_block_mask` call for this mask (after a compiled warm-up), where recorded.
        public var buildTime: Double? = nil
        /// A training run's forward alone, seconds (backward_bench.py's `forward.ms`), where recorded.
        public var forwardTime: Double? = nil
        /// Timed once rather than repeated to ~300 ms (SDPA's backends forced one at a time beside its own pick): too
        /// few calls to tell the host's issue time from the kernel's.
        public var singleTiming = false

        /// The masked run's speedup over its dense baseline; nil for a run with no mask (there is no speedup to
        /// predict, only a time) or no measured baseline.
        public var measuredSpeedup: Double? {
            guard let denseTime, !workload.mask.isDense else { return nil }
            return denseTime / sparseTime
        }
        public var backend: String { workload.kernel?.backend?.value ?? "flex" }
        /// `constant` or `tensor` for a masked FlexAttention run, else nil.
        public var maskParams: String? {
            workload.mask.isDense || backend != "flex" ? nil : (workload.kernel?.maskParams ?? .constant).rawValue
        }

        func workload(backend: String) -> Workload {
            guard !backendFixed else { return workload }
            var copy = workload
            copy.kernel?.backend = .fixed(backend)
            return copy
        }
    }

    /// One config's prediction next to its measurement.
    public struct Row: Sendable {
        public var measurement: Measurement
        public var family: String { measurement.family }
        public var training: Bool
        public var predictedDense: Double
        public var predictedSparse: Double
        public var waveBound: Double?
        public var predictedPartial: Int
        public var predictedFull: Int
        /// The profile's mask-build time (`KernelProfile.maskBuildTime`), where it models one.
        public var predictedBuild: Double? = nil

        /// Predicted over measured mask-build time, minus 1, where both exist.
        public var buildError: Double? {
            guard let predictedBuild, let measured = measurement.buildTime, measured > 0 else { return nil }
            return predictedBuild / measured - 1
        }

        public var predictedSpeedup: Double { predictedDense / predictedSparse }
        /// nil where the run has no speedup to predict (`Measurement.measuredSpeedup`).
        public var speedupError: Double? { measurement.measuredSpeedup.map { predictedSpeedup / $0 - 1 } }
        public var timeError: Double { predictedSparse / measurement.sparseTime - 1 }
    }

    public var device: String
    /// The SM count and the date the results file records for its GPU (protocol files), when it does.
    public var deviceSMs: Int?
    public var measuredOn: String?
    public var measurements: [Measurement]
    /// Configs left out, with why: a kernel layout attnsim does not model, no measured time, or a workload it cannot load.
    public var skipped: [String] = []
    /// Whether no config trains a fit: a file measured after the profiles were fitted says so with
    /// `"held_out": "all"`, and every config in it is held out.
    public var allHeldOut = false
    /// Whether the file holds forward + backward runs (`attnsim_gpu_training_runs`): `fit` then fits the backward
    /// profiles alone (`fitBackward`).
    public var isTraining = false

    /// Reads the measured JSON (validation/gpu/protocol_bench.py's `attnsim_gpu_runs` files, or flex_gna_bench.py's);
    /// errors name the file and the config. A config that did not run, or whose workload attnsim cannot model, is
    /// listed in `skipped` with the reason.
    public init(path: String) throws(Diagnostic) {
        let data = try SpecDocument.contents(ofFile: path)
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let configs = root["configs"] as? [[String: Any]] else {
            throw Diagnostic(file: path, message: "expected a JSON object with a `configs` list")
        }
        let facts = root["device"] as? [String: Any]
        device = (facts?["name"] as? String) ?? "unknown GPU"
        deviceSMs = facts?["sms"] as? Int
        measuredOn = facts?["date_utc"] as? String
        allHeldOut = root["held_out"] as? String == "all"
        if root["attnsim_gpu_runs"] != nil {
            (measurements, skipped) = Self.protocolMeasurements(configs, path: path)
            return
        }
        if root["attnsim_gpu_training_runs"] != nil {
            isTraining = true
            (measurements, skipped) = Self.trainingMeasurements(configs, path: path)
            return
        }
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
            let id = config["id"] as? String ?? "config \(index)"
            let list_ = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
            let causal = "[" + ((config["causal"] as? [Bool]) ?? tokens.map { _ in false }).map { $0 ? "true" : "false" }
                .joined(separator: ", ") + "]"
            let tile = try ints("tile")
            // flex_gna_bench.py timed its `lut` mask function (per-token tables) unless a record says otherwise.
            let maskParams = (config["mask_impl"] as? String ?? "lut").hasPrefix("lut") ? "table" : "constant"
            let workload = try Workload.parse(text: """
                attnsim: 1
                name: \(id)
                problem: {batch: \(config["batch"] as? Int ?? 1), heads: \(config["heads"] as? Int ?? 1), head_dim: \(config["head_dim"] as? Int ?? 128), tokens: \(list_(tokens)), dtype: bf16}
                mask: {kind: gna, window: \(list_(try ints("window"))), stride: \(list_((config["stride"] as? [Int]) ?? tokens.map { _ in 1 })), dilation: \(list_((config["dilation"] as? [Int]) ?? tokens.map { _ in 1 })), causal: \(causal)}
                kernel: {backend: flex, q_tile: \(list_(tile)), kv_tile: \(list_(tile)), tiling: multi_dim, kv_tiling: static, mask_params: \(maskParams)}
                """, file: "\(path): \(id)")
            list.append(Measurement(id: id, family: "gna", workload: workload, backendFixed: false,
                                    denseTime: dense / 1e3, sparseTime: sparse / 1e3,
                                    partialBlocks: blocks?["partial"] as? Int, fullBlocks: blocks?["full"] as? Int,
                                    buildTime: number("block_mask_build_ms").map { $0 / 1e3 }))
        }
        measurements = list
        self.skipped = skipped
    }

    /// protocol_bench.py's records: each carries its workload (`workload_yaml`), the measured time (`measured.ms`)
    /// and the dense baseline of the same backend and shape (`dense.ms`; decode calls have none: they are checked on
    /// time alone).
    static func protocolMeasurements(_ configs: [[String: Any]], path: String) -> ([Measurement], [String]) {
        var list: [Measurement] = []
        var skipped: [String] = []
        for (index, config) in configs.enumerated() {
            let id = config["id"] as? String ?? "config \(index)"
            func ms(_ key: String) -> Double? { ((config[key] as? [String: Any])?["ms"] as? NSNumber)?.doubleValue }
            guard let yaml = config["workload_yaml"] as? String, let sparse = ms("measured"), sparse > 0 else {
                skipped.append("\(id) (no measured time)")
                continue
            }
            let dense = ms("dense").flatMap { $0 > 0 ? $0 : nil }
            if config["family"] as? String == "micro" {
                // A mask-cost microbenchmark (one op chained k times on all-partial blocks): a measurement of the
                // per-operation costs (validation/gpu/README.md), not a workload to predict.
                continue
            }
            let workload: Workload
            do {
                workload = try Workload.parse(text: yaml, file: "\(path): \(id)")
            } catch {
                skipped.append("\(id) (\(error.message))")
                continue
            }
            let blocks = config["blocks"] as? [String: Any]
            // The families that mix mask kinds are reported by kind (strided, all_of, per_head; radial, vertical_slash).
            var family = config["family"] as? String ?? "?"
            if family == "composed" || family == "radial_vs" { family = workload.mask.kind }
            list.append(Measurement(id: id, family: family, workload: workload,
                                    backendFixed: true, denseTime: dense.map { $0 / 1e3 }, sparseTime: sparse / 1e3,
                                    partialBlocks: blocks?["partial"] as? Int, fullBlocks: blocks?["full"] as? Int,
                                    buildTime: (config["block_mask_build_ms"] as? NSNumber).map { $0.doubleValue / 1e3 }))
        }
        return (list, skipped)
    }

    /// validation/gpu/backward_bench.py's records (`attnsim_gpu_training_runs`): each carries its forward workload
    /// (`workload_yaml`), checked here as `pass: training` against the measured forward + backward time
    /// (`fwd_bwd.ms`), with the dense baseline of the same backend and shape (`dense.fwd_bwd_ms`; a dense run is its
    /// own).
    static func trainingMeasurements(_ configs: [[String: Any]], path: String) -> ([Measurement], [String]) {
        var list: [Measurement] = []
        var skipped: [String] = []
        for (index, config) in configs.enumerated() {
            let id = config["id"] as? String ?? "config \(index)"
            let measured = ((config["fwd_bwd"] as? [String: Any])?["ms"] as? NSNumber)?.doubleValue
            guard let yaml = config["workload_yaml"] as? String, let measured, measured > 0 else {
                skipped.append("\(id) (no measured forward + backward time)")
                continue
            }
            let workload: Workload
            do {
                workload = try Workload.parse(text: yaml + "pass: training\n", file: "\(path): \(id)")
            } catch {
                skipped.append("\(id) (\(error.message))")
                continue
            }
            let dense = workload.mask.isDense ? measured
                : ((config["dense"] as? [String: Any])?["fwd_bwd_ms"] as? NSNumber)?.doubleValue
            let blocks = config["blocks"] as? [String: Any]
            var m = Measurement(id: id, family: config["family"] as? String ?? "?", workload: workload,
                                backendFixed: true, denseTime: dense.map { $0 / 1e3 }, sparseTime: measured / 1e3,
                                partialBlocks: blocks?["partial"] as? Int, fullBlocks: blocks?["full"] as? Int)
            m.forwardTime = ((config["forward"] as? [String: Any])?["ms"] as? NSNumber).map { $0.doubleValue / 1e3 }
            list.append(m)
        }
        // SDPA's runs with FlashAttention-2 forced (`sdpa_by_backend.FLASH_ATTENTION`, timed beside cuDNN's): the `fa2`
        // backend, after every other config, with the dense run of its shape as the baseline.
        func flash(_ config: [String: Any]) -> [String: Any]? {
            (config["sdpa_by_backend"] as? [String: Any])?["FLASH_ATTENTION"] as? [String: Any]
        }
        for config in configs where config["family"] as? String == "sdpa" {
            guard let times = flash(config), let yaml = config["workload_yaml"] as? String,
                  let fb = (times["fwd_bwd_ms"] as? NSNumber)?.doubleValue, fb > 0,
                  var workload = try? Workload.parse(text: yaml + "pass: training\n", file: "\(path): fa2") else { continue }
            workload.kernel?.backend = .fixed("fa2")
            let id = (config["id"] as? String ?? "?").replacingOccurrences(of: "sdpa-", with: "fa2-")
            let denseConfig = configs.first {
                $0["family"] as? String == "sdpa" && $0["shape"] as? String == config["shape"] as? String
                    && ($0["mask"] as? [String: Any])?["kind"] as? String == "none"
            }
            let dense = denseConfig.flatMap(flash).flatMap { ($0["fwd_bwd_ms"] as? NSNumber)?.doubleValue }
            var m = Measurement(id: id, family: "fa2", workload: workload, backendFixed: true,
                                denseTime: dense.map { $0 / 1e3 }, sparseTime: fb / 1e3)
            m.forwardTime = (times["forward_ms"] as? NSNumber).map { $0.doubleValue / 1e3 }
            m.singleTiming = true
            list.append(m)
        }
        return (list, skipped)
    }

    /// Every third config (by position in the file, starting with the first) trains the fit; the rest are held out.
    public static func isTraining(_ index: Int) -> Bool { index % 3 == 0 }

    /// Whether the measurement at `index` trains the fit: every third, except decode calls (one query token), which
    /// run another kernel and are all held out, and none in a file that holds everything out (`allHeldOut`).
    func trains(_ m: Measurement, index: Int) -> Bool {
        !allHeldOut && Self.isTraining(index) && m.workload.problem.queryTokens > 1
    }

    /// Predictions for every measurement with `hardware`'s profile `backend`.
    public func rows(hardware: HardwareSpec, backend: String) throws(Diagnostic) -> [Row] {
        var rows: [Row] = []
        for (index, m) in measurements.enumerated() {
            let result = try Simulator.run(hardware: hardware, workload: m.workload(backend: backend))
            guard let gpu = result.gpu else {
                throw Diagnostic(file: hardware.file, message: "the GPU event simulator did not run for \(m.id)")
            }
            rows.append(Row(measurement: m, training: trains(m, index: index), predictedDense: gpu.dense.time,
                            predictedSparse: gpu.sparse.time, waveBound: result.bounds.waveSpeedup,
                            predictedPartial: gpu.grid.visited - gpu.grid.full, predictedFull: gpu.grid.full,
                            predictedBuild: result.simulated.maskBuildTime))
        }
        return rows
    }

    /// Fits each backend's costs to the training configs' measured dense and masked times (`ProfileFit`): for
    /// flex_gna_bench.py's files the checked backend's efficiency, masked-tile cost and per-CTA cost; for protocol
    /// files every backend they ran, with the parameters its training configs inform (`ProfileFit.parameters`).
    public func fit(hardware: HardwareSpec, backend: String) throws(Diagnostic) -> [String: KernelProfile] {
        if isTraining { return try fitBackward(hardware: hardware) }
        let training = measurements.enumerated().filter { trains($0.element, index: $0.offset) }.map(\.element)
        guard training.allSatisfy(\.backendFixed) else {
            // A backend not yet in the file starts as FlexAttention does: 128-token tiles, mask on partial tiles only.
            let start = hardware.kernels[backend]
                ?? KernelProfile(qTileTokens: 128, kvTileTokens: 128, efficiency: 0.6, maskedTileCost: 1.3, perCTA: 2e-6)
            let samples = training.map { ProfileFit.Sample(workload: $0.workload(backend: backend), dense: $0.denseTime, sparse: $0.sparseTime) }
            var profile = ProfileFit.fit(hardware: hardware, backend: backend, start: start, samples: samples)
            var spec = hardware
            spec.kernels[backend] = profile
            let builds = training.filter { $0.buildTime != nil }.map { m in
                var copy = m
                copy.workload = m.workload(backend: backend)
                return copy
            }
            if let build = Self.fitMaskBuild(hardware: spec, backend: backend, measurements: builds) { profile.maskBuild = build }
            return [backend: profile]
        }
        var spec = hardware
        var fitted: [String: KernelProfile] = [:]
        for name in Set(training.map(\.backend)).sorted() {
            let start = try GPUEngine.profile(hardware, backend: name, file: hardware.file)
            let samples = training.filter { $0.backend == name }
                .map { ProfileFit.Sample(workload: $0.workload, dense: $0.denseTime, sparse: $0.sparseTime) }
            let profile = ProfileFit.fit(hardware: spec, backend: name, start: start, samples: samples,
                                         parameters: ProfileFit.parameters(for: samples, profile: start))
            spec.kernels[name] = profile
            fitted[name] = profile
        }
        for name in fitted.keys.sorted() {
            let builds = training.filter { $0.backend == name && $0.buildTime != nil }
            if let build = Self.fitMaskBuild(hardware: spec, backend: name, measurements: builds) {
                fitted[name]?.maskBuild = build
            }
        }
        return fitted
    }

    /// The mask-build cost that fits `measurements`' `create_block_mask` times with `backend`'s mask prices: weighted
    /// least squares of the relative error, linear in (fixed, per element, cycle scale), each kept ≥ 0 (the best
    /// subset whose solution is non-negative); nil with fewer than 3 usable measurements.
    static func fitMaskBuild(hardware: HardwareSpec, backend: String, measurements: [Measurement]) -> MaskBuildCost? {
        guard var profile = hardware.kernels[backend] else { return nil }
        profile.maskBuild = MaskBuildCost(fixed: 0, perElement: 1, cycleScale: 0)
        // With per_element 1 s and nothing else, the build time is the element count; with only cycle_scale 1, the
        // mask-cycle term: the two regressors.
        var samples: [(x: [Double], t: Double)] = []
        for m in measurements {
            guard let t = m.buildTime, t > 0,
                  let elements = profile.maskBuildTime(for: m.workload, hardware: hardware) else { continue }
            var cyclesOnly = profile
            cyclesOnly.maskBuild = MaskBuildCost(fixed: 0, perElement: 0, cycleScale: 1)
            let cycles = cyclesOnly.maskBuildTime(for: m.workload, hardware: hardware) ?? 0
            samples.append(([1, elements, cycles], t))
        }
        guard samples.count >= 3 else { return nil }
        var best: (cost: MaskBuildCost, loss: Double)?
        for subset in [[0, 1, 2], [0, 1], [0, 2], [1, 2], [0], [1], [2]] {
            guard let solution = LeastSquares.solve(samples.map { sample in subset.map { sample.x[$0] / sample.t } },
                                                     samples.map { _ in 1.0 }),
                  solution.allSatisfy({ $0 >= 0 && $0.isFinite }) else { continue }
            var coefficients = [0.0, 0.0, 0.0]
            for (k, index) in subset.enumerated() { coefficients[index] = solution[k] }
            let loss = samples.reduce(0.0) { sum, sample in
                let predicted = zip(coefficients, sample.x).reduce(0.0) { $0 + $1.0 * $1.1 }
                return sum + (predicted / sample.t - 1) * (predicted / sample.t - 1)
            }
            if best == nil || loss < best!.loss {
                best = (MaskBuildCost(fixed: coefficients[0], perElement: coefficients[1], cycleScale: coefficients[2]), loss)
            }
        }
        return best?.cost
    }
}

/// Ordinary least squares by the normal equations (Gaussian elimination with partial pivoting): the x minimising
/// |A x − b|² for a few columns; nil when AᵀA is singular.
enum LeastSquares {
    static func solve(_ rows: [[Double]], _ b: [Double]) -> [Double]? {
        guard let n = rows.first?.count, n > 0 else { return nil }
        var m = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for (row, value) in zip(rows, b) {
            for i in 0..<n {
                for j in 0..<n { m[i][j] += row[i] * row[j] }
                m[i][n] += row[i] * value
            }
        }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            guard abs(m[pivot][column]) > 1e-300 else { return nil }
            m.swapAt(column, pivot)
            for r in 0..<n where r != column {
                let factor = m[r][column] / m[column][column]
                for c in column...n { m[r][c] -= factor * m[column][c] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }
}
