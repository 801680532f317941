/// What a spatial dataflow does, counted per action over the whole problem: words moved at DRAM, at the global
/// buffer and at the register files, and operations per array. Energy is these counts priced per action
/// (`SpatialEnergy`).
///
/// The counts are the closed forms of validation/fusemax/energy-accounting.md §5, which follow Timeloop's counting
/// rules (tiles, deliveries, multicast, first-read elision) on the FuseMax artifact's mappings and reproduce its
/// energies. Operations come from the cascade's own op counts on the array each Einsum is bound to (an exp on an
/// array without an exp unit is 6 MACs, references.md [FuseMax-artifact] proposal.py).
public struct SpatialActions: Sendable, Equatable {
    /// A group of identical register files: accesses summed over all `instances` of them (PEs).
    public struct RegisterFiles: Sendable, Equatable {
        public var name: String
        public var reads: Double
        public var writes: Double
        /// How many PEs the accesses spread over (1 for a file shared by a whole array).
        public var instances: Double
    }

    /// Words read from / written to DRAM.
    public var dramReads: Double
    public var dramWrites: Double
    /// Words read from / written to (filled or updated in) the global buffer.
    public var bufferReads: Double
    public var bufferWrites: Double
    public var registerFiles: [RegisterFiles]
    /// Operations per array name, in the order of the mapping's bindings.
    public var operations: [(array: String, ops: OpCounts)]

    public static func == (a: SpatialActions, b: SpatialActions) -> Bool {
        a.dramReads == b.dramReads && a.dramWrites == b.dramWrites && a.bufferReads == b.bufferReads
            && a.bufferWrites == b.bufferWrites && a.registerFiles == b.registerFiles
            && a.operations.map(\.array) == b.operations.map(\.array) && a.operations.map(\.ops) == b.operations.map(\.ops)
    }
}

