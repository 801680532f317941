extension SpatialEngine {
    /// The mapper's ranking of the workload's dataflows by time.
    public static func rank(hardware: HardwareSpec, workload: Workload) throws(Diagnostic)
        -> [RankedMapping<SpatialMapping>] {
        if let backend = workload.kernel?.backend?.value, SpatialMapping.Dataflow(rawValue: backend) == nil {
            let names = SpatialMapping.Dataflow.allCases.map(\.rawValue)
            throw Diagnostic(file: workload.file, path: "kernel.backend",
                             message: "unknown spatial dataflow `\(backend)`\(DidYouMean.hint(for: backend, among: names)); "
                                + "expected one of: \(names.joined(separator: ", ")), auto")
        }
        let ranked = try Mapper.rank(SpatialMapspace(hardware: hardware, workload: workload)) {
            (mapping) throws(Diagnostic) -> Double? in
            try evaluate(mapping, hardware: hardware, problem: workload.problem, mask: workload.mask).time
        }
        guard !ranked.isEmpty else {
            // Say why the first dataflow does not fit (the arrays, or a buffer too small for its blocks).
            let space = SpatialMapspace(hardware: hardware, workload: workload)
            for dataflow in space.dataflows { _ = try SpatialMapper.mapping(dataflow, hardware: hardware, workload: workload) }
            throw Diagnostic(file: hardware.file, path: "arrays",
                             message: "no spatial dataflow fits this hardware (it needs a square 2D MAC array and a 1D array)")
        }
        return ranked
    }
}
