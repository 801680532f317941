/// Where the speedup went: the chain from the FLOP-wise bound to the predicted speedup, one mechanism at a time —
/// the analysis the GNA paper does by hand for each row of its tables (references.md [GNA] §4, Tables 2–4: FLOP
/// bound, NATTEN's tile-wise simulator, then the measured kernel, then end to end).
///
/// Each step is a *level*: the dense and the sparse call timed with the mechanisms up to that step switched on.
/// The step's speedup is dense ÷ sparse time at that level, its factor the ratio to the previous step's speedup,
/// and its time what it adds to the sparse call. The first level is the FLOP-wise bound; the levels of the GPU
/// event simulator then add, on the very call `simulate` times (`KernelCall.Mechanisms`):
///
/// 1. tile quantisation — whole tiles executed (masked-out and padded elements of a visited tile included), at the
///    baseline kernel's rate spread evenly over every slot; this is NATTEN's tile-wise bound when the grids match;
/// 2. the kernel's rate, where the sparse call's tensor-core rate per tile differs from the dense call's: a short
///    call runs at a higher clock than a long one (`HardwareSpec.clockFactor`), another baseline backend
///    (`--baseline`) has its own efficiency;
/// 3. waves and tail — the CTAs scheduled on the SM slots as the block scheduler hands them out;
/// 4. partially masked tiles — the mask function evaluated per element, and the tiles a scanning kernel tests and
///    skips;
/// 5. per-CTA and per-call fixed costs — prologue/epilogue per CTA, the launch, the host's issue time;
/// 6. memory — DRAM traffic through the shared bandwidth, and the split-KV combine kernel: the prediction;
/// 7. mask construction — the block mask built every call (`maskBuildTime`) and the per-call estimator;
/// 8. end to end — Amdahl over the model's attention share and step schedule (`workload.model`).
///
/// Other engines (roofline, spatial, pruning, decode) do not time their calls mechanism by mechanism: their
/// prediction is one step after the FLOP ratio (for the roofline: memory), then steps 7 and 8.
///
/// The sparse times add up: the steps' times sum to the sparse time of the last level. A step's factor can exceed 1
/// where the dense call pays more for the mechanism than the sparse one (its own tail, or a pruned call's
/// quantized bytes).
public struct SpeedupWaterfall: Sendable, Equatable {
    public enum StepName: String, Sendable, CaseIterable, Codable {
        case flopBound = "flop_bound"
        case tileQuantisation = "tile_quantisation"
        case kernelRate = "kernel_rate"
        case wavesAndTail = "waves_and_tail"
        case maskEvaluation = "mask_evaluation"
        case fixedCosts = "fixed_costs"
        case memory
        case otherCosts = "other_costs"
        case maskConstruction = "mask_construction"
        case endToEnd = "end_to_end"
    }

    public struct Step: Sendable, Equatable {
        public var name: StepName
        /// What the step adds, in words (tables, report).
        public var label: String
        /// What the step stands for at this point, where it needs saying ("block mask built every call", "no
        /// `model:` in the workload").
        public var detail: String? = nil
        /// The speedup after this step ÷ the speedup before it (1 for the first).
        public var factor: Double
        /// Seconds this step adds to the sparse call (for the first: its sparse time).
        public var time: Double
        /// Speedup over dense after this step.
        public var speedup: Double
        /// False where the model has nothing for this step (no FLOP count of the mask, no mask build or
        /// estimator, no `model:` for end to end): its factor is 1 and its time 0.
        public var modelled: Bool
    }

    public var steps: [Step]

    /// One level of the chain: the dense and sparse times with the mechanisms up to this step.
    struct Level {
        var name: StepName
        var label: String
        var dense: Double
        var sparse: Double
        var modelled = true
        var detail: String? = nil

        init(name: StepName, dense: Double, sparse: Double, modelled: Bool = true, detail: String? = nil) {
            self.name = name
            label = SpeedupWaterfall.labels[name]!
            self.dense = dense
            self.sparse = sparse
            self.modelled = modelled
            self.detail = detail
        }
    }

    init(levels: [Level]) {
        var steps: [Step] = []
        for level in levels {
            let speedup = level.dense / level.sparse
            guard let previous = steps.last else {
                steps.append(Step(name: level.name, label: level.label, detail: level.detail, factor: 1,
                                  time: level.sparse, speedup: speedup, modelled: level.modelled))
                continue
            }
            let before = levels[steps.count - 1].sparse
            // Two levels that time the same thing differ by rounding alone: that is no time.
            let added = abs(level.sparse - before) <= 1e-12 * max(level.sparse, before) ? 0 : level.sparse - before
            steps.append(Step(name: level.name, label: level.label, detail: level.detail,
                              factor: speedup / previous.speedup, time: added, speedup: speedup,
                              modelled: level.modelled))
        }
        self.steps = steps
    }

    /// The speedup the chain ends at.
    public var final: Double? { steps.last?.speedup }

    /// The step named `name`, if the chain has it.
    public func step(_ name: StepName) -> Step? { steps.first { $0.name == name } }
}

extension SpeedupWaterfall {
    static let labels: [StepName: String] = [
        .flopBound: "FLOP-wise bound",
        .tileQuantisation: "tile quantisation",
        .kernelRate: "kernel rate (clock, efficiency)",
        .wavesAndTail: "waves and tail",
        .maskEvaluation: "partially masked tiles",
        .fixedCosts: "per-CTA and per-call fixed costs",
        .memory: "memory",
        .otherCosts: "the engine's other costs",
        .maskConstruction: "mask construction",
        .endToEnd: "end to end (Amdahl)",
    ]

