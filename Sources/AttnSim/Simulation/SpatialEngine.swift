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
}

public enum SpatialEngine {
    /// - Parameter mask: the scores to compute; the array visits only the M0 × P0 tiles the mask's tile grid
    ///   lists (`SpatialMaskWork`) — skipped tiles cost no cycles, no K/V traffic and no energy — and applies the
    ///   element mask to partial tiles on the 1D array. nil: dense.
    public static func evaluate(_ mapping: SpatialMapping, hardware: HardwareSpec, problem: Problem,
                                mask: (any Mask)? = nil) throws(Diagnostic) -> SpatialEvaluation {
        if let mask, !SpatialMapping.canCountTiles(of: mask, tile: mapping.tile) {
            throw Diagnostic(file: hardware.file, path: "arrays", message: "the \(mask.kind) mask over \(problem.queryTokens) tokens in "
                + "M0 × P0 tiles of \(mapping.tile) (the 2D array's side) has too many tiles to count in seconds; "
                + "expected a larger 2D array")
        }
        let masked = SpatialMaskWork(mask, tile: mapping.tile, problem: problem)
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
        let lanes = Dictionary(hardware.arrays.map { ($0.name, Double($0.lanes)) }, uniquingKeysWith: { a, _ in a })
        var cycles: [String: (array: String, cycles: Double)] = [:]
        var order: [String] = []
        for bound in mapping.bindings {
            guard let einsum = cost[bound.einsum], let width = lanes[bound.array] else { continue }
            cycles[bound.einsum] = (bound.array, einsum.iterationPoints * bound.cost / width)
            order.append(bound.einsum)
        }
        // The element mask of partial tiles runs where the scores are first consumed element by element.
        if masked.maskOperations > 0, let consumer = SpatialMaskWork.firstElementwiseConsumer(order, cost),
           let entry = cycles[consumer], let width = lanes[entry.array] {
            cycles[consumer]!.cycles += masked.maskOperations / width
        }
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

    /// DRAM bytes of a dataflow (closed forms derived from references.md [FuseMax-artifact]), in words of `word` bytes:
    /// - FuseMax and its ablations: Q read and AV written once; K and V read once per block of P2.
    /// - FLAT: Q, K, V, O plus K and V again per row block of P1; when its row block's scores do not fit the
    ///   buffer, QK and A go off-chip: written and read back once each.
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
            let blocks = (p / Double(mapping.p1)).rounded(.up)
            let spills = !fitsRows(mapping, problem: problem, word: w)
            let scores = spills ? 4 * w * bh * m * p : 0
            return (scores + blocks * w * bh * m * (e + f) + w * bh * p * (e + f), [], w * bh * f * p + scores / 2)
        case .unfused:
            let qk = w * bh * (e * p + e * m + m * p)
            let softmax = 2 * w * bh * m * p
            let av = w * bh * (f * p + f * m + m * p)
            return (qk + softmax + av, [qk, softmax, av], w * bh * (2 * m * p + f * p))
        }
    }

    /// Whether FLAT's row block of scores (P1 × M words) fits its buffer; recorded in the mapping's P1 choice.
    static func fitsRows(_ mapping: SpatialMapping, problem: Problem, word: Double) -> Bool {
        Double(mapping.p1) * Double(problem.keyTokens) * word <= mapping.bufferBytes
    }
}
