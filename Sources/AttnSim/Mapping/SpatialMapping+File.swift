/// Mapping files: a spatial mapping written out (`attnsim map --write-mapping FILE`) and fed back through a
/// workload's `kernel: {mapping: FILE}`, so a user can edit a binding, a cost or the stage structure and see
/// what it does. A file gives the forward: for a `pass: backward | training` workload the backward's mapping is the
/// mapper's for the file's dataflow (`SpatialMapper.attachBackward`).
///
/// ```yaml
/// attnsim: 1
/// mapping: spatial
/// dataflow: fusemax
/// cascade: attention-1pass
/// tile: 256
/// p1: 128
/// p2: 2
/// buffer: 16 MiB
/// stall_per_tile: 0
/// bindings:
///   - {einsum: BQK, array: pe2d, cycles_per_point: 1}
/// combination: {kind: epochs, stages: [[BQK, LM, RD, RNV, AV], [RM], [SLN, SLD, PRM, SPD], [SLNV, SPNV]]}
/// ```
extension SpatialMapping {
    public var yaml: String {
        let list = { (names: [String]) in "[" + names.joined(separator: ", ") + "]" }
        var lines = [
            "attnsim: 1",
            "mapping: spatial",
            "dataflow: \(dataflow.rawValue)",
            "cascade: \(cascade)",
            "tile: \(tile)",
            "p1: \(p1)",
            "p2: \(p2)",
            "buffer: \(Quantity.formatNatural(bufferBytes, .bytes))",
            "stall_per_tile: \(JSONValue.format(stallPerN))",
            "bindings:",
        ]
        for binding in bindings {
            lines.append("  - {einsum: \(binding.einsum), array: \(binding.array), cycles_per_point: \(JSONValue.format(binding.cost))}")
        }
        switch combination {
        case .epochs(let stages):
            lines.append("combination: {kind: epochs, stages: [\(stages.map(list).joined(separator: ", "))]}")
        case .fusedBlock:
            lines.append("combination: {kind: fused_block}")
        case .phases(let phases):
            lines.append("combination: {kind: phases, stages: [\(phases.map(list).joined(separator: ", "))]}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Loads and validates a mapping file against the hardware (arrays) and the cascade (Einsum names), and, given
    /// the problem, against what the mapping needs of it (the buffer holding its resident rows, row counts), and,
    /// given the workload's mask, against a tile too small to count the mask's tiles in seconds.
    ///
    /// Everything a hand edit can break is an error at its line: a tile larger than the 2D array's side, costs that
    /// are not positive and finite, an Einsum bound twice, stages that are empty or leave a bound Einsum out (its
    /// busy cycles would take no time), phases on a dataflow other than `unfused` or other than its three.
    public static func load(path: String, hardware: HardwareSpec, problem: Problem? = nil, mask: (any Mask)? = nil)
        throws(Diagnostic) -> SpatialMapping {
        let root = try SpecDocument.load(path: path)
        let fields = try root.mapping(allowed: ["attnsim", "mapping", "dataflow", "cascade", "tile", "p1", "p2", "buffer",
                                                "stall_per_tile", "bindings", "combination"])
        try SpecDocument.checkVersion(fields)
        let kindNode = try fields.required("mapping", expecting: "spatial")
        guard try kindNode.string() == "spatial" else { throw kindNode.error("expected `mapping: spatial`") }
        let dataflow = try fields.required("dataflow").choice(Dataflow.self)
        let cascadeNode = try fields.required("cascade")
        let cascadeName = try cascadeNode.string()
        guard let cascade = Cascade.preset(named: cascadeName) else {
            throw cascadeNode.error("unknown cascade preset \"\(cascadeName)\"; expected one of: \(Cascade.presetNames.joined(separator: ", "))")
        }
        let einsums = Set(cascade.einsums.map(\.name))
        let arrays = hardware.arrays.map(\.name)
        func einsumName(_ node: SpecNode) throws(Diagnostic) -> String {
            let name = try node.string()
            guard einsums.contains(name) else {
                throw node.error("no Einsum `\(name)` in \(cascadeName)\(DidYouMean.hint(for: name, among: einsums.sorted()))")
            }
            return name
        }
        var bindings: [Binding] = []
        for item in try fields.required("bindings").sequence() {
            let map = try item.mapping(allowed: ["einsum", "array", "cycles_per_point"])
            let arrayNode = try map.required("array")
            let array = try arrayNode.string()
            guard arrays.contains(array) else {
                throw arrayNode.error("no array `\(array)` in \(hardware.file)\(DidYouMean.hint(for: array, among: arrays)); "
                    + "it has: \(arrays.joined(separator: ", "))")
            }
            let cost = try map.required("cycles_per_point").physicalQuantity(.number)
            let einsumNode = try map.required("einsum")
            let einsum = try einsumName(einsumNode)
            guard !bindings.contains(where: { $0.einsum == einsum }) else {
                throw einsumNode.error("`\(einsum)` is bound twice; bind each Einsum to one array")
            }
            bindings.append(Binding(einsum: einsum, array: array, cost: cost))
        }
        let combinationNode = try fields.required("combination", expecting: "{kind: epochs | fused_block | phases, stages: [...]}")
        let combinationMap = try combinationNode.mapping(allowed: ["kind", "stages"])
        func stages() throws(Diagnostic) -> [[String]] {
            let stagesNode = try combinationMap.required("stages")
            let list = try stagesNode.sequence()
            guard !list.isEmpty else { throw stagesNode.error("expected at least one stage (a list of Einsum names)") }
            var result: [[String]] = []
            var staged: Set<String> = []
            for stage in list {
                var names: [String] = []
                let items = try stage.sequence()
                guard !items.isEmpty else { throw stage.error("expected at least one Einsum in the stage, found an empty list") }
                for item in items {
                    let name = try einsumName(item)
                    guard bindings.contains(where: { $0.einsum == name }) else {
                        throw item.error("`\(name)` is not bound to an array under `bindings`")
                    }
                    guard staged.insert(name).inserted else { throw item.error("`\(name)` is in more than one stage") }
                    names.append(name)
                }
                result.append(names)
            }
            let missing = bindings.map(\.einsum).filter { !staged.contains($0) }
            guard missing.isEmpty else {
                throw stagesNode.error("bound Einsums in no stage: \(missing.joined(separator: ", ")); every bound Einsum "
                    + "runs in exactly one stage (its cycles would otherwise take no time)")
            }
            return result
        }
        let combination: Combination
        let kindNodeC = try combinationMap.required("kind")
        switch try kindNodeC.string() {
        case "epochs": combination = .epochs(stages: try stages())
        case "fused_block": combination = .fusedBlock
        case "phases":
            let phases = try stages()
            // The unfused dataflow's DRAM traffic comes in its three phases (QK; softmax; AV), each timed with its own.
            guard dataflow == .unfused, phases.count == 3 else {
                throw kindNodeC.error("phases time each phase with its own DRAM traffic, which only the unfused dataflow "
                    + "has, in three phases (QK; softmax; AV); found \(phases.count) phase(s) with dataflow \(dataflow.rawValue)")
            }
            combination = .phases(phases)
        case let other:
            throw kindNodeC.error("unknown combination \"\(other)\"; expected epochs, fused_block or phases")
        }
        let array2D = hardware.arrays.first { $0.shape.count == 2 }
        let tileNode = try fields.required("tile")
        let tile = try tileNode.int(atLeast: 1)
        let side = array2D?.shape[0] ?? 1
        guard tile <= side else {
            throw tileNode.error("an M0 × P0 tile of \(tile) is larger than the 2D array's side (\(side) PEs); expected 1…\(side)")
        }
        if let mask, !canCountTiles(of: mask, tile: tile) {
            throw tileNode.error("the \(mask.kind) mask has too many \(tile)-token tiles to count in seconds; expected a larger tile")
        }
        let rowsNode = try fields.required("p1"), blocksNode = try fields.required("p2")
        let (p1, p2) = (try rowsNode.int(atLeast: 1), try blocksNode.int(atLeast: 1))
        let bufferNode = try fields.required("buffer")
        let buffer = try bufferNode.physicalQuantity(.bytes)
        let stall = try fields.optional("stall_per_tile")?.physicalQuantity(.number, zeroAllowed: true) ?? 0
        if let problem {
            for (node, value, name) in [(rowsNode, p1, "p1"), (blocksNode, p2, "p2")] where value > problem.queryTokens {
                throw node.error("\(name) \(value) counts query rows or blocks, more than the \(problem.queryTokens) query tokens")
            }
            let need = SpatialMapper.bufferNeed(dataflow, tile: tile, rows: p1, word: hardware.word ?? 2, problem: problem)
            guard need <= buffer else {
                throw bufferNode.error("the \(dataflow.rawValue) dataflow keeps one \(tile)-token tile of K and V and \(p1) "
                    + "query rows of state on chip, \(Quantity.formatNatural(need, .bytes)); the buffer holds "
                    + "\(Quantity.formatNatural(buffer, .bytes)) (FuseMax's P1 rule, references.md [FuseMax-artifact])")
            }
        }
        return SpatialMapping(
            dataflow: dataflow, cascade: cascadeName,
            array2D: array2D?.name ?? "",
            array1D: hardware.arrays.first { $0.shape.count == 1 }?.name ?? "",
            tile: tile, p1: p1, p2: p2, bindings: bindings, combination: combination, stallPerN: stall,
            bufferBytes: buffer)
    }
}
