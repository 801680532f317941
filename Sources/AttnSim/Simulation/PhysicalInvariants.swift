/// What physics allows of any prediction, checked on every result `Simulator.run` makes, from the work and the
/// hardware file alone (not from the engine's own busy counters):
///
/// - every number is finite, and times, bytes, FLOPs and energies are ≥ 0;
/// - time ≥ FLOPs ÷ the device's peak rate for the element type (the FLOPs the mask or schedule leaves, and the
///   dense FLOPs for the dense time);
/// - time ≥ bytes ÷ bandwidth at every memory level the result reports traffic for (off-chip DRAM);
/// - every utilisation is in [0, 1];
/// - per-layer times of a pruning run are finite and ≥ 0;
/// - every step of the speedup waterfall has a positive finite speedup and factor and a finite time.
///
/// A violation is a bug in a model, never the user's input (loaders reject impossible files): `Simulator.run`
/// refuses to print such a result, and the property tests (`Tests/AttnSimTests/Simulation/PropertyTests.swift`)
/// hunt for one over random hardware, workloads, masks and mappings.
public enum PhysicalInvariants {
    /// Relative slack for rounding in sums of many terms.
    static let tolerance = 1e-9

    /// Every broken invariant of `result`, in words (empty when it is physically valid).
    public static func violations(_ result: SimulationResult, hardware: HardwareSpec, workload: Workload) -> [String] {
        var found = violations(result.simulated, flops: result.effectiveFLOPs, denseFLOPs: result.denseFLOPs,
                               hardware: hardware, dtype: workload.problem.dtype)
        func finite(_ name: String, _ value: Double?) { found += Self.finite(name, value) }
        finite("flops.dense", result.denseFLOPs)
        finite("flops.effective", result.effectiveFLOPs)
        for component in result.energy?.components ?? [] { finite("energy \(component.name)", component.joules) }
        for (name, value) in [("flop_speedup", result.bounds.flopSpeedup), ("tile_speedup", result.bounds.tileSpeedup),
                              ("tile_speedup_mean", result.bounds.tileSpeedupMean),
                              ("wave_speedup", result.bounds.waveSpeedup)] {
            finite("bounds.\(name)", value)
        }
        finite("simulated.mask_build_s", result.simulated.maskBuildTime)
        finite("simulated.estimator.time_s", result.simulated.estimator?.time)
        finite("end_to_end.speedup", result.endToEndSpeedup)
        finite("end_to_end.flop_speedup", result.endToEndFLOPBound)
        finite("end_to_end.tile_speedup", result.endToEndTileBound)
        finite("end_to_end.linear_time", result.linearTime)
        finite("end_to_end.layer_time", result.layerTime)
        for (name, _, cycles) in result.spatial?.einsumCycles ?? [] { finite("cycles of \(name)", cycles) }
        for step in result.waterfall?.steps ?? [] {
            // A step's time may be negative (a short sparse call runs at a higher clock than the dense one).
            if !step.time.isFinite || !(step.speedup > 0 && step.speedup.isFinite) || !(step.factor > 0 && step.factor.isFinite) {
                found.append("waterfall \(step.name.rawValue): speedup \(step.speedup), factor \(step.factor), time "
                    + "\(step.time); expected positive finite speedup and factor and a finite time")
            }
        }
        for layer in result.pruning?.layers ?? [] {
            finite("pruning step \(layer.step) layer \(layer.layer) time", layer.time)
            finite("pruning step \(layer.step) layer \(layer.layer) dense time", layer.denseTime)
        }
        return found
    }

    /// The invariants of one prediction: `flops` and `denseFLOPs` are the work the sparse and the dense run must
    /// at least do (nil where no model counts it).
    public static func violations(_ simulated: SimulationResult.Simulated, flops: Double?, denseFLOPs: Double?,
                                  hardware: HardwareSpec, dtype: DType) -> [String] {
        var found: [String] = []
        for (name, value) in [("simulated.time", simulated.time), ("simulated.dense_time", simulated.denseTime),
                              ("simulated.dram_bytes", simulated.dramBytes),
                              ("simulated.dense_dram_bytes", simulated.denseDRAMBytes),
                              ("simulated.energy", simulated.energy), ("simulated.speedup", simulated.speedup)] {
            found += finite(name, value)
        }
        for (unit, busy) in simulated.utilization where !busy.isFinite || busy < 0 || busy > 1 + tolerance {
            found.append("utilization \(unit) is \(busy), outside [0, 1]")
        }
        // Lower bounds on time from the work and the hardware file.
        let peak = hardware.peakFLOPs(dtype)
        let bandwidth = hardware.offChip.bandwidth
        func atLeast(_ time: Double?, _ name: String, work: Double?, rate: Double?, what: String) {
            guard let time, let work, let rate, rate > 0, time.isFinite, work.isFinite else { return }
            let floor = work / rate
            if time < floor * (1 - tolerance) {
                found.append("\(name) \(Quantity.format(time, .time)) is below \(what) (\(Quantity.format(floor, .time)))")
            }
        }
        atLeast(simulated.time, "time", work: flops, rate: peak, what: "FLOPs ÷ peak")
        atLeast(simulated.denseTime, "dense time", work: denseFLOPs, rate: peak, what: "dense FLOPs ÷ peak")
        atLeast(simulated.time, "time", work: simulated.dramBytes, rate: bandwidth,
                what: "DRAM bytes ÷ \(hardware.offChip.name) bandwidth")
        atLeast(simulated.denseTime, "dense time", work: simulated.denseDRAMBytes, rate: bandwidth,
                what: "dense DRAM bytes ÷ \(hardware.offChip.name) bandwidth")
        return found
    }

    /// "name is nan" or "name is -1, below 0" when `value` is not a finite non-negative number.
    static func finite(_ name: String, _ value: Double?) -> [String] {
        guard let value else { return [] }
        if !value.isFinite { return ["\(name) is \(value)"] }
        return value < 0 ? ["\(name) is \(value), below 0"] : []
    }

    /// Throws when `result` breaks an invariant: the message names the model, both files and what broke.
    static func check(_ result: SimulationResult, hardware: HardwareSpec, workload: Workload) throws(Diagnostic) {
        let broken = violations(result, hardware: hardware, workload: workload)
        guard !broken.isEmpty else { return }
        throw Diagnostic(file: workload.file,
                         message: "internal error: the \(result.simulated.model.rawValue) model produced a physically "
                            + "impossible result for this workload on \(hardware.file): " + broken.joined(separator: "; ")
                            + ". This is a bug in attnsim, not in your files; please report it with both files")
    }
}
