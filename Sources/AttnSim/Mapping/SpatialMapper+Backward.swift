/// The backward's mapping on a spatial array (`SpatialBackwardMapping` states the dataflow and its assumptions): the
/// workload's backward cascade bound to the arrays by the forward's rule, its phases from the pass analysis, the role
/// of each tensor in the KV-stationary loop nest, and the key partition that fits the global buffer.
extension SpatialMapper {
    /// The dataflow's mapping for `workload`: the forward mapping, with the backward's attached when the workload's
    /// `pass:` runs one.
    public static func mapping(_ dataflow: SpatialMapping.Dataflow, hardware: HardwareSpec, workload: Workload)
        throws(Diagnostic) -> SpatialMapping {
        var mapping = try mapping(dataflow, hardware: hardware, problem: workload.problem)
        try attachBackward(&mapping, hardware: hardware, workload: workload)
        return mapping
    }

    /// Sets the mapping's pass to the workload's and, when it runs backward, the backward's mapping for the same
    /// dataflow (a mapping file gives the forward only).
    public static func attachBackward(_ mapping: inout SpatialMapping, hardware: HardwareSpec, workload: Workload)
        throws(Diagnostic) {
        mapping.pass = workload.pass
        mapping.backward = workload.pass.runsBackward
            ? try backward(mapping.dataflow, hardware: hardware, workload: workload) : nil
    }

    /// The backward's mapping of `workload.backwardCascade` for `dataflow` on `hardware`.
    public static func backward(_ dataflow: SpatialMapping.Dataflow, hardware: HardwareSpec, workload: Workload)
        throws(Diagnostic) -> SpatialBackwardMapping {
        guard dataflow != .flat && dataflow != .unfused else {
            throw Diagnostic(file: workload.file, path: "pass",
                             message: "the \(dataflow.rawValue) dataflow has no backward in attnsim (FLAT and the unfused "
                                + "baseline are inference designs); `pass: \(workload.pass.rawValue)` runs on fusemax, "
                                + "fusemax-arch or fusemax-cascade")
        }
        let (array2D, array1D) = try arrays(hardware)
        let tile = array2D.shape[0]
        let problem = workload.problem
        let cascade = workload.backwardCascade
        let name = workload.backwardCascadeName
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: tile, P0: tile)
        let cost: CascadeCost
        let fibers: PassFibers
        do {
            cost = try cascade.opCounts(binding: binding, multiplier: 1)
            fibers = try cascade.passFibers(binding: binding)
        } catch {
            throw Diagnostic(file: workload.file, path: "backward_cascade", message: "cannot bind \(name): \(error)")
        }
        let einsums = cascade.einsums
        let extended = einsums.indices.filter { cascade.sections[$0] == .extended }
        func overKeys(_ ranks: [String]) -> Bool { ranks.contains { PassAnalysis.isInFamily($0, of: "m") } }
        func overQueries(_ ranks: [String]) -> Bool { ranks.contains { PassAnalysis.isInFamily($0, of: "p") } }
        guard extended.contains(where: { overKeys(einsums[$0].ranks) }) else {
            throw Diagnostic(file: workload.file, path: "backward_cascade",
                             message: "the backward cascade \(name) iterates no key rank (m); the spatial backward walks "
                                + "the keys in KV tiles")
        }

        // Phases: an Einsum over the keys, or one needing something of the key loop, runs in its pass over m (as
        // scheduled by Cascade.scheduledPasses); the others (the preprocessing D = rowsum(dO ∘ O)) in phase 0, before
        // the key loop.
        let scheduled = cascade.scheduledPasses(over: "m")
        var phase = [Int](repeating: 0, count: einsums.count)
        var afterKeys = [Bool](repeating: false, count: einsums.count)
        for index in extended {
            let einsum = einsums[index]
            afterKeys[index] = overKeys(einsum.ranks) || einsum.reads.contains { access in
                cascade.producers(of: access.name).contains { $0 < index && afterKeys[$0] }
            }
            phase[index] = afterKeys[index] ? max(1, scheduled[index]) : 0
        }
        let passes = extended.map { phase[$0] }.max() ?? 1

        let bindings = extended.map { index in
            bind(cost.einsums[index], of: einsums[index], dataflow: dataflow, array2D: array2D, array1D: array1D)
        }

