import Foundation

/// The schedule's costs per layer, pruned and dense, with totals.
public struct PruningCost: Sendable {
    public var layers: [PruningLayerCost]
    public var dense: [PruningLayerCost]

    public init(_ schedule: PruningSchedule, burst: Double? = nil) {
        layers = schedule.layers.map { PruningLayerCost($0, schedule: schedule, burst: burst, pruned: true) }
        dense = schedule.dense.map { PruningLayerCost($0, schedule: schedule, burst: burst, pruned: false) }
    }

    public var kvBytes: Double { layers.reduce(0) { $0 + $1.kvBytes } }
    public var denseKVBytes: Double { dense.reduce(0) { $0 + $1.kvBytes } }
    public var dramBytes: Double { layers.reduce(0) { $0 + $1.dramBytes } }
    public var denseDRAMBytes: Double { dense.reduce(0) { $0 + $1.dramBytes } }
    public var flops: Double { layers.reduce(0) { $0 + $1.flops } }
    public var denseFLOPs: Double { dense.reduce(0) { $0 + $1.flops } }
}
