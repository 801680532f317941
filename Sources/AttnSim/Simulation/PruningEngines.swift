/// The pruning targets as `Engine`s, one per model (`PruningEngine` holds the per-layer machinery they share).
/// Each times every step and layer of the workload's schedule next to the same steps dense; the mapping is the
/// schedule itself, so each mapspace has one point.
protocol PruningTarget: Engine where Mapping == PruningSpec {
    /// The per-layer times of the schedule.
    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime]
    /// The model a run on `hardware` reports (the CPU runs the GPU event simulator's prefill as `cpu-event`).
    static func model(on hardware: HardwareSpec) -> ModelName
}

extension PruningTarget {
    static func model(on hardware: HardwareSpec) -> ModelName { model }
    public static var pruned: Bool { true }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [PruningSpec] {
        workload.pruning.map { [$0] } ?? []
    }

    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> PruningSpec {
        guard let spec = workload.pruning else {
            throw Diagnostic(file: workload.file, path: "pruning", message: "the workload has no pruning schedule")
        }
        return spec
    }

    public static func evaluate(_ spec: PruningSpec, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        var (schedule, outcome) = try PruningEngine.prepare(hardware: hardware, workload: workload, spec: spec,
                                                             model: model(on: hardware))
        outcome.layers = try layers(hardware: hardware, workload: workload, schedule: schedule, cost: outcome.cost)
        return PruningEngine.result(outcome, hardware: hardware, spec: spec)
    }
}

/// SpAtten's decode pipeline on a spatial file with a comparator array (`ops: [cmp]`).
public enum SpAttenPipelineEngine: PruningTarget {
    public static var model: ModelName { .spattenPipeline }
    public static var kinds: [HardwareSpec.Kind] { [.spatial] }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        guard let spec = workload.pruning, spec.mode == .decode, PruningEngine.hasComparators(hardware) else {
            return .notApplicable
        }
        return .yes
    }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        try PruningEngine.spattenPipeline(hardware: hardware, schedule: schedule, cost: cost)
    }
}

/// SpAtten's behavioural model for prefill on the same files.
public enum SpAttenBehaviouralEngine: PruningTarget {
    public static var model: ModelName { .spattenBehavioural }
    public static var kinds: [HardwareSpec.Kind] { [.spatial] }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        guard let spec = workload.pruning, spec.mode == .prefill, PruningEngine.hasComparators(hardware) else {
            return .notApplicable
        }
        return .yes
    }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        try PruningEngine.spattenBehavioural(hardware: hardware, schedule: schedule, cost: cost)
    }
}

/// FuseMax-like arrays: the spatial engine per layer on the kept problem, top-k by quick-select on the 1D array.
public enum PrunedSpatialEngine: PruningTarget {
    public static var model: ModelName { .spatial }
    public static var kinds: [HardwareSpec.Kind] { [.spatial] }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        PruningEngine.hasComparators(hardware) ? .notApplicable : .yes
    }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        try PruningEngine.spatialArray(hardware: hardware, workload: workload, schedule: schedule, cost: cost)
    }
}

/// GPU decode: memory-bound attention calls at the decode profile's efficiency, gathers, importance, top-k.
public enum GPUDecodeEngine: PruningTarget {
    public static var model: ModelName { .gpuDecode }
    public static var kinds: [HardwareSpec.Kind] { [.gpu] }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        guard workload.pruning?.mode == .decode,
              (try? PruningEngine.decodeProfile(hardware, workload: workload)) != nil else { return .notApplicable }
        return .yes
    }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        try PruningEngine.gpuDecode(hardware: hardware, workload: workload, schedule: schedule, cost: cost)
    }
}

/// Pruned prefill (or decode without a decode profile) through the event simulator, per layer.
public enum PrunedPrefillEngine: PruningTarget {
    public static var model: ModelName { .gpuEvent }
    public static var kinds: [HardwareSpec.Kind] { [.gpu, .cpu] }

