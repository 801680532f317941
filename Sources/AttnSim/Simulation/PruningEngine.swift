import Foundation

/// Times a pruning schedule (`PruningSchedule`, costed by `PruningCost`) on a target, layer by layer, next to
/// the same steps run dense:
///
/// - **SpAtten-style pipeline** (`kind: spatial` with a comparator array, e.g. `hardware/spatten.yaml`); prefill
///   runs SpAtten's own additive BERT model (`SpAttenBehavioural`); decode:
///   fetch → QK → softmax → top-k → AV, one request (one query of one head) per stage, stages overlapped across
///   requests (double-buffered K/V buffers, references.md [SpAtten-RTL] SpAttenController.scala), so a request costs
///   its slowest stage; a refetch re-runs fetch, QK and softmax; the cascade top-k between layers and the pipeline
///   drain are serial;
/// - **GPU decode** (one query token): per layer one attention call over the kept K/V at the profile's
///   `memory_efficiency` plus `per_call`, a gather call (`gathered`), an importance call, and the cascade top-k
///   from the hardware's measured `topk:` table;
/// - **GPU prefill**: per layer the event simulator on the layer's kept tokens and heads, plus a pass that
///   recomputes QK for the importance scores (a fused kernel never materializes the probabilities);
/// - **FuseMax-like arrays** (a square 2D array and a 1D array): per layer the spatial engine on the kept
///   problem (queries padded to the array side), against the K/V bytes at their bit widths; top-k by quick-select
///   on the 1D array;
/// - anything else: the roofline per layer (bytes over bandwidth or FLOPs over peak).
public enum PruningEngine {
    public struct LayerTime: Sendable, Equatable {
        public var step: Int
        public var layer: Int
        /// The whole pruned layer: attention, pruning overheads and top-k.
        public var time: Double
        public var denseTime: Double
        /// Time of the selections (token, head and local top-k) on the critical path.
        public var topKTime: Double
        /// Of `time`: the attention call itself (GPU: the SDPA kernel over the kept K/V), and the other work
        /// pruning adds (gathers, importance scores); nil where the model does not separate them.
        public var attentionTime: Double? = nil
        public var overheadTime: Double? = nil
        /// Joules of the pruned and the dense layer where the target prices its actions (spatial arrays with
        /// `energy:`); nil elsewhere.
        public var energy: Double? = nil
        public var denseEnergy: Double? = nil
    }

    public struct Outcome: Sendable {
        /// Which model timed it.
        public var model: ModelName
        public var cost: PruningCost
        public var layers: [LayerTime]
        /// What the model left out or fell back on, in words.
        public var notes: [String] = []
        /// Roofline times (bytes over bandwidth or FLOPs over peak, per layer): the basis of the speedup bound.
        public var rooflineTime: Double
        public var denseRooflineTime: Double

        public var time: Double { layers.reduce(0) { $0 + $1.time } }
        public var denseTime: Double { layers.reduce(0) { $0 + $1.denseTime } }
        public var topKTime: Double { layers.reduce(0) { $0 + $1.topKTime } }
        /// The attention calls alone (nil unless the model separates them).
        public var attentionTime: Double? {
            layers.allSatisfy { $0.attentionTime != nil } ? layers.reduce(0) { $0 + $1.attentionTime! } : nil
        }
        public var overheadTime: Double? {
            layers.allSatisfy { $0.overheadTime != nil } ? layers.reduce(0) { $0 + $1.overheadTime! } : nil
        }
        /// Joules over every layer call, pruned and dense; nil unless every layer was priced.
        public var energy: Double? {
            layers.allSatisfy { $0.energy != nil } ? layers.reduce(0) { $0 + $1.energy! } : nil
        }
        public var denseEnergy: Double? {
            layers.allSatisfy { $0.denseEnergy != nil } ? layers.reduce(0) { $0 + $1.denseEnergy! } : nil
        }
        /// The roofline ratio: the dense steps' roofline time over the pruned steps' (top-k, gathers and fixed costs
        /// free). Not a strict bound: it assumes the same FLOP and byte rates for both,
        /// and smaller pruned layers can run a few percent faster per FLOP (cache), as a CPU kernel did (README).
        public var rooflineSpeedup: Double { denseRooflineTime / rooflineTime }
    }

