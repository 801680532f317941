/// How many (query, key) scores a mask keeps, counted exactly where a closed form is known.
///
/// - `none`: every query sees every key: P·M.
/// - `causal`: query i (0-based, of P) sees keys 0…i+(M−P) (queries aligned to the last keys, the convention of
///   FlashAttention and PyTorch's `is_causal` with a KV cache): Σ_i min(M, i+M−P+1).
/// - `gna`: the exact sum of neighborhood sizes, `GNAMask.attendedPairs` (references.md [NATTEN-src]).
/// - `block`: nil (needs the block-mask file).
public enum MaskWork {
    /// Number of attended (query, key) pairs of one (batch, head) instance, or nil if not known in closed form.
    /// - Complexity: O(1), O(Σ L_i) for GNA with causal axes.
    public static func attendedPairs(_ problem: Problem, _ mask: MaskSpec) -> Double? {
        let p = Double(problem.queryTokens)
        let m = Double(problem.keyTokens)
        switch mask.kind {
        case .none:
            return p * m
        case .causal:
            // Σ_{i=0}^{P-1} (i + M − P + 1) = P·(M − P + 1) + P(P−1)/2, valid because M ≥ P (checked on load).
            return p * (m - p + 1) + p * (p - 1) / 2
        case .gna:
            return GNAMask(tokens: problem.tokens, mask: mask).attendedPairs
        case .block:
            return nil
        }
    }
}
