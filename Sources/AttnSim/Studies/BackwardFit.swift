import Foundation

/// Fits the backward profiles (`BackwardKernel`) of the backends in a training-runs file on its training configs
/// (every third, `GPUCrossCheck.trains`), leaving every forward cost as it is: the forward profiles were fitted on
/// other runs, so a training point's forward half is a held-out prediction too.
///
/// Per backend the parameters are the backward efficiency at each head dimension its training configs ran, and the
/// host's issue time of the whole backward; each is set in turn by golden-section search on Σ log²(predicted ÷
/// measured forward + backward time) over that backend's training configs, three rounds.
extension GPUCrossCheck {
    /// Σ log²(predicted ÷ measured) of `samples` on `hardware`: their forward + backward times, or with `forward`
    /// their forward alone (`Measurement.forwardTime`); infinite where one cannot be simulated.
    static func logLoss(_ samples: [Measurement], hardware: HardwareSpec, forward: Bool = false) -> Double {
        var sum = 0.0
        for sample in samples {
            var workload = sample.workload
            if forward { workload.pass = .forward }
            guard let measured = forward ? sample.forwardTime : sample.sparseTime,
                  let time = try? Simulator.run(hardware: hardware, workload: workload).gpu?.sparse.time,
                  time > 0 else { return .infinity }
            sum += pow(log(time / measured), 2)
        }
        return sum
    }

    func fitBackward(hardware: HardwareSpec) throws(Diagnostic) -> [String: KernelProfile] {
        let training = measurements.enumerated().filter { trains($0.element, index: $0.offset) }.map(\.element)
        var spec = hardware
        var fitted: [String: KernelProfile] = [:]
        for name in Set(training.map(\.backend)).sorted() {
            let samples = training.filter { $0.backend == name }
            let headDims = Set(samples.map(\.workload.problem.headDim)).sorted()
            // The host's issue time is fitted for a backend the file has, from repeated timings; a new one issues its
            // backward through the same framework path as `flash` (SDPA's autograd), so it takes that one's.
            let fitHost = hardware.kernels[name] != nil && samples.contains { !$0.singleTiming }
            if hardware.kernels[name] == nil {
                // A backend the file lacks (FlashAttention-2 forced beside cuDNN) starts as the dense `flash` kernel
                // does, with FlashAttention-2's backward tiles (64 × 128 at head_dim 128, references.md
                // [FlashAttention-src] Flash_bwd_kernel_traits), and gets its forward efficiency fitted first, on the
                // forward times of its training runs.
                guard let start = hardware.kernels["flash"] else { continue }
                var profile = start
                profile.heldOut = nil
                profile.heldOutByFamily = [:]
                profile.sources = []
                profile.efficiencyByHeadDim = [:]
                var backward = BackwardKernel(dq: .atomic)
                backward.qTileTokens = 64
                backward.kvTileTokens = 128
                backward.hostOverhead = start.backward?.hostOverhead
                profile.backward = backward
                spec.kernels[name] = profile
                for dim in headDims {
                    let forwards = samples.filter { $0.workload.problem.headDim == dim && $0.forwardTime != nil }
                    guard !forwards.isEmpty else { continue }
                    let best = ProfileFit.goldenSection(0.1...1.0) { value in
                        var trial = spec
                        trial.kernels[name]?.efficiencyByHeadDim[dim] = value
                        return Self.logLoss(forwards, hardware: trial, forward: true)
                    }
                    spec.kernels[name]?.efficiencyByHeadDim[dim] = (best * 1000).rounded() / 1000
                }
            }
            guard var profile = spec.kernels[name], var backward = profile.backward else { continue }
            for dim in headDims where backward.efficiencyByHeadDim[dim] == nil {
                backward.efficiencyByHeadDim[dim] = backward.profile(from: profile).efficiency(headDim: dim) ?? 0.5
            }
            // The mask's price in the backward's kernel, at the head dimensions where at least two training configs are
            // mostly partially masked tiles (fewer cannot tell it from the efficiency); a profile priced by mask_cost only.
            let maskDims = profile.maskCost == nil ? [] : headDims.filter { dim in
                samples.filter { sample in
                    let work = sample.workload
                    guard work.problem.headDim == dim, !work.mask.isDense,
                          let mapping = try? GPUEngine.chooseMapping(hardware: spec, workload: work) else { return false }
                    let grid = work.mask.combinedTileGrid(GPUEngine.backwardTiling(mapping, backward: backward))
                    return grid.visited > 0 && Double(grid.visited - grid.full) >= 0.5 * Double(grid.visited)
                }.count >= 2
            }
            for dim in maskDims where backward.maskCostByHeadDim[dim] == nil {
                backward.maskCostByHeadDim[dim] = profile.maskCostScale(headDim: dim)
            }
            /// One parameter set by golden-section search over `range`, the others held, rounded to `step`.
            func refine(_ range: ClosedRange<Double>, step: Double, _ set: (inout BackwardKernel, Double) -> Void) {
                let best = ProfileFit.goldenSection(range) { value in
                    var trial = spec
                    var candidate = backward
                    set(&candidate, value)
                    trial.kernels[name]?.backward = candidate
                    return Self.logLoss(samples, hardware: trial)
                }
                set(&backward, (best / step).rounded() * step)
            }
            for _ in 0..<3 {
                for dim in headDims { refine(0.1...1.0, step: 1e-3) { $0.efficiencyByHeadDim[dim] = $1 } }
                for dim in maskDims { refine(0.2...4.0, step: 1e-2) { $0.maskCostByHeadDim[dim] = $1 } }
                if fitHost { refine(0...2e-3, step: 1e-7) { $0.hostOverhead = $1 } }
            }
            profile.backward = backward
            spec.kernels[name] = profile
            fitted[name] = profile
        }
        return fitted
    }
}
