import Foundation

/// What the operating system says about this host's CPU: online CPUs, threads per core, model name, reported
/// clock and cache hierarchy (Linux: `/proc/cpuinfo` and `/sys/devices/system/cpu`; macOS: `sysctl`).
/// Nothing here is timed; `HostCalibration` measures the rest.
///
/// ```swift
/// let l2 = HostProbe.caches().first { $0.level == 2 }   // L2, 1 MiB, shared by 1 CPU on a Zen 5 core
/// ```
public enum HostProbe {
    /// One cache level as the kernel reports it for CPU 0.
    public struct Cache: Sendable, Equatable {
        /// 1, 2, 3, …
        public var level: Int
        /// `Data`, `Instruction` or `Unified` (sysfs spelling).
        public var type: String
        /// Capacity of one instance, bytes (sysfs `size`, where `K` means KiB and `M` MiB).
        public var size: Double
        /// Logical CPUs sharing one instance (sysfs `shared_cpu_list`), 0 where unknown.
        public var sharedCPUs: Int
        /// The raw `shared_cpu_list` text, for `sources:`.
        public var sharedCPUList: String

        /// `L1d`, `L1i`, `L2`, `L3`: the name a hardware file uses.
        public var name: String {
            switch type {
            case "Data": return "L\(level)d"
            case "Instruction": return "L\(level)i"
            default: return "L\(level)"
            }
        }
    }

    /// A clock the system reports (not measured).
    public struct ReportedClock: Sendable, Equatable {
        /// Hz.
        public var frequency: Double
        /// Where it was read, e.g. `/proc/cpuinfo "cpu MHz" (mean of 2 CPUs)`.
        public var source: String
    }

    /// CPU time of the whole host and of this process, seconds, to tell how much other work ran meanwhile.
    public struct CPUTimes: Sendable, Equatable {
        /// Busy seconds over all CPUs: `/proc/stat` user + nice + system + irq + softirq + steal.
        public var hostBusy: Double
        /// All seconds over all CPUs: busy + idle + iowait.
        public var hostTotal: Double
        /// This process's user + system seconds (`/proc/self/stat` utime + stime).
        public var process: Double

        /// The share of all CPUs' time that other processes (and a hypervisor's steal) took between `start` and these
        /// times, 0 to 1.
        public func othersShare(since start: CPUTimes) -> Double {
            let total = hostTotal - start.hostTotal
            guard total > 0 else { return 0 }
            return max(0, min(1, ((hostBusy - start.hostBusy) - (process - start.process)) / total))
        }
    }

