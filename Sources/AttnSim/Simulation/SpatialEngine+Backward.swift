/// The backward of a spatial mapping (`pass: backward | training`), evaluated like the forward: cycles per Einsum from
/// the backward cascade's op counts on the array each is bound to; compute is the busier array's cycles (the arrays
/// and the passes overlap as `SpatialBackwardMapping` states); DRAM traffic from the role of each tensor in the
/// KV-stationary loop nest; time is whichever binds.
public struct SpatialBackwardEvaluation: Sendable {
    public var mapping: SpatialBackwardMapping
    /// Seconds.
    public var time: Double
    public var computeTime: Double
    public var memoryTime: Double
    public var dramBytes: Double
    /// DRAM bytes of the score fibers carried between passes (0 when they stay on chip or the cascade has one pass).
    public var fiberBytes: Double
    /// Busy cycles per array name (2D, then 1D).
    public var busyCycles: [(String, Double)]
    /// Cycles per Einsum (name, array, cycles), in cascade order.
    public var einsumCycles: [(String, String, Double)]
    /// Words moved and operations performed, by action.
    public var actions: SpatialActions

    public var bottleneck: String { memoryTime > computeTime ? "memory" : "compute" }
}

extension SpatialEngine {
    /// Evaluates `backward` on the arrays and tiles of `mapping`, with the mask's visited tiles (`masked`).
    static func evaluateBackward(_ mapping: SpatialMapping, _ backward: SpatialBackwardMapping, hardware: HardwareSpec,
                                 problem: Problem, masked: SpatialMaskWork) throws(Diagnostic) -> SpatialBackwardEvaluation {
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: mapping.tile, P0: mapping.tile)
        var cost: CascadeCost
        do {
            cost = try backward.cascade.opCounts(binding: binding, multiplier: Double(problem.instances))
        } catch {
            throw Diagnostic(file: hardware.file, message: "cannot bind \(backward.cascadeName): \(error)")
        }
        cost = masked.scaled(cost)
        let cycles = einsumCycles(backward.bindings, cost: cost, hardware: hardware, masked: masked)
        var busy: [String: Double] = [:]
        for entry in cycles { busy[entry.array, default: 0] += entry.cycles }
        // Fill and drain of each M0 × P0 tile, once per pass over the keys (fusemax-arch).
        let t = Double(mapping.tile)
        let tiles = Double(problem.instances) * Double(problem.keyTokens) * Double(problem.queryTokens) / (t * t)
            * masked.visitedFraction
        let sweeps = Double(Set(backward.phases.filter { $0 > 0 }).count)
        let computeCycles = (busy.values.max() ?? 0) + tiles * sweeps * backward.stallPerN
        let word = hardware.word ?? 2
        let traffic = backwardTraffic(backward, problem: problem, visited: masked.visitedFraction)
        let dramBytes = word * (traffic.reads + traffic.writes)
        let memoryTime = dramBytes / hardware.offChip.bandwidth!
        let f = hardware.clock
        return SpatialBackwardEvaluation(
            mapping: backward, time: max(computeCycles / f, memoryTime), computeTime: computeCycles / f,
            memoryTime: memoryTime, dramBytes: dramBytes, fiberBytes: word * traffic.fibers,
            busyCycles: [mapping.array2D, mapping.array1D].map { ($0, busy[$0] ?? 0) },
            einsumCycles: cycles.map { ($0.name, $0.array, $0.cycles) },
            actions: backwardActions(mapping, backward, cost: cost, hardware: hardware, problem: problem,
                                     traffic: (traffic.reads, traffic.writes)))
    }

    /// DRAM words of the backward's KV-stationary loop nest, by each tensor's role (`SpatialBackwardMapping`), over
    /// batch × heads instances of M keys and P queries, with S = max(1, M2 × visited) the KV blocks a Q tile streams
    /// through:
    /// - keys side (K, V; dK, dV): read once by each pass that reads it; written once by the pass producing it;
    /// - queries side (Q, dO, L, D; dQ): read once by the preprocessing, S times by each pass over the keys that reads
    ///   it; a sum over the keys (dQ) written S times and read back S − 1 times, anything else written once;
    /// - scores (S, P, dP, dS): on chip within a pass; the fibers later passes read (``PassFibers``) written once and
    ///   read back once per later pass when they are not held on chip; a score-shaped input read once per pass.
    /// With a mask, `visited` scales the score-shaped terms and the Q tiles each KV block streams (exact when a block
    /// is one KV tile); the keys side is read whole, as every KV tile of a causal or windowed mask is visited.
    static func backwardTraffic(_ backward: SpatialBackwardMapping, problem: Problem, visited: Double = 1)
        -> (reads: Double, writes: Double, fibers: Double) {
        let bh = Double(problem.instances), keys = Double(problem.keyTokens), queries = Double(problem.queryTokens)
        let streams = max(1, Double(backward.kvBlocks) * visited)
        var reads = 0.0, writes = 0.0
        for role in backward.roles {
            // The phases that read it after it exists (all of them for an input of the cascade).
            let later = Double(role.readIn.filter { phase in role.producedIn.map { phase > $0 } ?? true }.count)
            let laterSweeps = Double(role.readIn.filter { phase in phase > 0 && (role.producedIn.map { phase > $0 } ?? true) }.count)
            let produced = role.producedIn != nil
            switch role.side {
            case .keys:
                let size = bh * keys * role.words
                reads += size * later
                if produced { writes += size }
            case .queries:
                let size = bh * queries * role.words
                reads += size * (later - laterSweeps + laterSweeps * streams)
                if produced && role.accumulatedOverKeys {
                    writes += streams * size
                    reads += (streams - 1) * size
                } else if produced {
                    writes += size
                }
            case .scores:
                let size = bh * keys * queries * visited * role.words
                if !produced {
                    reads += size * later
                } else if role.readIn.isEmpty {
                    writes += size
                }
            case .other:
                reads += bh * role.words * later
                if produced { writes += bh * role.words }
            }
        }
        var fibers = 0.0
        if !backward.fibersOnChip {
            let pairs = bh * keys * queries * visited
            writes += pairs * backward.fibers.writtenPerPair
            reads += pairs * backward.fibers.readPerPair
            fibers = pairs * (backward.fibers.writtenPerPair + backward.fibers.readPerPair)
        }
        return (reads, writes, fibers)
    }

    /// The backward's actions, counted Einsum by Einsum with Timeloop's rules (validation/fusemax/energy-accounting.md
    /// §4) on the dataflow of `SpatialBackwardMapping`, written generically since no artifact maps a backward:
    /// - on the 2D array the Einsum's key and query ranks are spatial (one PE per score of the tile), its other ranks
    ///   (e, f) run in time; on the 1D array its key rank (else its query rank) is spread over the lanes;
    /// - an operand produced by an earlier Einsum of the same pass on the same array and held per PE (a score on the
    ///   2D array) is read from the register file; any other is filled into it (once per value: a rank it lacks in
    ///   time reuses it) and read from the global buffer once per fill of a PE group (a spatial rank it lacks
    ///   multicasts it);
    /// - every point reads its operands and updates its output in the register file, reading the partial sum except at
    ///   the first step of a reduction in time; an output reduced across the array (dV, dK over the queries, dQ over the
    ///   keys) is accumulated in the global buffer (updates, and reads but for the first); an output another array or
    ///   a later pass reads, or nobody does (a result), is written to the buffer;
    /// - DRAM words are filled into the buffer and written from it.
    static func backwardActions(_ mapping: SpatialMapping, _ backward: SpatialBackwardMapping, cost: CascadeCost,
                                hardware: HardwareSpec, problem: Problem, traffic: (reads: Double, writes: Double))
        -> SpatialActions {
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: mapping.tile, P0: mapping.tile)
        let arrays = Dictionary(hardware.arrays.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let einsums = backward.cascade.einsums
        let scores = Set(backward.roles.filter { $0.side == .scores }.map(\.name))
        var bufferReads = traffic.writes, bufferWrites = traffic.reads
        var files: [String: (reads: Double, writes: Double)] = [:]
        for (position, bound) in backward.bindings.enumerated() {
            guard let einsum = cost[bound.einsum], let array = arrays[bound.array] else { continue }
            let n = einsum.iterationPoints
            let phase = backward.phases[position]
            let key = einsum.ranks.first { PassAnalysis.isInFamily($0, of: "m") }
            let query = einsum.ranks.first { PassAnalysis.isInFamily($0, of: "p") }
            let spatial = array.shape.count == 2 ? [key, query].compactMap { $0 } : [key ?? query].compactMap { $0 }
            let temporal = einsum.ranks.filter { !spatial.contains($0) }
            func extent(_ ranks: [String]) -> Double {
                ranks.reduce(1) { $0 * (spatial.contains($1) ? Double(array.shape[0]) : Double((try? binding.size(of: $1)) ?? 1)) }
            }
            // Earlier Einsums of the same pass on the same array.
            let neighbours = backward.bindings.indices.filter {
                $0 < position && backward.phases[$0] == phase && backward.bindings[$0].array == bound.array
            }.map { backward.bindings[$0].einsum }
            var reads = 0.0, writes = 0.0
            let operands = einsums[einsum.index].reads
            for name in Einsum.uniqued(operands.map(\.name)) {
                guard let access = operands.first(where: { $0.name == name }) else { continue }
                reads += n
                let resident = neighbours.contains(access.name) && (array.shape.count == 1 || scores.contains(access.name))
                guard !resident else { continue }
                let reusedInTime = extent(temporal.filter { !access.ranks.contains($0) })
                let multicast = extent(spatial.filter { !access.ranks.contains($0) })
                writes += n / reusedInTime
                bufferReads += n / (reusedInTime * multicast)
            }
            let reducedInTime = extent(temporal.filter { einsum.reducedRanks.contains($0) })
            let reducedAcross = spatial.filter { einsum.reducedRanks.contains($0) }
            writes += n
            reads += n - n / reducedInTime
            let leaving = n / (reducedInTime * extent(reducedAcross))
            if !reducedAcross.isEmpty {
                let elements = n / einsum.reducedRanks.reduce(1.0) { $0 * Double((try? binding.size(of: $1)) ?? 1) }
                bufferWrites += leaving
                bufferReads += max(0, leaving - elements)
            } else {
                let readers = backward.bindings.indices.filter { reader in
                    reader != position && (cost[backward.bindings[reader].einsum].map { readerCost in
                        einsums[readerCost.index].reads.contains { $0.name == bound.einsum }
                    } ?? false)
                }
                let elsewhere = readers.isEmpty || readers.contains {
                    backward.phases[$0] != phase || backward.bindings[$0].array != bound.array
                }
                if elsewhere { bufferWrites += leaving }
            }
            files[bound.array, default: (0, 0)].reads += reads
            files[bound.array, default: (0, 0)].writes += writes
        }
        let registerFiles = [mapping.array2D, mapping.array1D].compactMap { name -> SpatialActions.RegisterFiles? in
            guard let counts = files[name], let array = arrays[name] else { return nil }
            return .init(name: name, reads: counts.reads, writes: counts.writes, instances: Double(array.lanes))
        }
        return SpatialActions(dramReads: traffic.reads, dramWrites: traffic.writes, bufferReads: bufferReads,
                              bufferWrites: bufferWrites, registerFiles: registerFiles,
                              operations: operations(backward.bindings, cost: cost, hardware: hardware))
    }
}
