/// Loading and validating workload files (README.md, "Files").
extension Workload {
    static let topKeys = ["attnsim", "name", "description", "pass", "problem", "cascade", "backward_cascade", "mask",
                          "pruning", "kernel", "estimator", "model", "sources"]

    /// `estimator: {kind: minference, last_q: 64, vertical: 1000, slash: 6096}` (the counts default to a
    /// `vertical_slash` mask's) or `estimator: {kind: seer_gate, block: 64, hidden: 128}`.
    static func decodeEstimator(_ node: SpecNode) throws(Diagnostic) -> EstimatorSpec {
        let map = try node.mapping(allowed: ["kind", "last_q", "vertical", "slash", "block", "hidden"])
        let kindNode = try map.required("kind", expecting: "minference or seer_gate")
        switch try kindNode.string() {
        case "minference":
            for key in ["block", "hidden"] {
                if let item = map.optional(key) { throw item.error("`\(key)` belongs to seer_gate, not minference") }
            }
            return .minference(lastQ: try map.optional("last_q")?.int(atLeast: 1) ?? 64,
                               vertical: try map.optional("vertical")?.int(atLeast: 1),
                               slash: try map.optional("slash")?.int(atLeast: 1))
        case "seer_gate":
            for key in ["last_q", "vertical", "slash"] {
                if let item = map.optional(key) { throw item.error("`\(key)` belongs to minference, not seer_gate") }
            }
            return .seerGate(block: try map.optional("block")?.int(atLeast: 1) ?? 64,
                             hidden: try map.optional("hidden")?.int(atLeast: 1) ?? 128)
        case let other:
            throw kindNode.error("unknown estimator \"\(other)\"; expected one of: minference, seer_gate"
                                 + DidYouMean.hint(for: other, among: ["minference", "seer_gate"]))
        }
    }

    /// Loads and validates a workload file.
    public static func load(path: String) throws(Diagnostic) -> Workload {
        try decode(SpecDocument.load(path: Presets.resolve(path, kind: .workloads)))
    }

    /// Parses and validates workload YAML text (`file` names it in messages).
    public static func parse(text: String, file: String) throws(Diagnostic) -> Workload {
        try decode(SpecDocument.parse(text: text, file: file))
    }

    static func decode(_ root: SpecNode) throws(Diagnostic) -> Workload {
        if let entries = try? root.mappingEntries(), !entries.contains(where: { $0.key == "problem" }),
           let kind = entries.first(where: { $0.key == "kind" || $0.key == "units" || $0.key == "arrays" }) {
            throw kind.keyNode.error("`\(kind.key)` is a hardware key: this looks like a hardware file where a workload "
                                     + "was expected (the commands take the hardware first: `attnsim simulate HARDWARE WORKLOAD`)")
        }
        let fields = try root.mapping(allowed: topKeys)
        try SpecDocument.checkVersion(fields)
        let problem = try decodeProblem(fields.required("problem", expecting: "batch, heads, head_dim, tokens, dtype"))
        var workload = Workload(
            name: try fields.required("name").string(),
            description: try fields.optional("description")?.string(),
            problem: problem,
            cascadeName: "attention-1pass",
            cascade: Cascade.preset(named: "attention-1pass")!,
            mask: DenseMask(problem), pruning: nil, kernel: nil, model: nil, layer: nil, sources: [], file: root.file)
        if let cascade = fields.optional("cascade") {
            (workload.cascadeName, workload.cascade) = try decodeCascade(cascade, problem: problem)
        }
        if let pass = fields.optional("pass") { workload.pass = try pass.choice(TrainingPass.self) }
        if let backward = fields.optional("backward_cascade") {
            guard workload.pass.runsBackward else {
                throw backward.error("`backward_cascade` needs `pass: backward` or `pass: training`; this "
                                             + "workload is forward only (`pass` defaults to forward)")
            }
            (workload.backwardCascadeName, workload.backwardCascade) = try decodeCascade(
                backward, problem: problem, presets: Cascade.backwardPresetNames)
        }
        if let mask = fields.optional("mask") {
            workload.mask = try MaskRegistry.decode(mask, problem: problem, workloadFile: root.file)
        }
        if let pruning = fields.optional("pruning") {
            workload.pruning = try decodePruning(pruning, problem: problem, workloadFile: root.file)
        }
        if let kernel = fields.optional("kernel") { workload.kernel = try decodeKernel(kernel, problem: problem) }
        if let model = fields.optional("model") { (workload.model, workload.layer) = try decodeModel(model) }
        if let estimator = fields.optional("estimator") { workload.estimator = try decodeEstimator(estimator) }
        if let sources = fields.optional("sources") { workload.sources = try sources.stringList() }
        return workload
    }

