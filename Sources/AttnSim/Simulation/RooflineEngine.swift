/// The roofline as an `Engine`: FLOPs over peak or compulsory bytes over bandwidth, whichever binds — a lower
/// bound on time, labelled as such, for any device with a peak rate and an off-chip bandwidth whose own engine
/// declined the workload (a GPU file without kernel profiles, a masked workload on a spatial array).
public enum RooflineEngine: Engine {
    public static var model: ModelName { .roofline }
    /// Every kind: FLOPs over peak and bytes over bandwidth need nothing a kind adds.
    public static var kinds: [HardwareSpec.Kind] { HardwareSpec.Kind.allCases }
    public static var pruned: Bool { false }

    public static func supports(hardware: HardwareSpec, workload: Workload) -> EngineSupport {
        .yes
    }

    public static func mapspace(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> [Void] { [()] }

    public static func chooseMapping(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) {}

    public static func evaluate(_ mapping: Void, hardware: HardwareSpec, workload: Workload,
                                options: EngineOptions) throws(Diagnostic) -> EngineResult {
        let cost = AttentionCost(workload.problem, mask: workload.mask)
        let peak: Double
        if let known = options.peak { peak = known } else { peak = try Simulator.peak(hardware, workload) }
        let bandwidth = hardware.offChip.bandwidth!   // validated on load: the outermost level has a bandwidth
        let dense = Roofline(flops: cost.denseFLOPs, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        let masked = cost.effectiveFLOPs.map {
            Roofline(flops: $0, bytes: cost.denseBytes, peakFLOPs: peak, bandwidth: bandwidth)
        }
        var utilization: [(String, Double)] = []
        if let masked {
            for unit in computeUnitNames(hardware) { utilization.append((unit, masked.computeUtilization)) }
            utilization.append((hardware.offChip.name, masked.memoryTime / masked.time))
        }
        let simulated = SimulationResult.Simulated(
            model: model, time: masked?.time, denseTime: dense.time,
            dramBytes: masked == nil ? nil : cost.denseBytes, denseDRAMBytes: cost.denseBytes,
            utilization: utilization, energy: nil, bottleneck: masked?.bottleneck.rawValue)
        var result = EngineResult(simulated: simulated, detail: .roofline)
        result.cost = cost
        return result
    }

    /// Names under which compute utilization is reported: the unit name (SM, core) or each MAC array.
    static func computeUnitNames(_ hardware: HardwareSpec) -> [String] {
        hardware.arrays.isEmpty ? [hardware.units?.name ?? "unit"]
            : hardware.arrays.filter { $0.ops.contains(.mac) }.map(\.name)
    }
}
