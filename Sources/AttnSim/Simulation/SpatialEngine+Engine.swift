/// The spatial-array engine as an `Engine`: mappings are dataflows (FuseMax and its ablations, FLAT, unfused)
/// derived from the cascade and the arrays (`SpatialMapspace`), or a mapping file fed back.
extension SpatialEngine: Engine {
    public static var model: ModelName { .spatial }

    /// Unpruned attention on a spatial array, dense or with a mask whose absent tiles the array skips.
    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        guard hardware.kind == .spatial, workload.pruning == nil else { return .notApplicable }
        guard workload.mask.isDense else {
            return .declined("the spatial engine models dense and pruned attention; masked time is the roofline's")
        }
        return .yes
    }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [SpatialMapping] {
        SpatialMapspace(hardware: hardware, workload: workload).candidates()
    }

    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> SpatialMapping {
        if let file = workload.kernel?.mapping {
            return try SpatialMapping.load(path: workload.resolve(file), hardware: hardware)
        }
        return try rank(hardware: hardware, workload: workload)[0].mapping
    }

    public static func evaluate(_ mapping: SpatialMapping, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        let run = try evaluate(mapping, hardware: hardware, problem: workload.problem)
        let energy = run.energy(hardware: hardware, accounting: options.energyAccounting)
        var notes: [String] = []
        if let energy, !energy.unpriced.isEmpty {
            notes.append("\(hardware.file) gives no energy for "
                + energy.unpriced.map(\.rawValue).joined(separator: ", ") + "; those actions are charged nothing")
        } else if energy == nil {
            notes.append("\(hardware.file) gives no per-action energies (`energy:`), so energy is null")
        }
        let simulated = SimulationResult.Simulated(
            model: model, time: run.time, denseTime: run.time, dramBytes: run.dramBytes,
            denseDRAMBytes: run.dramBytes, utilization: run.utilization, energy: energy?.total,
            bottleneck: run.bottleneck)
        return EngineResult(simulated: simulated, detail: .spatial(run, energy), notes: notes)
    }
}