    /// The schedule and its cost on `hardware`, with the roofline times every target reports beside its own;
    /// `layers` is left for the target to fill.
    static func prepare(hardware: HardwareSpec, workload: Workload, spec: PruningSpec, model: ModelName)
        throws(Diagnostic) -> (PruningSchedule, Outcome) {
        let problem = workload.problem
        let schedule = PruningSchedule(spec, problem: problem)
        let cost = PruningCost(schedule, burst: hardware.offChip.burst)
        guard let peak = hardware.peakFLOPs(problem.dtype), let bandwidth = hardware.offChip.bandwidth else {
            throw Diagnostic(file: hardware.file, message: "\(hardware.name) has no peak for \(problem.dtype.rawValue) or no off-chip bandwidth")
        }
        func roofline(_ layer: PruningLayerCost) -> Double { max(layer.dramBytes / bandwidth, layer.flops / peak) }
        let outcome = Outcome(model: model, cost: cost, layers: [],
                              rooflineTime: cost.layers.reduce(0) { $0 + roofline($1) },
                              denseRooflineTime: cost.dense.reduce(0) { $0 + roofline($1) })
        return (schedule, outcome)
    }

    /// The roofline per layer (bytes over bandwidth or FLOPs over peak).
    static func rooflineLayers(hardware: HardwareSpec, workload: Workload, cost: PruningCost) -> [LayerTime] {
        let peak = hardware.peakFLOPs(workload.problem.dtype)!
        let bandwidth = hardware.offChip.bandwidth!
        func roofline(_ layer: PruningLayerCost) -> Double { max(layer.dramBytes / bandwidth, layer.flops / peak) }
        return zip(cost.layers, cost.dense).map { sparse, dense in
            LayerTime(step: sparse.step, layer: sparse.layer, time: roofline(sparse), denseTime: roofline(dense), topKTime: 0)
        }
    }

