// The per-call estimators' cost (`EstimatorSpec`): what each procedure issues, priced by the hardware's eager
// dispatch costs (`EagerDispatch`).

/// What an eager procedure issues: `iterations` times (one per head for MInference) its `ops` aten operations,
/// `kernels` CUDA kernels and `bytes` of DRAM traffic.
public struct EagerProcedure: Sendable, Equatable {
    public var iterations: Int
    public var ops: Int
    public var kernels: Int
    public var bytes: Double
}

extension EstimatorSpec {
    /// Kernels of one `torch.topk` call over `slices` rows of `size` values keeping `k` (torch 2.11 on CUDA,
    /// counted with torch.profiler in validation/gpu/h200-eager-micro.json): the single-block radix select is 2
    /// kernels; the multi-block one, which torch picks for ≤ 20 rows of ≥ 20,000 values (references.md
    /// [PyTorch-src] aten/src/ATen/native/cuda/TensorTopK.cu, `should_use_multiblock`), 22; keeping more than
    /// 4,096 values sorts them with a segmented sort, 16 kernels and 10 nested operations more (measured between
    /// k = 4,096 and 6,096).
    static func topK(slices: Int, size: Int, k: Int) -> (kernels: Int, ops: Int) {
        let multiBlock = slices <= 20 && size >= 20_000
        let sorted = k > 4096
        return ((multiBlock ? 22 : 2) + (sorted ? 16 : 0), 1 + (sorted ? 10 : 0))
    }

    /// The procedure for `workload`'s shape; throws where MInference's line counts are neither given nor the mask's.
    public func procedure(_ workload: Workload) throws(Diagnostic) -> EagerProcedure {
        let problem = workload.problem
        let n = problem.keyTokens
        let d = Double(problem.headDim), heads = problem.heads, batch = problem.batch
        switch self {
        case let .minference(lastQ, vertical, slash):
            let mask = workload.mask as? VerticalSlashMask
            guard let v = vertical ?? mask?.vertical.count, let s = slash ?? mask?.slash.count else {
                throw Diagnostic(file: workload.file, path: "estimator",
                                 message: "MInference's search keeps `vertical` and `slash` lines per head: give them "
                                    + "here or use a `vertical_slash` mask")
            }
            // estimator_bench.py's procedure (MInference's): at least 30 vertical lines and 50 slash lines, at most n.
            let verticalTopK = Self.topK(slices: 1, size: n, k: min(n, max(v, 30)))
            let slashTopK = Self.topK(slices: 1, size: n, k: min(n, max(s, 50)))
            let m = Double(min(lastQ, n)), keys = Double(n)
            // K read once; on the m × n score block: the einsum's bf16 write, the scale (read, write), the fp32
            // softmax (bf16 read, fp32 write), the column sums (read), the zero-padded copy (read, write) and the
            // diagonal sums (read): 2 + 4 + 6 + 4 + 8 + 4 bytes per score.
            let bytes = keys * d * problem.dtype.bytes + m * keys * 28
            // 80 operations and 16 kernels outside the two top-k calls (h200-eager-micro.json's census).
            return EagerProcedure(iterations: batch * heads, ops: 80 + verticalTopK.ops + slashTopK.ops,
                                  kernels: 16 + verticalTopK.kernels + slashTopK.kernels, bytes: bytes)
        case let .seerGate(block, hidden):
            let blocks = Double(ceilDiv(problem.queryTokens, block))
            let tokens = Double(problem.queryTokens), b = problem.dtype.bytes
            let kvHeads = Double(problem.kvHeads), h = Double(heads)
            // Q read once (average pooling); K read by the max, the negation (read, write) the min and the average
            // pooling; the pooled K (3 × head_dim) repeated and projected to `hidden` per head; then per block score
            // (blocks² per head): the matmul's write, the scale and the causal add (read, write each), the softmax
            // (read, write), the threshold (read, bool write) and tril_ (read, write): 19 bytes.
            let qk = tokens * h * d * b + 5 * tokens * kvHeads * d * b
            let pooled = blocks * h * (3 * d + 2 * Double(hidden)) * b
            let scores = blocks * blocks * h * 19
            return EagerProcedure(iterations: 1, ops: 102, kernels: 26, bytes: Double(batch) * (qk + pooled + scores))
        }
    }
}

extension HardwareSpec {
    /// Seconds of `procedure` run eagerly on this GPU: per iteration the longer of the host's issue time and the GPU's
    /// (see `EstimatorSpec`); nil where the hardware file gives no eager dispatch costs.
    public func eagerTime(_ procedure: EagerProcedure) -> (time: Double, host: Double, gpu: Double)? {
        guard let eager, let bandwidth = offChip.bandwidth else { return nil }
        let host = Double(procedure.ops) * eager.op + Double(procedure.kernels) * eager.kernel
        let gpu = Double(procedure.kernels) * eager.gap + procedure.bytes / bandwidth
        let iterations = Double(procedure.iterations)
        return (iterations * max(host, gpu), iterations * host, iterations * gpu)
    }
}
