/// Split-KV ("FlashDecoding") scheduling: a Q tile's KV tiles are cut into `splits` contiguous runs, one CTA each,
/// that write partial outputs (fp32) and their log-sum-exp; a second kernel combines them. It fills the SMs when
/// batch × heads × Q tiles is small — decode at batch 1 — at the price of the partials' traffic and one more launch
/// (references.md [FlashDecoding]).
///
/// ```swift
/// SplitKV.flashAttention2Splits(batchHeadsMBlocks: 48, sms: 108, nBlocks: 256)   // 2 (FA2's own example)
/// SplitKV.candidates(kvTiles: 256, ctas: 32, sms: 132)                            // [1, 2, 4, 8, 16, 32, 7]
/// ```
public enum SplitKV {
    /// FlashAttention-2's choice of splits (references.md [FlashAttention-src] csrc/flash_attn/flash_api.cpp,
    /// `num_splits_heuristic`; PyTorch vendors the same function in
    /// aten/src/ATen/native/transformers/cuda/flash_attn/flash_api.cpp). With `batchHeadsMBlocks` CTAs at least 0.8 of
    /// `sms` it keeps 1 split; otherwise, over the split counts up to min(`maxSplits`, `sms`, `nBlocks`) that change
    /// the KV blocks per split (ceil(nBlocks / s) differs from ceil(nBlocks / (s − 1))), it takes the wave efficiency
    /// e(s) = w / ⌈w⌉ with w = batchHeadsMBlocks · s / sms, and returns the smallest s with e(s) ≥ 0.85 × the best.
    ///
    /// FA2's caller (`set_params_splitkv`) passes 2 × the SM count as `sms` (its split kernel runs 128-thread CTAs,
    /// two per SM), `nBlocks` = ⌈seqlen_k / kBlockN⌉ and `maxSplits` 128.
    ///
    /// - Complexity: O(min(maxSplits, sms, nBlocks)).
    public static func flashAttention2Splits(batchHeadsMBlocks: Int, sms: Int, nBlocks: Int, maxSplits: Int = 128) -> Int {
        // FA2 compares in float: `batch_nheads_mblocks >= 0.8f * num_SMs`.
        if Float(batchHeadsMBlocks) >= 0.8 * Float(sms) { return 1 }
        let most = min(maxSplits, sms, nBlocks)
        guard most >= 1 else { return 1 }
        func eligible(_ s: Int) -> Bool { s == 1 || ceilDiv(nBlocks, s) != ceilDiv(nBlocks, s - 1) }
        var efficiency = [Float](repeating: 0, count: most + 1)
        var best: Float = 0
        for s in 1...most where eligible(s) {
            let waves = Float(batchHeadsMBlocks * s) / Float(sms)
            efficiency[s] = waves / waves.rounded(.up)
            best = max(best, efficiency[s])
        }
        // `efficiency[num_splits - 1] >= 0.85 * max_efficiency`: a float against a double product.
        for s in 1...most where eligible(s) && Double(efficiency[s]) >= 0.85 * Double(best) { return s }
        return 1
    }

    /// The most splits a kernel launches (`KernelChoice.maxKVSplits`, FA2's limit).
    public static let maxSplits = KernelChoice.maxKVSplits

    /// The split counts the GPU mapper ranks for a Q tile of `kvTiles` KV tiles in a grid of `ctas` CTAs on `sms`
    /// SMs: powers of two from 1 up to min(`kvTiles`, 128), and FlashAttention-2's choice for the grid (with FA2's 2
    /// CTAs per SM). A split count beyond 1 is offered only while the split grid stays within 4 waves of 2 CTAs per
    /// SM (ctas · s ≤ 8 · SMs): splitting exists to fill idle SMs, and FA2 itself keeps 1 split once the grid fills
    /// 0.8 of them; the cap keeps the mapper's work bounded on grids that are already large.
    public static func candidates(kvTiles: Int, ctas: Int, sms: Int) -> [Int] {
        let most = max(1, min(kvTiles, maxSplits, (8 * max(1, sms)) / max(1, ctas)))
        var result: [Int] = []
        var s = 1
        while s <= most {
            result.append(s)
            s *= 2
        }
        let fa2 = flashAttention2Splits(batchHeadsMBlocks: ctas, sms: 2 * sms, nBlocks: kvTiles, maxSplits: maxSplits)
        if fa2 <= most && !result.contains(fa2) { result.append(fa2) }
        return result
    }
}
