/// One attention call as `GPUEngine` times it: the costed grid (at the clock the GPU sustains for the call), the
/// split-KV combine kernel that follows it when there is one, and the host's issue time for an eager call.
///
/// The same call can be timed with only some of its mechanisms (`Mechanisms`): the speedup waterfall
/// (`SpeedupWaterfall`) switches them on one at a time, so each step's time is what that mechanism adds to the
/// very run `simulate()` returns.
public struct KernelCall: Sendable {
    /// Reads and writes of the split-KV combine kernel (`GPUSimulation.addingCombine`).
    public struct Combine: Sendable, Equatable {
        public var partialBytes: Double
        public var outputBytes: Double
    }

    /// The mechanisms of a call, in the order the waterfall adds them. Each level includes the ones before it.
    public enum Mechanisms: Int, Sendable, Comparable, CaseIterable {
        /// Every tile at the tensor cores' rate, CTAs scheduled on the slots (waves and the tail), nothing else.
        case schedule
        /// + partially masked tiles at the masked-tile cost, and the tiles a scanning kernel walks past.
        case maskEvaluation
        /// + the fixed cost of every CTA, the launch, and the host's issue time.
        case fixedCosts
        /// + DRAM traffic and the bandwidth the CTAs share, and the split-KV combine kernel: the whole call.
        case memory

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// The Q tiles of one instance, split into KV chunks when the call splits KV.
    public var grid: QTileGrid
    public var instances: Int
    public var cost: GPUKernelCost
    public var persistent: Bool
    /// The problem's Q, K, V and O bytes counted once (`Problem.queryOutputBytes`).
    public var problemBytes: Double
    /// The host's time to issue the call (`KernelProfile.hostOverhead`); nil for a graph-replayed call.
    public var hostOverhead: Double?
    public var combine: Combine?

    /// The grid alone: no combine kernel, no host.
    func gridRun(trace: Bool = false) -> GPUSimulation {
        GPUSimulation.run(grid: grid, instances: instances, cost: cost, persistent: persistent,
                          problemBytes: problemBytes, recordTrace: trace)
    }

    /// The whole call.
    public func simulate(trace: Bool = false) -> GPUSimulation { finishing(gridRun(trace: trace)) }

    /// The call after its grid ran: the combine kernel, then the wait for the host.
    func finishing(_ gridRun: GPUSimulation) -> GPUSimulation {
        var result = gridRun
        if let combine {
            result = result.addingCombine(partialBytes: combine.partialBytes, outputBytes: combine.outputBytes,
                                          launch: cost.launch, bandwidth: cost.bandwidth)
        }
        return result.waitingForHost(hostOverhead)
    }

    /// The call's time with the mechanisms up to `level`; `.memory` is `simulate().time`.
    public func time(upTo level: Mechanisms) -> Double {
        guard level < .memory else { return simulate().time }
        var reduced = self
        var cost = cost
        if level < .maskEvaluation {
            cost.maskedTileCost = 1
            cost.maskAllTiles = false
            cost.skippedTileTime = 0
        }
        if level < .fixedCosts {
            cost.perCTA = 0
            cost.launch = 0
            reduced.hostOverhead = nil
        }
        cost.bandwidth = .infinity
        cost.ctaBandwidth = .infinity
        cost.memoryTileTime = 0
        reduced.cost = cost
        reduced.combine = nil
        return reduced.simulate().time
    }

    /// The call's time at every level, in `Mechanisms` order, given its whole time (`simulate().time`, which the
    /// engine already has). A level whose mechanisms change nothing for this call (no partially masked or skipped
    /// tiles, no fixed costs) is the level before it, not another run.
    public func levelTimes(whole: Double) -> [Double] {
        let maskWork = cost.maskedTileCost != 1 && (cost.maskAllTiles || grid.tiles.contains { $0.partial > 0 })
            || cost.skippedTileTime > 0 && grid.tiles.contains { $0.skipped > 0 }
        let fixedWork = cost.perCTA > 0 || cost.launch > 0 || hostOverhead != nil
        let schedule = time(upTo: .schedule)
        let mask = maskWork ? time(upTo: .maskEvaluation) : schedule
        let fixed = fixedWork || maskWork ? time(upTo: .fixedCosts) : mask
        return [schedule, mask, fixed, whole]
    }

    /// Seconds of the call's tensor-core work spread evenly over every slot: its tiles' FLOPs at the kernel's rate,
    /// with no schedule, masking, fixed cost or memory (the tile-quantised ideal).
    public var tileWorkTime: Double {
        Double(grid.visited) * Double(instances) * cost.computeTileTime / Double(cost.slots)
    }
}
