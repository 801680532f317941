/// The GPU event simulator as an `Engine`: mappings are backend × tiles × scheduling (`GPUMapspace`).
extension GPUEngine: Engine {
    public static var model: ModelName { .gpuEvent }
    public static var kinds: [HardwareSpec.Kind] { [.gpu] }
    public static var pruned: Bool { false }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [GPUMapping] {
        GPUMapspace(hardware: hardware, workload: workload).candidates()
    }

    public static func evaluate(_ mapping: GPUMapping, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        let outcome = try simulate(hardware: hardware, workload: workload, mapping: mapping,
                                   baseline: options.baseline, trace: options.trace)
        return EngineResult(simulated: simulated(outcome, hardware: hardware, workload: workload, model: model),
                            detail: .gpu(outcome), tiling: mapping.maskTiling)
    }

    /// The prediction of a simulated grid: time, traffic, busy fractions of the units and of off-chip memory.
    static func simulated(_ outcome: Outcome, hardware: HardwareSpec, workload: Workload, model: ModelName)
        -> SimulationResult.Simulated {
        let sparse = outcome.sparse
        let peak = hardware.peakFLOPs(workload.problem.dtype) ?? .infinity
        let bandwidth = hardware.offChip.bandwidth ?? .infinity
        var simulated = SimulationResult.Simulated(
            model: model, time: sparse.time, denseTime: outcome.dense.time,
            dramBytes: sparse.dramBytes, denseDRAMBytes: outcome.dense.dramBytes,
            utilization: [(hardware.units?.name ?? "SM", sparse.executedFLOPs / (peak * sparse.time)),
                          (hardware.offChip.name, sparse.dramBytes / (bandwidth * sparse.time))],
            energy: nil, bottleneck: sparse.bottleneck)
        simulated.maskBuildTime = hardware.kernels[outcome.mapping.backend]?.maskBuildTime(for: workload, hardware: hardware)
        if let estimator = workload.estimator, let procedure = try? estimator.procedure(workload),
           let cost = hardware.eagerTime(procedure) {
            simulated.estimator = (estimator.name, cost.time, cost.host, cost.gpu)
        }
        // Error bars where the profile says how held-out measurements of this family fell around its predictions.
        // A backward or training pass carries its backward profile's spread, measured on forward + backward runs.
        let profile = hardware.kernels[outcome.mapping.backend]
        if let spread = workload.pass == .forward ? profile?.heldOut(for: workload) : profile?.backward?.heldOut {
            simulated.timeInterval = (sparse.time * spread.time.lowerBound)...(sparse.time * spread.time.upperBound)
            let speedup = outcome.speedup
            simulated.speedupInterval = (speedup * spread.speedup.lowerBound)...(speedup * spread.speedup.upperBound)
        }
        return simulated
    }
}

/// The same event simulator on a CPU: cores are the units, one Q tile per core at a time, costed by the file's
/// `kernels.cpu` profile (written by `attnsim calibrate`).
public enum CPUEngine: Engine {
    public static var model: ModelName { .cpuEvent }
    public static var kinds: [HardwareSpec.Kind] { [.cpu] }
    public static var pruned: Bool { false }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        hardware.kernels.isEmpty ? GPUEngine.noKernelProfiles(hardware) : .yes
    }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [GPUMapping] {
        try GPUEngine.mapspace(hardware: hardware, workload: workload)
    }

    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> GPUMapping {
        try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
    }

    public static func evaluate(_ mapping: GPUMapping, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        let outcome = try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: mapping,
                                             baseline: options.baseline, trace: options.trace)
        return EngineResult(simulated: GPUEngine.simulated(outcome, hardware: hardware, workload: workload, model: model),
                            detail: .gpu(outcome), tiling: mapping.maskTiling)
    }
}
