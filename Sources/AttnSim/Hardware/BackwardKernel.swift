/// A kernel profile's backward pass (`backward:` under a profile in `kernels:`): how the backend computes dQ, dK, dV,
/// with the costs fitted to or measured on its backward runs. What it does not give (the mask's per-element prices,
/// its scope, the host's issue cost) it takes from the forward profile.
///
/// ```yaml
/// kernels:
///   flash:
///     ...
///     backward: {dq: atomic, q_tile_tokens: 64, kv_tile_tokens: 128, efficiency_by_head_dim: {128: 0.55}}
/// ```
public struct BackwardKernel: Sendable, Equatable {
    /// How dQ is formed (`BackwardDQ`; cuDNN's `convert_dq_to_16bits` is the atomic variant's conversion).
    public typealias DQ = BackwardDQ

    /// The variant the kernel runs unless the workload or the mapper picks another of `variants`.
    public var dq: DQ = .atomic
    /// The variants the backend implements (`dq: [atomic, separate]`; one: `dq: atomic`), the default first.
    public var variants: [DQ] = [.atomic]
    /// Tokens of the Q tile each KV-major CTA streams and of the KV tile it owns; nil: the forward's.
    public var qTileTokens: Int?
    public var kvTileTokens: Int?
    public var efficiency: Double?
    public var efficiencyByHeadDim: [Int: Double] = [:]
    public var perCTA: Double?
    /// The host's time to issue the whole backward (autograd and every kernel launch); nil: the forward's.
    public var hostOverhead: Double?
    public var stages: Int?
    /// `mask_cost_by_head_dim` for the backward's kernel configuration: a scale on the forward profile's `mask_cost`
    /// cycles per head dimension, replacing the forward's table (the backward runs other block shapes and warps, so a
    /// partially masked element costs it another share of SM cycles); empty: the forward's.
    public var maskCostByHeadDim: [Int: Double] = [:]
    /// Whether the atomic variant has a deterministic mode (`deterministic: true`; FlashAttention-2's: `kernel:
    /// {deterministic: true}` then runs it, `GPUEngine.deterministicGrid`).
    public var deterministic = false
    /// Whether a D = rowsum(dO ∘ O) kernel runs first (FlashAttention-2, cuDNN, FlexAttention do); default true.
    public var preprocess = true
    /// How held-out forward + backward measurements fell around this profile's training predictions (`held_out:`):
    /// the 80 % interval of a `pass: backward | training` prediction.
    public var heldOut: HeldOutSpread?
    public var sources: [String] = []

    public init(dq: DQ = .atomic) {
        self.dq = dq
        variants = [dq]
    }

    /// The forward profile with this backward's tiles and costs: what `GPUKernelCost` prices a backward CTA with.
    public func profile(from forward: KernelProfile) -> KernelProfile {
        var profile = forward
        profile.qTileTokens = qTileTokens ?? forward.qTileTokens
        profile.kvTileTokens = kvTileTokens ?? forward.kvTileTokens
        if efficiency != nil || !efficiencyByHeadDim.isEmpty {
            profile.efficiency = efficiency
            profile.efficiencyByHeadDim = efficiencyByHeadDim
        }
        profile.perCTA = perCTA ?? forward.perCTA
        profile.hostOverhead = hostOverhead ?? forward.hostOverhead
        profile.stages = stages ?? forward.stages
        if !maskCostByHeadDim.isEmpty { profile.maskCostByHeadDim = maskCostByHeadDim }
        profile.splitKV = nil
        profile.backward = nil
        return profile
    }
}
