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
    /// How dQ is formed (references.md [FlashAttention-2] §3.2): `atomic` — the KV-major CTAs add their dS K into an
    /// fp32 buffer with atomics, zeroed before and converted to the input dtype after (FlashAttention-2, cuDNN:
    /// `convert_dq_to_16bits`); `separate` — a second, Q-major pass recomputes S and dP and writes dQ directly
    /// (FlexAttention's backward launches both kinds of program in one grid).
    public enum DQ: String, Sendable, CaseIterable { case atomic, separate }

    public var dq: DQ = .atomic
    /// Tokens of the Q tile each KV-major CTA streams and of the KV tile it owns; nil: the forward's.
    public var qTileTokens: Int?
    public var kvTileTokens: Int?
    public var efficiency: Double?
    public var efficiencyByHeadDim: [Int: Double] = [:]
    public var perCTA: Double?
    /// The host's time to issue the whole backward (autograd and every kernel launch); nil: the forward's.
    public var hostOverhead: Double?
    public var stages: Int?
    /// Whether a D = rowsum(dO ∘ O) kernel runs first (FlashAttention-2, cuDNN, FlexAttention do); default true.
    public var preprocess = true
    /// How held-out forward + backward measurements fell around this profile's training predictions (`held_out:`):
    /// the 80 % interval of a `pass: backward | training` prediction.
    public var heldOut: HeldOutSpread?
    public var sources: [String] = []

    public init(dq: DQ = .atomic) { self.dq = dq }

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
        profile.splitKV = nil
        profile.backward = nil
        return profile
    }
}