    /// The host's and this process's CPU time now (nil without `/proc`).
    public static func cpuTimes() -> CPUTimes? {
        let tick = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        guard let line = read("/proc/stat")?.split(separator: "\n").first, line.hasPrefix("cpu "),
              let own = read("/proc/self/stat"), let close = own.lastIndex(of: ")") else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let host = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        let fields = own[own.index(after: close)...].split(separator: " ")   // state, ppid, …: utime is the 12th
        guard host.count >= 8, fields.count >= 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return nil
        }
        let busy = host[0] + host[1] + host[2] + host[5] + host[6] + host[7]
        return CPUTimes(hostBusy: busy / tick, hostTotal: (busy + host[3] + host[4]) / tick, process: (user + system) / tick)
    }

    /// Online logical CPUs (`sysconf(_SC_NPROCESSORS_ONLN)`).
    public static func onlineCPUs() -> Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Hardware threads per core: CPU 0's `topology/thread_siblings_list` (1 without SMT or where unknown).
    public static func threadsPerCore() -> Int {
        guard let list = read("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list") else { return 1 }
        return max(1, cpuCount(inList: list))
    }

    /// The CPU's marketing name: `/proc/cpuinfo` "model name" (macOS: `machdep.cpu.brand_string`), else "unknown CPU".
    public static func modelName() -> String {
        #if canImport(Darwin)
        if let name = sysctlString("machdep.cpu.brand_string") { return name }
        #endif
        return cpuinfoValues("model name").first ?? "unknown CPU"
    }

    /// Clocks the system reports, most useful first: sysfs `cpufreq/cpuinfo_max_freq` (the highest clock the
    /// driver allows) and the mean of `/proc/cpuinfo` "cpu MHz" (under a hypervisor often the nominal TSC rate).
    public static func reportedClocks() -> [ReportedClock] {
        var clocks: [ReportedClock] = []
        if let text = read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"), let kHz = Double(text), kHz > 0 {
            clocks.append(ReportedClock(frequency: kHz * 1e3,
                                        source: "sysfs cpu0/cpufreq/cpuinfo_max_freq = \(text) kHz"))
        }
        let mhz = cpuinfoValues("cpu MHz").compactMap(Double.init).filter { $0 > 0 }
        if !mhz.isEmpty {
            let mean = mhz.reduce(0, +) / Double(mhz.count)
            clocks.append(ReportedClock(frequency: mean * 1e6,
                                        source: "/proc/cpuinfo \"cpu MHz\" = \(String(format: "%.3f", mean)) "
                                            + "(mean of \(mhz.count) CPUs)"))
        }
        #if canImport(Darwin)
        if let hz = sysctlInt("hw.cpufrequency_max") ?? sysctlInt("hw.cpufrequency"), hz > 0 {
            clocks.append(ReportedClock(frequency: Double(hz), source: "sysctl hw.cpufrequency_max = \(hz) Hz"))
        }
        #endif
        return clocks
    }

    /// CPU 0's caches from `/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size,shared_cpu_list}`,
    /// ordered by level then type (macOS: `hw.l1dcachesize`, `hw.l2cachesize`, `hw.l3cachesize`, sharing unknown).
    public static func caches(root: String = "/sys/devices/system/cpu/cpu0/cache") -> [Cache] {
        var caches: [Cache] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for entry in entries where entry.hasPrefix("index") {
            let directory = root + "/" + entry
            guard let level = read(directory + "/level").flatMap({ Int($0) }),
                  let type = read(directory + "/type"),
                  let size = read(directory + "/size").flatMap(parseSize) else { continue }
            let list = read(directory + "/shared_cpu_list") ?? ""
            caches.append(Cache(level: level, type: type, size: size,
                                sharedCPUs: list.isEmpty ? 0 : cpuCount(inList: list), sharedCPUList: list))
        }
        #if canImport(Darwin)
        if caches.isEmpty {
            for (level, type, key) in [(1, "Data", "hw.l1dcachesize"), (2, "Unified", "hw.l2cachesize"),
                                       (3, "Unified", "hw.l3cachesize")] {
                if let bytes = sysctlInt(key), bytes > 0 {
                    caches.append(Cache(level: level, type: type, size: Double(bytes), sharedCPUs: 0, sharedCPUList: ""))
                }
            }
        }
        #endif
        return caches.sorted { ($0.level, $0.type) < ($1.level, $1.type) }
    }

    /// Bytes of a sysfs cache size: `48K` (KiB), `1024K`, `32M` (MiB), `1G` (GiB) or plain bytes.
    public static func parseSize(_ text: String) -> Double? {
        let scales: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024]
        guard let last = text.last else { return nil }
        if let scale = scales[last] { return Double(text.dropLast()).map { $0 * scale } }
        return Double(text)
    }

    /// The number of CPUs in a kernel CPU list such as `0-3,8,10-11` (7).
    public static func cpuCount(inList list: String) -> Int {
        list.split(separator: ",").reduce(0) { count, range in
            let bounds = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1: return count + 1
            case 2: return count + max(0, bounds[1] - bounds[0] + 1)
            default: return count
            }
        }
    }

    /// Every value of a `/proc/cpuinfo` key, one per CPU that lists it.
    static func cpuinfoValues(_ key: String) -> [String] {
        guard let text = read("/proc/cpuinfo") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
    }

    /// A small text file's contents without surrounding whitespace, nil if it cannot be read.
    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    #if canImport(Darwin)
    static func sysctlString(_ name: String) -> String? {
        var size = 0
        guard sysctlbyname(name, nil, &size, nil, 0) == 0, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard sysctlbyname(name, &buffer, &size, nil, 0) == 0 else { return nil }
        return String(cString: buffer)
    }

    static func sysctlInt(_ name: String) -> Int? {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        guard sysctlbyname(name, &value, &size, nil, 0) == 0 else { return nil }
        return Int(value)
    }
    #endif
}
