import Foundation

/// Fits a kernel profile's costs to measured runs: efficiency (share of a unit's peak a full tile reaches), the
/// masked-tile cost (base and per extra token axis) and the fixed cost per work item (CTA or CPU Q tile), by
/// least squares on log time over the samples' dense and sparse runs, with a coordinate-wise golden-section search
/// inside physical ranges. Used by `attnsim crosscheck-gpu --fit` and `attnsim crosscheck --fit`.
public enum ProfileFit {
    public struct Sample: Sendable {
        public var workload: Workload
        /// Measured seconds of the dense baseline and of the sparse (masked) run.
        public var dense: Double
        public var sparse: Double

        public init(workload: Workload, dense: Double, sparse: Double) {
            self.workload = workload
            self.dense = dense
            self.sparse = sparse
        }
    }

    public static func fit(hardware: HardwareSpec, backend: String, start: KernelProfile, samples: [Sample]) -> KernelProfile {
        var spec = hardware
        var params = [start.efficiency ?? 0.6, start.maskedTileCost ?? 1.3, (start.perCTA ?? 2e-6) * 1e6,
                      start.maskedTileCostPerAxis ?? 0.3]
        let ranges: [ClosedRange<Double>] = [0.2...1.0, 1.0...4.0, 0.0...40.0, 0.0...1.5]
        func apply(_ p: [Double]) -> KernelProfile {
            var candidate = start
            candidate.efficiency = p[0]
            candidate.maskedTileCost = p[1]
            candidate.perCTA = p[2] * 1e-6
            candidate.maskedTileCostPerAxis = p[3]
            return candidate
        }
        func loss(_ p: [Double]) -> Double {
            spec.kernels[backend] = apply(p)
            var total = 0.0
            for sample in samples {
                guard let mapping = try? GPUEngine.chooseMapping(hardware: spec, workload: sample.workload),
                      let outcome = try? GPUEngine.simulate(hardware: spec, workload: sample.workload, mapping: mapping) else {
                    return .infinity
                }
                total += pow(log(outcome.sparse.time / sample.sparse), 2) + pow(log(outcome.dense.time / sample.dense), 2)
            }
            return total
        }
        for _ in 0..<4 {
            for i in params.indices {
                var (a, b) = (ranges[i].lowerBound, ranges[i].upperBound)
                let ratio = (sqrt(5.0) - 1) / 2
                for _ in 0..<30 {
                    let c = b - ratio * (b - a), d = a + ratio * (b - a)
                    var pc = params, pd = params
                    pc[i] = c
                    pd[i] = d
                    if loss(pc) < loss(pd) { b = d } else { a = c }
                }
                params[i] = (a + b) / 2
            }
        }
        return apply(params)
    }
}
