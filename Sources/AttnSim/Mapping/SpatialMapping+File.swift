/// Mapping files: a spatial mapping written out (`attnsim map --write-mapping FILE`) and fed back through a
/// workload's `kernel: {mapping: FILE}`, so a user can edit a binding, a cost or the stage structure and see
/// what it does.
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

    /// Loads and validates a mapping file against the hardware (arrays) and the cascade (Einsum names).
    public static func load(path: String, hardware: HardwareSpec) throws(Diagnostic) -> SpatialMapping {
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
            let costNode = try map.required("cycles_per_point")
            let cost = try costNode.quantity(.number)
            guard cost > 0 else { throw costNode.error("expected cycles per point > 0, found \(cost)") }
            bindings.append(Binding(einsum: try einsumName(map.required("einsum")), array: array, cost: cost))
        }
        let combinationNode = try fields.required("combination", expecting: "{kind: epochs | fused_block | phases, stages: [...]}")
        let combinationMap = try combinationNode.mapping(allowed: ["kind", "stages"])
        func stages() throws(Diagnostic) -> [[String]] {
            var result: [[String]] = []
            for stage in try combinationMap.required("stages").sequence() {
                var names: [String] = []
                for name in try stage.sequence() { names.append(try einsumName(name)) }
                result.append(names)
            }
            return result
        }
        let combination: Combination
        let kindNodeC = try combinationMap.required("kind")
        switch try kindNodeC.string() {
        case "epochs": combination = .epochs(stages: try stages())
        case "fused_block": combination = .fusedBlock
        case "phases": combination = .phases(try stages())
        case let other:
            throw kindNodeC.error("unknown combination \"\(other)\"; expected epochs, fused_block or phases")
        }
        return SpatialMapping(
            dataflow: dataflow, cascade: cascadeName,
            array2D: hardware.arrays.first { $0.shape.count == 2 }?.name ?? "",
            array1D: hardware.arrays.first { $0.shape.count == 1 }?.name ?? "",
            tile: try fields.required("tile").int(atLeast: 1),
            p1: try fields.required("p1").int(atLeast: 1), p2: try fields.required("p2").int(atLeast: 1),
            bindings: bindings, combination: combination,
            stallPerN: try fields.optional("stall_per_tile")?.quantity(.number) ?? 0,
            bufferBytes: try fields.required("buffer").quantity(.bytes))
    }
}