extension SpatialEngine {
    /// The action counts of `mapping` on `problem` (energy-accounting.md §5.1–§5.4).
    ///
    /// Notation (references.md [FuseMax §IV]): T = M0 = P0 (the array side), S = B·H·M·P scores, N1 = S/T, NF = F·N1,
    /// FP = B·H·F·P, CQK = E·S and CSV = F·S (the MACs of QK and AV). The formulas are written for exact
    /// partition sizes: the artifact's uint64 wrap at 256K/1M (§4.1) is not reproduced.
    static func actions(_ mapping: SpatialMapping, cost: CascadeCost, hardware: HardwareSpec, problem: Problem,
                        traffic: (reads: Double, writes: Double), visited: Double = 1) -> SpatialActions {
        let bh = Double(problem.instances)
        // A mask's skipped tiles do no work: the counts below grow with M, so they take the visited share of it.
        let m = Double(problem.keyTokens) * visited, p = Double(problem.queryTokens)
        let e = Double(problem.headDim), f = Double(problem.valueDim)
        let t = Double(mapping.tile)
        let s = bh * m * p, n1 = s / t, nf = f * n1, fp = bh * f * p, bhp = bh * p
        let cqk = e * s, csv = f * s
        let p2 = Double(mapping.p2)
        let array2D = mapping.array2D, array1D = mapping.array1D

        var bufferReads = 0.0, bufferWrites = 0.0
        var files: [SpatialActions.RegisterFiles] = []
        // The 3-pass softmax of FLAT and unfused on the 1D array (§5.3): L3 3S + 2BHP reads, 2S + 2BHP writes.
        let softmaxBuffer = (reads: 3 * s + 2 * bhp, writes: 2 * s + 2 * bhp)
        let softmaxFiles = SpatialActions.RegisterFiles(name: "\(array1D) softmax", reads: 8 * s - 2 * t * bhp,
                                                        writes: 7 * s + 2 * t * bhp, instances: t)
        // FuseMax's 1D Einsums (RM … AV), per PE of the 1D array, summed (§5.1).
        let oneD = SpatialActions.RegisterFiles(name: array1D, reads: 8 * n1 + 4 * nf + 2 * fp,
                                                writes: 6 * n1 + 3 * nf + 2 * fp + bhp, instances: t)
        switch mapping.dataflow {
        case .fusemax, .fusemaxArch:
            // §5.1: Q, BK, BV streamed through L3 per M1 × P tile; running state RM, RD, RNV kept there.
            bufferReads = (2 * e + f) * s / t + 2 * n1 + nf + fp + bhp
            bufferWrites = bh * e * p + bh * p2 * m * (e + f) + 2 * n1 + nf
            files = [
                .init(name: array2D, reads: 3 * cqk - s + 3 * csv - t * fp + 4 * s,
                      writes: 3 * cqk + 2 * csv + t * (nf - fp) + 4 * s, instances: t * t),
                oneD,
                // The 1D array's shared register file, used by the 2D Einsums (LM, SLN, SLD, SLNV).
                .init(name: "\(array1D) shared", reads: n1 + nf - fp, writes: 2 * n1 + nf, instances: 1),
            ]
        case .fusemaxCascade:
            // §5.2: as FuseMax, plus QK and SLN through L3 (QK written and read, SLN written and read), and LM,
            // SLN, SLD on the 1D array over all S elements.
            bufferReads = (2 * e + f) * s / t + 2 * n1 + nf + fp + bhp + 2 * s
            bufferWrites = bh * e * p + bh * p2 * m * (e + f) + 2 * n1 + nf + 2 * s
            files = [
                .init(name: array2D, reads: 3 * cqk - s + 3 * csv - t * fp,
                      writes: 3 * cqk + 2 * csv + t * (nf - fp) + 2 * s, instances: t * t),
                .init(name: array1D, reads: oneD.reads + 6 * s - 2 * n1, writes: oneD.writes + 4 * s, instances: t),
            ]
        case .flat:
            if fitsRows(mapping, problem: problem, word: hardware.word ?? 2) {
                // Output-stationary QK and AV, QK and A on chip, Q, K, V, AV streamed from DRAM (§5.3, ≤ 64K).
                bufferReads = s + softmaxBuffer.reads
                bufferWrites = s + softmaxBuffer.writes
                files = [
                    .init(name: "\(array2D) QK", reads: 3 * cqk - s, writes: 3 * cqk, instances: t * t),
                    .init(name: "\(array2D) AV", reads: 3 * csv - fp, writes: 3 * csv, instances: f * t),
                ]
            } else {
                // Weight-stationary QK and AV, Q and AV on chip, QK and A through DRAM (§5.3, ≥ 256K).
                bufferReads = cqk / t + csv / t - fp + softmaxBuffer.reads
                bufferWrites = bh * e * p + csv / t + softmaxBuffer.writes
                files = [
                    .init(name: "\(array2D) QK", reads: 2 * cqk, writes: 2 * cqk + e * bh * p2 * m, instances: e * t),
                    .init(name: "\(array2D) AV", reads: 3 * csv - f * t * bhp,
                          writes: 3 * csv + f * bh * p2 * m - f * t * bhp, instances: f * t),
                ]
            }
            files.append(softmaxFiles)
        case .unfused:
            // §5.4: L3 keeps Q, K (QK) and V, AV (AV); QK and A go through DRAM.
            bufferReads = 2 * cqk / t + csv / t + nf - fp + softmaxBuffer.reads
            bufferWrites = bh * e * p + bh * m * (e + f) + nf + softmaxBuffer.writes
            files = [
                .init(name: array2D, reads: 3 * cqk - s + 3 * csv - t * fp,
                      writes: 3 * cqk + s + 3 * csv - t * fp, instances: t * t),
                softmaxFiles,
            ]
        }

        return SpatialActions(dramReads: traffic.reads, dramWrites: traffic.writes, bufferReads: bufferReads,
                              bufferWrites: bufferWrites, registerFiles: files,
                              operations: operations(mapping.bindings, cost: cost, hardware: hardware))
    }

    /// Operations from the cascade's op counts, per array, in binding order; an exp on an array without an exp unit is
    /// 6 MACs.
    static func operations(_ bindings: [SpatialMapping.Binding], cost: CascadeCost, hardware: HardwareSpec)
        -> [(array: String, ops: OpCounts)] {
        let arrays = Dictionary(hardware.arrays.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var operations: [(array: String, ops: OpCounts)] = []
        for bound in bindings {
            guard let einsum = cost[bound.einsum], let array = arrays[bound.array] else { continue }
            var ops = einsum.ops
            if !array.ops.contains(.exp) {
                ops.mac += 6 * ops.exp
                ops.exp = 0
            }
            if let index = operations.firstIndex(where: { $0.array == bound.array }) {
                operations[index].ops += ops
            } else {
                operations.append((bound.array, ops))
            }
        }
        return operations
    }
}

extension SpatialActions {
    /// These actions and `other`'s together (a training step: the forward's and the backward's): DRAM and buffer
    /// words and operations per array add; `other`'s register files are listed after these, their names suffixed
    /// with `label`.
    public func adding(_ other: SpatialActions, as label: String) -> SpatialActions {
        var result = self
        result.dramReads += other.dramReads
        result.dramWrites += other.dramWrites
        result.bufferReads += other.bufferReads
        result.bufferWrites += other.bufferWrites
        result.registerFiles += other.registerFiles.map { file in
            var renamed = file
            renamed.name += " (\(label))"
            return renamed
        }
        for entry in other.operations {
            if let index = result.operations.firstIndex(where: { $0.array == entry.array }) {
                result.operations[index].ops += entry.ops
            } else {
                result.operations.append(entry)
            }
        }
        return result
    }
}
