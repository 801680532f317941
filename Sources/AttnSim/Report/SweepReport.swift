import Foundation

/// A sweep's results read back for `attnsim report DIR`: the sweep's header (`sweep.json`), one point per line of
/// `points.jsonl`, and the optional `crosscheck.json`; ``html()`` turns them into one self-contained page.
///
/// ```swift
/// let report = try SweepReport.load(directory: "runs/gna-strides")
/// try report.html().write(toFile: "runs/gna-strides/report.html", atomically: true, encoding: .utf8)
/// ```
///
/// Each point keeps only the numbers the report draws (``Result``), not its whole `simulate --format json`
/// object, so a sweep of many thousands of points (a pruning result lists every layer call) stays small in memory.
/// Reading is O(bytes); the page is built in O(points · log points).
public struct SweepReport: Sendable {
    /// One swept axis and its values as `sweep.json` lists them (`{"name": "mask.stride", "values": [[16, 8, 8], ...]}`).
    public struct Axis: Sendable {
        public var name: String
        public var values: [JSONValue]

        public init(name: String, values: [JSONValue]) {
            self.name = name
            self.values = values
        }
    }

    /// `sweep.json`: what was swept and how.
    public struct Header: Sendable {
        public var name: String
        public var description: String?
        public var spec: String?
        public var mode: String?
        /// The number of points the sweep has in all (`points`); a sweep still running has fewer lines.
        public var declaredPoints: Int?
        public var axes: [Axis]

        public init(name: String, description: String? = nil, spec: String? = nil, mode: String? = nil,
                    declaredPoints: Int? = nil, axes: [Axis] = []) {
            self.name = name
            self.description = description
            self.spec = spec
            self.mode = mode
            self.declaredPoints = declaredPoints
            self.axes = axes
        }
    }

    /// The numbers of one `attnsim simulate --format json` result that the report uses; nil where the result has
    /// `null` (a field no model fills) or lacks the key.
    public struct Result: Sendable {
        public var hardware: String
        public var workload: String
        public var model: String?
        public var denseFLOPs: Double?
        public var effectiveFLOPs: Double?
        /// True for results with a tile analysis (GNA and other masked workloads on GPUs).
        public var hasTiles: Bool
        public var flopBound: Double?
        public var tileBound: Double?
        public var waveBound: Double?
        public var rooflineBound: Double?
        public var time: Double?
        public var denseTime: Double?
        public var speedup: Double?
        public var dramBytes: Double?
        public var denseDRAMBytes: Double?
        /// Busy fraction per unit (`SM`, `HBM`, `pe2d`, ...), in the result's order.
        public var utilization: [Utilization]
        public var energy: Double?
        public var bottleneck: String?
        public var endToEndSpeedup: Double?
        /// The hardware's roofs (`simulated.roofs`); nil in results written before they were recorded.
        public var roofs: Roofs?
        /// The steps from the FLOP-wise bound to the predicted speedup (`simulated.waterfall`); nil without sparsity.
        public var waterfall: [WaterfallStep]?

        public struct Utilization: Sendable, Equatable {
            public var unit: String
            public var fraction: Double
        }

        /// The numbers of a typed result (a key the writer left out, or wrote as `null`, is nil here).
        public init(record: SimulationRecord) {
            hardware = record.hardware
            workload = record.workload
            model = record.simulated.model
            denseFLOPs = finite(record.flops.dense)
            effectiveFLOPs = finite(record.flops.effective)
            flopBound = finite(record.bounds.flopSpeedup)
            tileBound = finite(record.bounds.tileSpeedup)
            waveBound = finite(record.bounds.waveSpeedup)
            rooflineBound = finite(record.pruning?.rooflineSpeedup)
            hasTiles = tileBound != nil || record.tiles.visited != nil
            time = finite(record.simulated.timeS)
            denseTime = finite(record.simulated.denseTimeS)
            speedup = finite(record.simulated.speedup)
            dramBytes = record.simulated.dramBytes?.bytes
            denseDRAMBytes = record.simulated.denseDRAMBytes?.bytes
            energy = finite(record.simulated.energyJ)
            bottleneck = record.simulated.bottleneck
            endToEndSpeedup = finite(record.endToEnd.speedup)
            roofs = record.simulated.roofs
            waterfall = record.simulated.waterfall?.steps
            utilization = record.simulated.utilization.entries.compactMap { entry in
                finite(entry.value).map { Utilization(unit: entry.key, fraction: $0) }
            }
        }

        /// Effective FLOPs over DRAM bytes (FLOP/B), for the roofline chart.
        public var arithmeticIntensity: Double? {
            guard let flops = effectiveFLOPs, let bytes = dramBytes, flops > 0, bytes > 0 else { return nil }
            return flops / bytes
        }

        /// Effective FLOPs over the predicted time (FLOP/s).
        public var achievedRate: Double? {
            guard let flops = effectiveFLOPs, let time, flops > 0, time > 0 else { return nil }
            return flops / time
        }
    }

    /// One line of `points.jsonl`.
    public struct Point: Sendable {
        public var index: Int
        /// Axis name → value, in the line's order.
        public var axes: [(name: String, value: JSONValue)]
        /// The message of an error point (`status: "error"`).
        public var error: String?
        /// The result of an `ok` point; nil for error points.
        public var result: Result?

        public init(index: Int, axes: [(name: String, value: JSONValue)], error: String? = nil, result: Result? = nil) {
            self.index = index
            self.axes = axes
            self.error = error
            self.result = result
        }

        /// The value of an axis at this point.
        public func value(of axis: String) -> JSONValue? { axes.first { $0.name == axis }?.value }
    }

    /// One workload of `crosscheck.json` (the list `attnsim crosscheck --format json` prints, or the `configs` of
    /// `crosscheck-gpu --format json`).
    public struct CrossCheckRow: Sendable {
        public var workload: String
        public var measuredTime: Double?
        public var predictedTime: Double?
        public var measuredSpeedup: Double?
        public var predictedSpeedup: Double?
        public var rooflineSpeedup: Double?
        /// `fit`, `held-out` or `all` where the list says.
        public var set: String?

        public init(workload: String, measuredTime: Double? = nil, predictedTime: Double? = nil, measuredSpeedup: Double? = nil,
                    predictedSpeedup: Double? = nil, rooflineSpeedup: Double? = nil, set: String? = nil) {
            self.workload = workload
            self.measuredTime = measuredTime
            self.predictedTime = predictedTime
            self.measuredSpeedup = measuredSpeedup
            self.predictedSpeedup = predictedSpeedup
            self.rooflineSpeedup = rooflineSpeedup
            self.set = set
        }

        /// Predicted over measured speedup, minus one (0.1 = the prediction is 10 % too optimistic).
        public var speedupError: Double? {
            guard let predictedSpeedup, let measuredSpeedup, measuredSpeedup > 0 else { return nil }
            return predictedSpeedup / measuredSpeedup - 1
        }

        /// Predicted over measured time, minus one.
        public var timeError: Double? {
            guard let predictedTime, let measuredTime, measuredTime > 0 else { return nil }
            return predictedTime / measuredTime - 1
        }
    }

    public var header: Header
    /// Points in index order (a repeated index keeps its last line, as a resumed sweep appends).
    public var points: [Point]
    public var crossCheck: [CrossCheckRow]?

    public init(header: Header, points: [Point], crossCheck: [CrossCheckRow]? = nil) {
        self.header = header
        self.points = points
        self.crossCheck = crossCheck
    }

    public var okPoints: [Point] { points.filter { $0.result != nil } }
    public var errorPoints: [Point] { points.filter { $0.result == nil } }
}
