/// One token axis of a generalized neighborhood attention (GNA) mask: its length and the window, stride,
/// dilation and causality on it.
///
/// The rules are NATTEN's (references.md [NATTEN-src]: `fna_fusion.hpp::get_win_start/get_win_end`,
/// `na_utils.cuh`, `flex.py::get_na_flex_mask`):
///
/// - non-causal: `leader(q) = min(⌊q/s⌋·s + ⌊s/2⌋, L−1)`, `start = clamp(leader − ⌊w/2⌋, 0, L − w)`,
///   `end = start + w`: the window is shifted at the borders, never truncated, so every query sees w keys;
/// - causal: `leader(q) = min(⌊q/s⌋·s + s − 1, L−1)`, `start = max(leader − w + 1, 0)`, `end = q + 1`;
/// - dilation (`qkv_fix_dilation`): index x belongs to group `x mod d` at in-group index `⌊x/d⌋`, and the rules apply
///   inside the group, whose length is `⌊L/d⌋ + (g < L mod d ? 1 : 0)`.
///
/// ```swift
/// let axis = GNAAxis(length: 12, window: 6, stride: 3)
/// axis.keys(ofQuery: 4, groupLength: 12)   // 1..<7   (queries 3–5 share the window [1, 7))
/// ```
public struct GNAAxis: Sendable, Hashable {
    public var length: Int
    public var window: Int
    public var stride: Int
    public var dilation: Int
    public var causal: Bool

    public init(length: Int, window: Int, stride: Int = 1, dilation: Int = 1, causal: Bool = false) {
        self.length = length
        self.window = window
        self.stride = stride
        self.dilation = dilation
        self.causal = causal
    }

    /// Length of dilation group `group` (0 ≤ group < dilation).
    @inlinable
    public func groupLength(_ group: Int) -> Int {
        length / dilation + (group < length % dilation ? 1 : 0)
    }

    /// Keys (in-group indices) attended by the query at in-group index `q` of a group of `groupLength` tokens.
    /// `q` may lie past the group's end (a padded query); the leader clamp keeps it a valid window.
    /// - Complexity: O(1).
    @inlinable
    public func keys(ofQuery q: Int, groupLength n: Int) -> Range<Int> {
        if causal {
            let leader = min((q / stride) * stride + stride - 1, n - 1)
            return max(leader - window + 1, 0) ..< min(q + 1, n)
        }
        let leader = min((q / stride) * stride + stride / 2, n - 1)
        let start = min(max(leader - window / 2, 0), n - window)
        return start ..< start + window
    }

    /// Queries (in-group indices) whose window contains key `k`, a contiguous range (NATTEN's
    /// `get_backward_window_start/end`, references.md [NATTEN-src]).
    public func queries(attendingKey k: Int, groupLength n: Int) -> Range<Int> {
        let w = window
        let s = stride
        if causal {
            let end = min(((k + w) / s + (k + w >= n ? 1 : 0)) * s, n)
            return k ..< end
        }
        let right = w / 2 + w % 2 - 1
        let left = w / 2
        let offset = s - s / 2 - 1
        let start = k >= w ? ((k - right + offset) / s) * s : 0
        let end = k >= n - w ? n : ((k + left + offset + 1) / s) * s
        return start ..< min(end, n)
    }

    /// Σ over the axis' queries of the number of keys each attends, over all dilation groups.
    /// Non-causal windows always hold `window` keys; causal ones are summed.
    /// - Complexity: O(L) for causal axes, O(1) otherwise.
    public var attendedSum: Int {
        guard causal else { return length * window }
        var sum = 0
        for group in 0..<dilation {
            let n = groupLength(group)
            for q in 0..<n { sum += keys(ofQuery: q, groupLength: n).count }
        }
        return sum
    }
}
