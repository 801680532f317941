/// Builds the spatial mappings of FuseMax and its baselines (references.md [FuseMax-artifact]) from the cascade and the
/// hardware file: binds each Einsum to the 2D or 1D array, prices it from its operation counts and the arrays'
/// operations, and picks the query partition that fits the buffer.
///
/// Binding rule (``bind(_:of:dataflow:array2D:array1D:)``): tensor products (a sum reduction over a product whose
/// operands are each reused: each misses a rank of the iteration space) go to the 2D array. Element-wise work over
/// the full M × P space goes to the 2D array in the FuseMax dataflows when the 2D array can do all its
/// operations (an `exp` is 6 MACs plus the subtract's add on an array without an exp unit, references.md
/// [FuseMax-artifact] proposal.py); everything else goes to the 1D array. A point costs one cycle per operation
/// (exp: 1 with an exp unit, 6 with MACs), except in FLAT, whose softmax unit is charged one cycle per element per Einsum
/// (references.md [FuseMax-artifact] stable_softmax.py).
public enum SpatialMapper {
    public static func mapping(_ dataflow: SpatialMapping.Dataflow, hardware: HardwareSpec, problem: Problem)
        throws(Diagnostic) -> SpatialMapping {
        let (array2D, array1D) = try arrays(hardware)
        let tile = array2D.shape[0]
        let cascadeName = (dataflow == .flat || dataflow == .unfused) ? "attention-3pass" : "attention-1pass"
        let cascade = Cascade.preset(named: cascadeName)!
        let binding = RankBinding.attention(M: problem.keyTokens, P: problem.queryTokens, E: problem.headDim,
                                            F: problem.valueDim, M0: tile, P0: tile)
        let cost: CascadeCost
        do {
            cost = try cascade.opCounts(binding: binding, multiplier: 1)
        } catch {
            throw Diagnostic(file: hardware.file, message: "cannot bind \(cascadeName): \(error)")
        }
        let bindings = cost.einsums.filter { $0.section == .extended }.map {
            bind($0, of: cascade.einsums[$0.index], dataflow: dataflow, array2D: array2D, array1D: array1D)
        }
        guard let (p1, p2) = partition(dataflow, hardware: hardware, problem: problem, tile: tile) else {
            throw Diagnostic(file: hardware.file, path: "memory",
                             message: "the global buffer cannot hold one \(tile)-token tile of K and V plus \(tile) query "
                                + "rows of state, which the \(dataflow.rawValue) dataflow needs "
                                + "(FuseMax's P1 rule, references.md [FuseMax-artifact])")
        }
        let combination: SpatialMapping.Combination
        var stall = 0.0
        switch dataflow {
        case .fusemax:
            // The artifact's epoch (references.md [FuseMax-artifact] proposal.py eval): max(QK+LM, RD+RNV+AV) + RM
            // + max(SLN+SLD, PRM+SPD) + max(SLNV, SPNV).
            combination = .epochs(stages: [["BQK", "LM", "RD", "RNV", "AV"], ["RM"], ["SLN", "SLD", "PRM", "SPD"],
                                           ["SLNV", "SPNV"]])
        case .fusemaxArch:
            // "+Architecture" (references.md [FuseMax-artifact] stall_proposal.py): each tile is produced and consumed
            // before the next one starts, a fill/drain stall of LM's cycles × the array side; RNV moves to the last
            // stage.
            combination = .epochs(stages: [["BQK", "LM", "RD", "AV"], ["RM"], ["SLN", "SLD", "PRM", "SPD"],
                                           ["SLNV", "SPNV", "RNV"]])
            stall = Double(tile)
        case .fusemaxCascade, .flat:
            combination = .fusedBlock
        case .unfused:
            combination = .phases([["QK"], ["GM", "SN", "SD", "A"], ["AV"]])
        }
        return SpatialMapping(dataflow: dataflow, cascade: cascadeName, array2D: array2D.name, array1D: array1D.name,
                              tile: tile, p1: p1, p2: p2, bindings: bindings, combination: combination,
                              stallPerN: stall,
                              bufferBytes: hardware.sharedBufferBytes)
    }

    /// The 2D and the 1D array of a spatial hardware file (the 2D array square, with MACs), or why not.
    static func arrays(_ hardware: HardwareSpec) throws(Diagnostic) -> (array2D: PEArray, array1D: PEArray) {
        guard hardware.kind == .spatial else {
            throw Diagnostic(file: hardware.file, path: "kind", message: "spatial dataflows need `kind: spatial` hardware")
        }
        let two = hardware.arrays.filter { $0.shape.count == 2 }
        let one = hardware.arrays.filter { $0.shape.count == 1 }
        guard let array2D = two.first, let array1D = one.first, array2D.ops.contains(.mac) else {
            throw Diagnostic(file: hardware.file, path: "arrays",
                             message: "the FuseMax/FLAT dataflows need a 2D MAC array and a 1D array")
        }
        guard array2D.shape[0] == array2D.shape[1] else {
            throw Diagnostic(file: hardware.file, path: "arrays",
                             message: "the FuseMax/FLAT dataflows tile M0 × P0 on a square 2D array; \(array2D.name) is \(array2D.shape)")
        }
        return (array2D, array1D)
    }