    static func decodeProblem(_ node: SpecNode) throws(Diagnostic) -> Problem {
        let map = try node.mapping(allowed: ["batch", "heads", "kv_heads", "head_dim", "v_dim", "tokens", "kv_tokens",
                                             "dtype"])
        let headDim = try map.required("head_dim", expecting: "E, the Q/K embedding, e.g. 64").int(atLeast: 1)
        let tokensNode = try map.required("tokens", expecting: "an int, or a list for a 2-D/3-D layout")
        let tokens = try tokensNode.intList(atLeast: 1)
        guard tokens.count <= 3 else { throw tokensNode.error("expected a 1-D, 2-D or 3-D token layout, found \(tokens.count) axes") }
        var kvTokens = tokens
        if let kvNode = map.optional("kv_tokens") {
            kvTokens = try kvNode.intList(atLeast: 1)
            guard kvTokens.count <= 3 else { throw kvNode.error("expected a 1-D, 2-D or 3-D token layout") }
        }
        var problem = Problem(
            batch: try map.optional("batch")?.int(atLeast: 1) ?? 1,
            heads: try map.optional("heads")?.int(atLeast: 1) ?? 1,
            headDim: headDim,
            valueDim: try map.optional("v_dim")?.int(atLeast: 1) ?? headDim,
            tokens: tokens,
            kvTokens: kvTokens,
            dtype: try map.optional("dtype")?.choice(DType.self) ?? .bf16)
        if let kvNode = map.optional("kv_heads") {
            let kvHeads = try kvNode.int(atLeast: 1)
            guard kvHeads <= problem.heads, problem.heads % kvHeads == 0 else {
                throw kvNode.error("expected a divisor of heads (\(problem.heads)): the query heads split evenly into "
                    + "groups that share one K/V head (grouped-query attention; 1 is multi-query), found \(kvHeads)")
            }
            if kvHeads < problem.heads { problem.groupedKVHeads = kvHeads }
        }
        if let why = Problem.sizeProblem(batch: problem.batch, heads: problem.heads,
                                         embedding: max(problem.headDim, problem.valueDim), tokens: tokens, kvTokens: kvTokens) {
            throw node.error(why)
        }
        return problem
    }

    /// A preset among `presets` (the forward ones for `cascade:`, the backward ones for `backward_cascade:`) or a list
    /// of Einsums, bound to the problem's ranks.
    static func decodeCascade(_ node: SpecNode, problem: Problem,
                              presets: [String] = Cascade.presetNames) throws(Diagnostic) -> (String, Cascade) {
        let cascade: Cascade
        let name: String
        if node.isSequence {
            let items = try node.sequence()
            guard !items.isEmpty else {
                throw node.error("an empty cascade computes nothing; expected a preset (\(presets.joined(separator: ", "))) "
                    + "or a list of Einsums such as - \"QK[m,p] = Q[e,p] * K[e,m]\"")
            }
            var lines: [String] = []
            for item in items { lines.append(try item.string()) }
            do {
                cascade = try Cascade.parse(name: "inline", lines: lines)
            } catch {
                let item = items[min(max(error.einsumIndex, 0), items.count - 1)]
                throw item.error(error.message, columnOffset: item.textColumnOffset + error.column)
            }
            name = "inline"
        } else {
            name = try node.string()
            guard presets.contains(name), let preset = Cascade.preset(named: name) else {
                throw node.error("unknown cascade preset \"\(name)\"\(DidYouMean.hint(for: name, among: presets)); "
                    + "expected one of: \(presets.joined(separator: ", ")), or a list of Einsums")
            }
            cascade = preset
        }
        do {
            _ = try cascade.opCounts(binding: RankBinding.attention(problem), multiplier: 1)
        } catch {
            throw node.error("the cascade cannot be bound to the problem: \(error)")
        }
        return (name, cascade)
    }

