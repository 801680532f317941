/// A cost model that times attention on some hardware: it says which (hardware, workload) pairs it models, exposes
/// its mapspace, and evaluates a mapping to a typed result. `EngineRegistry` lists the engines; `Simulator` asks
/// each in turn, so a new cost model is one new type and one registry line, and hardware no engine models is an
/// error rather than a silent fall into another engine.
///
/// ```swift
/// let engine = try EngineRegistry.engine(for: hardware, workload: workload)   // e.g. GPUEngine.self
/// let mapping = try engine.chooseMapping(hardware: hardware, workload: workload)
/// ```
public protocol Engine {
    associatedtype Mapping: Sendable
    /// The model name results carry (`simulated.model`).
    static var model: ModelName { get }
    /// The hardware kinds the engine models; the registry asks no other engine about a kind.
    static var kinds: [HardwareSpec.Kind] { get }
    /// Whether it times pruned workloads (a pruning schedule) or unpruned ones.
    static var pruned: Bool { get }
    /// Whether this engine times `workload` on `hardware` (asked only for its kinds and pruning).
    static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport
    /// The candidate mappings, in the order the mapper breaks ties.
    static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [Mapping]
    /// The workload's own mapping when it fixes one, else the mapper's best.
    static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> Mapping
    /// Times the workload under `mapping`.
    static func evaluate(_ mapping: Mapping, hardware: HardwareSpec, workload: Workload, options: EngineOptions)
        throws(Diagnostic) -> EngineResult
}

extension Engine {
    /// Chooses the mapping and evaluates it (what `attnsim simulate` does with the engine it picked).
    public static func run(hardware: HardwareSpec, workload: Workload, options: EngineOptions) throws(Diagnostic)
        -> EngineResult {
        try evaluate(chooseMapping(hardware: hardware, workload: workload), hardware: hardware, workload: workload,
                     options: options)
    }
}

/// Which performance model produced a prediction (`simulated.model` in JSON).
public enum ModelName: String, Sendable, CaseIterable, Codable {
    /// The GPU discrete-event simulator (CTAs on SMs).
    case gpuEvent = "gpu-event"
    /// The same simulator with CPU cores as units.
    case cpuEvent = "cpu-event"
    /// The spatial-array engine (FuseMax, FLAT, unfused dataflows).
    case spatial
    /// Peak compute or bandwidth, whichever binds: a lower bound on time, not a calibrated prediction.
    case roofline
    /// SpAtten's decode pipeline.
    case spattenPipeline = "spatten-pipeline"
    /// SpAtten's behavioural (bert.cpp) prefill model.
    case spattenBehavioural = "spatten-behavioural"
    /// GPU decode: memory-bound attention calls at a measured efficiency, plus gathers and top-k.
    case gpuDecode = "gpu-decode"
}

/// An engine's answer to "do you model this?".
public enum EngineSupport: Sendable, Equatable {
    case yes
    /// Not this engine's hardware or workload family (say nothing).
    case notApplicable
    /// This engine's hardware, but something it needs is missing; the reason becomes a note if another engine
    /// (usually the roofline) answers instead.
    case declined(String)
}

/// What a caller can ask of every engine.
public struct EngineOptions: Sendable {
    /// Record a Chrome/Perfetto trace (GPU event simulator).
    public var trace: Bool
    /// Backend of the dense GPU baseline (default: the mapping's own).
    public var baseline: String?
    /// How register-file accesses are charged on spatial arrays.
    public var energyAccounting: EnergyAccounting
    /// The device's peak rate for the workload's element type, when the caller has already looked it up and
    /// checked it (`Simulator` does); engines look it up themselves otherwise.
    var peak: Double?

    public init(trace: Bool = false, baseline: String? = nil, energyAccounting: EnergyAccounting = .full) {
        self.trace = trace
        self.baseline = baseline
        self.energyAccounting = energyAccounting
    }
}

/// An engine's typed result: the prediction, the engine's own detail, the tiling it ran (which fixes the tile
/// analysis) and what it left out.
public struct EngineResult: Sendable {
    /// Boxed (`indirect`): the payloads are large, and results pass through generic engine calls by value.
    public indirect enum Detail: Sendable {
        case gpu(GPUEngine.Outcome)
        case spatial(SpatialEvaluation, SpatialEnergy?)
        case pruning(PruningEngine.Outcome)
        case roofline
    }

    public var simulated: SimulationResult.Simulated
    public var detail: Detail
    /// The tiling the kernel ran, when the engine tiles the sequence (the GPU simulator's mapping).
    public var tiling: MaskTiling?
    /// The attention FLOPs and compulsory bytes, when the engine computed them (the roofline's whole input).
    public var cost: AttentionCost?
    public var notes: [String]

    public init(simulated: SimulationResult.Simulated, detail: Detail, tiling: MaskTiling? = nil, notes: [String] = []) {
        self.simulated = simulated
        self.detail = detail
        self.tiling = tiling
        self.notes = notes
    }
}

/// The engines attnsim has, in the order they are asked: the first that answers `.yes` times the workload.
public enum EngineRegistry {
    public static let engines: [any Engine.Type] = [
        SpAttenPipelineEngine.self,
        SpAttenBehaviouralEngine.self,
        PrunedSpatialEngine.self,
        GPUDecodeEngine.self,
        PrunedPrefillEngine.self,
        PrunedRooflineEngine.self,
        GPUEngine.self,
        CPUEngine.self,
        SpatialEngine.self,
        RooflineEngine.self,
    ]

    /// The engine that times `workload` on `hardware`, and the reasons engines for this hardware declined (notes).
    public static func engine(for hardware: HardwareSpec, workload: Workload) throws(Diagnostic)
        -> (engine: any Engine.Type, declined: [String]) {
        var declined: [String] = []
        let pruned = workload.pruning != nil
        for engine in engines where engine.pruned == pruned && engine.kinds.contains(hardware.kind) {
            switch engine.supports(hardware: hardware, workload: workload) {
            case .yes: return (engine, declined)
            case .notApplicable: continue
            case .declined(let reason): declined.append(reason)
            }
        }
        throw Diagnostic(file: hardware.file, path: "kind",
                         message: "no engine models a \(hardware.kind.rawValue) device with this workload "
                            + "(\(workload.file))" + (declined.isEmpty ? "" : ": " + declined.joined(separator: "; ")))
    }
}
