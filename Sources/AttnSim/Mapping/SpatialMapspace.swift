/// The spatial mapspace: the dataflows a workload may run as on a 2D + 1D array (`kernel.backend` fixes one;
/// `auto` or no `kernel:` leaves all of them to the mapper), each with its backward when the workload's `pass:` runs
/// one (the dataflows without a backward drop out).
public struct SpatialMapspace: Mapspace {
    public var hardware: HardwareSpec
    public var workload: Workload

    public init(hardware: HardwareSpec, workload: Workload) {
        self.hardware = hardware
        self.workload = workload
    }

    public func candidates() -> [SpatialMapping] {
        dataflows.compactMap { try? SpatialMapper.mapping($0, hardware: hardware, workload: workload) }
    }

    var dataflows: [SpatialMapping.Dataflow] {
        if let backend = workload.kernel?.backend?.value, let dataflow = SpatialMapping.Dataflow(rawValue: backend) {
            return [dataflow]
        }
        return SpatialMapping.Dataflow.allCases
    }
}