    static func decodePruning(_ node: SpecNode, problem: Problem, workloadFile: String) throws(Diagnostic) -> PruningSpec {
        let map = try node.mapping(allowed: ["mode", "kv_access", "layers", "token_keep", "head_keep", "value_keep",
                                             "quantization", "steps", "warmup_steps", "trace"])
        if problem.kvHeads < problem.heads {
            // The pruning models fetch, prune and quantize K and V per query head (SpAtten's head pruning).
            throw node.error("pruning schedules model K and V per query head; problem.kv_heads (\(problem.kvHeads)) "
                + "below heads (\(problem.heads)) is not modelled with one: drop kv_heads or the pruning block")
        }
        let mode = try map.optional("mode")?.choice(PruningSpec.Mode.self) ?? .prefill
        if mode == .decode && problem.queryTokens != 1 {
            throw node.error("decode mode has one query token over kv_tokens of context; set problem.tokens: 1")
        }
        let kvAccess = try map.optional("kv_access")?.choice(PruningSpec.KVAccess.self) ?? .compacted
        if let traceNode = map.optional("trace") {
            for key in ["layers", "token_keep", "head_keep", "value_keep", "quantization", "steps", "warmup_steps"]
            where map.optional(key) != nil {
                throw map.optional(key)!.error("`\(key)` cannot be combined with `trace`: the trace gives the kept counts, "
                    + "bit widths and steps of every request")
            }
            guard mode == .decode else {
                throw traceNode.error("a SpAtten trace records generation steps; set `mode: decode`")
            }
            let path = try traceNode.string()
            let resolved = Workload.resolve(path, relativeTo: workloadFile)
            let trace: PruningTrace
            do {
                trace = try PruningTrace.load(path: resolved)
            } catch {
                if error.line == nil { throw traceNode.error("\(error.message) (\(resolved))") }
                throw error
            }
            if let row = trace.rows.first(where: { $0.headDim != problem.headDim }) {
                throw traceNode.error("the trace's embedding_length_D is \(row.headDim) but problem.head_dim is \(problem.headDim)")
            }
            if let row = trace.rows.first(where: { $0.head >= problem.heads }) {
                throw traceNode.error("the trace has head \(row.head) but the problem has \(problem.heads) heads")
            }
            if let row = trace.rows.first(where: { $0.context > problem.keyTokens }) {
                throw traceNode.error("the trace has a context of \(row.context) tokens but problem.kv_tokens is \(problem.keyTokens)")
            }
            let layers = (trace.rows.map(\.layer).max() ?? 0) + 1
            return PruningSpec(mode: mode, kvAccess: kvAccess, layers: layers, tokenKeep: Array(repeating: 1, count: layers),
                               steps: (trace.rows.map(\.step).max() ?? 0) + 1, trace: trace)
        }
        let layersNode = try map.required("layers", expecting: "the number of layers the schedule covers (or give `trace`)")
        let layers = try layersNode.int(atLeast: 1)
        let keepNode = try map.required("token_keep", expecting: "one kept fraction per layer, non-increasing")
        var tokenKeep: [Double] = []
        for item in try keepNode.sequence() {
            let value = try item.quantity(.number)
            guard value > 0 && value <= 1 else { throw item.error("expected a kept fraction in (0, 1], found \(value)") }
            if let last = tokenKeep.last, value > last {
                throw item.error("token_keep must be non-increasing (a pruned token stays pruned in later layers); "
                    + "\(value) follows \(last)")
            }
            tokenKeep.append(value)
        }
        guard tokenKeep.count == layers else {
            throw keepNode.error("expected \(layers) values (one per layer, `layers: \(layers)`), found \(tokenKeep.count)")
        }
        var spec = PruningSpec(mode: mode, kvAccess: kvAccess, layers: layers, tokenKeep: tokenKeep)
        if let stepsNode = map.optional("steps") {
            guard mode == .decode else { throw stepsNode.error("`steps` counts generation steps; it needs `mode: decode`") }
            spec.steps = try stepsNode.int(atLeast: 1)
            guard spec.steps <= problem.keyTokens else {
                throw stepsNode.error("\(spec.steps) steps need at least as many context tokens; kv_tokens is \(problem.keyTokens)")
            }
            // The schedule holds, and the engines time, every (step, layer): keep it to seconds and megabytes.
            guard spec.steps <= maxScheduleEntries / layers else {
                throw stepsNode.error("\(spec.steps) steps × \(layers) layers is too long a schedule to model; "
                    + "expected steps × layers ≤ \(maxScheduleEntries)")
            }
        }
        if let warmupNode = map.optional("warmup_steps") {
            guard mode == .decode else { throw warmupNode.error("`warmup_steps` needs `mode: decode`") }
            spec.warmupSteps = try warmupNode.int(atLeast: 0)
            guard spec.warmupSteps <= spec.steps else {
                throw warmupNode.error("\(spec.warmupSteps) warm-up steps but only \(spec.steps) steps")
            }
        }
        if let headNode = map.optional("head_keep") {
            var heads: [Int] = []
            for item in try headNode.sequence() {
                let value = try item.int(atLeast: 1)
                guard value <= problem.heads else {
                    throw item.error("\(value) heads kept but the problem has \(problem.heads) heads")
                }
                if let last = heads.last, value > last {
                    throw item.error("head_keep must be non-increasing (cascade head pruning); \(value) follows \(last)")
                }
                heads.append(value)
            }
            guard heads.count == layers else {
                throw headNode.error("expected \(layers) values (one per layer), found \(heads.count)")
            }
            spec.headKeep = heads
        }
        if let valueNode = map.optional("value_keep") {
            let value = try valueNode.quantity(.number)
            guard value > 0 && value <= 1 else { throw valueNode.error("expected a kept fraction in (0, 1], found \(value)") }
            spec.valueKeep = value
        }
        if let quantNode = map.optional("quantization") {
            let q = try quantNode.mapping(allowed: ["k_msb_bits", "k_lsb_bits", "v_bits", "refetch"])
            func bits(_ key: String) throws(Diagnostic) -> Int {
                let item = try q.required(key)
                let value = try item.int(atLeast: 0)
                guard value <= 32 else { throw item.error("expected a bit width from 0 to 32, found \(value)") }
                return value
            }
            let refetchNode = try q.required("refetch", expecting: "probability of fetching the LSBs, 0…1, or one per layer")
            func probability(_ item: SpecNode) throws(Diagnostic) -> Double {
                let value = try item.quantity(.number)
                guard (0...1).contains(value) else { throw item.error("expected a probability in [0, 1], found \(value)") }
                return value
            }
            var refetch: [Double]
            if refetchNode.isSequence {
                refetch = []
                for item in try refetchNode.sequence() { refetch.append(try probability(item)) }
                guard refetch.count == layers else {
                    throw refetchNode.error("expected \(layers) probabilities (one per layer), found \(refetch.count)")
                }
            } else {
                refetch = Array(repeating: try probability(refetchNode), count: layers)
            }
            let quant = PruningSpec.Quantization(kMSBBits: try bits("k_msb_bits"), kLSBBits: try bits("k_lsb_bits"),
                                                 vBits: try bits("v_bits"), refetch: refetch)
            guard quant.kMSBBits >= 1, quant.vBits >= 1 else {
                throw quantNode.error("k_msb_bits and v_bits must be at least 1")
            }
            if quant.kLSBBits == 0, let item = refetchNode.isSequence ? nil : refetchNode, refetch.contains(where: { $0 > 0 }) {
                throw item.error("a refetch needs LSBs to fetch; set k_lsb_bits or refetch: 0")
            }
            spec.quantization = quant
        }
        return spec
    }