        // Each tensor's side (by the ranks it carries), its words per key, query or pair, and the phases that
        // produce and read it.
        let keys = Double(problem.keyTokens), queries = Double(problem.queryTokens)
        var roles: [SpatialBackwardMapping.TensorRole] = []
        for tensor in Einsum.uniqued(einsums.flatMap { [$0.name] + $0.reads.map(\.name) }) {
            let producer = cascade.producers(of: tensor).last { cascade.sections[$0] == .extended }
            guard let access = producer.map({ einsums[$0].output })
                    ?? einsums.lazy.flatMap(\.reads).first(where: { $0.name == tensor }) else { continue }
            let (k, q) = (overKeys(access.ranks), overQueries(access.ranks))
            let side: SpatialBackwardMapping.TensorRole.Side = k && q ? .scores : k ? .keys : q ? .queries : .other
            let points: Double
            do {
                points = try binding.points(of: access.ranks)
            } catch {
                throw Diagnostic(file: workload.file, path: "backward_cascade", message: "cannot bind \(name): \(error)")
            }
            let words = switch side {
            case .scores: points / (keys * queries)
            case .keys: points / keys
            case .queries: points / queries
            case .other: points
            }
            let readers = extended.filter { $0 != producer && einsums[$0].reads.contains { $0.name == tensor } }
            roles.append(.init(name: tensor, side: side, words: words, producedIn: producer.map { phase[$0] },
                               accumulatedOverKeys: side == .queries && producer.map { overKeys(einsums[$0].ranks) } == true,
                               readIn: Set(readers.map { phase[$0] }).sorted()))
        }

        // The buffer: per pass, a block of K1 KV tiles of the keys-side tensors that pass uses and one Q tile of its
        // queries-side tensors; the fibers carried between passes, all P rows of an instance, when they fit too.
        let word = hardware.word ?? 2
        let buffer = hardware.sharedBufferBytes
        let m0 = Double(tile)
        let perPass = (1...passes).map { pass in
            let used = roles.filter { $0.producedIn == pass || $0.readIn.contains(pass) }
            return (block: m0 * used.filter { $0.side == .keys }.reduce(0) { $0 + $1.words },
                    queryTile: m0 * used.filter { $0.side == .queries }.reduce(0) { $0 + $1.words })
        }
        func need(_ kvTiles: Int) -> Double {
            word * (perPass.map { Double(kvTiles) * $0.block + $0.queryTile }.max() ?? 0)
        }
        let held = word * queries * keys * fibers.heldPerPair
        guard need(1) <= buffer else {
            let used = roles.filter { role in
                (role.side == .keys || role.side == .queries) && ((role.producedIn ?? 0) > 0 || role.readIn.contains { $0 > 0 })
            }.map(\.name)
            throw Diagnostic(file: hardware.file, path: "memory",
                             message: "the global buffer (\(Quantity.format(buffer, .bytes, binary: true))) cannot hold one "
                                + "\(tile)-key block beside one \(tile)-query tile of \(used.joined(separator: ", ")) "
                                + "(\(Quantity.format(need(1), .bytes, binary: true))), which the \(dataflow.rawValue) backward needs")
        }
        let fibersOnChip = held > 0 && need(1) + held <= buffer
        let available = buffer - (fibersOnChip ? held : 0)
        let tiles = max(1, ceilDiv(problem.keyTokens, tile))
        var limit = tiles
        for pass in perPass where pass.block > 0 {
            // Clamped in Double first: a huge buffer must not overflow the conversion to Int.
            let fitting = ((available / word - pass.queryTile) / pass.block).rounded(.down)
            limit = min(limit, fitting >= Double(tiles) ? tiles : Int(max(1, fitting)))
        }
        let kvTiles = largestDivisor(of: tiles, atMost: limit)
        return SpatialBackwardMapping(
            cascadeName: name, cascade: cascade, bindings: bindings, passes: passes, phases: extended.map { phase[$0] },
            roles: roles, fibers: fibers, fibersOnChip: fibersOnChip, kvTiles: kvTiles, kvBlocks: tiles / kvTiles,
            stallPerN: dataflow == .fusemaxArch ? Double(tile) : 0,
            bufferNeed: need(kvTiles) + (fibersOnChip ? held : 0), bufferBytes: buffer)
    }
}