    /// The waterfall of a simulated point, or nil where there is no speedup to explain (a dense workload against its
    /// own kernel) or no time.
    ///
    /// - Complexity: up to three more runs of the sparse and of the dense grid for GPU and CPU points (the event
    ///   simulator's O(CTAs · log CTAs) each; a dense grid's identical CTAs are a closed form); constant otherwise.
    public static func of(_ result: SimulationResult, workload: Workload) -> SpeedupWaterfall? {
        let simulated = result.simulated
        guard let time = simulated.time, let denseTime = simulated.denseTime, time > 0, denseTime > 0 else { return nil }
        let flopRatio = result.bounds.flopSpeedup ?? result.effectiveFLOPs.flatMap {
            $0 > 0 && result.denseFLOPs > 0 ? result.denseFLOPs / $0 : nil
        }
        guard flopRatio.map({ abs($0 - 1) > 1e-12 }) ?? true || abs(denseTime / time - 1) > 1e-12 else { return nil }

        var levels: [Level] = []
        if let outcome = result.gpu, let sparse = outcome.sparseCall, let dense = outcome.denseCall {
            levels = gpuLevels(sparse: sparse, dense: dense, sparseRun: outcome.sparse, denseRun: outcome.dense,
                               flopRatio: flopRatio)
        } else {
            let name: StepName = simulated.model == .roofline ? .memory : .otherCosts
            let detail = simulated.model == .roofline ? "the roofline: FLOPs at peak or bytes at bandwidth"
                : "the \(simulated.model.rawValue) model's time, not split by mechanism"
            levels = [Level(name: .flopBound, dense: denseTime, sparse: denseTime / (flopRatio ?? denseTime / time),
                            modelled: flopRatio != nil,
                            detail: flopRatio == nil ? "unknown for this mask: starts at the prediction" : nil),
                      Level(name: name, dense: denseTime, sparse: time, detail: detail)]
        }
        if result.pruning != nil {
            levels[0].detail = "the FLOP ratio, not a bound under pruning: quantized bytes can beat it"
        }

        // 7. Mask construction, every call.
        let build = simulated.maskBuildTime ?? 0, estimator = simulated.estimator?.time ?? 0
        var parts: [String] = []
        if simulated.maskBuildTime != nil { parts.append("block mask built every call") }
        if let estimator = simulated.estimator { parts.append("\(estimator.name) estimator") }
        levels.append(Level(name: .maskConstruction, dense: denseTime, sparse: time + build + estimator,
                            modelled: !parts.isEmpty,
                            detail: parts.isEmpty ? "none modelled" : parts.joined(separator: ", ")))

        // 8. End to end: the model's time per attention call (dense: the attention time ÷ its share), and the
        // sparse model's at the speedup so far.
        let last = levels[levels.count - 1]
        if let model = workload.model, model.attentionShare > 0 {
            let speedup = EndToEnd.speedup(attentionSpeedup: last.dense / last.sparse, model: model)
            let dense = last.dense / model.attentionShare
            levels.append(Level(name: .endToEnd, dense: dense, sparse: dense / speedup))
        } else if workload.pass == .training, let linear = result.linearTime {
            // A training step: the linear layers' forward and backward and the optimizer's update, added to both.
            let rest = linear + (result.optimizerTime ?? 0)
            levels.append(Level(name: .endToEnd, dense: last.dense + rest, sparse: last.sparse + rest,
                                detail: "the training step: linear layers and optimizer update added to both"))
        } else {
            levels.append(Level(name: .endToEnd, dense: last.dense, sparse: last.sparse, modelled: false,
                                detail: "no `model:` in the workload"))
        }
        return SpeedupWaterfall(levels: levels)
    }

    /// Levels 0–6 of a GPU or CPU call pair: the FLOP ratio, tile quantisation, the kernel's rate (only when the
    /// baseline's differs), then the calls with their mechanisms switched on one at a time.
    static func gpuLevels(sparse: KernelCall, dense: KernelCall, sparseRun: GPUSimulation, denseRun: GPUSimulation,
                          flopRatio: Double?) -> [Level] {
        let ideal = dense.tileWorkTime
        // Whole tiles: the FLOPs the tensor cores execute (`GPUSimulation.executedFLOPs`), padding included.
        let tiles = ideal * sparseRun.executedFLOPs / denseRun.executedFLOPs
        var levels = [Level(name: .flopBound, dense: ideal, sparse: flopRatio.map { ideal / $0 } ?? tiles,
                            modelled: flopRatio != nil,
                            detail: flopRatio == nil ? "unknown for this mask: starts at the tile step" : nil),
                      Level(name: .tileQuantisation, dense: ideal, sparse: tiles)]
        let own = sparse.tileWorkTime
        if abs(own / tiles - 1) > 1e-9 {
            levels.append(Level(name: .kernelRate, dense: ideal, sparse: own))
        }
        let names: [StepName] = [.wavesAndTail, .maskEvaluation, .fixedCosts, .memory]
        let sparseLevels = sparse.levelTimes(whole: sparseRun.time), denseLevels = dense.levelTimes(whole: denseRun.time)
        for (index, name) in names.enumerated() {
            levels.append(Level(name: name, dense: denseLevels[index], sparse: sparseLevels[index]))
        }
        return levels
    }
}
