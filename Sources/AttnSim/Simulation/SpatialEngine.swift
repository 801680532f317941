/// Evaluates a spatial mapping (the FuseMax artifact's model, references.md [FuseMax-artifact]): cycles per Einsum from
/// its iteration points, its cost per point and the lanes of its array; the mapping's combination rule turns them into
/// compute time; DRAM traffic from the dataflow's data movement; time is whichever binds.
///
/// - Complexity: O(Einsums): a point costs microseconds, whatever the sequence length.
public struct SpatialEvaluation: Sendable {
    public var mapping: SpatialMapping
    /// Seconds.
    public var time: Double
    public var computeTime: Double
    public var memoryTime: Double
    public var dramBytes: Double
    /// Busy cycles per array name.
    public var busyCycles: [(String, Double)]
    /// Cycles per Einsum (name, array, cycles).
    public var einsumCycles: [(String, String, Double)]
    public var clock: Double
    /// Words moved and operations performed, by action (the basis of energy).
    public var actions: SpatialActions

    /// Energy under `accounting`, from the hardware file's per-action energies; nil when it gives none.
    public func energy(hardware: HardwareSpec, accounting: EnergyAccounting = .full) -> SpatialEnergy? {
        SpatialEnergy(actions, dataflow: mapping.dataflow, hardware: hardware, accounting: accounting)
    }

    /// Busy fraction of each array over the run (exp-as-MAC cycles count as busy, as in the artifact).
    public var utilization: [(String, Double)] {
        busyCycles.map { ($0.0, $0.1 / (time * clock)) }
    }

    public var bottleneck: String { memoryTime > computeTime ? "memory" : "compute" }

    /// The backward's own evaluation, for `pass: backward | training`: the figures above include it (a training step's
    /// are the forward's and the backward's summed), and `einsumCycles` are the forward's.
    public var backward: SpatialBackwardEvaluation? = nil
    /// The forward's time, seconds; nil when the mapping runs the backward alone.
    public var forwardTime: Double? = nil
}

public enum SpatialEngine {
    /// - Parameter mask: the scores to compute; the array visits only the M0 × P0 tiles the mask's tile grid
    ///   lists (`SpatialMaskWork`) — skipped tiles cost no cycles, no K/V traffic and no energy — and applies the
    ///   element mask to partial tiles on the 1D array. nil: dense.
    ///
    /// A mapping of `pass` backward evaluates its backward (`evaluateBackward`), one of `pass` training the forward and
    /// the backward, summed: time, traffic, busy cycles and actions.
    public static func evaluate(_ mapping: SpatialMapping, hardware: HardwareSpec, problem: Problem,
                                mask: (any Mask)? = nil) throws(Diagnostic) -> SpatialEvaluation {
        if let mask, !SpatialMapping.canCountTiles(of: mask, tile: mapping.tile) {
            throw Diagnostic(file: hardware.file, path: "arrays", message: "the \(mask.kind) mask over \(problem.queryTokens) tokens in "
                + "M0 × P0 tiles of \(mapping.tile) (the 2D array's side) has too many tiles to count in seconds; "
                + "expected a larger 2D array")
        }
        let masked = SpatialMaskWork(mask, tile: mapping.tile, problem: problem)
        guard mapping.pass.runsBackward else {
            return try forward(mapping, hardware: hardware, problem: problem, masked: masked)
        }
        guard let backwardMapping = mapping.backward else {
            throw Diagnostic(file: hardware.file, message: "a `pass: \(mapping.pass.rawValue)` mapping needs its backward's "
                + "mapping (SpatialMapper.attachBackward)")
        }
        let backward = try evaluateBackward(mapping, backwardMapping, hardware: hardware, problem: problem, masked: masked)
        guard mapping.pass.runsForward else {
            return SpatialEvaluation(
                mapping: mapping, time: backward.time, computeTime: backward.computeTime, memoryTime: backward.memoryTime,
                dramBytes: backward.dramBytes, busyCycles: backward.busyCycles, einsumCycles: [], clock: hardware.clock,
                actions: backward.actions, backward: backward, forwardTime: nil)
        }
        var run = try forward(mapping, hardware: hardware, problem: problem, masked: masked)
        run.forwardTime = run.time
        run.time += backward.time
        run.computeTime += backward.computeTime
        run.memoryTime += backward.memoryTime
        run.dramBytes += backward.dramBytes
        let busy = Dictionary(backward.busyCycles, uniquingKeysWith: +)
        run.busyCycles = run.busyCycles.map { ($0.0, $0.1 + (busy[$0.0] ?? 0)) }
        run.actions = run.actions.adding(backward.actions, as: "backward")
        run.backward = backward
        return run
    }

