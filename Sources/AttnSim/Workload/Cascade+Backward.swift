/// The backward cascades of attention, written as Einsums so that pass analysis (``PassAnalysis``) and the op counts
/// apply to them as to the forward ones. Tensor names start with a capital: `DO`, `DV`, `DP`, `DS`, `DQ`, `DK` are the
/// gradients dO, dV, dP, dS, dQ, dK of the loss; `L` is the forward's log-sum-exp per query row, `Delta` is
/// D = rowsum(dO ∘ O).
///
/// ```swift
/// Cascade.preset(named: "attention-backward")?.passes(over: "m").total          // 1
/// Cascade.preset(named: "attention-backward-d-from-p")?.passes(over: "m").total  // 2
/// ```
extension Cascade {
    /// `attention-backward`: FlashAttention-2's backward (references.md [FlashAttention-2] Algorithm 2). It reads the
    /// forward's output O and its log-sum-exp L per query row (saved by the forward, Algorithm 1 line 13) and
    /// recomputes the probabilities from L, so no max or sum over the keys is taken again; D = rowsum(dO ∘ O) is the
    /// preprocessing kernel's (FlashAttention-2 and cuDNN run it first; it reads no key). The scale 1/√E is dropped as
    /// in the forward presets. One pass over m (the keys) and one over p (the queries): a KV-major kernel holds a K, V
    /// tile and streams the Q tiles (dK, dV reduce over p), and dQ reduces over m by accumulating across those CTAs.
    static let backward = [
        "Delta[p] = DO[f,p] * O[f,p]",                  // preprocessing: rowsum(dO ∘ O)
        "S[m,p] = Q[e,p] * K[e,m]",                 // recompute the scores
        "P[m,p] = exp(S[m,p] - L[p])",              // probabilities from the saved log-sum-exp
        "DV[f,m] = P[m,p] * DO[f,p]",               // dV = Pᵀ dO
        "DP[m,p] = DO[f,p] * V[f,m]",               // dP = dO Vᵀ
        "DS[m,p] = P[m,p] * (DP[m,p] - Delta[p])",      // dS = P ∘ (dP − D)
        "DQ[e,p] = DS[m,p] * K[e,m]",               // dQ = dS K
        "DK[e,m] = DS[m,p] * Q[e,p]",               // dK = dSᵀ Q
    ]

    /// `attention-backward-d-from-p`: the same gradients with D taken as rowsum(P ∘ dP) (equal to rowsum(dO ∘ O),
    /// FlashAttention-2 §3.2, but without the forward's O): D then reduces over the keys, and dS cannot be formed
    /// until it has, so the cascade takes two passes over m. The preprocessing kernel is what makes the backward
    /// one pass.
    static let backwardDFromP = [
        "S[m,p] = Q[e,p] * K[e,m]",
        "P[m,p] = exp(S[m,p] - L[p])",
        "DV[f,m] = P[m,p] * DO[f,p]",
        "DP[m,p] = DO[f,p] * V[f,m]",
        "Delta[p] = P[m,p] * DP[m,p]",                  // rowsum(P ∘ dP): a reduction over m
        "DS[m,p] = P[m,p] * (DP[m,p] - Delta[p])",
        "DQ[e,p] = DS[m,p] * K[e,m]",
        "DK[e,m] = DS[m,p] * Q[e,p]",
    ]

    /// `attention-backward-recompute`: no statistics saved by the forward: the softmax is recomputed with its max
    /// and sum over the keys (the 3-pass softmax of FuseMax's Cascade 4) before the gradients: three passes over m.
    static let backwardRecompute = [
        "Delta[p] = DO[f,p] * O[f,p]",
        "S[m,p] = Q[e,p] * K[e,m]",
        "GM[p] = max_m S[m,p]",
        "SN[m,p] = exp(S[m,p] - GM[p])",
        "SD[p] = SN[m,p]",
        "P[m,p] = SN[m,p] / SD[p]",
        "DV[f,m] = P[m,p] * DO[f,p]",
        "DP[m,p] = DO[f,p] * V[f,m]",
        "DS[m,p] = P[m,p] * (DP[m,p] - Delta[p])",
        "DQ[e,p] = DS[m,p] * K[e,m]",
        "DK[e,m] = DS[m,p] * Q[e,p]",
    ]
}
