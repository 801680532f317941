import AttnSim
import Foundation

/// This host, measured (`attnsim calibrate`): cores, clock, peak fp32 SIMD FMA rate on one core and on all of
/// them, STREAM triad bandwidth, and the cache hierarchy the OS reports; `hardwareYAML()` writes it as a
/// `kind: cpu` hardware file whose `sources:` record what was measured, how and when.
///
/// ```swift
/// let host = HostCalibration.measure(.quick) { print($0) }
/// let spec = try HardwareSpec.parse(text: host.hardwareYAML(), file: "host.yaml")
/// print(host.fmaAllCores / 1e9, "GFLOP/s")
/// ```
///
/// - Complexity: about `Options.clockSeconds + 2 × fmaSeconds` of timed work plus the triad over three arrays of
///   `triadArrayBytes` (standard: ~6 s in a release build on a 2-core Zen 5; quick: under 1 s).
public struct HostCalibration: Sendable {
    /// How long and how big each measurement is.
    public struct Options: Sendable {
        /// Wall time of the add-chain clock measurement, seconds.
        public var clockSeconds: Double
        /// Wall time of each FMA measurement (one thread, then all), seconds.
        public var fmaSeconds: Double
        /// Bytes of each triad array; nil: `triadLLCMultiple` × the last-level cache, at least 32 MiB.
        public var triadArrayBytes: Int?
        /// Each triad array is this many times the total last-level cache when `triadArrayBytes` is nil.
        public var triadLLCMultiple: Int
        /// Timed triad passes (the best counts), after one warm-up pass.
        public var triadRepetitions: Int
        /// Threads for the all-core runs; nil: `ProcessInfo.activeProcessorCount`.
        public var threads: Int?

        public init(clockSeconds: Double, fmaSeconds: Double, triadArrayBytes: Int? = nil, triadLLCMultiple: Int,
                    triadRepetitions: Int, threads: Int? = nil) {
            self.clockSeconds = clockSeconds
            self.fmaSeconds = fmaSeconds
            self.triadArrayBytes = triadArrayBytes
            self.triadLLCMultiple = triadLLCMultiple
            self.triadRepetitions = triadRepetitions
            self.threads = threads
        }

        /// About 5–10 s in a release build: arrays 4× the LLC (STREAM's rule), 10 triad passes.
        public static let standard = Options(clockSeconds: 0.5, fmaSeconds: 2, triadLLCMultiple: 4, triadRepetitions: 10)
        /// About 1 s: for tests and a first look.
        public static let quick = Options(clockSeconds: 0.05, fmaSeconds: 0.15, triadLLCMultiple: 2, triadRepetitions: 2)
    }

    /// When the measurement ran.
    public var date: Date
    /// `/proc/cpuinfo` "model name".
    public var model: String
    /// Online logical CPUs (`sysconf`).
    public var onlineCPUs: Int
    /// Hardware threads per core (sysfs `thread_siblings_list`).
    public var threadsPerCore: Int
    /// Threads used for the all-core measurements.
    public var threads: Int
    /// Clocks the system reports, Hz (see `HostProbe.reportedClocks`).
    public var reportedClocks: [HostProbe.ReportedClock]
    /// The add-chain clock estimate on one thread, Hz.
    public var measuredClock: Double
    /// Peak fp32 FMA rate on one thread, FLOP/s.
    public var fmaSingleCore: Double
    /// Peak fp32 FMA rate on `threads` threads, FLOP/s.
    public var fmaAllCores: Double
    /// STREAM triad bandwidth on `threads` threads, bytes/s (3 arrays × 4 B per element).
    public var triadBandwidth: Double
    /// Bytes of each triad array.
    public var triadArrayBytes: Int
    /// Timed triad passes.
    public var triadRepetitions: Int
    /// CPU 0's caches as the OS reports them.
    public var caches: [HostProbe.Cache]
    /// The share of the host's CPU time other processes took while this ran, 0 to 1 (nil where unknown).
    public var othersCPUShare: Double?
    /// The options the measurement ran with.
    public var options: Options
    /// Whether this is an optimized build (a debug build measures unoptimized kernels).
    public var optimized: Bool
    /// FLOP/s of attnsim's dense CPU attention kernel (64 × 64 tiles, head_dim 64) on every core: the kernel
    /// profile's efficiency is its share of `fmaAllCores`. nil: not measured.
    public var denseKernel: Double? = nil
    /// FLOP/s of attnsim's CPU backward kernel (dQ by its separate pass) on the same dense problem, counting the
    /// FLOPs that kernel runs (`measureDenseBackward`): the profile's `backward.efficiency` is its share of
    /// `fmaAllCores`. nil: not measured.
    public var denseBackward: Double? = nil
    /// attnsim's CPU kernel on partially masked tiles against the same tiles unmasked, per token axis of the mask
    /// (1-D strided, 2-D and 3-D GNA): the kernel profile's `masked_tile_cost` and its per-axis part. nil: not measured.
    public var maskedTiles: MaskedTileCosts? = nil
    /// Seconds one Q tile (a work item) costs beyond its tiles (`measurePerQTile`): the profile's `per_cta`. nil: not
    /// measured.
    public var perQTile: Double? = nil

