import AttnSim
import Foundation

/// The mapping-file mode: the input (after its selector byte) is a spatial mapping file, written to the scratch
/// folder and fed back through a fixed workload's `kernel: {mapping: FILE}`, as a user does with the file that
/// `attnsim map HW WL --write-mapping FILE` wrote: `SpatialMapping.load` reads and validates it against the
/// hardware's arrays and the cascade's Einsums, then `Simulator.run` evaluates it on the spatial engine and the
/// result is rendered as `attnsim simulate` prints it.
extension FuzzEntry {
    /// One spatial hardware and workload pair for mapping files (its workload's own `kernel:` is replaced).
    public struct MappingTarget: Sendable {
        public var hardware: HardwareSpec
        public var workload: Workload
    }

    /// The pairs a fuzzed mapping runs on, by `selector / 32`: FuseMax and FLAT at 1K tokens, masks whose partial
    /// tiles the array masks element by element (causal, 2-D GNA, a block mask read from its file) and 1M tokens
    /// (the largest FuseMax points).
    public static let mappingPairs = [("hardware/fusemax-cloud.yaml", "workloads/fusemax/bert-base-1k.yaml"),
                                      ("hardware/flat-cloud.yaml", "workloads/fusemax/bert-base-1k.yaml"),
                                      ("hardware/fusemax-cloud.yaml", "workloads/gpt2-causal-1k.yaml"),
                                      ("hardware/flat-cloud.yaml", "workloads/fusemax/xlm-1m.yaml"),
                                      ("hardware/fusemax-cloud.yaml", "workloads/flux-gna.yaml"),
                                      ("hardware/flat-cloud.yaml", "workloads/block-causal-8k.yaml"),
                                      ("hardware/fusemax-cloud.yaml", "workloads/fusemax/t5-small-1m.yaml"),
                                      ("hardware/flat-cloud.yaml", "workloads/gpt2-causal-1k.yaml")]

    /// Writes `bytes` as a mapping file of its own (tests may run inputs in parallel), simulates it, removes it.
    func runMapping(_ bytes: ArraySlice<UInt8>, target index: Int) throws(Diagnostic) -> Outcome {
        let file = scratch + "/mapping-\(UUID().uuidString).yaml"
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
            throw Diagnostic(file: file, message: "cannot write the fuzzed mapping file")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let target = mappingTargets[index % mappingTargets.count]
        var workload = target.workload
        workload.kernel = KernelChoice(mapping: file)
        return .simulated([try simulate(target.hardware, workload)])
    }

    /// A folder of this process's own under the temporary directory, removed when the process exits normally.
    static func makeScratch() throws(Diagnostic) -> String {
        var template = Array((NSTemporaryDirectory() + "/attnsim-fuzz-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Diagnostic(file: NSTemporaryDirectory(), message: "cannot make a scratch folder: errno \(errno)")
        }
        let folder = String(cString: made)
        ScratchFolders.shared.add(folder)
        return folder
    }
}

/// The scratch folders this process made (`FuzzEntry.makeScratch`), removed at exit.
private final class ScratchFolders: @unchecked Sendable {
    static let shared = ScratchFolders()
    private let lock = NSLock()
    private var folders: [String] = []

    func add(_ folder: String) {
        lock.withLock {
            if folders.isEmpty { atexit { ScratchFolders.shared.removeAll() } }
            folders.append(folder)
        }
    }

    func removeAll() {
        lock.withLock { folders.forEach { try? FileManager.default.removeItem(atPath: $0) } }
    }
}
