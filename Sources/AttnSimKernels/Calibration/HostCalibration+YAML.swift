import AttnSim
import Foundation

/// The measurement as a `kind: cpu` hardware file (README.md, "Files"), values with units through
/// `Quantity.format` (which always parses back), and one `sources:` line per figure saying how it was obtained.
extension HostCalibration {
    /// `host-` and the CPU model in lower case with the core count: `host-amd-epyc-2c`.
    public var defaultName: String {
        let noise: Set<String> = ["r", "tm", "processor", "cpu", "with", "radeon", "graphics"]
        let words = model.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
            .filter { !noise.contains($0) }
        return (["host"] + words.prefix(4) + ["\(cores)c"]).joined(separator: "-")
    }

    /// The hardware file text; `name` defaults to `defaultName`.
    public func hardwareYAML(name: String? = nil) -> String {
        let clockText = Quantity.format(clock, .frequency)
        let fmaText = Quantity.format(fmaAllCores, .flopRate)
        let triadText = Quantity.format(triadBandwidth, .bandwidth)
        let levels = memoryLevels()
        let nameWidth = levels.map(\.name.count).max() ?? 0
        var lines = [
            "attnsim: 1",
            "name: \(name ?? defaultName)",
            "kind: cpu",
            "description: " + quoted("This host, measured by attnsim calibrate on \(dateText.prefix(10)): \(model), "
                + "\(cores) cores at \(clockText), fp32 FMA \(fmaText) on all cores, STREAM triad \(triadText)"),
            "clock: \(clockText)",
            "units: {name: core, count: \(cores)}",
            "vector: {fp32: \(fmaText)}",
            "simd: {width: \(Self.simdBits) bit, fma_per_cycle: \(String(format: "%.2g", fmaPerCycle))}",
            "memory:",
        ]
        for level in levels {
            let padding = String(repeating: " ", count: nameWidth - level.name.count)
            lines.append("  - {name: \(level.name),\(padding) \(level.fields)}")
        }
        var sources = sources()
        if let denseKernel {
            // A starting profile for attnsim's CPU kernels, so `attnsim crosscheck` runs on this file at once.
            let efficiency = min(1, denseKernel / fmaAllCores)
            lines.append("kernels:")
            let masked = maskedTiles.map { ($0.base, $0.perAxis) } ?? (Self.maskedTileCost, Self.maskedTileCostPerAxis)
            lines.append("  cpu: {q_tile_tokens: 64, kv_tile_tokens: 64, efficiency: \(String(format: "%.3f", efficiency)), "
                + "masked_tile_cost: \(String(format: "%.3f", masked.0)), "
                + "masked_tile_cost_per_axis: \(String(format: "%.3f", masked.1)), per_cta: "
                + (perQTile.map { String(format: "%.2f", $0 * 1e6) } ?? "\(Self.perQTileMicroseconds)") + " us"
                + (denseBackward.map { ", backward: {dq: separate, efficiency: \(String(format: "%.3f", min(1, $0 / fmaAllCores)))}" } ?? "")
                + "}")
            sources.append("kernels.cpu.efficiency: attnsim's dense CPU attention kernel (64 x 64 tiles, head_dim 64, "
                + "\(threads) threads) measured now at \(rate(denseKernel)) = \(String(format: "%.3f", efficiency)) of "
                + "vector.fp32")
            if let denseBackward {
                sources.append("kernels.cpu.backward: attnsim's CPU backward kernel (FlashAttention-2 Algorithm 2: KV-major "
                    + "dK, dV, then dQ by a separate Q-major pass, so dq: separate) on the same dense problem (64 x 64 "
                    + "tiles, head_dim 64, \(threads) threads, best of 3 after a warm-up) measured now at "
                    + "\(rate(denseBackward)), counting the FLOPs that kernel runs: 2(4E + 3F) per pair (S, dV, dP, dK; "
                    + "then S, dP, dQ), the count attnsim prices for a dq: separate backward; efficiency = "
                    + "\(String(format: "%.3f", min(1, denseBackward / fmaAllCores))) of vector.fp32 "
                    + "(\(String(format: "%.2f", denseBackward / denseKernel)) of the forward kernel's FLOP rate); "
                    + "per_cta, masked_tile_cost and the tiles are the forward's")
            }
            if let maskedTiles {
                let each = maskedTiles.ratios.map { "\($0.what): \(String(format: "%.3f", $0.ratio))" }.joined(separator: "; ")
                sources.append("kernels.cpu.masked_tile_cost and masked_tile_cost_per_axis measured now: the CPU kernel with "
                    + "every visit partial (mask evaluated row by row) over the same visits unmasked, head_dim 64, "
                    + "\(threads) threads, median of 5 alternating runs — \(each); the per-axis part is the least-squares "
                    + "slope over the extra axes")
            } else {
                sources.append("kernels.cpu.masked_tile_cost \(Self.maskedTileCost) (+ \(Self.maskedTileCostPerAxis) per extra "
                    + "token axis): NOT measured on this host (calibrate ran without the kernels); fitted by `attnsim "
                    + "crosscheck ... validation/cpu/workloads --fit`")
            }
            if let perQTile {
                sources.append("kernels.cpu.per_cta measured now: \(String(format: "%.2f", perQTile * 1e6)) us per Q tile beyond "
                    + "its tiles, from the CPU kernel running the same 64-token Q tiles over every KV tile and over one "
                    + "(frames of 64 tokens), head_dim 64, \(threads) threads, median of 5 alternating runs (packing K and "
                    + "V lands here)")
            } else {
                sources.append("kernels.cpu.per_cta \(Self.perQTileMicroseconds) us: NOT measured on this host; fitted by `attnsim "
                    + "crosscheck ... validation/cpu/workloads --fit` on the development host (AMD EPYC, 2 cores, 2026-11-23, "
                    + "validation/cpu/README.md). Refit here with: attnsim crosscheck THIS_FILE validation/cpu/workloads --fit")
            }
        }
        lines.append("sources:")
        lines += sources.map { "  - " + quoted($0) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// DRAM, then the data and unified caches from the outermost level in.
    func memoryLevels() -> [(name: String, fields: String)] {
        var levels = [(name: "DRAM", fields: "bandwidth: \(Quantity.format(triadBandwidth, .bandwidth))")]
        for cache in dataCaches.reversed() {
            let size = Quantity.formatNatural(cache.size * Double(instancesOnHost(cache)), .bytes)
            levels.append((cache.name, isPerCore(cache) ? "size: \(size), per: unit" : "size: \(size)"))
        }
        return levels
    }

    /// Caches that hold data (instruction caches are left out), innermost first.
    var dataCaches: [HostProbe.Cache] { caches.filter { $0.type != "Instruction" } }

    /// A cache is per core when no more CPUs share it than one core's hardware threads (sharing unknown: L1, L2).
    func isPerCore(_ cache: HostProbe.Cache) -> Bool {
        cache.sharedCPUs > 0 ? cache.sharedCPUs <= threadsPerCore : cache.level <= 2
    }

    /// Instances listed as one device-wide level (1 for a per-core cache, which `per: unit` multiplies instead).
    func instancesOnHost(_ cache: HostProbe.Cache) -> Int {
        isPerCore(cache) ? 1 : Self.instances(of: cache, onlineCPUs: onlineCPUs)
    }

    var dateText: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The masked-tile and per-Q-tile costs of attnsim's CPU kernel, as fitted on the development host
    /// (validation/cpu/README.md); calibrate does not measure them.
    static let maskedTileCost = 1.589
    static let maskedTileCostPerAxis = 0.209
    static let perQTileMicroseconds = 8.18

    func rate(_ value: Double) -> String { Quantity.format(value, .flopRate) }

    /// What was measured, how, when and on which CPU, with the raw numbers.
    func sources() -> [String] {
        func hz(_ value: Double) -> String { Quantity.format(value, .frequency) }
        let idleText = othersCPUShare.map { share in
            String(format: "other processes took %.1f %% of the CPU time meanwhile (/proc/stat less /proc/self/stat)", share * 100)
                + (share > Self.busyShare ? ": THE HOST WAS BUSY, the rates are low" : "")
        } ?? "whether other work ran meanwhile is unknown"
        let build = optimized ? "release build" : "DEBUG BUILD: the kernels ran unoptimized, so every rate is far below this host's"
        var lines = [
            "measured by `attnsim calibrate` (attnsim \(AttnSimVersion.string), \(build)) at \(dateText) on "
                + "'\(model)' (/proc/cpuinfo model name); \(idleText)",
            "units: \(onlineCPUs) online CPUs (sysconf _SC_NPROCESSORS_ONLN) / \(threadsPerCore) thread(s) per core "
                + "(sysfs cpu0/topology/thread_siblings_list) = \(cores) cores; all-core runs use \(threads) threads "
                + "(ProcessInfo.activeProcessorCount)",
        ]
        let reported = reportedClocks.map { "\($0.source) = \(hz($0.frequency))" }.joined(separator: "; ")
        let choice = measuredClockIsPlausible
            ? "clock is the add-chain estimate"
            : "the add-chain estimate is not trusted (\(optimized ? "too far from the reported clock" : "debug build")), so clock is the reported one"
        lines.append("clock: dependent integer add chain on 1 thread (x += y; y += x: each add waits for the one "
            + "before, 1 add per cycle), best of \(Self.clockRuns) runs of ~\(Quantity.format(options.clockSeconds / Double(Self.clockRuns), .time)): "
            + "\(hz(measuredClock)); reported: \(reported.isEmpty ? "none" : reported); \(choice)")
        lines.append("vector.fp32 is measured, not theoretical: \(threads) threads (DispatchQueue.concurrentPerform), "
            + "each running \(Self.fmaChains) independent SIMD8<Float> FMA chains (addingProduct: "
            + "\(Self.simdBits == 256 ? "one vfmadd213ps ymm" : "two 128-bit FMAs") per step, 16 FLOP), best of 5 runs of "
            + "~\(Quantity.format(options.fmaSeconds / 5, .time)): \(rate(fmaAllCores)) "
            + "(\(rate(fmaAllCores / Double(threads))) per thread)")
        lines.append("simd.fma_per_cycle: the same kernel on 1 thread: \(rate(fmaSingleCore)) / \(hz(clock)) = "
            + "\(Quantity.format(flopPerCyclePerCore, .number)) FLOP/cycle, / \(Self.simdBits / 32 * 2) FLOP per "
            + "\(Self.simdBits)-bit fp32 FMA = \(Quantity.format(fmaPerCycle, .number)) FMA/cycle")
        let llc = Self.lastLevelCacheBytes(caches, onlineCPUs: onlineCPUs)
        let multiple = llc.map { String(format: " (%.1fx the %@ last-level cache)", Double(triadArrayBytes) / $0,
                                        Quantity.formatNatural($0, .bytes)) } ?? ""
        lines.append("DRAM bandwidth: STREAM triad a[i] = b[i] + s*c[i], fp32, 3 arrays of "
            + "\(Quantity.formatNatural(Double(triadArrayBytes), .bytes)) each\(multiple), \(threads) threads each "
            + "first-touching and streaming its own chunk, best of \(triadRepetitions) passes after 1 warm-up: "
            + "\(Quantity.format(triadBandwidth, .bandwidth)); bytes counted as 3 arrays x 4 B per element (STREAM's "
            + "convention: the write-allocate read of a[] is not counted, so the memory bus moves up to 4/3 of this)")
        let cacheText = caches.map { cache -> String in
            let listed = cache.type == "Instruction" ? "not listed"
                : isPerCore(cache) ? "per core"
                : "\(Self.instances(of: cache, onlineCPUs: onlineCPUs)) instance(s) on \(onlineCPUs) CPUs, listed in all"
            return "\(cache.name) \(Quantity.formatNatural(cache.size, .bytes)) shared_cpu_list '\(cache.sharedCPUList)' -> \(listed)"
        }
        lines.append("caches from /sys/devices/system/cpu/cpu0/cache/index*/{level,type,size,shared_cpu_list}: "
            + (cacheText.isEmpty ? "none reported" : cacheText.joined(separator: "; ")))
        lines.append("DRAM size is left out: calibrate measures bandwidth, not capacity")
        return lines
    }

    /// A YAML double-quoted scalar.
    func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
