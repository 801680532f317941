/// The spatial-array engine as an `Engine`: mappings are dataflows (FuseMax and its ablations, FLAT, unfused)
/// derived from the cascade and the arrays (`SpatialMapspace`), or a mapping file fed back.
extension SpatialEngine: Engine {
    public static var model: ModelName { .spatial }
    public static var kinds: [HardwareSpec.Kind] { [.spatial] }
    public static var pruned: Bool { false }

    /// Unpruned attention on a spatial array, dense or with any mask (the array skips the tiles it does not visit).
    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        .yes
    }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [SpatialMapping] {
        SpatialMapspace(hardware: hardware, workload: workload).candidates()
    }

    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> SpatialMapping {
        if let file = workload.kernel?.mapping {
            var mapping = try SpatialMapping.load(path: workload.resolve(file), hardware: hardware, problem: workload.problem,
                                                  mask: workload.mask)
            try SpatialMapper.attachBackward(&mapping, hardware: hardware, workload: workload)
            return mapping
        }
        return try rank(hardware: hardware, workload: workload)[0].mapping
    }

    public static func evaluate(_ mapping: SpatialMapping, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        let run = try evaluate(mapping, hardware: hardware, problem: workload.problem, mask: workload.mask)
        let dense = workload.mask.isDense ? run : try evaluate(mapping, hardware: hardware, problem: workload.problem)
        let energy = run.energy(hardware: hardware, accounting: options.energyAccounting)
        var notes: [String] = []
        if let energy, !energy.unpriced.isEmpty {
            notes.append("\(hardware.file) gives no energy for "
                + energy.unpriced.map(\.rawValue).joined(separator: ", ") + "; those actions are charged nothing")
        } else if energy == nil {
            notes.append("\(hardware.file) gives no per-action energies (`energy:`), so energy is null")
        }
        let simulated = SimulationResult.Simulated(
            model: model, time: run.time, denseTime: dense.time, dramBytes: run.dramBytes,
            denseDRAMBytes: dense.dramBytes, utilization: run.utilization, energy: energy?.total,
            bottleneck: run.bottleneck)
        if let backward = mapping.backward, workload.pass.runsBackward {
            notes.append("the backward runs attnsim's KV-stationary dataflow (no FuseMax backward is published): "
                + "\(backward.cascadeName) bound by the \(mapping.dataflow.rawValue) rule, K and V blocks held while Q tiles "
                + "stream, dQ summed over KV blocks in DRAM (SpatialBackwardMapping)")
            if workload.kernel?.mapping != nil {
                notes.append("the mapping file gives the forward; the backward is the mapper's for the same dataflow")
            }
        }
        let tiling = SpatialMapping.maskTiling(tile: mapping.tile)
        var result = EngineResult(simulated: simulated, detail: .spatial(run, energy),
                                  tiling: workload.mask.isDense ? nil : tiling, notes: notes)
        if workload.pass != .forward {
            // The FLOPs of the pass: the products of the forward and/or the backward per attended pair (PassFLOPs).
            var cost = AttentionCost(workload.problem, mask: workload.mask)
            let scale = PassFLOPs.perPair(workload.pass, headDim: workload.problem.headDim, valueDim: workload.problem.valueDim)
                / PassFLOPs.forward(headDim: workload.problem.headDim, valueDim: workload.problem.valueDim)
            cost.denseFLOPs *= scale
            cost.effectiveFLOPs = cost.effectiveFLOPs.map { $0 * scale }
            result.cost = cost
        }
        return result
    }
}
