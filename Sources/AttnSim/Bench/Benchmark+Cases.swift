import Foundation

/// The benchmark cases of this version. Each names what it measures and, where the project set one, its target.
extension Benchmark {
    /// HunyuanVideo 30×48×80, window 18×24×24, stride 1, Q 4×8×8 / KV 2×8×8 (GNA paper Fig. 3).
    static let hunyuan = GNAMask(axes: zip([30, 48, 80], [18, 24, 24]).map { GNAAxis(length: $0, window: $1) })

    public static func all(root: String) -> [Benchmark] {
        [
            Benchmark(name: "gna.bound.hunyuan",
                      summary: "GNA tile work + bounds + fast-path predicate, HunyuanVideo, multi_dim (target ≤ 10 µs)",
                      target: 10e-6) {
                { GNAAnalysis(mask: hunyuan, qTile: [4, 8, 8], kvTile: [2, 8, 8], tiling: .multi_dim,
                              kvTiling: .static).bounds.tile }
            },
            Benchmark(name: "gna.single_dim.hunyuan",
                      summary: "GNA exact single-dimensional KV tile sets, HunyuanVideo, Q 256 / KV 128 tokens (target ≤ 200 ms)",
                      target: 0.2) {
                { GNAAnalysis(mask: hunyuan, qTile: [256], kvTile: [128], tiling: .single_dim,
                              kvTiling: .static).bounds.tile }
            },
            Benchmark(name: "gna.sweep.hunyuan",
                      summary: "GNA stride sweep (per-axis fronts and their 12 combinations), HunyuanVideo") {
                { GNAStrideSweep(mask: hunyuan, qTile: [4, 8, 8], kvTile: [2, 8, 8], kvTiling: .static)
                    .points.last?.analysis.bounds.tile ?? 0 }
            },
            Benchmark(name: "simulate.fixed.bert-1k-h100",
                      summary: "one fixed-mapping point: GPU event simulation (sparse and dense) of BERT-Base 1K on H100, "
                        + "flash 128×128 pinned, files preloaded (target ≤ 1 ms)",
                      target: 1e-3) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                var pinned = try Workload.load(path: root + "/workloads/bert-base-1k.yaml")
                pinned.kernel = KernelChoice(backend: .fixed("flash"), qTile: .fixed([128]), kvTile: .fixed([128]))
                let workload = pinned
                return { (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0 }
            },
            simulating("simulate.mapped.bert-1k-h100", "h100-sxm5-80gb", "bert-base-1k", root: root, target: 0.3,
                       summary: "one mapped point: mapper plus simulation of BERT-Base 1K on H100 (target ≤ 300 ms)"),
            simulating("simulate.mapped.llama3-decode-h100", "h100-sxm5-80gb", "llama3-8b-decode-32k", root: root,
                       target: 10e-3,
                       summary: "one decode point: the mapper ranks split-KV counts (GQA packed, 8 CTAs unsplit) for "
                        + "Llama-3-8B at 32K context on H100, and simulates the best with its combine kernel "
                        + "(target ≤ 10 ms)"),
            Benchmark(name: "crosscheck-gpu.h200-protocol",
                      summary: "the H200 validation protocol held against the model: 237 modelled configs of 248 measured simulated "
                        + "(sparse and dense) with hardware/h200-sxm.yaml, files preloaded (target ≤ 1 s)",
                      target: 1) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h200-sxm.yaml")
                let check = try GPUCrossCheck(path: root + "/validation/gpu/h200-protocol.json")
                return { (try? check.rows(hardware: hardware, backend: "flex").count).map(Double.init) ?? 0 }
            },
            Benchmark(name: "simulate.roofline.bert-1k-epyc",
                      summary: "one roofline point (no engine for the kind yet): BERT-Base 1K on the EPYC preset") {
                let hardware = try HardwareSpec.load(path: root + "/hardware/epyc-9354.yaml")
                var fp32 = try Workload.load(path: root + "/workloads/bert-base-1k.yaml")
                fp32.problem.dtype = .fp32
                let workload = fp32
                return { (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0 }
            },
            Benchmark(name: "simulate.gna.hunyuan-b200",
                      summary: "simulate a GNA workload with tile analysis, HunyuanVideo on B200, files preloaded") {
                let hardware = try HardwareSpec.load(path: root + "/hardware/b200.yaml")
                let workload = try Workload.load(path: root + "/workloads/hunyuan-gna-s16x8x8.yaml")
                return { (try? Simulator.run(hardware: hardware, workload: workload).bounds.tileSpeedup ?? 0) ?? 0 }
            },
            Benchmark(name: "block.causal-1m-h100",
                      summary: "load a 1M-token causal block-mask file (8192² blocks of 128, 33.6 M indices, ≈200 MB of "
                        + "JSON) and simulate it with flex on H100, 16 heads: 131,072 CTAs (target ≤ 2 s)",
                      target: 2, single: true) {
                let path = FileManager.default.temporaryDirectory
                    .appendingPathComponent("attnsim-bench-causal-1m-\(ProcessInfo.processInfo.processIdentifier).json").path
                let bytes = BlockMaskFile.causal(tokens: 1 << 20, block: 128).jsonBytes()
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                    throw Diagnostic(file: path, message: "cannot write the bench's block-mask file")
                }
                let hardware = try HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                let text = """
                    attnsim: 1
                    name: block-causal-1m
                    problem: {batch: 1, heads: 16, head_dim: 128, tokens: 1048576, dtype: bf16}
                    mask: {kind: block, file: \(path)}
                    kernel: {backend: flex}
                    """
                return {
                    defer { try? FileManager.default.removeItem(atPath: path) }
                    guard let workload = try? Workload.parse(text: text, file: "block-causal-1m.yaml") else { return 0 }
                    return (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0
                }
            },
            masked1M("masks.strided-1m-h200", "{kind: strided, stride: 1024}", root: root,
                     summary: "a 1M-token Sparse Transformer strided mask (stride 1024) simulated with flex on H200, "
                        + "16 heads: 8192 Q tiles, 33.6 M tile covers, 4.3 M visited tiles per head (target ≤ 1 s)"),
            masked1M("masks.all-of-1m-h200",
                     "{kind: all_of, masks: [{kind: document, lengths: [262144, 131072, 393216, 262144]}, "
                        + "{kind: sliding_window, window: 8192}]}", root: root,
                     summary: "a 1M-token intersection (4 causal documents AND an 8K sliding window) simulated with flex "
                        + "on H200, 16 heads; tiles both masks cover partially counted row by row (target ≤ 1 s)"),
            masked1M("masks.per-head-1m-h200",
                     "{kind: per_head, groups: [{heads: 4, mask: {kind: causal}}, "
                        + "{heads: 12, mask: {kind: a_shape, sink: 64, window: 8192}}]}", root: root,
                     summary: "a 1M-token per-head mask (4 causal heads, 12 with sink 64 + window 8192) simulated with "
                        + "flex on H200: one grid of 131,072 Q tiles over every head (target ≤ 1 s)"),
            masked1M("masks.radial-1m-h200", "{kind: radial, frames: 256, frame_tokens: 4096, decay: 1, model: wan}",
                     root: root,
                     summary: "a 1M-token Radial Attention mask (256 frames of 4096 tokens, Wan rule) built by the "
                        + "artifact's rule and simulated with flex on H200, 16 heads: 8192² blocks (target ≤ 1 s)"),
            masked1M("masks.block-density-1m-h200", "{kind: block, block: 128, density: 0.1, causal: true}", root: root,
                     summary: "a 1M-token generated causal block mask (10 % of each row's blocks, SeerAttention's "
                        + "benchmark rule) built and simulated with flex on H200, 16 heads: 3.4 M kept blocks (target ≤ 1 s)"),
            simulating("simulate.mapped.seer-32k-h200", "h200-sxm", "seer-block-sparse-32k", root: root, target: 0.3,
                       summary: "one block-sparse point with its estimator: SeerAttention's scanning kernel at 32K tokens, "
                        + "90 % sparsity, and its gate, mapped and simulated on H200 (target ≤ 300 ms)"),
            masked1M("masks.vertical-slash-1m-h200", "{kind: vertical_slash, vertical: 1000, slash: 6096}", root: root,
                     summary: "a 1M-token MInference vertical-slash mask (1000 verticals, 6096 slashes, spread) "
                        + "simulated with flex on H200, 16 heads: 33.6 M visited tiles per head (target ≤ 1 s)"),
            Benchmark(name: "gpu.event.hunyuan-h100",
                      summary: "GPU event simulation, HunyuanVideo stride 1 on H100 (fna-hopper 2×8×8, 24 heads: 21,600 CTAs, "
                        + "≈3.6M visited tiles), sparse and dense runs (target ≤ 20 ms)",
                      target: 20e-3) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                let workload = try Workload.parse(text: """
                    attnsim: 1
                    name: hunyuan-na
                    problem: {heads: 24, head_dim: 128, tokens: [30, 48, 80], dtype: bf16}
                    mask: {kind: gna, window: [18, 24, 24]}
                    kernel: {backend: fna-hopper, q_tile: [2, 8, 8], kv_tile: [2, 8, 8]}
                    """, file: "bench")
                let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
                return { (try? GPUEngine.simulate(hardware: hardware, workload: workload, mapping: mapping).sparse.time) ?? 0 }
            },
            Benchmark(name: "simulate.training.gna2d-h200",
                      summary: "a training point (forward + backward: Q-major and KV-major grids, the dQ pass) of "
                        + "workloads/training-gna2d-32k.yaml on the H200 (issue target: at most twice its forward point, "
                        + "simulate.forward.gna2d-h200)",
                      target: 0.2) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h200-sxm.yaml")
                let workload = try Workload.load(path: root + "/workloads/training-gna2d-32k.yaml")
                return { (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0 }
            },
            Benchmark(name: "simulate.forward.gna2d-h200",
                      summary: "the forward point of the same workload (pass: forward), for the training point's ratio",
                      target: 0.1) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h200-sxm.yaml")
                var loaded = try Workload.load(path: root + "/workloads/training-gna2d-32k.yaml")
                loaded.pass = .forward
                let workload = loaded
                return { (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0 }
            },
            Benchmark(name: "gpu.event.hunyuan-h100-200gbs",
                      summary: "the same grid memory-bound: H100 at 200 GB/s, the bandwidth shared among the running CTAs "
                        + "as a fluid (target ≤ 50 ms)",
                      target: 50e-3) {
                var h100 = try HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                h100.memory[0].bandwidth = 200e9
                let hardware = h100
                let workload = try Workload.parse(text: """
                    attnsim: 1
                    name: hunyuan-na
                    problem: {heads: 24, head_dim: 128, tokens: [30, 48, 80], dtype: bf16}
                    mask: {kind: gna, window: [18, 24, 24]}
                    kernel: {backend: fna-hopper, q_tile: [2, 8, 8], kv_tile: [2, 8, 8]}
                    """, file: "bench")
                let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
                return { (try? GPUEngine.simulate(hardware: hardware, workload: workload, mapping: mapping).sparse.time) ?? 0 }
            },
            Benchmark(name: "gpu.map.hunyuan-h100",
                      summary: "GPU mapper: rank every legal mapping of HunyuanVideo stride 16×8×8 on H100 (target ≤ 300 ms)",
                      target: 0.3) {
                let hardware = try HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                let workload = try Workload.load(path: root + "/workloads/hunyuan-gna-s16x8x8.yaml")
                return { (try? GPUEngine.rank(hardware: hardware, workload: workload).first?.cost) ?? 0 }
            },
            simulating("spatial.fusemax.bert-1m", "fusemax-cloud", "fusemax/bert-base-1m", root: root, target: 1e-3,
                       summary: "one FuseMax point: map (all five dataflows) and evaluate BERT-Base at 1M tokens on "
                        + "fusemax-cloud, files preloaded (target ≤ 1 ms)"),
            Benchmark(name: "spatial.sweep.bert-256k",
                      summary: "FuseMax design sweep at 256K: 6 array sides × 12 buffers") {
                let hardware = try HardwareSpec.load(path: root + "/hardware/fusemax-cloud.yaml")
                let workload = try Workload.load(path: root + "/workloads/fusemax/bert-base-256k.yaml")
                let buffers = (2...13).map { Double(1 << $0) * 1024 }
                return { Double((try? SpatialDesignSweep(hardware: hardware, workload: workload, dataflow: .fusemax,
                                                         sides: [16, 32, 64, 128, 256, 512], buffers: buffers).points.count) ?? 0) }
            },
            simulating("pruning.gpt2-medium-trace.spatten", "spatten", "spatten/gpt2-medium-decode-trace", root: root,
                       target: 10e-3,
                       summary: "SpAtten pipeline on the released GPT-2 Medium trace (32 steps × 24 layers, 11,328 "
                        + "requests), schedule, costs and dense baseline, trace preloaded (target ≤ 10 ms)"),
            simulating("pruning.gpt2-small.h100", "h100-sxm5-80gb", "spatten/gpt2-small-decode", root: root, target: 10e-3,
                       summary: "GPU decode of the GPT-2 Small ratio schedule (32 steps × 12 layers) on H100 with top-k "
                        + "from the measured table (target ≤ 10 ms)"),
            Benchmark(name: "pruning.trace.load",
                      summary: "read and validate the GPT-2 Medium trace (11,328 rows)") {
                { Double((try? PruningTrace.load(path: root + "/data/spatten-traces/"
                    + "summary-gpt2-medium-wikitext2-per0-hp-step5+dedic+glob_p+local_p+hp+topk+quant.csv").rows.count) ?? 0) }
            },
            Benchmark(name: "sweep.hunyuan-strides",
                      summary: "sweeps/hunyuan-strides.yaml: 6,006 GNA points on H100 and B200, all cores, into a fresh "
                        + "folder, run once (target ≤ 60 s)",
                      target: 60, single: true) {
                let spec = try SweepSpec.load(path: root + "/sweeps/hunyuan-strides.yaml")
                return {
                    let folder = NSTemporaryDirectory() + "attnsim-bench-sweep-\(UUID().uuidString)"
                    defer { try? FileManager.default.removeItem(atPath: folder) }
                    let runner = SweepRunner(spec: spec, output: folder, jobs: ProcessInfo.processInfo.activeProcessorCount)
                    return Double((try? runner.run())?.points ?? 0)
                }
            },
            Benchmark(name: "load.h100+bert",
                      summary: "read, parse and validate a hardware and a workload file") {
                { () -> Double in
                    let hardware = try? HardwareSpec.load(path: root + "/hardware/h100-sxm5-80gb.yaml")
                    let workload = try? Workload.load(path: root + "/workloads/bert-base-1k.yaml")
                    return (hardware?.clock ?? 0) + Double(workload?.problem.heads ?? 0)
                }
            },
            Benchmark(name: "cascade.opcounts.1pass",
                      summary: "op counts and pass analysis of the 1-pass cascade") {
                let cascade = Cascade.preset(named: "attention-1pass")!
                let binding = RankBinding.attention(M: 65536, P: 65536, E: 64, F: 64)
                return { ((try? cascade.opCounts(binding: binding, multiplier: 768).total.mac) ?? 0)
                    + Double(cascade.passes().total) }
            },
        ]
    }

    /// A case that simulates `mask` over 1,048,576 tokens (16 heads of 128, bf16, flex) on the H200, the workload
    /// parsed inside the timed call (a mask's exact counts are built there).
    static func masked1M(_ name: String, _ mask: String, root: String, summary: String) -> Benchmark {
        Benchmark(name: name, summary: summary, target: 1) {
            let hardware = try HardwareSpec.load(path: root + "/hardware/h200-sxm.yaml")
            let text = """
                attnsim: 1
                name: \(name)
                problem: {batch: 1, heads: 16, head_dim: 128, tokens: 1048576, dtype: bf16}
                mask: \(mask)
                kernel: {backend: flex}
                """
            return {
                guard let workload = try? Workload.parse(text: text, file: "\(name).yaml") else { return 0 }
                return (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0
            }
        }
    }

    /// A case that simulates one (hardware, workload) pair, both files read once beforehand: `hardware/NAME.yaml`,
    /// `workloads/NAME.yaml`.
    static func simulating(_ name: String, _ hardware: String, _ workload: String, root: String, target: Double? = nil,
                           summary: String) -> Benchmark {
        Benchmark(name: name, summary: summary, target: target) {
            let hardware = try HardwareSpec.load(path: root + "/hardware/\(hardware).yaml")
            let workload = try Workload.load(path: root + "/workloads/\(workload).yaml")
            return { (try? Simulator.run(hardware: hardware, workload: workload).simulated.time ?? 0) ?? 0 }
        }
    }
}
