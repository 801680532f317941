import Foundation

/// The microkernels `attnsim calibrate` times: a dependent add chain (clock), independent SIMD FMA chains (peak
/// FLOP/s) and the STREAM triad (DRAM bandwidth). Each public `measure…` function is usable on its own, e.g. to
/// report a kernel's throughput as a fraction of the measured peak:
///
/// ```swift
/// let peak = HostCalibration.measurePeakFMA(threads: 2, seconds: 0.5)   // FLOP/s, fp32, all cores
/// print("dense attention at \(achieved / peak * 100) % of the FMA peak")
/// ```
///
/// The kernels are compiled with the `AttnSimKernels` flags (`-target-cpu haswell` on x86-64): `SIMD8<Float>`
/// is one ymm register and `addingProduct` one `vfmadd…ps ymm`. Time them in a release build; a debug build
/// runs them unoptimized and measures far less than the hardware does.
extension HostCalibration {
    /// Independent accumulators in the FMA kernel: FMA latency (4 cycles on Zen 4/5, Intel since Skylake) × FMA
    /// pipes (2) = 8 chains keep both pipes busy; 12 leave slack and still fit the 16 ymm registers with the two
    /// operands.
    public static let fmaChains = 12
    /// fp32 lanes in one `SIMD8<Float>` FMA.
    public static let fmaLanes = 8
    /// FLOP per iteration of the FMA kernel: chains × lanes × 2 (a multiply and an add).
    static let fmaFlopsPerIteration = Double(fmaChains * fmaLanes * 2)
    /// Dependent adds per iteration of the add chain.
    static let chainAddsPerIteration = 4

    // MARK: - Kernels

