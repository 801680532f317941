/// Per-call estimators that choose a dynamic sparse mask before the attention call, run as eager PyTorch
/// (`estimator:` in a workload): MInference's vertical-slash search and SeerAttention's gate. Each is described by
/// what it issues — aten operations (nested ones counted: an einsum dispatches its permutes and bmm), CUDA kernels
/// and DRAM bytes — per iteration; `EagerDispatch` (a hardware file's `overheads`) prices them in `HardwareSpec.eagerTime`.
///
/// An eager procedure is host-bound while the host takes longer to issue its operations than the GPU to run them
/// (the host runs ahead of the GPU by a queue of launches), so one iteration takes
/// max(ops × `eager_op` + kernels × `eager_kernel`, kernels × `kernel_gap` + bytes ÷ off-chip bandwidth).
/// The GPU side counts each kernel's bytes at the full off-chip bandwidth: eager kernels with few CTAs or awkward
/// layouts (a softmax over 64 long rows, 3-D pooling) reach less, so where the GPU side sets the time the
/// prediction is a floor (validation/gpu/README.md, "Estimators").
public enum EstimatorSpec: Sendable, Equatable {
    /// MInference 1.0's per-head search (references.md [MInference], `vertical_and_slash_kernel`): the last
    /// `lastQ` queries against every key, softmax, column sums and diagonal sums, two `torch.topk` calls; one head
    /// at a time. `vertical`/`slash`: the lines it keeps per head (from a `vertical_slash` mask when nil).
    case minference(lastQ: Int, vertical: Int?, slash: Int?)
    /// SeerAttention's AttnGate (references.md [SeerAttention], `Qavg_Kmaxminavg`): Q average-pooled and K max-,
    /// min- and average-pooled per `block` tokens, K projected per head to `hidden`, block RoPE, block scores,
    /// softmax and a threshold; one call per layer, batched over heads.
    case seerGate(block: Int, hidden: Int)

    public var name: String {
        switch self {
        case .minference: "minference"
        case .seerGate: "seer_gate"
        }
    }
}
