import Foundation

/// What one layer of a pruning schedule costs in work and bytes, target-independent:
/// K and V bytes at their bit widths (plus the refetched LSBs), Q and output bytes, index metadata, FLOPs of QK,
/// softmax and AV (with the refetch's recompute), the importance-score adds, and the top-k selections.
///
/// Rows read one by one (`gathered`, `indirect`) are padded to the memory's burst; a `compacted` cache is
/// contiguous. A `gathered` step also reads the kept rows and writes the copy the attention kernel then reads.
public struct PruningLayerCost: Sendable, Equatable {
    public var step: Int
    public var layer: Int
    public var keyBytes: Double
    public var valueBytes: Double
    /// Q read and attention output written.
    public var activationBytes: Double
    /// Kept-token indices read (indirect and gathered access).
    public var indexBytes: Double
    /// Gathering the kept rows into a contiguous copy (gathered access): bytes read plus written.
    public var gatherBytes: Double
    public var flops: Double
    /// exp evaluations (softmax, including the refetch's recompute).
    public var exps: Double
    /// Adds that accumulate the token importance (column sums of the probabilities) and head importance.
    public var importanceAdds: Double
    /// Selections: the cascade token and head top-k after the layer, and the local value top-k of each request.
    public var tokenTopK: PruningSchedule.Selection?
    public var headTopK: PruningSchedule.Selection?
    public var localTopK: [PruningSchedule.Selection]

    /// Every selection the layer makes: the cascade token and head top-k, then each request group's local top-k.
    public var selections: [PruningSchedule.Selection] { [tokenTopK, headTopK].compactMap { $0 } + localTopK }

    /// K and V bytes (what SpAtten's "DRAM traffic" counts).
    public var kvBytes: Double { keyBytes + valueBytes }
    /// Every byte the layer moves to or from DRAM.
    public var dramBytes: Double { keyBytes + valueBytes + activationBytes + indexBytes + gatherBytes }

    public init(_ layer: PruningSchedule.Layer, schedule: PruningSchedule, burst: Double?, pruned: Bool) {
        let d = Double(schedule.headDim), f = Double(schedule.valueDim)
        let rowwise = pruned && schedule.kvAccess != .compacted
        func rowBytes(_ width: Double, _ bits: Double) -> Double {
            let raw = width * bits / 8
            guard rowwise, let burst, raw > 0 else { return raw }
            return (raw / burst).rounded(.up) * burst
        }
        step = layer.step
        self.layer = layer.layer
        keyBytes = 0
        valueBytes = 0
        flops = 0
        exps = 0
        localTopK = []
        // Prefill: a head's kept K and V are fetched once and serve all its queries (the buffer holds them,
        // references.md [SpAtten-RTL]: 196 KB per buffer for 1024 keys); each query's local-V selection draws on them.
        // Decode: every request fetches its own.
        let prefill = schedule.mode == .prefill
        for group in layer.groups {
            let fetches = prefill ? group.count / Double(layer.queries) : group.count
            keyBytes += fetches * group.keys * (rowBytes(d, layer.keyBits) + group.refetch * rowBytes(d, layer.lsbBits))
            valueBytes += fetches * (prefill ? group.keys : group.values) * rowBytes(f, layer.valueBits)
            let scoring = group.keys * (1 + group.refetch)
            flops += group.count * (2 * d * scoring + 2 * f * group.values)
            exps += group.count * scoring
            if group.values < group.keys {
                localTopK.append(.init(n: Int(group.keys), k: Int(group.values), count: group.count))
            }
        }
        let requests = layer.requests
        activationBytes = requests * (d + f) * layer.activationBits / 8
        // One index per kept token per batch element and layer, ⌈log2 L⌉ bits.
        let maxKeys = layer.groups.map(\.keys).max() ?? 0
        let indexBits = log2(Double(max(2, layer.context))).rounded(.up)
        indexBytes = rowwise ? Double(schedule.batch) * maxKeys * indexBits / 8 : 0
        gatherBytes = pruned && schedule.kvAccess == .gathered ? 2 * (keyBytes + valueBytes) : 0
        importanceAdds = pruned ? layer.keys + requests * f : 0
        tokenTopK = pruned ? layer.tokenTopK : nil
        headTopK = pruned ? layer.headTopK : nil
        if !pruned { localTopK = [] }
    }
}

