import Foundation

/// A named piece of attnsim's own work, timed by `attnsim bench`.
public struct Benchmark: Sendable {
    public var name: String
    /// What the case measures and the target it is held to.
    public var summary: String
    /// Target median per run, seconds, if the project has one.
    public var target: Double?
    /// Prepares inputs (not timed) and returns the timed body; the body returns a value that is consumed so the
    /// optimizer cannot drop the work.
    public var prepare: @Sendable () throws -> @Sendable () -> Double
    /// Floating-point operations one run performs (kernels), for a throughput column.
    public var flops: Double?
    /// A case that takes seconds runs once, without a warm-up (a whole sweep).
    public var single = false

    public init(name: String, summary: String, target: Double? = nil, flops: Double? = nil, single: Bool = false,
                prepare: @escaping @Sendable () throws -> @Sendable () -> Double) {
        self.name = name
        self.summary = summary
        self.target = target
        self.flops = flops
        self.single = single
        self.prepare = prepare
    }
}

/// One benchmark's timings: per run of the body, over `samples` samples.
public struct BenchmarkResult: Sendable {
    public var name: String
    public var summary: String
    public var target: Double?
    public var median: Double
    public var min: Double
    public var max: Double
    /// Runs of the body in total (samples × runs per sample).
    public var runs: Int
    /// Operations per run (kernels): throughput = flops / median.
    public var flops: Double? = nil

    public var throughput: Double? { flops.map { $0 / median } }

    public var meetsTarget: Bool? { target.map { median <= $0 } }

    /// The row `attnsim bench --format json` prints; `peak` (FLOP/s) adds `share_of_peak` to kernels' rows.
    public func record(peak: Double? = nil) -> BenchRecord {
        BenchRecord(name: name, medianS: median, minS: min, maxS: max, runs: runs, targetS: target, meetsTarget: meetsTarget,
                    flopPerS: throughput.flatMap(finite), shareOfPeak: peak.flatMap { peak in throughput.map { $0 / peak } }.flatMap(finite))
    }

    public var json: JSONValue { JSONValue(encoding: record()) }
}

/// Times benchmarks: one warm-up run, then batches sized so a sample lasts at least `minSampleTime`, and the
/// median, minimum and maximum over `samples` samples of the per-run time.
public struct BenchmarkRunner: Sendable {
    public var samples = 11
    public var minSampleTime = 0.02

    public init(samples: Int = 11, minSampleTime: Double = 0.02) {
        self.samples = samples
        self.minSampleTime = minSampleTime
    }

    public func run(_ benchmark: Benchmark) throws -> BenchmarkResult {
        let body = try benchmark.prepare()
        if benchmark.single {
            var sink = 0.0
            let time = measure(iterations: 1, body, &sink)
            consume(sink)
            return BenchmarkResult(name: benchmark.name, summary: benchmark.summary, target: benchmark.target,
                                   median: time, min: time, max: time, runs: 1, flops: benchmark.flops)
        }
        var sink = body()   // warm-up
        let once = measure(iterations: 1, body, &sink)
        let iterations = Swift.max(1, Int((minSampleTime / Swift.max(once, 1e-9)).rounded(.up)))
        var times: [Double] = []
        for _ in 0..<samples { times.append(measure(iterations: iterations, body, &sink) / Double(iterations)) }
        times.sort()
        consume(sink)
        return BenchmarkResult(name: benchmark.name, summary: benchmark.summary, target: benchmark.target,
                               median: times[times.count / 2], min: times[0], max: times[times.count - 1],
                               runs: samples * iterations, flops: benchmark.flops)
    }

    private func measure(iterations: Int, _ body: () -> Double, _ sink: inout Double) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { sink += body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Keeps a value alive as far as the optimizer can tell.
@inline(never)
func consume(_ value: Double) {
    if value.isNaN && value.sign == .minus && value.significandBitPattern == 0x1234 { print(value) }
}
