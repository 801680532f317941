/// What building a workload's block mask costs before the attention call (`KernelProfile.maskBuild`): the mask
/// function evaluated on every element of the score matrix, per head where the heads' masks differ.
extension KernelProfile {
    /// Seconds of one build of `workload`'s block mask on `hardware`; nil where the profile does not model it, the
    /// mask is dense (no block mask), or the mask is not built from a function (a block mask read from a file,
    /// Radial's mask built by its rule).
    public func maskBuildTime(for workload: Workload, hardware: HardwareSpec) -> Double? {
        let mask = workload.mask
        guard let maskBuild, mask.hasMaskFunction, !mask.isDense else { return nil }
        let problem = workload.problem
        let heads = mask.headPatterns > 1 ? problem.heads : 1
        let elements = Double(heads) * Double(problem.queryTokens) * Double(problem.keyTokens)
        let evaluation = MaskEvaluation(workload)
        let cycles = maskCost?.cycles(evaluation.work, parameters: evaluation.parameters,
                                      opsPerElement: evaluation.opsPerElement) ?? 0
        return maskBuild.time(elements: elements, cycles: cycles, sms: hardware.units?.count ?? 1, clock: hardware.clock)
    }
}