    /// The forward of `mapping` (its dataflow's cascade, combination and traffic).
    static func forward(_ mapping: SpatialMapping, hardware: HardwareSpec, problem: Problem, masked: SpatialMaskWork)
        throws(Diagnostic) -> SpatialEvaluation {
        let cascade = Cascade.preset(named: mapping.cascade)!
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: mapping.tile, P0: mapping.tile)
        var cost: CascadeCost
        do {
            cost = try cascade.opCounts(binding: binding, multiplier: Double(problem.instances))
        } catch {
            throw Diagnostic(file: hardware.file, message: "cannot bind \(mapping.cascade): \(error)")
        }
        cost = masked.scaled(cost)
        let ordered = einsumCycles(mapping.bindings, cost: cost, hardware: hardware, masked: masked)
        let order = ordered.map(\.name)
        let cycles = Dictionary(ordered.map { ($0.name, (array: $0.array, cycles: $0.cycles)) }, uniquingKeysWith: { a, _ in a })
        let f = hardware.clock
        let bandwidth = hardware.offChip.bandwidth!
        let word = hardware.word ?? 2
        let traffic = dramTraffic(mapping, problem: problem, word: word, visited: masked.visitedFraction)
        var busy: [String: Double] = [:]
        for (_, entry) in cycles { busy[entry.array, default: 0] += entry.cycles }

