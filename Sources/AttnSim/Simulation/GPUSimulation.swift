import HeapModule

/// A discrete-event simulation of an attention kernel's grid on a GPU.
///
/// The grid is every Q tile of every (batch, head) instance, launched in order (Q tiles of one instance
/// consecutively, as FlashAttention's and FlexAttention's grids are). Non-persistent kernels hand the next
/// CTA to whichever slot (SM × resident CTAs) frees first — the hardware block scheduler — which is what
/// makes waves; persistent kernels give slot w the Q tiles w, w + slots, w + 2·slots, ….
///
/// A CTA has tensor-core work (its full tiles and its partially masked tiles, times the masked-tile factor) and
/// DRAM bytes (its Q and O tiles and its KV tiles' share after L2), which proceed together; when both are done it
/// pays its fixed cost and frees its slot. The resources are shared as fluids: the CTAs resident on an SM split
/// its tensor cores equally, and the CTAs still moving bytes split the off-chip bandwidth equally. So a kernel
/// becomes memory-bound when bandwidth falls, a tail wave gets the bandwidth and the SMs the full waves shared,
/// and no schedule moves bytes faster than the bandwidth or does work faster than the SMs' peak.
///
/// - Complexity: O(CTAs · (log CTAs + CTAs per SM)), independent of the number of visited tiles; a grid of
///   identical CTAs is a closed form.
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
    /// Seconds of the split-KV combine kernel included in `time` (0 without split-KV).
    public var combineTime = 0.0

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
        let slots = cost.slots, sms = cost.sms, perSM = cost.ctasPerSM
        let tilesPerInstance = grid.tiles.count
        let ctas = tilesPerInstance * instances
        let work = grid.tiles.map(cost.soloWork)
        let bytes = grid.tiles.map(cost.bytes)
        var slotBusy = [Double](repeating: 0, count: slots)
        var trace: [TraceSlice] = []
        var end = 0.0

        if !recordTrace, let c = work.first, let b = bytes.first, work.allSatisfy({ $0 == c }),
           bytes.allSatisfy({ $0 == b }) {
            // Identical CTAs: greedy and round-robin scheduling both run them in waves that start together. A full
            // wave has every SM shared by its resident CTAs and the bandwidth by every slot; the last wave's
            // `rest` CTAs sit one per SM first (slots are numbered SM-major), and share the bandwidth among them.
            let full = ctas / slots, rest = ctas % slots
            let fullWave = cost.perCTA + max(c * Double(perSM), b * Double(slots) / cost.bandwidth, b / cost.ctaBandwidth)
            for slot in 0..<min(slots, ctas) { slotBusy[slot] = Double(full) * fullWave }
            end = Double(full) * fullWave
            if rest > 0 {
                let memory = max(b * Double(rest) / cost.bandwidth, b / cost.ctaBandwidth)
                var last = 0.0
                for slot in 0..<rest {
                    let sm = slot % sms
                    let sharing = rest / sms + (sm < rest % sms ? 1 : 0)
                    let duration = cost.perCTA + max(c * Double(sharing), memory)
                    slotBusy[slot] += duration
                    last = max(last, duration)
                }
                end += last
            }
        } else if perSM == 1 && !memoryCanBind(work: work, bytes: bytes, slots: slots, ctas: ctas, cost: cost) {
            // One CTA per SM and transfers that always finish before the work: each CTA takes its fixed cost plus
            // its work at the SM's full rate, and the grid is list scheduling of those durations.
            let durations = work.map { cost.perCTA + $0 }
            func record(slot: Int, start: Double, cta: Int) {
                let tile = cta % tilesPerInstance
                let duration = durations[tile]
                slotBusy[slot] += duration
                end = max(end, start + duration)
                if recordTrace && trace.count < (1 << 20) {
                    let visit = grid.tiles[tile]
                    trace.append(TraceSlice(sm: slot % sms, slot: slot / sms, start: start, duration: duration,
                                            instance: cta / tilesPerInstance, qTile: tile, visited: visit.visited,
                                            full: visit.full))
                }
            }
            if persistent {
                var clock = [Double](repeating: 0, count: slots)
                for cta in 0..<ctas {
                    let slot = cta % slots
                    record(slot: slot, start: clock[slot], cta: cta)
                    clock[slot] += durations[cta % tilesPerInstance]
                }
            } else {
                var free = EventQueue<Int>()
                for slot in 0..<slots { free.schedule(slot, at: 0) }
                for cta in 0..<ctas {
                    guard let (time, slot) = free.next() else { break }
                    record(slot: slot, start: time, cta: cta)
                    free.schedule(slot, at: time + durations[cta % tilesPerInstance])
                }
            }
        } else {
            // Transfers that always finish before the work leave the bandwidth out of the schedule.
            let binds = memoryCanBind(work: work, bytes: bytes, slots: slots, ctas: ctas, cost: cost)
            var fluid = FluidGrid(sms: sms, slots: slots, bandwidth: binds ? cost.bandwidth : .infinity,
                                  ctaBandwidth: cost.ctaBandwidth)
            if recordTrace { trace.reserveCapacity(min(ctas, 1 << 20)) }
            var nextCTA = 0
            var slotCTA = [Int](repeating: -1, count: slots)
            var slotStart = [Double](repeating: 0, count: slots)
            for slot in 0..<slots { fluid.free.insert(.init(time: 0, slot: slot)) }
            while let event = fluid.nextEvent() {
                switch event {
                case .free(let time, let slot):
                    let cta: Int
                    if persistent {
                        cta = slotCTA[slot] < 0 ? slot : slotCTA[slot] + slots
                    } else {
                        cta = nextCTA
                        nextCTA += 1
                    }
                    guard cta < ctas else { continue }
                    slotCTA[slot] = cta
                    slotStart[slot] = time
                    let tile = cta % tilesPerInstance
                    fluid.start(slot: slot, at: time, work: work[tile], bytes: bytes[tile])
                case .done(let time, let slot):
                    let finish = time + cost.perCTA
                    fluid.free.insert(.init(time: finish, slot: slot))
                    let duration = finish - slotStart[slot]
                    slotBusy[slot] += duration
                    end = max(end, finish)
                    let cta = slotCTA[slot]
                    if recordTrace && trace.count < (1 << 20) {
                        let tile = cta % tilesPerInstance
                        let visit = grid.tiles[tile]
                        trace.append(TraceSlice(sm: slot % sms, slot: slot / sms, start: slotStart[slot],
                                                duration: duration, instance: cta / tilesPerInstance, qTile: tile,
                                                visited: visit.visited, full: visit.full))
                    }
                }
            }
        }

        var smBusy = [Double](repeating: 0, count: sms)
        for slot in 0..<slots { smBusy[slot % sms] += slotBusy[slot] / Double(perSM) }
        let busy = slotBusy.reduce(0, +)
        let visited = Double(grid.visited) * Double(instances)
        let compute = visited * cost.computeTileTime
        let memory = visited * cost.memoryTileTime + Double(ctas) * cost.qoBytesPerCTA / cost.bandwidth * Double(slots)
        let overhead = Double(ctas) * cost.perCTA
        let bottleneck = overhead > max(compute, memory) ? "overhead" : (memory > compute ? "memory" : "compute")
        return GPUSimulation(
            time: end + cost.launch, ctas: ctas, slots: slots, ctasPerSM: perSM,
            waves: ceilDiv(ctas, slots),
            waveEfficiency: end > 0 ? busy / (Double(slots) * end) : 0,
            smBusy: smBusy.map { end > 0 ? $0 / end : 0 },
            dramBytes: problemBytes + visited * cost.dramBytesPerTile,
            executedFLOPs: visited * cost.tileFLOPs,
            bottleneck: bottleneck, trace: trace)
    }
}

