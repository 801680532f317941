import AttnSim

/// The CPU kernels' plan for each mask family the kernels implement: the one place that maps a `Mask` to a plan.
extension AttentionPlan {
    public static func plan(for workload: Workload, mapping: GPUMapping) throws(Diagnostic) -> AttentionPlan {
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
            return .gna(mask, qTile: mapping.qTile, kvTile: mapping.kvTile, kvTiling: mapping.kvTiling)
        case let mask as BlockMask:
            guard mask.headPatterns == 1 else {
                throw Diagnostic(file: workload.file, path: "mask.file",
                                 message: "the CPU kernels run one block mask for every head; this file has one per head")
            }
            return .block(mask, qTile: tq, kvTile: tkv)
        default:
            throw Diagnostic(file: workload.file, path: "mask.kind",
                             message: "the CPU kernels do not implement `\(workload.mask.kind)` masks")
        }
    }
}
