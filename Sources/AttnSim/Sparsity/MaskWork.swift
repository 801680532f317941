/// How many (query, key) scores a mask keeps, counted exactly where a closed form is known.
///
/// - `none`: every query sees every key: P·M.
/// - `causal`: query i (0-based, of P) sees keys 0…i+(M−P) (queries aligned to the last keys, the convention of
///   FlashAttention and PyTorch's `is_causal` with a KV cache): Σ_i min(M, i+M−P+1).
/// - `gna`, non-causal on every axis: every query sees exactly Π window_i keys, because GNA shifts the window at
///   the borders instead of truncating it, and dilation keeps the window size inside each dilation group
///   (gna.md §1.2, §1.4). Causal GNA axes need the exact per-query rule and are not counted here (nil).
/// - `block`: nil (needs the block-mask file).
public enum MaskWork {
    /// Number of attended (query, key) pairs of one (batch, head) instance, or nil if not known in closed form.
    /// - Complexity: O(1).
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
            guard !mask.causal.contains(true) else { return nil }
            return p * Double(mask.window.reduce(1, *))
        case .block:
            return nil
        }
    }
}