extension GPUSimulation {
    /// The run followed by a split-KV combine kernel (references.md [FlashDecoding], FlashAttention-2's
    /// `combine_attn_seqk_parallel`): a second launch that reads every partial output and its log-sum-exp
    /// (`partialBytes`, which the split CTAs wrote) and writes the output (`outputBytes`), memory-bound at the
    /// off-chip bandwidth. The partials are DRAM traffic twice, written and read back; the output's bytes are
    /// already in `dramBytes` (the problem's O).
    public func addingCombine(partialBytes: Double, outputBytes: Double, launch: Double,
                              bandwidth: Double) -> GPUSimulation {
        var combined = self
        combined.combineTime = launch + (partialBytes + outputBytes) / bandwidth
        combined.time += combined.combineTime
        combined.dramBytes += 2 * partialBytes
        return combined
    }

    /// A call takes at least the host's time to issue it (framework dispatch and launch on the CPU, the profile's
    /// `host_overhead`): when the kernel is shorter the GPU idles until the next call arrives, so back-to-back calls
    /// run at the host's rate.
    func waitingForHost(_ hostOverhead: Double?) -> GPUSimulation {
        guard let host = hostOverhead, host > time else { return self }
        var copy = self
        copy.time = host
        return copy
    }

    /// Whether some CTA's transfers could outlast its work: a moving CTA gets at least the bandwidth over the CTAs
    /// that can run at once (at most its own ceiling), and its work takes at least its solo time (the SM to itself).
    static func memoryCanBind(work: [Double], bytes: [Double], slots: Int, ctas: Int, cost: GPUKernelCost) -> Bool {
        let share = min(cost.bandwidth / Double(max(1, min(slots, ctas))), cost.ctaBandwidth)
        return zip(work, bytes).contains { work, bytes in bytes / share > work }
    }
}

