/// Loading and validating hardware files (README.md, "Files").
extension HardwareSpec {
    static let commonKeys = ["attnsim", "name", "kind", "description", "clock", "memory", "overheads", "sources"]
    static let keysByKind: [Kind: [String]] = [
        .gpu: ["units", "matrix", "vector", "kernels", "clock_sustained", "sustained_after", "topk"],
        .cpu: ["units", "matrix", "vector", "simd", "kernels"],
        .spatial: ["word", "arrays", "energy"],
    ]

    /// Loads and validates a hardware file, or the preset `path` names (`Presets`).
    public static func load(path: String) throws(Diagnostic) -> HardwareSpec {
        try decode(SpecDocument.load(path: Presets.resolve(path, kind: .hardware)))
    }

    /// Parses and validates hardware YAML text (`file` names it in messages).
    public static func parse(text: String, file: String) throws(Diagnostic) -> HardwareSpec {
        try decode(SpecDocument.parse(text: text, file: file))
    }

    static func decode(_ root: SpecNode) throws(Diagnostic) -> HardwareSpec {
        // The kind decides which keys are legal, so read it before checking the others.
        let allKeys = commonKeys + Kind.allCases.flatMap { keysByKind[$0]! }
        if let problem = try? root.mappingEntries().first(where: { $0.key == "problem" }) {
            throw problem.keyNode.error("`problem` is a workload key: this looks like a workload file where a hardware "
                                        + "file was expected (the commands take the hardware first: `attnsim simulate HARDWARE WORKLOAD`)")
        }
        let loose = try root.mapping(allowed: Array(Set(allKeys)).sorted())
        try SpecDocument.checkVersion(loose)
        let kind = try loose.required("kind", expecting: "gpu, spatial or cpu").choice(Kind.self)
        let allowed = commonKeys + keysByKind[kind]!
        for entry in loose.entries where !allowed.contains(entry.key) {
            throw entry.keyNode.error("`\(entry.key)` is not used by `kind: \(kind.rawValue)`; "
                + "keys for this kind: \(allowed.joined(separator: ", "))")
        }
        let fields = loose

        var spec = HardwareSpec(
            name: try fields.required("name").string(),
            kind: kind,
            description: try fields.optional("description")?.string(),
            clock: try positive(fields.required("clock", expecting: "e.g. 1.83 GHz"), .frequency),
            units: nil, matrix: [:], vector: [:], simd: nil, memory: [], word: nil, arrays: [], energy: [:],
            sustainedClock: nil, sustainedAfter: nil, launchOverhead: nil, kernels: [:], sources: [], file: root.file)

        if let sources = fields.optional("sources") { spec.sources = try sources.stringList() }
        if let overheads = fields.optional("overheads") {
            let map = try overheads.mapping(allowed: ["launch", "eager_op", "eager_kernel", "kernel_gap"])
            spec.launchOverhead = try map.optional("launch")?.physicalQuantity(.time, zeroAllowed: true)
            let eagerKeys = ["eager_op", "eager_kernel", "kernel_gap"]
            let given = eagerKeys.compactMap { map.optional($0) }
            if !given.isEmpty {
                guard given.count == eagerKeys.count else {
                    throw overheads.error("eager dispatch needs all of eager_op (host time per aten operation), "
                                          + "eager_kernel (host time per kernel launched) and kernel_gap (GPU time per "
                                          + "back-to-back kernel), e.g. {eager_op: 2.9 us, eager_kernel: 8.8 us, kernel_gap: 1.2 us}")
                }
                spec.eager = EagerDispatch(op: try given[0].physicalQuantity(.time, zeroAllowed: true),
                                           kernel: try given[1].physicalQuantity(.time, zeroAllowed: true),
                                           gap: try given[2].physicalQuantity(.time, zeroAllowed: true))
            }
        }
        spec.memory = try memoryLevels(fields.required("memory", expecting: "a list of levels, outermost first"),
                                       kind: kind)

        switch kind {
        case .gpu, .cpu:
            spec.units = try computeUnits(fields.required("units", expecting: "e.g. {name: SM, count: 132}"))
            if let matrix = fields.optional("matrix") { spec.matrix = try rates(matrix) }
            if let vector = fields.optional("vector") { spec.vector = try rates(vector) }
            if kind == .gpu && spec.matrix.isEmpty {
                throw (fields.optional("matrix") ?? root).error(
                    "a GPU needs `matrix:` with at least one dense tensor-core peak, e.g. {bf16: 989.4 TFLOP/s}")
            }
            if kind == .cpu && spec.vector.isEmpty {
                throw (fields.optional("vector") ?? root).error(
                    "a CPU needs `vector:` with at least one SIMD peak, e.g. {fp32: 3.3 TFLOP/s}")
            }
            if let simd = fields.optional("simd") {
                let map = try simd.mapping(allowed: ["width", "fma_per_cycle"])
                spec.simd = SIMDSpec(width: try positive(map.required("width"), .bytes),
                                     fmaPerCycle: try positive(map.required("fma_per_cycle"), .number))
            }
            if let kernels = fields.optional("kernels") { spec.kernels = try kernelProfiles(kernels) }
            if let topK = fields.optional("topk") { spec.topK = try topKTimings(topK) }
            if let sustained = fields.optional("clock_sustained") {
                let value = try positive(sustained, .frequency)
                guard value <= spec.clock else {
                    throw sustained.error("the sustained clock cannot exceed `clock` (\(Quantity.format(spec.clock, .frequency)))")
                }
                spec.sustainedClock = value
                spec.sustainedAfter = try fields.optional("sustained_after").map { (n) throws(Diagnostic) in try positive(n, .time) } ?? 5e-3
            }
        case .spatial:
            spec.word = try positive(fields.required("word", expecting: "e.g. 16 bit"), .bytes)
            spec.arrays = try peArrays(fields.required("arrays", expecting: "a list of PE arrays"))
            if let energy = fields.optional("energy") { spec.energy = try energies(energy) }
        }
        guard spec.offChip.bandwidth != nil else {
            let first = try fields.required("memory").sequence()[0]
            throw first.error("the outermost memory level (listed first) needs a `bandwidth`, e.g. 3.35 TB/s")
        }
        return spec
    }