    static func model(on hardware: HardwareSpec) -> ModelName { hardware.kind == .cpu ? .cpuEvent : .gpuEvent }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        guard let spec = workload.pruning else { return .notApplicable }
        guard !hardware.kernels.isEmpty else {
            // Only GPU files say why: a CPU file without a profile is timed by the roofline, as documented.
            guard hardware.kind == .gpu else { return .notApplicable }
            return .declined(spec.mode == .decode
                ? "\(hardware.file) has no decode kernel profile (`memory_efficiency`, `per_call`), so time is the roofline's"
                : "\(hardware.file) lists no kernel profiles, so time is the roofline's")
        }
        return .yes
    }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        try PruningEngine.gpuPrefill(hardware: hardware, workload: workload, schedule: schedule, cost: cost)
    }
}

/// Any other pruned target: the roofline per layer.
public enum PrunedRooflineEngine: PruningTarget {
    public static var model: ModelName { .roofline }
    public static var kinds: [HardwareSpec.Kind] { HardwareSpec.Kind.allCases }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport { .yes }

    static func layers(hardware: HardwareSpec, workload: Workload, schedule: PruningSchedule, cost: PruningCost)
        throws(Diagnostic) -> [PruningEngine.LayerTime] {
        PruningEngine.rooflineLayers(hardware: hardware, workload: workload, cost: cost)
    }
}

extension PruningEngine {
    /// Whether the file describes a SpAtten-like pipeline: a spatial device with a comparator array.
    static func hasComparators(_ hardware: HardwareSpec) -> Bool {
        hardware.kind == .spatial && hardware.arrays.contains { $0.ops.contains(.cmp) }
    }

    /// Runs a pruned workload with the registered target that takes it (tests and studies that want the outcome).
    public static func run(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> Outcome {
        let (engine, _) = try EngineRegistry.engine(for: hardware, workload: workload)
        let result = try engine.run(hardware: hardware, workload: workload, options: EngineOptions())
        guard case .pruning(let outcome) = result.detail else {
            throw Diagnostic(file: workload.file, path: "pruning", message: "the workload has no pruning schedule")
        }
        return outcome
    }

    /// The prediction of a pruned run: time, traffic, HBM busy fraction, what dominates, and the notes.
    static func result(_ outcome: Outcome, hardware: HardwareSpec, spec: PruningSpec) -> EngineResult {
        let cost = outcome.cost
        let time = outcome.time
        let bandwidth = hardware.offChip.bandwidth!
        let simulated = SimulationResult.Simulated(
            model: outcome.model, time: time, denseTime: outcome.denseTime, dramBytes: cost.dramBytes,
            denseDRAMBytes: cost.denseDRAMBytes,
            utilization: [(hardware.offChip.name, cost.dramBytes / (bandwidth * time))],
            energy: outcome.energy,
            bottleneck: bottleneck(time: time, topK: outcome.topKTime, memory: cost.dramBytes / bandwidth))
        var notes = outcome.notes
        if let energy = outcome.energy, let dense = outcome.denseEnergy, energy > 0 {
            notes.append("energy: \(Quantity.format(energy, .energy)) pruned, \(Quantity.format(dense, .energy)) dense "
                + String(format: "(%.2f× less)", dense / energy) + ": the array's per-action energies over every layer call "
                + "on the kept tokens and heads, top-k comparisons priced as `cmp` (else `max`)")
        }
        let steps = Set(cost.layers.map(\.step)).count
        notes.append("times cover \(steps) step\(steps == 1 ? "" : "s") × \(spec.layers) layer\(spec.layers == 1 ? "" : "s") "
            + "(\(cost.layers.count) layer calls) of the \(spec.mode.rawValue) schedule; the dense baseline runs the same steps unpruned")
        if hardware.kind == .gpu && hardware.topK.isEmpty
            && cost.layers.contains(where: { $0.tokenTopK != nil || !$0.localTopK.isEmpty }) {
            notes.append("\(hardware.file) has no measured `topk:` table; top-k is charged nothing")
        }
        return EngineResult(simulated: simulated, detail: .pruning(outcome), notes: notes)
    }

    /// What a pruned run spends most of its time on: top-k, moving bytes, or the rest (compute, fixed costs).
    static func bottleneck(time: Double, topK: Double, memory: Double) -> String {
        let rest = max(0, time - topK - memory)
        return [("top-k", topK), ("memory", memory), ("compute", rest)].max { $0.1 < $1.1 }!.0
    }
}
