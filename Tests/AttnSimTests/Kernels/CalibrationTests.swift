import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// `attnsim calibrate`: a quick calibration of this host written as a hardware file, loaded back with
/// `HardwareSpec.load`, and held against what the OS reports (read here independently of `HostProbe`).
/// Timings are checked only against sanity bounds: the tests run in a debug build, beside other tests.
@Suite struct CalibrationTests {
    /// One quick calibration shared by the tests (about 0.5 s in a debug build).
    static let host = HostCalibration.measure(.quick)

    /// The quick calibration written to a file and loaded back.
    static func loaded() throws -> (HostCalibration, HardwareSpec) {
        let path = try temporaryFile(named: "host.yaml", contents: Data(host.hardwareYAML().utf8))
        return (host, try HardwareSpec.load(path: path))
    }

    /// Hardware threads per core from sysfs (1 where the file is missing).
    static func threadsPerCore() -> Int {
        guard let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
                                     encoding: .utf8) else { return 1 }
        return max(1, cpuCount(text))
    }

    static func cpuCount(_ list: String) -> Int {
        var count = 0
        for part in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let ends = part.split(separator: "-").map { Int($0)! }
            count += ends.count == 2 ? ends[1] - ends[0] + 1 : 1
        }
        return count
    }

    @Test func writtenFileLoadsAsCPU() throws {
        let (host, spec) = try Self.loaded()
        #expect(spec.kind == .cpu)
        #expect(spec.name.hasPrefix("host-"))
        #expect(spec.units?.name == "core")
        // Values are written to 4 significant digits.
        let fp32 = try #require(spec.vector[.fp32])
        #expect(abs(fp32 / host.fmaAllCores - 1) < 1e-3)
        let dram = try #require(spec.offChip.bandwidth)
        #expect(abs(dram / host.triadBandwidth - 1) < 1e-3)
        #expect(abs(spec.clock / host.clock - 1) < 1e-3)
        let simd = try #require(spec.simd)
        #expect(simd.width * 8 == Double(HostCalibration.simdBits))
        #expect(simd.fmaPerCycle > 0)
        #expect(spec.sources.count >= 6)
        #expect(spec.sources.contains { $0.contains("STREAM triad") && $0.contains("3 arrays x 4 B per element") })
        // The kernel profile is measured, each number with its source: the masked-tile ratios (a partial tile does
        // the full tile's work and more) and the per-Q-tile cost.
        let cpu = try #require(spec.kernels["cpu"])
        let masked = try #require(host.maskedTiles)
        #expect(masked.ratios.count == 3 && masked.ratios.allSatisfy { $0.ratio.isFinite && $0.ratio > 0.5 })
        let (maskedTileCost, perCTA) = (try #require(cpu.maskedTileCost), try #require(cpu.perCTA))
        #expect(abs(maskedTileCost - masked.base) < 1e-3 && masked.perAxis >= 0)
        let perQTile = try #require(host.perQTile)
        #expect(perQTile.isFinite && perQTile >= 0 && abs(perCTA - perQTile) < 1e-8)
        #expect(spec.sources.contains { $0.contains("kernels.cpu.per_cta measured now") })
        #expect(spec.sources.contains { $0.contains("kernels.cpu.masked_tile_cost and masked_tile_cost_per_axis measured now") })
    }

    /// The backward kernel's block: `dq: separate` (the CPU kernel's default), its efficiency the measured FLOP rate of
    /// the FLOPs that kernel runs over vector.fp32, with its source; and the simulator uses it for a training pass,
    /// pricing the FLOPs calibrate counted.
    @Test func backwardBlockIsMeasuredAndUsed() throws {
        let (host, loaded) = try Self.loaded()
        let measured = try #require(host.denseBackward)
        #expect(measured.isFinite && measured > 0)
        let backward = try #require(loaded.kernels["cpu"]?.backward)
        #expect(backward.dq == .separate)
        let efficiency = try #require(backward.efficiency)
        #expect(abs(efficiency - min(1, measured / host.fmaAllCores)) < 1e-3)
        #expect(backward.perCTA == nil && backward.qTileTokens == nil)   // carried from the forward
        #expect(loaded.sources.contains { $0.hasPrefix("kernels.cpu.backward: ") && $0.contains("2(4E + 3F) per pair") })
        // Without the fixed cost per work item (measured, so of any size), the compute kernels dominate the backward.
        var spec = loaded
        spec.kernels["cpu"]?.perCTA = 0

        let workload = try Workload.parse(text: """
            attnsim: 1
            name: calibrated-training
            pass: training
            problem: {heads: 2, head_dim: 64, tokens: 512, dtype: fp32}
            mask: {kind: none}
            kernel: {backend: cpu}
            """, file: "training.yaml")
        let result = try Simulator.run(hardware: spec, workload: workload)
        let run = try #require(result.gpu?.sparseBackward)
        #expect(run.kernels.map(\.name) == ["preprocess", "dk_dv", "dq"])
        // The KV-major kernel and the dQ pass price, between them, the FLOPs the calibration counted.
        let pairs = 2.0 * 512 * 512
        let priced = run.kernels.reduce(0) { $0 + $1.run.executedFLOPs }
        #expect(abs(priced / (pairs * HostCalibration.backwardFLOPsPerPair(headDim: 64, valueDim: 64)) - 1) < 1e-9)
        // Halving the backward's efficiency slows the backward's compute kernels and leaves the forward alone.
        var slower = spec
        slower.kernels["cpu"]?.backward?.efficiency = efficiency / 2
        let halved = try Simulator.run(hardware: slower, workload: workload)
        let (before, after) = (try #require(result.simulated.time), try #require(halved.simulated.time))
        let backwardBefore = run.total.time, backwardAfter = try #require(halved.gpu?.sparseBackward).total.time
        #expect(backwardAfter > 1.5 * backwardBefore)
        #expect(abs((after - backwardAfter) - (before - backwardBefore)) <= 1e-9 * before)
    }

    @Test func coresAreTheActiveProcessors() throws {
        let (host, spec) = try Self.loaded()
        // Without SMT (this project's 2-core box) cores == activeProcessorCount; with SMT, one unit per core.
        let expected = ProcessInfo.processInfo.activeProcessorCount / Self.threadsPerCore()
        #expect(spec.units?.count == expected)
        #expect(host.cores == expected)
    }

    /// 64 FP32 FLOP/cycle/core is the most any x86 core issues: two 512-bit FMA pipes × 16 lanes × 2 FLOP
    /// (Zen 5, Intel server cores); the 256-bit kernel can reach half of it (two ymm FMAs per cycle), so the bound
    /// also absorbs a clock estimate up to 2× too low. The clock is the larger of the estimate and /proc/cpuinfo's.
    @Test func fmaRateIsPositiveAndBelowTheoreticalBound() throws {
        let (host, spec) = try Self.loaded()
        let cpuinfo = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.hasPrefix("cpu MHz") }
            .compactMap { $0.split(separator: ":").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        let clock = max(host.measuredClock, spec.clock, (cpuinfo.max() ?? 0) * 1e6)
        let cores = Double(try #require(spec.units?.count))
        #expect(host.fmaSingleCore > 0)
        #expect(host.fmaAllCores > 0)
        #expect(host.fmaSingleCore <= clock * 64)
        #expect(try #require(spec.vector[.fp32]) <= clock * cores * 64)
        #expect(host.measuredClock > 0)
    }

    @Test func bandwidthIsPositive() throws {
        let (host, spec) = try Self.loaded()
        #expect(try #require(spec.offChip.bandwidth) > 0)
        #expect(spec.offChip.name == "DRAM")
        // The triad arrays are at least twice the last-level cache (quick) and 32 MiB.
        #expect(host.triadArrayBytes >= 32 << 20 - 4096)
    }

    /// Every data or unified cache sysfs lists for CPU 0 appears with its size: per core when no more CPUs share it
    /// than one core's threads, else summed over its instances.
    @Test func cacheSizesMatchSysfs() throws {
        let (_, spec) = try Self.loaded()
        let root = "/sys/devices/system/cpu/cpu0/cache"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root))?.filter { $0.hasPrefix("index") } ?? []
        func read(_ path: String) -> String {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var checked = 0
        for entry in entries {
            let directory = root + "/" + entry
            let type = read(directory + "/type")
            guard type != "Instruction", let level = Int(read(directory + "/level")) else { continue }
            var sizeText = read(directory + "/size")
            var scale = 1.0
            if sizeText.hasSuffix("K") { scale = 1024; sizeText.removeLast() }
            if sizeText.hasSuffix("M") { scale = 1024 * 1024; sizeText.removeLast() }
            let size = try #require(Double(sizeText)) * scale
            let shared = Self.cpuCount(read(directory + "/shared_cpu_list"))
            let online = ProcessInfo.processInfo.activeProcessorCount
            let perCore = shared <= Self.threadsPerCore()
            let name = type == "Data" ? "L\(level)d" : "L\(level)"
            let memory = try #require(spec.memory.first { $0.name == name }, "\(name) missing")
            #expect(memory.perUnit == perCore, "\(name)")
            #expect(memory.size == (perCore ? size : size * Double((online + shared - 1) / shared)), "\(name)")
            checked += 1
        }
        #expect(spec.memory.count == checked + 1)
        #if os(Linux)
        #expect(checked >= 2)
        #endif
    }

    @Test func sysfsTextParsing() {
        #expect(HostProbe.parseSize("48K") == Double(48 * 1024))
        #expect(HostProbe.parseSize("32M") == Double(32 * 1024 * 1024))
        #expect(HostProbe.parseSize("512") == 512)
        #expect(HostProbe.parseSize("") == nil)
        #expect(HostProbe.cpuCount(inList: "0-3,8,10-11") == 7)
        #expect(HostProbe.cpuCount(inList: "0") == 1)
    }

    /// 2 CPUs for 1 s: 1.5 s busy, of which this process took 1 s, leaves 0.5 s of 2 s to others.
    @Test func othersShareLeavesOutThisProcess() {
        let start = HostProbe.CPUTimes(hostBusy: 10, hostTotal: 100, process: 3)
        let end = HostProbe.CPUTimes(hostBusy: 11.5, hostTotal: 102, process: 4)
        #expect(end.othersShare(since: start) == 0.25)
        #expect(start.othersShare(since: start) == 0)
    }

    /// A fixed measurement: a debug build falls back to the reported clock, fma_per_cycle is FLOP/cycle over 16, an L3
    /// shared by 8 of 16 CPUs is listed once with both instances summed, and the file loads.
    @Test func fixedMeasurementWritesExpectedFile() throws {
        let caches = [
            HostProbe.Cache(level: 1, type: "Data", size: 32 * 1024, sharedCPUs: 2, sharedCPUList: "0,8"),
            HostProbe.Cache(level: 1, type: "Instruction", size: 32 * 1024, sharedCPUs: 2, sharedCPUList: "0,8"),
            HostProbe.Cache(level: 2, type: "Unified", size: 1024 * 1024, sharedCPUs: 2, sharedCPUList: "0,8"),
            HostProbe.Cache(level: 3, type: "Unified", size: 32 * 1024 * 1024, sharedCPUs: 8, sharedCPUList: "0-3,8-11"),
        ]
        let host = HostCalibration(
            date: Date(timeIntervalSince1970: 0), model: "Example CPU 9000", onlineCPUs: 16, threadsPerCore: 2,
            threads: 16, reportedClocks: [HostProbe.ReportedClock(frequency: 3e9, source: "test")],
            measuredClock: 1e9, fmaSingleCore: 96e9, fmaAllCores: 768e9, triadBandwidth: 50e9,
            triadArrayBytes: 256 << 20, triadRepetitions: 10, caches: caches, othersCPUShare: 0.5, options: .quick, optimized: false)
        let text = host.hardwareYAML()
        #expect(text.contains("name: host-example-9000-8c\n"))
        #expect(text.contains("clock: 3 GHz\n"))   // debug build: the reported clock, not the 1 GHz estimate
        #expect(text.contains("vector: {fp32: 768 GFLOP/s}\n"))
        #expect(text.contains("simd: {width: \(HostCalibration.simdBits) bit, fma_per_cycle: "))
        #expect(text.contains("  - {name: L3,   size: 64 MiB}\n"))
        #expect(text.contains("  - {name: L2,   size: 1 MiB, per: unit}\n"))
        #expect(text.contains("DEBUG BUILD"))
        #expect(text.contains("other processes took 50.0 % of the CPU time meanwhile"))
        let spec = try HardwareSpec.parse(text: text, file: "fixed.yaml")
        #expect(spec.units?.count == 8)
        #expect(spec.memory.map(\.name) == ["DRAM", "L3", "L2", "L1d"])
        #if arch(x86_64)
        #expect(spec.simd?.fmaPerCycle == 2)   // 96 GFLOP/s / 3 GHz = 32 FLOP/cycle = 2 ymm FMAs
        #endif
    }

    /// The kernel profile written from fixed kernel rates: forward 384 and backward 192 GFLOP/s of a 768 GFLOP/s peak.
    @Test func fixedKernelRatesWriteTheBackwardBlock() throws {
        var host = HostCalibration(
            date: Date(timeIntervalSince1970: 0), model: "Example CPU 9000", onlineCPUs: 16, threadsPerCore: 2,
            threads: 16, reportedClocks: [HostProbe.ReportedClock(frequency: 3e9, source: "test")],
            measuredClock: 3e9, fmaSingleCore: 96e9, fmaAllCores: 768e9, triadBandwidth: 50e9,
            triadArrayBytes: 256 << 20, triadRepetitions: 10, caches: [], othersCPUShare: 0, options: .quick, optimized: true)
        host.denseKernel = 384e9
        host.denseBackward = 192e9
        let text = host.hardwareYAML()
        #expect(text.contains(", backward: {dq: separate, efficiency: 0.250}}\n"))
        #expect(text.contains("(0.50 of the forward kernel's FLOP rate)"))
        let spec = try HardwareSpec.parse(text: text, file: "fixed.yaml")
        let cpu = try #require(spec.kernels["cpu"])
        #expect(cpu.efficiency == 0.5 && cpu.backward?.efficiency == 0.25 && cpu.backward?.dq == .separate)
        // Without a backward measurement the profile has no backward block (a training pass is then an error).
        host.denseBackward = nil
        let forwardOnly = try HardwareSpec.parse(text: host.hardwareYAML(), file: "forward.yaml")
        #expect(forwardOnly.kernels["cpu"] != nil && forwardOnly.kernels["cpu"]?.backward == nil)
    }

    @Test func commandWritesFileAndSummary() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("attnsim-calibrate-\(UUID().uuidString)/nested")
        let out = directory.appendingPathComponent("host.yaml").path
        let output = try CLI.run(["calibrate", "--quick", "--out", out])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("wrote \(out)"))
        #expect(output.stderr.contains("STREAM triad"))
        #expect(try HardwareSpec.load(path: out).kind == .cpu)
    }
}