    static func positive(_ node: SpecNode, _ dimension: Dimension) throws(Diagnostic) -> Double {
        try node.physicalQuantity(dimension)
    }

    /// Limits that keep the models' integer arithmetic exact and their memory bounded (fuzz/README.md).
    public static let maxUnits = 1 << 20
    static let maxArraySide = 1 << 16

    static func computeUnits(_ node: SpecNode) throws(Diagnostic) -> ComputeUnits {
        let map = try node.mapping(allowed: ["name", "count"])
        let countNode = try map.required("count")
        let count = try countNode.int(atLeast: 1)
        // The event simulator keeps per-unit state; a million units is far beyond any GPU or CPU.
        guard count <= maxUnits else {
            throw countNode.error("expected at most \(maxUnits) compute units, found \(count)")
        }
        return ComputeUnits(name: try map.required("name").string(), count: count)
    }

    static func rates(_ node: SpecNode) throws(Diagnostic) -> [DType: Double] {
        try node.keyedValues(DType.self, keyNoun: "element type") { (value) throws(Diagnostic) in
            try positive(value, .flopRate)
        }
    }

    static func memoryLevels(_ node: SpecNode, kind: Kind) throws(Diagnostic) -> [MemoryLevel] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("expected at least one memory level, outermost (DRAM/HBM) first") }
        var levels: [MemoryLevel] = []
        var previous: (size: Double, node: SpecNode, name: String)?
        for item in items {
            let map = try item.mapping(allowed: ["name", "size", "bandwidth", "per", "burst", "latency"])
            var level = MemoryLevel(name: try map.required("name").string(), size: nil, bandwidth: nil, perUnit: false)
            if let size = map.optional("size") { level.size = try positive(size, .bytes) }
            if let bandwidth = map.optional("bandwidth") { level.bandwidth = try positive(bandwidth, .bandwidth) }
            if let burst = map.optional("burst") { level.burst = try positive(burst, .bytes) }
            if let latency = map.optional("latency") { level.latency = try positive(latency, .time) }
            if let per = map.optional("per") {
                switch try per.string() {
                case "unit": level.perUnit = true
                case "device": level.perUnit = false
                case let other: throw per.error("unknown value \"\(other)\"; expected `unit` (one per SM/core) or `device`")
                }
                if level.perUnit && kind == .spatial {
                    throw per.error("`per: unit` needs compute units; spatial arrays have none")
                }
            }
            if level.size == nil && level.bandwidth == nil {
                throw item.error("memory level `\(level.name)` needs a `size`, a `bandwidth`, or both")
            }
            if levels.contains(where: { $0.name == level.name }) {
                throw item.error("duplicate memory level name `\(level.name)`")
            }
            if let size = level.size, let outer = previous, size > outer.size {
                throw (map.optional("size") ?? item).error(
                    "memory is listed outer to inner, so `\(level.name)` (\(Quantity.formatNatural(size, .bytes))) "
                        + "cannot be larger than `\(outer.name)` (\(Quantity.formatNatural(outer.size, .bytes))) listed before it")
            }
            if let size = level.size { previous = (size, item, level.name) }
            levels.append(level)
        }
        return levels
    }

    static func peArrays(_ node: SpecNode) throws(Diagnostic) -> [PEArray] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("expected at least one PE array") }
        var arrays: [PEArray] = []
        for item in items {
            let map = try item.mapping(allowed: ["name", "shape", "ops"])
            let name = try map.required("name").string()
            let shapeNode = try map.required("shape", expecting: "e.g. [256, 256] or [256]")
            let shape = try shapeNode.intList(atLeast: 1)
            guard shape.count <= 2 else { throw shapeNode.error("expected a 1-D [n] or 2-D [rows, cols] shape") }
            guard shape.allSatisfy({ $0 <= maxArraySide }) else {
                throw shapeNode.error("expected at most \(maxArraySide) PEs per side, found \(shape)")
            }
            var ops: [OpCounts.Kind] = []
            for opNode in try map.required("ops", expecting: "e.g. [mac, add, max]").sequence() {
                ops.append(try opNode.choice(OpCounts.Kind.self))
            }
            guard !ops.isEmpty else { throw item.error("a PE array needs at least one op in `ops`") }
            if arrays.contains(where: { $0.name == name }) { throw item.error("duplicate array name `\(name)`") }
            arrays.append(PEArray(name: name, shape: shape, ops: ops))
        }
        return arrays
    }

    static func energies(_ node: SpecNode) throws(Diagnostic) -> [EnergyAction: Double] {
        try node.keyedValues(EnergyAction.self, keyNoun: "action") { (value) throws(Diagnostic) in
            try positive(value, .energy)
        }
    }

    /// `topk: [{rows: 32, n: 2048, k: 205, time: 31 us}, ...]`: measured top-k calls.
    static func topKTimings(_ node: SpecNode) throws(Diagnostic) -> [TopKTiming] {
        var timings: [TopKTiming] = []
        for item in try node.sequence() {
            let map = try item.mapping(allowed: ["rows", "n", "k", "time"])
            let n = try map.required("n").int(atLeast: 2)
            let kNode = try map.required("k")
            let k = try kNode.int(atLeast: 1)
            guard k < n else { throw kNode.error("k must be below n (\(n)) for a selection, found \(k)") }
            timings.append(TopKTiming(rows: try map.required("rows").int(atLeast: 1), n: n, k: k,
                                      time: try positive(map.required("time"), .time)))
        }
        guard !timings.isEmpty else { throw node.error("expected at least one measured top-k call") }
        return timings
    }

    static let kernelKeys = ["q_tile_tokens", "kv_tile_tokens", "tile_shapes", "efficiency", "masked_tile_cost", "masked_tile_cost_per_axis", "mask_scope", "masks",
                             "per_cta", "skipped_tile", "stages", "persistent", "memory_efficiency", "per_call", "efficiency_by_head_dim",
                             "mask_cost", "mask_cost_by_head_dim", "mask_build", "host_overhead", "split_kv", "held_out", "held_out_by_family", "backward", "sources"]

    /// A `held_out: {time: [low, high], speedup: [low, high], configs: n}` spread.
    static func heldOutSpread(_ item: SpecNode) throws(Diagnostic) -> HeldOutSpread {
        let spread = try item.mapping(allowed: ["time", "speedup", "configs"])
        func ratios(_ key: String) throws(Diagnostic) -> ClosedRange<Double> {
            let node = try spread.required(key, expecting: "[low, high], measured ÷ predicted at the 10th and 90th percentiles")
            let values = try node.sequence().map { (item) throws(Diagnostic) in try item.physicalQuantity(.number) }
            guard values.count == 2, values[0] > 0, values[0] <= values[1] else {
                throw node.error("expected [low, high] with 0 < low ≤ high (measured ÷ predicted), found \(values)")
            }
            return values[0]...values[1]
        }
        return HeldOutSpread(time: try ratios("time"), speedup: try ratios("speedup"),
                             configs: try spread.required("configs", expecting: "the number of held-out runs").int(atLeast: 1))
    }

    /// A `{head_dim: value}` table of `map`'s `key` (empty when absent); `expected` names the values `valid` accepts.
    static func headDimTable(_ map: SpecMapping, _ key: String, expected: String,
                             valid: (Double) -> Bool) throws(Diagnostic) -> [Int: Double] {
        guard let table = map.optional(key) else { return [:] }
        var values: [Int: Double] = [:]
        for entry in try table.mappingEntries() {
            guard let dim = Int(entry.key), dim >= 1 else {
                throw entry.keyNode.error("expected a head dimension (an integer ≥ 1) as the key, found \"\(entry.key)\"")
            }
            let value = try entry.value.physicalQuantity(.number)
            guard valid(value) else { throw entry.value.error("expected \(expected), found \(value)") }
            values[dim] = value
        }
        return values
    }

    /// A profile's `backward:` block (`BackwardKernel`).
    static func backwardKernel(_ node: SpecNode) throws(Diagnostic) -> BackwardKernel {
        let map = try node.mapping(allowed: ["dq", "q_tile_tokens", "kv_tile_tokens", "efficiency", "efficiency_by_head_dim",
                                             "per_cta", "host_overhead", "stages", "preprocess", "held_out", "mask_cost_by_head_dim",
                                             "deterministic", "sources"])
        var backward = BackwardKernel()
        if let item = map.optional("dq") {
            // One variant, or the list of those the backend implements (the first is its default).
            let variants = item.isSequence
                ? try item.sequence().map { (entry) throws(Diagnostic) in try entry.choice(BackwardKernel.DQ.self) }
                : [try item.choice(BackwardKernel.DQ.self)]
            guard let first = variants.first, Set(variants).count == variants.count else {
                throw item.error("expected atomic, separate or a list of distinct ones, found \(variants.map(\.rawValue))")
            }
            backward.dq = first
            backward.variants = variants
        }
        for (key, path) in [("q_tile_tokens", \BackwardKernel.qTileTokens), ("kv_tile_tokens", \BackwardKernel.kvTileTokens)] {
            guard let item = map.optional(key) else { continue }
            let tokens = try item.int(atLeast: 1)
            try Workload.checkTileSize([tokens], at: item)
            backward[keyPath: path] = tokens
        }
        func fraction(_ item: SpecNode) throws(Diagnostic) -> Double {
            let value = try item.physicalQuantity(.number)
            guard value > 0 && value <= 1 else { throw item.error("expected a fraction of peak in (0, 1], found \(value)") }
            return value
        }
        backward.efficiency = try map.optional("efficiency").map { (item) throws(Diagnostic) in try fraction(item) }
        backward.efficiencyByHeadDim = try headDimTable(map, "efficiency_by_head_dim", expected: "a fraction of peak in (0, 1]",
                                                        valid: { $0 > 0 && $0 <= 1 })
        backward.maskCostByHeadDim = try headDimTable(map, "mask_cost_by_head_dim",
                                                      expected: "a positive scale on the mask_cost cycles",
                                                      valid: { $0 > 0 && $0.isFinite })
        backward.perCTA = try map.optional("per_cta")?.physicalQuantity(.time, zeroAllowed: true)
        backward.hostOverhead = try map.optional("host_overhead")?.physicalQuantity(.time, zeroAllowed: true)
        backward.stages = try map.optional("stages")?.int(atLeast: 1)
        backward.preprocess = try map.optional("preprocess")?.bool() ?? true
        backward.deterministic = try map.optional("deterministic")?.bool() ?? false
        backward.heldOut = try map.optional("held_out").map { (item) throws(Diagnostic) in try heldOutSpread(item) }
        backward.sources = try map.optional("sources")?.stringList() ?? []
        return backward
    }

    static func kernelProfiles(_ node: SpecNode) throws(Diagnostic) -> [String: KernelProfile] {
        var result: [String: KernelProfile] = [:]
        for entry in try node.mappingEntries() {
            let map = try entry.value.mapping(allowed: kernelKeys)
            func tileTokens(_ key: String) throws(Diagnostic) -> Int? {
                guard let item = map.optional(key) else { return nil }
                let tokens = try item.int(atLeast: 1)
                try Workload.checkTileSize([tokens], at: item)
                return tokens
            }
            var profile = KernelProfile(
                qTileTokens: try tileTokens("q_tile_tokens"),
                kvTileTokens: try tileTokens("kv_tile_tokens"),
                maskedTileCost: try map.optional("masked_tile_cost").map { (n) throws(Diagnostic) in try positive(n, .number) },
                perCTA: try map.optional("per_cta")?.physicalQuantity(.time, zeroAllowed: true),
                stages: try map.optional("stages")?.int(atLeast: 1),
                persistent: try map.optional("persistent")?.bool())
            if let efficiency = map.optional("efficiency") {
                let value = try efficiency.physicalQuantity(.number)
                guard value > 0 && value <= 1 else {
                    throw efficiency.error("expected a fraction of peak in (0, 1], found \(value)")
                }
                profile.efficiency = value
            }
            if let shapes = map.optional("tile_shapes") {
                for item in try shapes.sequence() {
                    let pair = try item.mapping(allowed: ["q", "kv"])
                    let q = try pair.required("q").intList(atLeast: 1)
                    let kv = try pair.required("kv").intList(atLeast: 1)
                    guard q.count == kv.count else {
                        throw item.error("q and kv tile shapes need the same number of axes (\(q.count) vs \(kv.count))")
                    }
                    try Workload.checkTileSize(q, at: item)
                    try Workload.checkTileSize(kv, at: item)
                    if let tokens = profile.qTileTokens, q.reduce(1, *) != tokens {
                        throw item.error("q tile \(q) has \(q.reduce(1, *)) tokens; this backend's q_tile_tokens is \(tokens)")
                    }
                    if let tokens = profile.kvTileTokens, kv.reduce(1, *) != tokens {
                        throw item.error("kv tile \(kv) has \(kv.reduce(1, *)) tokens; this backend's kv_tile_tokens is \(tokens)")
                    }
                    profile.tileShapes.append(TileShapePair(q: q, kv: kv))
                }
            }
            profile.maskScope = try map.optional("mask_scope")?.choice(MaskScope.self)
            if let efficiency = map.optional("memory_efficiency") {
                let value = try efficiency.physicalQuantity(.number)
                guard value > 0 && value <= 1 else {
                    throw efficiency.error("expected a fraction of the off-chip bandwidth in (0, 1], found \(value)")
                }
                profile.memoryEfficiency = value
            }
            profile.perCall = try map.optional("per_call")?.physicalQuantity(.time, zeroAllowed: true)
            profile.skippedTile = try map.optional("skipped_tile")?.physicalQuantity(.time, zeroAllowed: true)
            profile.hostOverhead = try map.optional("host_overhead")?.physicalQuantity(.time, zeroAllowed: true)
            if let item = map.optional("mask_build") {
                let build = try item.mapping(allowed: ["fixed", "per_element", "cycle_scale"])
                profile.maskBuild = MaskBuildCost(
                    fixed: try build.required("fixed", expecting: "seconds per build, e.g. 3 ms").physicalQuantity(.time, zeroAllowed: true),
                    perElement: try build.required("per_element", expecting: "seconds per element of the score matrix, e.g. 1 ps")
                        .physicalQuantity(.time, zeroAllowed: true),
                    cycleScale: try build.required("cycle_scale", expecting: "a scale ≥ 0 on the mask_cost cycles, e.g. 2")
                        .physicalQuantity(.number, zeroAllowed: true))
            }
            profile.heldOut = try map.optional("held_out").map { (item) throws(Diagnostic) in try heldOutSpread(item) }
            if let table = map.optional("held_out_by_family") {
                for entry in try table.mappingEntries() {
                    guard HeldOutSpread.families.contains(entry.key) else {
                        throw entry.keyNode.error("unknown prediction family \"\(entry.key)\"; expected one of: "
                                                  + HeldOutSpread.families.joined(separator: ", "))
                    }
                    profile.heldOutByFamily[entry.key] = try heldOutSpread(entry.value)
                }
            }
            profile.efficiencyByHeadDim = try headDimTable(map, "efficiency_by_head_dim", expected: "a fraction of peak in (0, 1]",
                                                           valid: { $0 > 0 && $0 <= 1 })
            profile.maskCostByHeadDim = try headDimTable(map, "mask_cost_by_head_dim",
                                                         expected: "a positive scale on the mask_cost cycles",
                                                         valid: { $0 > 0 && $0.isFinite })
            if let item = map.optional("mask_cost") {
                let cost = try item.mapping(allowed: ["base", "simple", "division", "division_tensor", "load",
                                                      "per_element_division", "per_element_load"])
                func cycles(_ key: String) throws(Diagnostic) -> Double {
                    try cost.required(key, expecting: "SM cycles per element, ≥ 0").physicalQuantity(.number, zeroAllowed: true)
                }
                func factor(_ key: String, _ what: String) throws(Diagnostic) -> Double {
                    guard let node = cost.optional(key) else { return 1 }
                    let value = try node.physicalQuantity(.number)
                    guard value >= 1, value.isFinite else {
                        throw node.error("expected a factor ≥ 1 (\(what) per element costs at least one per row or column), "
                            + "found \(value)")
                    }
                    return value
                }
                profile.maskCost = MaskOperationCost(base: try cycles("base"), simple: try cycles("simple"),
                                                     division: try cycles("division"),
                                                     divisionTensor: try cycles("division_tensor"), load: try cycles("load"),
                                                     perElementDivision: try factor("per_element_division", "a division"),
                                                     perElementLoad: try factor("per_element_load", "a table load"))
            }
            profile.splitKV = try map.optional("split_kv")?.bool()
            if let item = map.optional("backward") { profile.backward = try backwardKernel(item) }
            if let perAxis = map.optional("masked_tile_cost_per_axis") {
                profile.maskedTileCostPerAxis = try perAxis.physicalQuantity(.number, zeroAllowed: true)
            }
            if let masks = map.optional("masks") {
                var kinds: [String] = []
                for item in try masks.sequence() {
                    let kind = try item.string()
                    guard MaskRegistry.family(kind) != nil else {
                        throw item.error("unknown mask kind \"\(kind)\"\(DidYouMean.hint(for: kind, among: MaskRegistry.kinds)); "
                            + "expected one of: \(MaskRegistry.kinds.joined(separator: ", "))")
                    }
                    kinds.append(kind)
                }
                profile.masks = kinds
            }
            if let sources = map.optional("sources") { profile.sources = try sources.stringList() }
            result[entry.key] = profile
        }
        return result
    }
}
