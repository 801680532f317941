import Testing
@testable import AttnSim

/// FlashAttention-2's split heuristic (references.md [FlashAttention-src] csrc/flash_attn/flash_api.cpp,
/// `num_splits_heuristic`, and PyTorch's vendored copy in aten/src/ATen/native/transformers/cuda/flash_attn/
/// flash_api.cpp), against values worked out by hand from that C++ source, and the mapper's split candidates.
@Suite struct SplitKVTests {
    /// The source's own comment: "batch * n_heads = 48 and we have 108 SMs, having 2 splits (efficiency = 0.89) is
    /// better than having 3 splits (efficiency = 0.67)". By hand, 256 KV blocks (every split count up to 16 is
    /// eligible): e(1) = 48/108 = 0.44, e(2) = 96/108 = 0.89, and e(9) = 432/108 = 4 waves exactly = 1, so the best is
    /// 1 and the smallest split with e ≥ 0.85 is 2.
    @Test func theSourcesOwnExample() {
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 48, sms: 108, nBlocks: 256) == 2)
    }

    /// Decode of 32 heads at 32K context on an H100 with 128-token KV blocks (256 of them) and one 128-query block,
    /// as FA2's caller passes it: `num_SMs` = 2 × 132 = 264. By hand: e(s) = w / ⌈w⌉ with w = 32s/264 = 4s/33, and
    /// every s ≤ 16 is eligible (⌈256/s⌉ = 256, 128, 86, 64, 52, 43, 37, 32, 29, 26, 24, 22, 20, 19, 18, 16).
    /// e(1…6) ≤ 24/33 = 0.727; e(7) = 28/33 = 0.8485; e(8) = 32/33 = 0.970. With k = ⌈4s/33⌉ ≤ 16 (s ≤ 128),
    /// e(s) = 1 needs 4s = 33k: s = 33, 66, 99, none eligible (⌈256/33⌉ = ⌈256/32⌉ = 8, ⌈256/66⌉ = ⌈256/65⌉ = 4,
    /// ⌈256/99⌉ = ⌈256/98⌉ = 3); every other s has e(s) ≤ (33k − 1)/(33k) ≤ 527/528 = 0.99811. So the best is at most
    /// 0.99811, 0.85 × 0.99811 = 0.84839 < e(7), and e(6) < 0.85 × e(8): 7 splits.
    @Test func h100DecodeOf32Heads() {
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 32, sms: 264, nBlocks: 256) == 7)
        // The same grid against 132 (one CTA per SM): e(4) = 128/132 = 0.97 ≥ 0.85 × 1, e(3) = 96/132 = 0.73 < 0.82.
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 32, sms: 132, nBlocks: 256) == 4)
    }

    /// One CTA: e(s) = s/264 < 1 for every s ≤ 128, so the best is e(128) = 128/264 (128 is eligible: ⌈256/128⌉ = 2,
    /// ⌈256/127⌉ = 3). 0.85 × 128 = 108.8, and every s from 86 to 127 has ⌈256/s⌉ = 3, so none of 109…127 is eligible:
    /// the answer is 128.
    @Test func oneCTASplitsAllTheWay() {
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 1, sms: 264, nBlocks: 256) == 128)
    }

    /// The threshold `batch_nheads_mblocks >= 0.8f * num_SMs`: 0.8 × 264 = 211.2. 212 keeps 1 split. 211 does not:
    /// e(1…4) = 211/264, 422/528, 633/792, 844/1056 = 0.799 each, e(5) = 1055/1056 = 0.999, and 0.799 < 0.85 × 0.999,
    /// so 5.
    @Test func nearlyFullGridsKeepOneSplit() {
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 212, sms: 264, nBlocks: 256) == 1)
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 211, sms: 264, nBlocks: 256) == 5)
    }

    /// `max_splits = min(max_splits, num_SMs, num_n_blocks)`: 4 KV blocks and 100 CTAs on 264 allow 1…4; 3 is not
    /// eligible (⌈4/3⌉ = ⌈4/2⌉ = 2). e(1) = 100/264 = 0.38, e(2) = 200/264 = 0.76, e(4) = (400/264) / 2 = 0.76: the best
    /// is 0.76, and the smallest split reaching 0.85 × 0.76 = 0.64 is 2. One KV block allows 1 split; none, too.
    @Test func fewKVBlocksCapTheSplits() {
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 100, sms: 264, nBlocks: 4) == 2)
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 3, sms: 264, nBlocks: 1) == 1)
        #expect(SplitKV.flashAttention2Splits(batchHeadsMBlocks: 3, sms: 264, nBlocks: 0) == 1)
    }

    /// The mapper's candidates: powers of two up to min(KV tiles, 128, 8 · SMs / CTAs), plus FA2's choice.
    @Test func candidates() {
        // 32 CTAs on 132 SMs: 8 · 132 / 32 = 33, so 1…32, and FA2's 7 (above).
        #expect(SplitKV.candidates(kvTiles: 256, ctas: 32, sms: 132) == [1, 2, 4, 8, 16, 32, 7])
        // 8 CTAs (Llama-3-8B decode, GQA packed): 8 · 132 / 8 = 132, capped at 128.
        #expect(SplitKV.candidates(kvTiles: 256, ctas: 8, sms: 132).prefix(8) == [1, 2, 4, 8, 16, 32, 64, 128])
        // A short context caps at its KV tiles; a full grid gets 1 split only.
        #expect(SplitKV.candidates(kvTiles: 3, ctas: 1, sms: 132) == [1, 2, 3])
        #expect(SplitKV.candidates(kvTiles: 256, ctas: 6144, sms: 132) == [1])
    }
}
