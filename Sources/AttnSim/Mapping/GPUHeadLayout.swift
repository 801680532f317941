/// How a GPU kernel lays out the heads of a problem: the instances its grid repeats and how they share K and V
/// (grouped-query attention, `problem.kv_heads`). Part of every GPU mapping, fixed by the problem and the Q tile.
///
/// ```swift
/// // Llama-3-8B decode: 32 query heads, 8 K/V heads, one query token, 128-row Q tiles
/// GPUHeadLayout(problem, perHeadMasks: false, qTileTokens: 128).packedHeads   // 4: one CTA per K/V head
/// ```
///
/// When a GQA group's queries fit the rows of one Q tile (P · heads/kv_heads ≤ TQ, as in decode) the kernel packs
/// the group's query heads into that tile: one CTA per (batch, K/V head, Q tile) that reads its K and V once
/// (FlashAttention-2's `seqlenq_ngroups_swapped` for one query token and FlashAttention-3's PackGQA,
/// references.md [FlashAttention-src]). Otherwise every query head has its CTAs, and the heads of a group share
/// one K/V head through L2 (the GPU engine's `GPUKernelCost`). Per-head masks (one grid holding every head) are
/// never packed.
public struct GPUHeadLayout: Sendable, Equatable {
    /// Instances of the grid: batch × heads, batch × K/V heads when packed, the batch alone for per-head masks.
    public var instances: Int
    /// Consecutive instances that read the same K and V.
    public var kvSharing: Int
    /// Query rows of an instance's Q tiles: P, or P × the group when packed.
    public var rows: Int
    /// Query heads in one CTA (1 unpacked).
    public var packedHeads: Int
    /// The heads dimension of the launch: K/V heads when packed, else query heads.
    public var launchHeads: Int
    /// Heads inside one instance, each with its own K and V, their Q tiles one after another: every head for
    /// per-head masks, else 1.
    public var headsPerInstance: Int = 1

    public init(_ problem: Problem, perHeadMasks: Bool, qTileTokens: Int) {
        let group = problem.queryHeadsPerKVHead
        if group > 1 && !perHeadMasks && problem.queryTokens * group <= qTileTokens {
            instances = problem.batch * problem.kvHeads
            kvSharing = 1
            rows = problem.queryTokens * group
            packedHeads = group
            launchHeads = problem.kvHeads
        } else {
            instances = perHeadMasks ? problem.batch : problem.instances
            headsPerInstance = perHeadMasks ? problem.heads : 1
            kvSharing = perHeadMasks ? 1 : group
            rows = problem.queryTokens
            packedHeads = 1
            launchHeads = problem.heads
        }
    }

    public init(_ workload: Workload, qTileTokens: Int) {
        self.init(workload.problem, perHeadMasks: workload.mask.headPatterns > 1, qTileTokens: qTileTokens)
    }

    /// CTAs of the grid: batch × launch heads × Q tiles × splits, in Double (a check before anything is built).
    public func ctas(_ problem: Problem, qTileTokens: Int, kvSplits: Int) -> Double {
        (Double(problem.queryTokens) / Double(qTileTokens)).rounded(.up) * Double(problem.batch)
            * Double(launchHeads) * Double(kvSplits)
    }
}