    static func decodeKernel(_ node: SpecNode, problem: Problem) throws(Diagnostic) -> KernelChoice {
        let map = try node.mapping(allowed: ["backend", "q_tile", "kv_tile", "kv_tiling", "tiling", "kv_splits", "mapping",
                                             "mask_params", "mask_cost", "launch", "dq", "deterministic"])
        func isAuto(_ item: SpecNode) -> Bool { (try? item.string()) == "auto" }
        func tile(_ key: String) throws(Diagnostic) -> Choice<[Int]>? {
            guard let item = map.optional(key) else { return nil }
            if isAuto(item) { return .auto }
            let tile = try item.intList(atLeast: 1)
            guard tile.count == problem.tokens.count else {
                throw item.error("expected \(problem.tokens.count) value(s), one per token axis of \(problem.tokens), found \(tile.count)")
            }
            try checkTileSize(tile, at: item)
            return .fixed(tile)
        }
        var kernel = KernelChoice()
        if let item = map.optional("backend") { kernel.backend = isAuto(item) ? .auto : .fixed(try item.string()) }
        kernel.qTile = try tile("q_tile")
        kernel.kvTile = try tile("kv_tile")
        if let item = map.optional("kv_tiling") {
            kernel.kvTiling = isAuto(item) ? .auto : .fixed(try item.choice(KernelChoice.KVTiling.self))
        }
        if let item = map.optional("tiling") {
            kernel.tiling = isAuto(item) ? .auto : .fixed(try item.choice(KernelChoice.Tiling.self))
        }
        if let item = map.optional("kv_splits") {
            if isAuto(item) {
                kernel.kvSplits = .auto
            } else {
                let expected = "expected a whole number from 1 to \(KernelChoice.maxKVSplits) (CTAs per Q tile over its KV tiles) or `auto`"
                guard let splits = try? item.int(), (1...KernelChoice.maxKVSplits).contains(splits) else {
                    throw item.error(expected + ", found \(item.kindDescription)")
                }
                kernel.kvSplits = .fixed(splits)
            }
        }
        kernel.mapping = try map.optional("mapping")?.string()
        if let item = map.optional("mask_params") { kernel.maskParams = try item.choice(KernelChoice.MaskParams.self) }
        if let item = map.optional("launch") { kernel.launch = try item.choice(KernelChoice.Launch.self) }
        if let item = map.optional("dq") { kernel.dq = isAuto(item) ? .auto : .fixed(try item.choice(BackwardDQ.self)) }
        if let item = map.optional("deterministic") { kernel.deterministic = try item.bool() }
        if let item = map.optional("mask_cost") {
            let cost = try item.mapping(allowed: ["ops_per_element"])
            kernel.maskOpsPerElement = try cost.required("ops_per_element", expecting: "a number of operations ≥ 0")
                .physicalQuantity(.number, zeroAllowed: true)
        }
        return kernel
    }