    /// Above this share of the CPU time taken by other processes, the host was not idle and the rates are low.
    public static let busyShare = 0.05

    /// Physical cores: online CPUs over threads per core.
    public var cores: Int { max(1, onlineCPUs / threadsPerCore) }

    /// Whether the add-chain estimate is trusted: an optimized build, and within 0.5×–2× of the first reported
    /// clock (0.3–8 GHz where none is reported). Where it is not, the reported clock is used.
    public var measuredClockIsPlausible: Bool {
        guard optimized else { return false }
        if let reported = reportedClocks.first?.frequency {
            return measuredClock >= 0.5 * reported && measuredClock <= 2 * reported
        }
        return measuredClock >= 0.3e9 && measuredClock <= 8e9
    }

    /// The clock the file states: the add-chain estimate where plausible, else the first reported clock.
    public var clock: Double {
        measuredClockIsPlausible ? measuredClock : (reportedClocks.first?.frequency ?? measuredClock)
    }

    /// fp32 FLOP per cycle on one core, measured (one thread's FMA rate over `clock`).
    public var flopPerCyclePerCore: Double { fmaSingleCore / clock }

    /// Bits of one `SIMD8<Float>` FMA instruction as compiled for this target: one ymm on x86-64 (AVX2),
    /// two 128-bit NEON registers elsewhere.
    public static var simdBits: Int {
        #if arch(x86_64)
        return 256
        #else
        return 128
        #endif
    }

    /// FMA instructions per cycle per core, measured: FLOP/cycle over (fp32 lanes of `simdBits` × 2 FLOP).
    public var fmaPerCycle: Double { flopPerCyclePerCore / Double(Self.simdBits / 32 * 2) }

    /// The last-level cache's total size over all its instances, bytes (nil where the OS reports no cache).
    public static func lastLevelCacheBytes(_ caches: [HostProbe.Cache], onlineCPUs: Int) -> Double? {
        guard let last = caches.filter({ $0.type != "Instruction" }).max(by: { $0.level < $1.level }) else { return nil }
        return last.size * Double(instances(of: last, onlineCPUs: onlineCPUs))
    }

    /// Instances of a cache on the whole host: online CPUs over the CPUs sharing one (rounded up).
    static func instances(of cache: HostProbe.Cache, onlineCPUs: Int) -> Int {
        guard cache.sharedCPUs > 0 else { return 1 }
        return max(1, (onlineCPUs + cache.sharedCPUs - 1) / cache.sharedCPUs)
    }

