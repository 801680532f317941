import Foundation
import Testing

/// Issue 9: a HunyuanVideo-scale single-dimensional tiling analysis and a 1M-token FuseMax point stay under 1 GiB.
/// Each runs in its own `attnsim` process; the kernel's peak resident size of waited-for children
/// (getrusage RUSAGE_CHILDREN, ru_maxrss in KiB on Linux) bounds them both.
@Suite(.serialized) struct MemoryTests {
    @Test func largeAnalysesStayUnderOneGiB() throws {
        let runs = [
            ["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--q-tile", "256", "--kv-tile", "128",
             "--tiling", "single_dim", "--format", "json"],
            ["simulate", "hardware/fusemax-cloud.yaml", "workloads/fusemax/bert-base-1m.yaml", "--format", "json"],
        ]
        for arguments in runs {
            let output = try CLI.run(arguments)
            #expect(output.status == 0, "\(output.stderr)")
        }
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let peakBytes = Double(usage.ru_maxrss) * 1024   // KiB on Linux
        #else
        getrusage(RUSAGE_CHILDREN, &usage)
        let peakBytes = Double(usage.ru_maxrss)          // bytes on macOS
        #endif
        #expect(peakBytes > 0 && peakBytes < 1024 * 1024 * 1024, "peak resident size \(peakBytes / 1_048_576) MiB")
    }
}