    /// The SpAtten pipeline, decode: one request per stage, stages overlapped across requests.
    static func spattenPipeline(hardware: HardwareSpec, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [LayerTime] {
        let pipeline = try SpAttenPipeline(hardware)
        return zip(schedule.layers.indices, cost.layers).map { index, layer in
            let sparse = pipeline.layer(schedule.layers[index], cost: layer, schedule: schedule)
            let dense = pipeline.layer(schedule.dense[index], cost: cost.dense[index], schedule: schedule)
            return LayerTime(step: layer.step, layer: layer.layer, time: sparse.time, denseTime: dense.time,
                             topKTime: sparse.topK)
        }
    }

    /// SpAtten's additive BERT model (prefill) on the pipeline's QK lanes. Its DRAM term counts `bert.cpp`'s
    /// transactions of a dense, contiguous layout; where the layer's access pattern moves more (`cost`: index
    /// reads, gather copies, rows padded to the burst), the DRAM term is the layer's bytes at the bandwidth.
    static func spattenBehavioural(hardware: HardwareSpec, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [LayerTime] {
        let pipeline = try SpAttenPipeline(hardware)
        var model = SpAttenBehavioural(keysPerCycle: pipeline.qkLanes / Double(schedule.headDim), clock: hardware.clock)
        model.channels = pipeline.bytesPerCycle / model.transactionBytes
        func seconds(_ layer: PruningSchedule.Layer, _ selection: PruningSchedule.Selection?, bytes: Double)
            -> (Double, Double) {
            let keys = Int(layer.groups.map(\.keys).max() ?? 0)
            let requests = layer.groups.reduce(0) { $0 + $1.count }
            let c = model.layer(heads: layer.heads, queries: layer.queries, keys: keys, headDim: schedule.headDim,
                                keyBits: layer.keyBits, valueBits: layer.valueBits,
                                selection: selection.map { ($0.n, $0.k) },
                                refetch: requests > 0 ? layer.refetches / requests : 0, lsbBits: layer.lsbBits,
                                activationBits: layer.activationBits)
            let batch = Double(schedule.batch)
            let dram = max(batch * c.dram, bytes / pipeline.bytesPerCycle)
            return ((batch * (c.fill + c.drain + c.topK) + dram) / hardware.clock, batch * c.topK / hardware.clock)
        }
        return schedule.layers.indices.map { index in
            let layer = schedule.layers[index]
            let (time, topK) = seconds(layer, layer.tokenTopK, bytes: cost.layers[index].dramBytes)
            return LayerTime(step: layer.step, layer: layer.layer, time: time,
                             denseTime: seconds(schedule.dense[index], nil, bytes: cost.dense[index].dramBytes).0,
                             topKTime: topK)
        }
    }

    // MARK: GPU

    /// The decode kernel profile: the workload's backend, else `sdpa`, else any profile with a memory efficiency.
    static func decodeProfile(_ hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> (String, KernelProfile) {
        let named = workload.kernel?.backend?.value
        let candidates = [named, "sdpa"].compactMap { $0 } + hardware.kernels.keys.sorted()
        for name in candidates {
            if let profile = hardware.kernels[name], profile.memoryEfficiency != nil, profile.perCall != nil {
                return (name, profile)
            }
        }
        throw Diagnostic(file: hardware.file, path: "kernels",
                         message: "GPU decode needs a kernel profile with `memory_efficiency` and `per_call` "
                            + "(e.g. `sdpa`, fitted to validation/gpu/h100-sdpa-decode.json)")
    }

    /// GPU time of `rows` selections of k of n, from the hardware's measured `topk:` table: the measurement nearest
    /// in rows and n (log scale; ties go to the closer k/n), scaled linearly in elements (rows × n) when the call is
    /// larger, never below the nearest measured time (small calls sit on a launch floor). nil without a table.
    public static func gpuTopKTime(_ hardware: HardwareSpec, rows: Double, n: Int, k: Int) -> Double? {
        guard !hardware.topK.isEmpty else { return nil }
        guard k < n, rows > 0 else { return 0 }
        func distance(_ t: TopKTiming) -> Double {
            abs(log2(Double(t.rows) / rows)) + abs(log2(Double(t.n) / Double(n)))
                + 0.01 * abs(Double(t.k) / Double(t.n) - Double(k) / Double(n))
        }
        let nearest = hardware.topK.min { distance($0) < distance($1) }!
        let scale = rows * Double(n) / (Double(nearest.rows) * Double(nearest.n))
        return nearest.time * max(1, scale)
    }

    /// GPU time of a layer's selections from the measured table (0 without one).
    static func gpuTopKTime(_ hardware: HardwareSpec, _ selections: [PruningSchedule.Selection]) -> Double {
        selections.reduce(0) { $0 + (gpuTopKTime(hardware, rows: $1.count, n: $1.n, k: $1.k) ?? 0) }
    }

    static func gpuDecode(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [LayerTime] {
        let (_, profile) = try decodeProfile(hardware, workload: workload)
        let bandwidth = hardware.offChip.bandwidth! * profile.memoryEfficiency!
        let perCall = profile.perCall!
        let peak = hardware.peakFLOPs(workload.problem.dtype)!
        func attention(_ layer: PruningLayerCost) -> Double {
            perCall + max((layer.kvBytes + layer.activationBytes + layer.indexBytes) / bandwidth, layer.flops / peak)
        }
        var result: [LayerTime] = []
        for (index, layer) in cost.layers.enumerated() {
            let kernel = attention(layer)
            var overhead = 0.0
            if layer.gatherBytes > 0 { overhead += perCall + layer.gatherBytes / bandwidth }
            // Importance: the probabilities of the kept keys read back and summed over heads (fp32).
            overhead += perCall + layer.importanceAdds * 4 / bandwidth
            // Local value pruning needs a top-k per request (rows = requests of a group).
            let topK = gpuTopKTime(hardware, layer.selections)
            result.append(LayerTime(step: layer.step, layer: layer.layer, time: kernel + overhead + topK,
                                    denseTime: attention(cost.dense[index]), topKTime: topK, attentionTime: kernel,
                                    overheadTime: overhead))
        }
        return result
    }

    static func gpuPrefill(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [LayerTime] {
        var cache: [String: Double] = [:]
        func attentionTime(heads: Int, tokens: Int) throws(Diagnostic) -> Double {
            let key = "\(heads)x\(tokens)"
            if let time = cache[key] { return time }
            var layerWorkload = workload
            layerWorkload.pruning = nil
            layerWorkload.mask = DenseMask(queries: tokens, keys: tokens)
            layerWorkload.problem.heads = heads
            layerWorkload.problem.tokens = [tokens]
            layerWorkload.problem.kvTokens = [tokens]
            let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: layerWorkload)
            let time = try GPUEngine.simulate(hardware: hardware, workload: layerWorkload, mapping: mapping,
                                              baseline: nil, trace: false).sparse.time
            cache[key] = time
            return time
        }
        let e = Double(schedule.headDim), f = Double(schedule.valueDim)
        var result: [LayerTime] = []
        for (index, layer) in schedule.layers.enumerated() {
            let attention = try attentionTime(heads: layer.heads, tokens: layer.queries)
            // The importance pass recomputes QK and the softmax: the QK share of the attention time.
            let importance = attention * e / (e + f)
            let topK = gpuTopKTime(hardware, cost.layers[index].selections)
            let dense = schedule.dense[index]
            result.append(LayerTime(step: layer.step, layer: layer.layer, time: attention + importance + topK,
                                    denseTime: try attentionTime(heads: dense.heads, tokens: dense.queries), topKTime: topK,
                                    attentionTime: attention, overheadTime: importance))
        }
        return result
    }

    // MARK: FuseMax-like arrays

    static func spatialArray(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [LayerTime] {
        guard let square = hardware.arrays.first(where: { $0.shape.count == 2 && $0.shape[0] == $0.shape[1] }) else {
            throw Diagnostic(file: hardware.file, path: "arrays",
                             message: "pruning on a spatial array needs a square 2D array (FuseMax-like) or a comparator "
                                + "array (`ops: [cmp]`, SpAtten-like)")
        }
        let tile = square.shape[0]
        let bandwidth = hardware.offChip.bandwidth!
        let comparators = hardware.arrays.filter { $0.ops.contains(.cmp) || $0.ops.contains(.max) }
            .filter { $0.shape.count == 1 }.map(\.lanes).max() ?? 1
        let engine = TopKEngine(comparators: comparators)
        var cache: [String: (time: Double, energy: Double?)] = [:]
        // The array's time and energy (its per-action energies, `energy:`; nil without them) for one layer call.
        func compute(heads: Int, queries: Int, keys: Int) throws(Diagnostic) -> (time: Double, energy: Double?) {
            let pad = { (x: Int) in max(tile, (x + tile - 1) / tile * tile) }
            // Keyed by the padded sizes the array runs (a decode step's context grows by one token per step).
            let key = "\(heads)x\(pad(queries))x\(pad(keys))"
            if let known = cache[key] { return known }
            var problem = workload.problem
            problem.heads = heads
            problem.tokens = [pad(queries)]
            problem.kvTokens = [pad(keys)]
            var layerWorkload = workload
            layerWorkload.pruning = nil
            layerWorkload.problem = problem
            // The schedule's kept tokens already account for what is attended; each layer runs dense on the array.
            layerWorkload.mask = DenseMask(problem)
            // A pruning schedule is inference (prefill or decode steps): each layer call is a forward.
            layerWorkload.pass = .forward
            let mapping = try SpatialEngine.rank(hardware: hardware, workload: layerWorkload)[0].mapping
            let run = try SpatialEngine.evaluate(mapping, hardware: hardware, problem: problem)
            let known = (run.computeTime, run.energy(hardware: hardware)?.total)
            cache[key] = known
            return known
        }
        // A top-k selection keeps every comparator busy each cycle it runs, each a compare priced as `cmp` (else `max`).
        let compareEnergy = hardware.energy[.cmp] ?? hardware.energy[.max]
        var result: [LayerTime] = []
        for (index, layer) in schedule.layers.enumerated() {
            let c = cost.layers[index]
            let keys = Int((layer.groups.map(\.keys).max() ?? 1).rounded(.up))
            let refetch = 1 + (layer.refetches / max(1, layer.requests))
            let pruned = try compute(heads: layer.heads, queries: layer.queries, keys: keys)
            let topKCycles = c.selections.reduce(0) { $0 + $1.count * engine.cycles(n: $1.n, k: $1.k) }
            let topK = topKCycles / hardware.clock
            let dense = schedule.dense[index]
            let denseRun = try compute(heads: dense.heads, queries: dense.queries, keys: dense.context)
            var time = LayerTime(step: layer.step, layer: layer.layer,
                                 time: max(pruned.time * refetch, c.dramBytes / bandwidth) + topK,
                                 denseTime: max(denseRun.time, cost.dense[index].dramBytes / bandwidth), topKTime: topK)
            if let energy = pruned.energy, let denseEnergy = denseRun.energy {
                time.energy = energy * refetch + topKCycles * Double(comparators) * (compareEnergy ?? 0)
                time.denseEnergy = denseEnergy
            }
            result.append(time)
        }
        return result
    }
}

/// The SpAtten pipeline (references.md [SpAtten-RTL] SpAttenController.scala) on a spatial hardware file: the first two
/// MAC arrays are the QK and prob·V modules, the array with `exp` the softmax units, the array with `cmp` the top-k
/// engine's comparators.
public struct SpAttenPipeline: Sendable {
    public var qkLanes: Double
    public var pvLanes: Double
    public var softmaxLanes: Double
    public var topK: TopKEngine
    /// DRAM bytes per cycle.
    public var bytesPerCycle: Double
    public var clock: Double
    /// Cycles to drain the pipeline once per layer: QK (SRAM 1 + multiply 1 + reduction tree 9) and softmax
    /// (dequantize 7 + exp 21 + accumulate 23 + divide 29 + quantize 7), references.md [SpAtten-RTL] `bert.cpp`.
    public var drain: Double = 11 + 87

    public init(_ hardware: HardwareSpec) throws(Diagnostic) {
        let macs = hardware.arrays.filter { $0.ops.contains(.mac) }
        guard macs.count >= 2, let softmax = hardware.arrays.first(where: { $0.ops.contains(.exp) }),
              let comparators = hardware.arrays.first(where: { $0.ops.contains(.cmp) }) else {
            throw Diagnostic(file: hardware.file, path: "arrays",
                             message: "a SpAtten-style pipeline needs two MAC arrays (QK, prob·V), an array with exp "
                                + "(softmax) and an array with cmp (top-k comparators)")
        }
        qkLanes = Double(macs[0].lanes)
        pvLanes = Double(macs[1].lanes)
        softmaxLanes = Double(softmax.lanes)
        topK = TopKEngine(comparators: comparators.lanes)
        bytesPerCycle = hardware.offChip.bandwidth! / hardware.clock
        clock = hardware.clock
    }

    /// Stage cycles of one request fetching `keys` keys and `values` values (with a refetch or not).
    public func stages(keys: Double, values: Double, refetch: Bool, layer: PruningSchedule.Layer,
                       schedule: PruningSchedule) -> (fetch: Double, qk: Double, softmax: Double, topK: Double, pv: Double) {
        let d = Double(schedule.headDim), f = Double(schedule.valueDim)
        let passes = refetch ? 2.0 : 1.0
        let keyBytes = keys * d * (layer.keyBits + (refetch ? layer.lsbBits : 0)) / 8
        let valueBytes = values * f * layer.valueBits / 8
        return ((keyBytes + valueBytes) / bytesPerCycle, passes * keys * d / qkLanes, passes * keys / softmaxLanes,
                values < keys ? topK.cycles(n: Int(keys), k: Int(values)) : 0, values * f / pvLanes)
    }

    /// Seconds of a layer, and of it the part the top-k selections add (the layer again with free selections).
    ///
    /// Every byte the layer moves (`cost.dramBytes`: K and V padded to the burst, Q and outputs, indices) passes
    /// the fetcher: each request's fetch stage carries the layer's bytes in proportion to its own K and V, so the
    /// layer never moves its bytes faster than the DRAM bandwidth.
    public func layer(_ layer: PruningSchedule.Layer, cost: PruningLayerCost, schedule: PruningSchedule)
        -> (time: Double, topK: Double) {
        let shares = layer.groups.flatMap { group in
            [(group, 1 - group.refetch, false), (group, group.refetch, true)].filter { $0.1 > 0 }
        }
        let staged = shares.map { group, share, refetch in
            (count: group.count * share,
             stages: stages(keys: group.keys, values: group.values, refetch: refetch, layer: layer, schedule: schedule))
        }
        let fetched = staged.reduce(0) { $0 + $1.count * $1.stages.fetch }
        let layerFetch = cost.dramBytes / bytesPerCycle
        let scale = fetched > 0 ? max(1, layerFetch / fetched) : 1
        func cycles(withTopK: Bool) -> Double {
            var total = drain + (fetched > 0 ? 0 : layerFetch)
            for (count, s) in staged {
                total += count * max(s.fetch * scale, s.qk, s.softmax, withTopK ? s.topK : 0, s.pv)
            }
            if withTopK {
                for selection in [cost.tokenTopK, cost.headTopK].compactMap({ $0 }) {
                    total += selection.count * topK.cycles(n: selection.n, k: selection.k)
                }
            }
            return total
        }
        let full = cycles(withTopK: true)
        return (full / clock, (full - cycles(withTopK: false)) / clock)
    }
}
