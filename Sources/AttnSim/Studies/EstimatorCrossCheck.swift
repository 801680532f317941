import Foundation

/// Holds the per-call estimators' predictions (`EstimatorSpec`, `HardwareSpec.eagerTime`) against measured eager
/// runs: validation/gpu/estimator_bench.py's MInference searches and seer_bench.py's SeerAttention gates
/// (`attnsim_estimator_runs` files). Nothing in them is fitted: the eager costs come from eager_micro.py.
public struct EstimatorCrossCheck: Sendable {
    public struct Row: Sendable {
        public var id: String
        public var kind: String
        public var measured: Double
        public var predicted: Double
        public var host: Double
        public var gpu: Double
        public var error: Double { predicted / measured - 1 }
        public var hostBound: Bool { host >= gpu }
    }

    public var device: String
    public var rows: [Row]

    /// Whether `path` is an estimator file (read cheaply: its first bytes name the format).
    public static func isEstimatorFile(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 200), as: UTF8.self)
        return head.contains("\"attnsim_estimator_runs\"")
    }

    public init(path: String, hardware: HardwareSpec) throws(Diagnostic) {
        let data = try SpecDocument.contents(ofFile: path, noun: "the measured estimator file")
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let configs = root["configs"] as? [[String: Any]] else {
            throw Diagnostic(file: path, message: "expected a JSON object with a `configs` list")
        }
        guard hardware.eager != nil else {
            throw Diagnostic(file: hardware.file, path: "overheads",
                             message: "\(hardware.name) gives no eager dispatch costs (eager_op, eager_kernel, kernel_gap)")
        }
        device = ((root["device"] as? [String: Any])?["name"] as? String) ?? "unknown GPU"
        let kind = root["estimator"] as? String ?? "minference"
        var rows: [Row] = []
        for (index, config) in configs.enumerated() {
            func int(_ key: String) throws(Diagnostic) -> Int {
                guard let value = config[key] as? Int else {
                    throw Diagnostic(file: path, path: "configs[\(index)].\(key)", message: "expected an integer")
                }
                return value
            }
            guard let ms = (config["ms"] as? NSNumber)?.doubleValue, ms > 0 else { continue }
            let tokens = try int("tokens"), heads = try int("heads"), headDim = try int("head_dim")
            let spec: EstimatorSpec
            let id: String
            var problem = Problem(batch: 1, heads: heads, headDim: headDim, valueDim: headDim, tokens: [tokens],
                                  kvTokens: [tokens], dtype: .bf16)
            if kind == "seer_gate" {
                spec = .seerGate(block: try int("block"), hidden: try int("hidden"))
                problem.groupedKVHeads = config["kv_heads"] as? Int
                id = "seer-gate-n\(tokens)"
            } else {
                let (v, s) = (try int("vertical"), try int("slash"))
                spec = .minference(lastQ: config["last_q"] as? Int ?? 64, vertical: v, slash: s)
                id = "minference-n\(tokens)-v\(v)-s\(s)"
            }
            var workload = Workload(name: id, description: nil, problem: problem, cascadeName: "attention-1pass",
                                    cascade: Cascade.preset(named: "attention-1pass")!, mask: DenseMask(problem),
                                    pruning: nil, kernel: nil, model: nil, layer: nil, sources: [], file: path)
            workload.estimator = spec
            guard let cost = hardware.eagerTime(try spec.procedure(workload)) else { continue }
            rows.append(Row(id: id, kind: spec.name, measured: ms / 1e3, predicted: cost.time, host: cost.host,
                            gpu: cost.gpu))
        }
        self.rows = rows
    }
}
