/// A discrete-event simulation of an attention kernel's grid on a GPU.
///
/// The grid is every Q tile of every (batch, head) instance, launched in order (Q tiles of one instance
/// consecutively, as FlashAttention's and FlexAttention's grids are). Non-persistent kernels hand the next
/// CTA to whichever slot (SM × resident CTAs) frees first — the hardware block scheduler — which is what
/// makes waves; persistent kernels give slot w the Q tiles w, w + slots, w + 2·slots, …. Each CTA costs its
/// fixed cost plus its full tiles and its partially masked tiles (times the masked-tile factor).
///
/// - Complexity: O(CTAs · log slots), independent of the number of visited tiles.
public struct GPUSimulation: Sendable {
    /// Kernel time including launch, seconds.
    public var time: Double
    public var ctas: Int
    public var slots: Int
    public var ctasPerSM: Int
    /// ⌈CTAs / slots⌉.
    public var waves: Int
    /// Busy slot-time over slots × kernel time (1 = no tail, no idle slot).
    public var waveEfficiency: Double
    /// Busy fraction of each SM over the kernel.
    public var smBusy: [Double]
    public var dramBytes: Double
    /// FLOPs the tensor cores executed (masked tiles included).
    public var executedFLOPs: Double
    /// compute | memory | overhead: what most of the CTA time went to.
    public var bottleneck: String
    public var trace: [TraceSlice]

    public struct TraceSlice: Sendable, Equatable {
        public var sm: Int
        public var slot: Int
        public var start: Double
        public var duration: Double
        public var instance: Int
        public var qTile: Int
        public var visited: Int
        public var full: Int
    }

    public static func run(grid: QTileGrid, instances: Int, cost: GPUKernelCost, persistent: Bool,
                           problemBytes: Double, recordTrace: Bool = false) -> GPUSimulation {
        let slots = cost.slots
        let tilesPerInstance = grid.tiles.count
        let ctas = tilesPerInstance * instances
        let durations = grid.tiles.map(cost.ctaTime)
        var slotBusy = [Double](repeating: 0, count: slots)
        var trace: [TraceSlice] = []
        if recordTrace { trace.reserveCapacity(min(ctas, 1 << 20)) }
        var end = 0.0

        func record(slot: Int, start: Double, cta: Int) {
            let tile = cta % max(1, tilesPerInstance)
            let duration = durations[tile]
            slotBusy[slot] += duration
            end = max(end, start + duration)
            if recordTrace && trace.count < (1 << 20) {
                let visit = grid.tiles[tile]
                trace.append(TraceSlice(sm: slot % cost.sms, slot: slot / cost.sms, start: start, duration: duration,
                                        instance: cta / max(1, tilesPerInstance), qTile: tile,
                                        visited: visit.visited, full: visit.full))
            }
        }

        if !recordTrace, let first = durations.first, durations.allSatisfy({ $0 == first }) {
            // Uniform work (dense grids): greedy and round-robin scheduling both give slot s the CTAs
            // s, s + slots, …; the closed form saves the event loop on grids of millions of CTAs.
            for slot in 0..<min(slots, ctas) {
                let count = ctas / slots + (slot < ctas % slots ? 1 : 0)
                slotBusy[slot] = Double(count) * first
            }
            end = Double(ceilDiv(ctas, slots)) * first
        } else if persistent {
            var clock = [Double](repeating: 0, count: slots)
            for cta in 0..<ctas {
                let slot = cta % slots
                record(slot: slot, start: clock[slot], cta: cta)
                clock[slot] += durations[cta % tilesPerInstance]
            }
        } else {
            // Slots are numbered SM-major (slot s sits on SM s % sms), so the first wave spreads over all SMs.
            var free = EventQueue<Int>()
            for slot in 0..<slots { free.schedule(slot, at: 0) }
            for cta in 0..<ctas {
                guard let (time, slot) = free.next() else { break }
                record(slot: slot, start: time, cta: cta)
                free.schedule(slot, at: time + durations[cta % tilesPerInstance])
            }
        }

        var smBusy = [Double](repeating: 0, count: cost.sms)
        for slot in 0..<slots { smBusy[slot % cost.sms] += slotBusy[slot] / Double(cost.ctasPerSM) }
        let busy = slotBusy.reduce(0, +)
        let visited = Double(grid.visited) * Double(instances)
        let compute = visited * cost.computeTileTime
        let memory = visited * cost.memoryTileTime + Double(ctas) * cost.memoryPerCTA
        let overhead = Double(ctas) * cost.perCTA
        let bottleneck = overhead > max(compute, memory) ? "overhead" : (memory > compute ? "memory" : "compute")
        return GPUSimulation(
            time: end + cost.launch, ctas: ctas, slots: slots, ctasPerSM: cost.ctasPerSM,
            waves: ceilDiv(ctas, slots),
            waveEfficiency: end > 0 ? busy / (Double(slots) * end) : 0,
            smBusy: smBusy.map { end > 0 ? $0 / end : 0 },
            dramBytes: problemBytes + visited * cost.dramBytesPerTile,
            executedFLOPs: visited * cost.tileFLOPs,
            bottleneck: bottleneck, trace: trace)
    }
}