/// The shared resources of a running grid as fluids. The CTAs resident on an SM split its tensor cores equally:
/// each SM keeps a virtual clock of work seconds granted to every CTA on it, which runs at 1/n of real time with
/// n CTAs computing; a CTA's work is done when the clock passes its start reading plus its work. The CTAs moving
/// bytes split the bandwidth the same way, each at most `ctaBandwidth`, on one virtual byte counter. Both clocks advance lazily, so an event
/// costs O(log CTAs + CTAs per SM).
struct FluidGrid {
    struct Free: Comparable {
        var time: Double
        var slot: Int
        static func < (a: Free, b: Free) -> Bool { (a.time, a.slot) < (b.time, b.slot) }
    }
    struct Target: Comparable {
        var value: Double
        var slot: Int
        static func < (a: Target, b: Target) -> Bool { (a.value, a.slot) < (b.value, b.slot) }
    }
    struct SMEvent: Comparable {
        var time: Double
        var sm: Int
        var version: Int
        static func < (a: SMEvent, b: SMEvent) -> Bool { (a.time, a.sm, a.version) < (b.time, b.sm, b.version) }
    }
    enum Event {
        case free(Double, Int)
        /// A CTA's work and bytes are both done: it pays its fixed cost and frees its slot.
        case done(Double, Int)
    }

    let sms: Int
    let slots: Int
    let bandwidth: Double
    /// The most one CTA draws alone (`GPUKernelCost.ctaBandwidth`).
    let ctaBandwidth: Double
    var free = Heap<Free>()
    /// Per SM: CTAs computing, virtual work clock, when it was last advanced, and a version for stale events.
    var computing: [Int]
    var clock: [Double]
    var updated: [Double]
    var version: [Int]
    var smEvents = Heap<SMEvent>()
    /// Per slot: the work clock reading at which its CTA's work is done (nil when done or idle), bytes done.
    var workTarget: [Double?]
    var bytesDone: [Bool]
    /// Bytes granted to every moving CTA, the CTAs moving bytes, when the counter was last advanced.
    var byteClock = 0.0
    var moving = 0
    var byteUpdated = 0.0
    var byteTargets = Heap<Target>()
    var pendingDone: [(Double, Int)] = []