    /// The binding rule (see the type's documentation) for one extended Einsum: a tensor product — a sum over a
    /// product whose operands each miss a rank of the iteration space, so that each is reused across the array —
    /// goes to the 2D array; element-wise work over the scores (a key and a query rank) goes there too in the FuseMax
    /// dataflows when the 2D array can do all of it; the rest (a row-wise dot product such as rowsum(dO ∘ O)
    /// included) goes to the 1D array.
    static func bind(_ cost: EinsumCost, of einsum: Einsum, dataflow: SpatialMapping.Dataflow, array2D: PEArray,
                        array1D: PEArray) -> SpatialMapping.Binding {
        let perPoint = cost.ops * (1 / max(cost.iterationPoints, 1))
        let operandsReused = einsum.reads.allSatisfy { access in !Set(cost.ranks).isSubset(of: access.ranks) }
        let isProduct = perPoint.mac > 0 && operandsReused
        let fullSpace = cost.ranks.contains("m0") || (cost.ranks.contains("m") && cost.ranks.contains("p"))
        let elementwiseOn2D = dataflow == .fusemax || dataflow == .fusemaxArch
        let onTwo = isProduct || (elementwiseOn2D && fullSpace && canRun(perPoint, on: array2D))
        let array = onTwo ? array2D : array1D
        let cycles = (dataflow == .flat || dataflow == .unfused) && !onTwo ? 1 : pointCost(perPoint, on: array)
        return .init(einsum: cost.name, array: array.name, cost: cycles)
    }

    /// The largest divisor of `n` that is at most `limit` (1 when none is larger): O(√n) from the divisor pairs.
    static func largestDivisor(of n: Int, atMost limit: Int) -> Int {
        var best = 1
        var d = 1
        while d <= n / d {
            if n % d == 0 {
                if d <= limit { best = max(best, d) }
                if n / d <= limit { best = max(best, n / d) }
            }
            d += 1
        }
        return best
    }

    /// Whether an array can perform every operation of a point (exp through MACs counts).
    static func canRun(_ ops: OpCounts, on array: PEArray) -> Bool {
        OpCounts.Kind.allCases.allSatisfy { kind in
            guard ops[kind] > 0 else { return true }
            if array.ops.contains(kind) { return true }
            switch kind {
            case .exp, .mul: return array.ops.contains(.mac)
            default: return false
            }
        }
    }

    /// Cycles per point: one per operation, an exp without an exp unit is 6 MACs (references.md [FuseMax-artifact]
    /// proposal.py).
    static func pointCost(_ ops: OpCounts, on array: PEArray) -> Double {
        OpCounts.Kind.allCases.reduce(0) { total, kind in
            let each = (kind == .exp && !array.ops.contains(.exp)) ? 6.0 : 1.0
            return total + ops[kind] * each
        }
    }

    /// Bytes of the global buffer a FuseMax dataflow keeps resident with `rows` query rows per block (P1): one M0
    /// tile of K and of V, and per row (of P0 queries) its Q row and running state (RM, RD, RNV; +Cascade also a QK
    /// row and an SLN row of M0 elements). FLAT (it spills its scores when they do not fit) and unfused need none.
    public static func bufferNeed(_ dataflow: SpatialMapping.Dataflow, tile: Int, rows: Int, word: Double, problem: Problem)
        -> Double {
        let e = Double(problem.headDim), f = Double(problem.valueDim), m0 = Double(tile)
        switch dataflow {
        case .fusemax, .fusemaxArch, .fusemaxCascade:
            let perRowWords = dataflow == .fusemaxCascade ? e + 2 * m0 + 2 + f : e + 2 + f
            return word * m0 * (e + f) + Double(rows) * word * perRowWords * m0
        case .flat, .unfused:
            return 0
        }
    }

    /// FuseMax's P1 rule (references.md [FuseMax-artifact] proposal.py __init__): the buffer holds one M0 tile of K and
    /// of V, and per resident query row its Q row and running state (RM, RD, RNV; +Cascade also a QK row and an SLN row
    /// of M0 elements); P1 is the largest divisor of P/P0 that fits. FLAT keeps P1 = 1024 rows (its DSE choice at
    /// ≥ 256K, references.md [FuseMax-artifact] flat_validation.csv); unfused has no row blocks.
    static func partition(_ dataflow: SpatialMapping.Dataflow, hardware: HardwareSpec, problem: Problem, tile: Int)
        -> (p1: Int, p2: Int)? {
        let word = hardware.word ?? 2
        let rows = max(1, problem.queryTokens / tile)
        switch dataflow {
        case .fusemax, .fusemaxArch, .fusemaxCascade:
            let buffer = hardware.sharedBufferBytes
            let available = buffer - bufferNeed(dataflow, tile: tile, rows: 0, word: word, problem: problem)
            let perRow = bufferNeed(dataflow, tile: tile, rows: 1, word: word, problem: problem)
                - bufferNeed(dataflow, tile: tile, rows: 0, word: word, problem: problem)
            // Clamped in Double first: a huge buffer or a tiny word must not overflow the conversion to Int.
            let fitting = (available / perRow).rounded(.down)
            let limit = fitting >= Double(rows) ? rows : Int(max(0, fitting.isNaN ? 0 : fitting))
            guard limit >= 1 else { return nil }
            let p1 = largestDivisor(of: rows, atMost: limit)
            return (p1, max(1, rows / p1))
        case .flat:
            // FLAT's DSE (references.md [FuseMax-artifact] flat_validation.csv, cloud): row granularity with the
            // largest P1 ≤ 1024 whose P1 × M score rows fit the buffer (1024 up to 16K, 512 at 32K, 256 at 64K); when
            // fewer than 128 rows fit (≥ 256K) it moves QK and A off-chip and keeps P1 = 1024.
            let buffer = hardware.sharedBufferBytes
            var p1 = min(1024, problem.queryTokens)
            while p1 > 1 && Double(p1) * Double(problem.keyTokens) * word > buffer { p1 /= 2 }
            if p1 < 128 { p1 = min(1024, problem.queryTokens) }
            return (p1, ceilDiv(problem.queryTokens, p1))
        case .unfused:
            return (problem.queryTokens, 1)
        }
    }
}