        var computeCycles = 0.0
        var time: Double
        var memoryTime = traffic.total / bandwidth
        switch mapping.combination {
        case .epochs(let stages):
            for stage in stages {
                var perArray: [String: Double] = [:]
                for name in stage { if let entry = cycles[name] { perArray[entry.array, default: 0] += entry.cycles } }
                computeCycles += perArray.values.max() ?? 0
            }
            // Fill and drain of each M0 × P0 tile that is not pipelined with the next: tiles × stall cycles each.
            let tiles = Double(problem.instances) * Double(problem.keyTokens) * Double(problem.queryTokens)
                / (Double(mapping.tile) * Double(mapping.tile)) * masked.visitedFraction
            computeCycles += tiles * mapping.stallPerN
            time = max(computeCycles / f, memoryTime)
        case .fusedBlock:
            computeCycles = busy.values.max() ?? 0
            time = max(computeCycles / f, memoryTime)
        case .phases(let phases):
            time = 0
            for (index, phase) in phases.enumerated() {
                let phaseCycles = phase.reduce(0.0) { $0 + (cycles[$1]?.cycles ?? 0) }
                computeCycles += phaseCycles
                time += max(phaseCycles / f, traffic.phases[index] / bandwidth)
            }
            memoryTime = traffic.total / bandwidth
        }
        return SpatialEvaluation(
            mapping: mapping, time: time, computeTime: computeCycles / f, memoryTime: memoryTime,
            dramBytes: traffic.total,
            busyCycles: [mapping.array2D, mapping.array1D].map { ($0, busy[$0] ?? 0) },
            einsumCycles: order.compactMap { name in cycles[name].map { (name, $0.array, $0.cycles) } },
            clock: f,
            actions: actions(mapping, cost: cost, hardware: hardware, problem: problem,
                             traffic: ((traffic.total - traffic.writes) / word, traffic.writes / word),
                             visited: masked.visitedFraction))
    }

    /// Cycles of each bound Einsum, in binding order: its iteration points × its cycles per point ÷ its array's lanes;
    /// a mask's element work (partial tiles) is added where the scores are first consumed element by element.
    static func einsumCycles(_ bindings: [SpatialMapping.Binding], cost: CascadeCost, hardware: HardwareSpec,
                             masked: SpatialMaskWork) -> [(name: String, array: String, cycles: Double)] {
        let lanes = Dictionary(hardware.arrays.map { ($0.name, Double($0.lanes)) }, uniquingKeysWith: { a, _ in a })
        var result: [(name: String, array: String, cycles: Double)] = []
        for bound in bindings {
            guard let einsum = cost[bound.einsum], let width = lanes[bound.array] else { continue }
            result.append((bound.einsum, bound.array, einsum.iterationPoints * bound.cost / width))
        }
        if masked.maskOperations > 0, let consumer = SpatialMaskWork.firstElementwiseConsumer(result.map(\.name), cost),
           let index = result.firstIndex(where: { $0.name == consumer }), let width = lanes[result[index].array] {
            result[index].cycles += masked.maskOperations / width
        }
        return result
    }

    /// DRAM bytes of a dataflow (closed forms derived from references.md [FuseMax-artifact]), in words of `word` bytes:
    /// - FuseMax and its ablations: Q read and AV written once; K and V read once per block of P2.
    /// - FLAT: Q, K, V, O plus K and V again per row block of P1; when its row block's scores do not fit the
    ///   buffer, the fibers its 3-pass cascade carries between passes (``PassFibers``: QK, then SN, the size of the
    ///   artifact's QK and A) go off-chip: written and read back once each.
    /// - Unfused: each phase reads its inputs and writes its output (QK; QK → A; A and V → AV).
    /// `writes` is the part of `total` written (outputs, and scores that spill).
    /// With a mask, `visited` (the fraction of M0 × P0 tiles the array runs) scales everything that grows with M:
    /// K/V blocks of skipped tiles are not loaded and their scores not written.
    static func dramTraffic(_ mapping: SpatialMapping, problem: Problem, word w: Double, visited: Double = 1)
        -> (total: Double, phases: [Double], writes: Double) {
        let bh = Double(problem.instances)
        let m = Double(problem.keyTokens) * visited, p = Double(problem.queryTokens)
        let e = Double(problem.headDim), f = Double(problem.valueDim)
        switch mapping.dataflow {
        case .fusemax, .fusemaxArch, .fusemaxCascade:
            return (w * bh * (e * p + f * p + Double(mapping.p2) * m * (e + f)), [], w * bh * f * p)
        case .flat:
            // The 3-pass cascade's fibers (QK, then SN): on chip, or written once and read back once each.
            let blocks = (p / Double(mapping.p1)).rounded(.up)
            let fibers = passFibers(mapping, problem: problem)
            let spills = !fitsRows(mapping, problem: problem, word: w)
            let written = spills ? w * bh * m * p * fibers.writtenPerPair : 0
            let scores = spills ? written + w * bh * m * p * fibers.readPerPair : 0
            return (scores + blocks * w * bh * m * (e + f) + w * bh * p * (e + f), [], w * bh * f * p + written)
        case .unfused:
            let qk = w * bh * (e * p + e * m + m * p)
            let softmax = 2 * w * bh * m * p
            let av = w * bh * (f * p + f * m + m * p)
            return (qk + softmax + av, [qk, softmax, av], w * bh * (2 * m * p + f * p))
        }
    }

    /// Whether FLAT's row block of fibers (P1 rows × M × the words per pair its cascade carries across a pass
    /// boundary: P1 × M words for the 3-pass cascade) fits its buffer; recorded in the mapping's P1 choice.
    static func fitsRows(_ mapping: SpatialMapping, problem: Problem, word: Double) -> Bool {
        Double(mapping.p1) * Double(problem.keyTokens) * passFibers(mapping, problem: problem).heldPerPair * word
            <= mapping.bufferBytes
    }

    /// The fibers the mapping's forward cascade carries between passes over m (none for a 1-pass cascade).
    static func passFibers(_ mapping: SpatialMapping, problem: Problem) -> PassFibers {
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: mapping.tile, P0: mapping.tile)
        return (try? Cascade.preset(named: mapping.cascade)?.passFibers(binding: binding))
            ?? PassFibers(rank: "m", queryRank: "p", crossings: [])
    }
}