    init(sms: Int, slots: Int, bandwidth: Double, ctaBandwidth: Double = .infinity) {
        self.sms = sms
        self.slots = slots
        self.bandwidth = bandwidth
        self.ctaBandwidth = ctaBandwidth
        computing = [Int](repeating: 0, count: sms)
        clock = [Double](repeating: 0, count: sms)
        updated = [Double](repeating: 0, count: sms)
        version = [Int](repeating: 0, count: sms)
        workTarget = [Double?](repeating: nil, count: slots)
        bytesDone = [Bool](repeating: true, count: slots)
    }

    mutating func advanceSM(_ sm: Int, to time: Double) {
        if computing[sm] > 0 { clock[sm] += (time - updated[sm]) / Double(computing[sm]) }
        updated[sm] = time
    }

    mutating func advanceBytes(to time: Double) {
        if moving > 0 { byteClock += (time - byteUpdated) * byteRate }
        byteUpdated = time
    }

    /// Bytes per second each moving CTA gets: an equal share of the bandwidth, at most its own ceiling.
    var byteRate: Double { min(bandwidth / Double(moving), ctaBandwidth) }

    /// Schedules the SM's next work completion (the smallest target among its CTAs), invalidating older ones.
    mutating func reschedule(_ sm: Int) {
        version[sm] += 1
        guard computing[sm] > 0 else { return }
        var smallest = Double.infinity
        for slot in stride(from: sm, to: slots, by: sms) { if let target = workTarget[slot] { smallest = min(smallest, target) } }
        let time = updated[sm] + max(0, smallest - clock[sm]) * Double(computing[sm])
        smEvents.insert(.init(time: time, sm: sm, version: version[sm]))
    }

    mutating func start(slot: Int, at time: Double, work: Double, bytes: Double) {
        let sm = slot % sms
        if work > 0 {
            advanceSM(sm, to: time)
            workTarget[slot] = clock[sm] + work
            computing[sm] += 1
            reschedule(sm)
        }
        if bytes > 0 && bandwidth.isFinite {
            advanceBytes(to: time)
            bytesDone[slot] = false
            moving += 1
            byteTargets.insert(.init(value: byteClock + bytes, slot: slot))
        }
        if work <= 0 && bytesDone[slot] { pendingDone.append((time, slot)) }
    }

    /// The next event in time order (a CTA done before a slot freeing at the same time), or nil when the grid
    /// is finished.
    mutating func nextEvent() -> Event? {
        while true {
            if let (time, slot) = pendingDone.popLast() { return .done(time, slot) }
            while let top = smEvents.min, top.version != version[top.sm] { _ = smEvents.popMin() }
            let byteTime = byteTargets.min.map {
                byteUpdated + max(0, $0.value - byteClock) / byteRate
            } ?? .infinity
            let workTime = smEvents.min?.time ?? .infinity
            let freeTime = free.min?.time ?? .infinity
            if freeTime == .infinity && byteTime == .infinity && workTime == .infinity { return nil }
            if byteTime <= workTime && byteTime <= freeTime {
                let target = byteTargets.popMin()!
                advanceBytes(to: byteTime)
                byteClock = max(byteClock, target.value)
                moving -= 1
                bytesDone[target.slot] = true
                if workTarget[target.slot] == nil { return .done(byteTime, target.slot) }
            } else if workTime <= freeTime {
                let event = smEvents.popMin()!
                let sm = event.sm
                advanceSM(sm, to: event.time)
                var smallest = Double.infinity
                for slot in stride(from: sm, to: slots, by: sms) {
                    if let target = workTarget[slot] { smallest = min(smallest, target) }
                }
                clock[sm] = max(clock[sm], smallest)
                for slot in stride(from: sm, to: slots, by: sms) {
                    guard let target = workTarget[slot], target <= clock[sm] * (1 + 1e-12) else { continue }
                    workTarget[slot] = nil
                    computing[sm] -= 1
                    if bytesDone[slot] { pendingDone.append((event.time, slot)) }
                }
                reschedule(sm)
            } else {
                let next = free.popMin()!
                return .free(next.time, next.slot)
            }
        }
    }
}