    /// The most (step, layer) pairs a pruning schedule may have: 2^15, e.g. 1024 generated tokens × 32 layers
    /// (a few seconds on the slowest engine, the SpAtten pipeline).
    public static let maxScheduleEntries = 1 << 15

    /// The largest tile a kernel (workload `kernel.q_tile`, hardware `q_tile_tokens` / `tile_shapes`) may use:
    /// 2^20 tokens, far above any real kernel's (128–256), and small enough that tile counts and products of a
    /// tile with the tokens (< 2^40 per axis) stay exact in Int.
    public static let maxTileTokens = 1 << 20

    static func checkTileSize(_ tile: [Int], at node: SpecNode) throws(Diagnostic) {
        guard tile.map(Double.init).reduce(1, *) <= Double(maxTileTokens) else {
            throw node.error("a tile of \(tile.map(String.init).joined(separator: " × ")) tokens is too large to model; "
                + "expected at most \(maxTileTokens) tokens per tile")
        }
    }

    static func decodeModel(_ node: SpecNode) throws(Diagnostic) -> (ModelRollup?, TransformerLayer?) {
        let map = try node.mapping(allowed: ["attention_share", "steps", "d_model", "d_ffn", "optimizer"])
        var layer: TransformerLayer?
        let dModel = try map.optional("d_model")?.int(atLeast: 1)
        let dFFN = try map.optional("d_ffn")?.int(atLeast: 1)
        switch (dModel, dFFN) {
        case let (d?, s?): layer = TransformerLayer(dModel: d, dFFN: s)
        case (nil, nil): break
        default: throw node.error("give both `d_model` and `d_ffn` (the transformer layer's widths), or neither")
        }
        if let item = map.optional("optimizer") {
            guard layer != nil else {
                throw item.error("`optimizer` prices the update of the linear layers' weights: give `d_model` and `d_ffn` too")
            }
            layer?.optimizer = try item.choice(Optimizer.self)
        }
        guard let shareNode = map.optional("attention_share") else {
            if layer == nil {
                _ = try map.required("attention_share", expecting: "fraction of a step spent in attention, (0, 1]")
            }
            if let steps = map.optional("steps") { throw steps.error("`steps` needs `attention_share` for the roll-up") }
            return (nil, layer)
        }
        let share = try shareNode.quantity(.number)
        guard share > 0 && share <= 1 else { throw shareNode.error("expected a fraction in (0, 1], found \(share)") }
        var model = ModelRollup(attentionShare: share)
        if let stepsNode = map.optional("steps") {
            let steps = try stepsNode.mapping(allowed: ["total", "dense"])
            let total = try steps.required("total").int(atLeast: 1)
            let denseNode = steps.optional("dense")
            let dense = try denseNode?.int(atLeast: 0) ?? 0
            guard dense <= total else {
                throw denseNode!.error("\(dense) dense steps but only \(total) steps in total")
            }
            model.totalSteps = total
            model.denseSteps = dense
        }
        return (model, layer)
    }
}

extension Workload {
    /// The same workload with another cascade preset (for `attnsim cascade --cascade`), checked like a file's.
    /// A backward preset replaces the backward cascade and makes the workload's pass `backward` (unless it trains).
    public func replacingCascade(withPreset name: String) throws(Diagnostic) -> Workload {
        let names = Cascade.presetNames + Cascade.backwardPresetNames
        guard let preset = Cascade.preset(named: name) else {
            throw Diagnostic(file: file, path: "cascade", message: "unknown cascade preset \"\(name)\""
                + "\(DidYouMean.hint(for: name, among: names)); expected one of: " + names.joined(separator: ", "))
        }
        var copy = self
        if Cascade.backwardPresetNames.contains(name) {
            copy.backwardCascadeName = name
            copy.backwardCascade = preset
            if copy.pass == .forward { copy.pass = .backward }
        } else {
            copy.cascadeName = name
            copy.cascade = preset
        }
        return copy
    }
}

extension Workload {
    /// A path written in the workload file, relative to the file's folder unless absolute.
    public func resolve(_ path: String) -> String { Self.resolve(path, relativeTo: file) }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }
}