    /// `iterations` × 12 fused multiply-adds `a = c + a·m` on 12 independent `SIMD8<Float>` accumulators; the
    /// accumulators converge to c / (1 − m), so nothing overflows or goes subnormal. Returns their sum.
    @inline(never)
    static func fmaKernel(iterations: Int, multiplier: Float, addend: Float) -> Float {
        let m = SIMD8<Float>(repeating: multiplier)
        let c = SIMD8<Float>(repeating: addend)
        // Distinct starting values, so no two chains are the same computation the optimizer could merge.
        var a0 = c, a1 = c + 1, a2 = c + 2, a3 = c + 3, a4 = c + 4, a5 = c + 5
        var a6 = c + 6, a7 = c + 7, a8 = c + 8, a9 = c + 9, a10 = c + 10, a11 = c + 11
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, m); a1 = c.addingProduct(a1, m); a2 = c.addingProduct(a2, m)
            a3 = c.addingProduct(a3, m); a4 = c.addingProduct(a4, m); a5 = c.addingProduct(a5, m)
            a6 = c.addingProduct(a6, m); a7 = c.addingProduct(a7, m); a8 = c.addingProduct(a8, m)
            a9 = c.addingProduct(a9, m); a10 = c.addingProduct(a10, m); a11 = c.addingProduct(a11, m)
        }
        let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
        return sum.sum()
    }

    /// `iterations` × 4 integer adds, each needing the one before (x += y; y += x; …): one add per cycle on any
    /// out-of-order core, so adds per second is the clock. The optimizer has no closed form for this recurrence.
    @inline(never)
    static func addChain(iterations: Int, _ x0: UInt64, _ y0: UInt64) -> UInt64 {
        var x = x0, y = y0
        for _ in 0..<iterations {
            x = x &+ y; y = y &+ x
            x = x &+ y; y = y &+ x
        }
        return x ^ y
    }

    /// STREAM triad on one chunk: a[i] = b[i] + s·c[i] (vectorized by the compiler: 8 floats per ymm).
    @inline(never)
    static func triadKernel(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                            count: Int, scalar: Float) {
        for i in 0..<count { a[i] = b[i] + scalar * c[i] }
    }

    // MARK: - Measurements

    /// The peak fp32 FMA rate in FLOP/s over `threads` threads, each running the 12-chain kernel: the best of
    /// 5 timed runs (after a warm-up that also sizes them) sharing about `seconds` of wall time.
    public static func measurePeakFMA(threads: Int, seconds: Double) -> Double {
        let threads = max(1, threads)
        let iterations = iterationsFor(seconds: seconds / 5) { n in fmaRun(threads: threads, iterations: n) }
        var best = Double.infinity
        for _ in 0..<5 { best = min(best, fmaRun(threads: threads, iterations: iterations)) }
        return Double(threads) * Double(iterations) * fmaFlopsPerIteration / best
    }

    /// Wall seconds of one FMA run: `threads` kernels of `iterations` in parallel.
    static func fmaRun(threads: Int, iterations: Int) -> Double {
        let results = ResultSlots(count: threads)
        defer { results.deallocate() }
        let time = elapsed {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                results.values[thread] = Double(fmaKernel(iterations: iterations, multiplier: 0.999_9,
                                                          addend: 1e-4 * Float(thread + 1)))
            }
        }
        // Using the results keeps the kernels alive; they converge to ≤ 12 · 8 · (addend / (1 − m)) + the start.
        precondition(results.values.allSatisfy(\.isFinite), "FMA kernel produced a non-finite value")
        return time
    }

    /// Timed runs of the clock measurement: many short ones, so that the best escapes interrupts and a
    /// hypervisor's steal.
    static let clockRuns = 10

    /// The clock in Hz from the add chain on one thread: adds per second, best of 10 runs sharing `seconds`.
    public static func measureClock(seconds: Double) -> Double {
        var sink: UInt64 = 0
        let iterations = iterationsFor(seconds: seconds / Double(clockRuns)) { n in
            elapsed { sink ^= addChain(iterations: n, UInt64(n), 1) }
        }
        var best = Double.infinity
        for run in 0..<clockRuns {
            best = min(best, elapsed { sink ^= addChain(iterations: iterations, UInt64(run), 3) })
        }
        chainSink = sink
        return Double(iterations * chainAddsPerIteration) / best
    }

    /// STREAM triad bandwidth in bytes/s over `threads` threads: three fp32 arrays of `arrayBytes` each, first
    /// touched by the thread that later streams each chunk, best of `repetitions` after one warm-up pass.
    /// Bytes are counted as STREAM does: 3 arrays × 4 B per element (the write-allocate read of `a` is not counted).
    public static func measureTriad(threads: Int, arrayBytes: Int, repetitions: Int) -> Double {
        let threads = max(1, threads)
        let chunk = triadChunk(threads: threads, arrayBytes: arrayBytes)
        let count = chunk * threads
        let arrays = TriadArrays(count: count)
        defer { arrays.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let range = thread * chunk ..< (thread + 1) * chunk
            for i in range { arrays.a[i] = 0; arrays.b[i] = 1; arrays.c[i] = 2 }
        }
        let scalar: Float = 3
        var best = Double.infinity
        for _ in 0..<(max(1, repetitions) + 1) {
            let time = elapsed {
                DispatchQueue.concurrentPerform(iterations: threads) { thread in
                    let start = thread * chunk
                    triadKernel(arrays.a + start, arrays.b + start, arrays.c + start, count: chunk, scalar: scalar)
                }
            }
            best = min(best, time)
        }
        precondition(arrays.a[0] == 7 && arrays.a[count - 1] == 7, "STREAM triad computed a wrong value")
        return 3 * Double(MemoryLayout<Float>.stride) * Double(count) / best
    }

    // MARK: - Helpers

    /// Elements of the triad arrays each thread streams: `arrayBytes` split evenly, a multiple of 64 floats.
    static func triadChunk(threads: Int, arrayBytes: Int) -> Int {
        max(64, arrayBytes / MemoryLayout<Float>.stride / max(1, threads) / 64 * 64)
    }

    /// Where the add chain's result goes, so the optimizer cannot drop the chain (written by one thread at a time).
    nonisolated(unsafe) static var chainSink: UInt64 = 0

    /// Iterations for one run of about `seconds`: doubles a trial run from 1024 iterations until it takes at least
    /// 1/8 of that (which also warms the core up), then scales.
    static func iterationsFor(seconds: Double, _ run: (Int) -> Double) -> Int {
        var n = 1024
        while true {
            let time = run(n)
            if time >= seconds / 8 || n >= 1 << 40 {
                return max(1, Int(Double(n) * seconds / max(time, 1e-9)))
            }
            n *= 2
        }
    }

    /// Wall seconds of `body` (monotonic clock).
    static func elapsed(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// One result slot per thread, written without locks (each thread owns its slot).
    struct ResultSlots: @unchecked Sendable {
        let values: UnsafeMutableBufferPointer<Double>
        init(count: Int) { values = .allocate(capacity: count); values.initialize(repeating: 0) }
        func deallocate() { values.deallocate() }
    }

    /// The triad's three arrays, page-aligned, shared by the threads (each writes only its own chunk).
    struct TriadArrays: @unchecked Sendable {
        let a, b, c: UnsafeMutablePointer<Float>

        init(count: Int) {
            func allocate() -> UnsafeMutablePointer<Float> {
                UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 4096)
                    .bindMemory(to: Float.self, capacity: count)
            }
            a = allocate(); b = allocate(); c = allocate()
        }

        func deallocate() { [a, b, c].forEach { UnsafeMutableRawPointer($0).deallocate() } }
    }
}