    /// Measures this host: reads what the OS reports, then times the add chain (1 thread), the FMA kernel
    /// (1 thread, then all) and the triad (all threads), calling `progress` with one line before each step.
    public static func measure(_ options: Options = .standard, progress: (String) -> Void = { _ in }) -> HostCalibration {
        let onlineCPUs = HostProbe.onlineCPUs()
        let threads = max(1, options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let caches = HostProbe.caches()
        let llc = lastLevelCacheBytes(caches, onlineCPUs: onlineCPUs) ?? 32 * 1024 * 1024
        let arrayBytes = options.triadArrayBytes ?? max(32 << 20, options.triadLLCMultiple * Int(llc))
        let date = Date()
        let before = HostProbe.cpuTimes()

        progress("clock: dependent add chain on 1 thread (\(Quantity.format(options.clockSeconds, .time)))")
        let clock = measureClock(seconds: options.clockSeconds)
        progress("peak FMA: 12 independent SIMD8<Float> FMA chains on 1 thread (\(Quantity.format(options.fmaSeconds, .time)))")
        let single = measurePeakFMA(threads: 1, seconds: options.fmaSeconds)
        progress("peak FMA: the same on \(threads) threads")
        let all = measurePeakFMA(threads: threads, seconds: options.fmaSeconds)
        progress("STREAM triad: 3 × \(Quantity.formatNatural(Double(arrayBytes), .bytes)) on \(threads) threads, "
            + "best of \(options.triadRepetitions)")
        let triad = measureTriad(threads: threads, arrayBytes: arrayBytes, repetitions: options.triadRepetitions)
        let others = before.flatMap { start in HostProbe.cpuTimes().map { $0.othersShare(since: start) } }
        if let others, others > busyShare {
            progress("warning: other processes took \(Int((others * 100).rounded())) % of the CPU time meanwhile; "
                + "the rates are low: measure on an idle host")
        }

        progress("dense attention kernel: 64 × 64 tiles, head_dim 64, on \(threads) threads")
        let kernelTokens = options.fmaSeconds < 0.5 ? 512 : 2048
        let kernel = measureDenseKernel(threads: threads, tokens: kernelTokens)
        progress("dense attention backward: the same problem, dQ by a separate Q-major pass")
        let backward = measureDenseBackward(threads: threads, tokens: kernelTokens)

        progress("masked tiles: 1-D, 2-D and 3-D masks, every tile partial against the same tiles unmasked")
        let masked = measureMaskedTileCosts(threads: threads, quick: options.fmaSeconds < 0.5)
        progress("per-Q-tile cost: one full tile per Q tile against 64, 64 × 64 tiles")
        let perQTile = measurePerQTile(threads: threads, quick: options.fmaSeconds < 0.5)

        #if DEBUG
        let optimized = false
        #else
        let optimized = true
        #endif
        var result = HostCalibration(
            date: date, model: HostProbe.modelName(), onlineCPUs: onlineCPUs, threadsPerCore: HostProbe.threadsPerCore(),
            threads: threads, reportedClocks: HostProbe.reportedClocks(), measuredClock: clock,
            fmaSingleCore: single, fmaAllCores: all, triadBandwidth: triad,
            triadArrayBytes: triadChunk(threads: threads, arrayBytes: arrayBytes) * threads * MemoryLayout<Float>.stride,
            triadRepetitions: options.triadRepetitions, caches: caches, othersCPUShare: others, options: options, optimized: optimized)
        result.denseKernel = kernel
        result.denseBackward = backward
        result.maskedTiles = masked
        result.perQTile = perQTile
        return result
    }

    /// Seconds a Q tile costs the kernel beyond its tiles' work, per Q tile on one core: the same Q tiles (64 tokens,
    /// 2·threads heads of T tokens, head_dim 64) run once visiting all T/64 KV tiles (dense) and once visiting one
    /// (frames of 64 tokens: each Q tile its own KV tile, full), alternating, median of 5. With W workers over I·Q
    /// Q tiles, wall = I·Q·(p + V·c)/W for V visits per Q tile: c from the difference, p from the one-visit run.
    /// Packing K and V (once per KV tile, as many as Q tiles here) lands in p.
    public static func measurePerQTile(threads: Int, quick: Bool) -> Double {
        let tokens = quick ? 512 : 4096, instances = 2 * threads, tile = 64, runs = quick ? 3 : 5
        let dense = AttentionPlan.dense(queries: tokens, keys: tokens, qTile: tile, kvTile: tile)
        let diagonal = AttentionPlan.rows(BlockCausalMask(queries: tokens, keys: tokens, block: tile, window: 1), head: 0,
                                          queries: tokens, keys: tokens, qTile: tile, kvTile: tile)
        precondition(diagonal.visitCount == diagonal.qTileCount && diagonal.fullCount == diagonal.visitCount)
        let inputs = AttentionInputs(plan: dense, instances: instances, e: 64, f: 64)
        defer { inputs.deallocate() }
        let (wallDense, wallDiagonal) = AlternatingTimer.medians(runs: runs, { inputs.run(dense, threads: threads) },
                                                                 { inputs.run(diagonal, threads: threads) })
        let qTiles = Double(instances * dense.qTileCount), visits = Double(dense.visitCount / dense.qTileCount)
        let perVisit = (wallDense - wallDiagonal) * Double(threads) / (qTiles * (visits - 1))
        return max(0, wallDiagonal * Double(threads) / qTiles - perVisit)
    }

    /// Partial over full tile time of the CPU kernel for masks of 1, 2 and 3 token axes, and the line through them.
    public struct MaskedTileCosts: Sendable {
        /// Per mask: its description, token axes, and time with every visit partial ÷ time with every visit full.
        public var ratios: [(what: String, axes: Int, ratio: Double)]
        /// The 1-D ratio: `masked_tile_cost`.
        public var base: Double { ratios.first { $0.axes == 1 }?.ratio ?? 1 }
        /// The least-squares slope of the ratio over axes beyond the first, through the 1-D ratio, floored at 0
        /// (a negative slope is noise: a mask with more axes does not evaluate faster).
        public var perAxis: Double {
            let extra = ratios.filter { $0.axes > 1 }
            let xx = extra.reduce(0.0) { $0 + Double(($1.axes - 1) * ($1.axes - 1)) }
            let xy = extra.reduce(0.0) { $0 + Double($1.axes - 1) * ($1.ratio - base) }
            return xx > 0 ? max(0, xy / xx) : 0
        }
    }

    /// Times the kernel on three plans — a Sparse Transformer strided mask (l = 64, 1-D tiles of 64), 2-D GNA (window
    /// 17, tiles 8 × 8) and 3-D GNA (window 7³, tiles 4³) — each run with every visit marked partial (the mask
    /// evaluated row by row) and with the same visits marked full, alternating, median of 5 after a warm-up: the
    /// ratio is what a partially masked tile costs over a full one, measured, not fitted.
    public static func measureMaskedTileCosts(threads: Int, quick: Bool) -> MaskedTileCosts {
        // Quick (tests, debug builds): smaller problems and 3 runs.
        let side2 = quick ? 24 : 64, side3 = quick ? 8 : 16, tokens1 = side2 * side2, runs = quick ? 3 : 5
        let cases: [(String, Int, AttentionPlan)] = [
            ("strided l = 64, \(tokens1) tokens, 64-token tiles", 1,
             .rows(StridedMask(queries: tokens1, keys: tokens1, stride: 64), head: 0, queries: tokens1, keys: tokens1,
                   qTile: 64, kvTile: 64)),
            ("2-D GNA \(side2)², window 17², tiles 8²", 2,
             .gna(GNAMask(axes: [GNAAxis(length: side2, window: 17), GNAAxis(length: side2, window: 17)]),
                  qTile: [8, 8], kvTile: [8, 8], kvTiling: .static)),
            ("3-D GNA \(side3)³, window 7³, tiles 4³", 3,
             .gna(GNAMask(axes: (0..<3).map { _ in GNAAxis(length: side3, window: 7) }),
                  qTile: [4, 4, 4], kvTile: [4, 4, 4], kvTiling: .static)),
        ]
        var ratios: [(String, Int, Double)] = []
        for (what, axes, plan) in cases {
            var partial = plan, full = plan
            for i in plan.visits.indices {
                partial.visits[i].full = false
                full.visits[i].full = true
            }
            let inputs = AttentionInputs(plan: plan, instances: 2 * threads, e: 64, f: 64)
            defer { inputs.deallocate() }
            let times = AlternatingTimer.medians(runs: runs, { inputs.run(full, threads: threads) },
                                                 { inputs.run(partial, threads: threads) })
            ratios.append((what, axes, times.second / times.first))
        }
        return MaskedTileCosts(ratios: ratios)
    }

    /// FLOP/s of the dense attention kernel on `threads` threads: 2 × threads heads of `tokens` tokens, best of 3.
    public static func measureDenseKernel(threads: Int, tokens: Int) -> Double {
        let instances = 2 * threads, e = 64
        let plan = AttentionPlan.dense(queries: tokens, keys: tokens, qTile: 64, kvTile: 64)
        let inputs = AttentionInputs(plan: plan, instances: instances, e: e, f: e)
        defer { inputs.deallocate() }
        var best = Double.infinity
        for _ in 0..<4 {   // the first run warms up
            let start = DispatchTime.now().uptimeNanoseconds
            inputs.run(plan, threads: threads)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return 4 * Double(instances) * Double(tokens) * Double(tokens) * Double(e) / best
    }

    /// FLOPs per attended pair of the backward kernel `measureDenseBackward` runs: the KV-major loop's S, dV, dP and
    /// dK and the separate dQ pass's S, dP and dQ, 2(4E + 3F) (`PassFLOPs`): what `GPUKernelCost` prices for a
    /// `dq: separate` backward, so the efficiency measured here is the one the model applies to the same FLOPs.
    public static func backwardFLOPsPerPair(headDim e: Int, valueDim f: Int) -> Double {
        PassFLOPs.backwardKeyValue(headDim: e, valueDim: f) + PassFLOPs.backwardQuery(headDim: e, valueDim: f)
    }

    /// FLOP/s of the backward kernel (`AttentionBackwardKernel`, dQ by its separate pass) on `threads` threads, on
    /// `measureDenseKernel`'s problem (2 × threads heads of `tokens` tokens, 64 × 64 tiles, head_dim 64): one forward
    /// with its log-sum-exp, then the backward on it four times, the first a warm-up, best of 3.
    public static func measureDenseBackward(threads: Int, tokens: Int) -> Double {
        let instances = 2 * threads, e = 64
        let plan = AttentionPlan.dense(queries: tokens, keys: tokens, qTile: 64, kvTile: 64)
        let backward = AttentionBackwardPlan(plan)
        let inputs = AttentionTrainingInputs(plan: plan, instances: instances, e: e, f: e)
        defer { inputs.deallocate() }
        inputs.runForward(plan, threads: threads)
        var best = Double.infinity
        for _ in 0..<4 {   // the first run warms up
            let start = DispatchTime.now().uptimeNanoseconds
            inputs.runBackward(backward, threads: threads, dqMode: .separatePass)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return backwardFLOPsPerPair(headDim: e, valueDim: e) * Double(instances) * Double(tokens) * Double(tokens) / best
    }
}
