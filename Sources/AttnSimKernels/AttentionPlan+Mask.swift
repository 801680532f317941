import AttnSim

/// The CPU kernels' plan for each mask family the kernels implement: the one place that maps a `Mask` to a plan.
extension AttentionPlan {
    /// The plan of `workload`'s mask for head `head` (a per-head mask: that head's group) under `mapping`.
    public static func plan(for workload: Workload, mapping: GPUMapping, head: Int = 0) throws(Diagnostic) -> AttentionPlan {
        let (p, m) = (workload.problem.queryTokens, workload.problem.keyTokens)
        let (tq, tkv) = (mapping.qTileTokens, mapping.kvTileTokens)
        switch workload.mask {
        case is DenseMask:
            return .dense(queries: p, keys: m, qTile: tq, kvTile: tkv)
        case is CausalMask:
            return .causal(queries: p, keys: m, qTile: tq, kvTile: tkv)
        case let mask as GNAMask:
            guard mapping.tiling == .multi_dim else {
                throw Diagnostic(file: workload.file, path: "kernel.tiling",
                                 message: "the CPU GNA kernel runs multi-dimensional tiles; set `kernel: {tiling: multi_dim}`")
            }
            guard mask.axes.count <= 4 else {
                throw Diagnostic(file: workload.file, path: "problem.tokens",
                                 message: "the CPU GNA kernel runs up to 4 token axes; this mask has \(mask.axes.count)")
            }
            return .gna(mask, qTile: mapping.qTile, kvTile: mapping.kvTile, kvTiling: mapping.kvTiling)
        case let mask as BlockMask:
            return try block(mask, workload: workload, qTile: tq, kvTile: tkv)
        case let mask as RadialMask:
            return try block(mask.blocks, workload: workload, qTile: tq, kvTile: tkv)
        case let mask as PerHeadMask:
            var sub = workload
            sub.mask = mask.groups[mask.groupOfHead[head]].mask
            return try plan(for: sub, mapping: mapping)
        default:
            guard !workload.mask.allowsMultiDimTiling, mapping.tiling != .multi_dim else {
                throw Diagnostic(file: workload.file, path: "kernel.tiling",
                                 message: "the CPU kernels run `\(workload.mask.kind)` masks in 1-D tiles")
            }
            return .rows(workload.mask, head: head, queries: p, keys: m, qTile: tq, kvTile: tkv)
        }
    }

    static func block(_ mask: BlockMask, workload: Workload, qTile: Int, kvTile: Int) throws(Diagnostic) -> AttentionPlan {
        guard mask.headPatterns == 1 else {
            throw Diagnostic(file: workload.file, path: "mask.file",
                             message: "the CPU kernels run one block mask for every head; this file has one per head")
        }
        return .block(mask, qTile: qTile, kvTile: kvTile)
    }
}
