import Foundation

/// Fits a kernel profile's costs to measured runs by least squares on log time over the samples' dense and masked
/// runs, with a coordinate-wise golden-section search inside physical ranges. Used by `attnsim crosscheck-gpu --fit`
/// and `attnsim crosscheck --fit`.
///
/// The default parameters are the efficiency (share of a unit's peak a full tile reaches), the masked-tile cost
/// (base and per extra token axis) and the fixed cost per work item (CTA or CPU Q tile). `parameters(for:)` picks,
/// for a GPU validation set, the ones its samples inform: the efficiency per head dimension measured, the per-CTA
/// and host costs, and the mask function's cost per operation kind that some masked sample performs.
public enum ProfileFit {
    public struct Sample: Sendable {
        public var workload: Workload
        /// Measured seconds of the dense baseline (nil where none was measured) and of the sparse (masked) run.
        public var dense: Double?
        public var sparse: Double

        public init(workload: Workload, dense: Double?, sparse: Double) {
            self.workload = workload
            self.dense = dense
            self.sparse = sparse
        }
    }

    /// One fitted number: its name, its physical range, and where it lives in a profile.
    public struct Parameter: Sendable {
        public var name: String
        public var range: ClosedRange<Double>
        public var get: @Sendable (KernelProfile) -> Double
        public var set: @Sendable (inout KernelProfile, Double) -> Void
    }

    static let efficiency = Parameter(name: "efficiency", range: 0.2...1.0, get: { $0.efficiency ?? 0.6 },
                                      set: { $0.efficiency = $1 })
    static let maskedTileCost = Parameter(name: "masked_tile_cost", range: 1.0...4.0, get: { $0.maskedTileCost ?? 1.3 },
                                          set: { $0.maskedTileCost = $1 })
    static let perCTA = Parameter(name: "per_cta (us)", range: 0.0...40.0, get: { ($0.perCTA ?? 2e-6) * 1e6 },
                                  set: { $0.perCTA = $1 * 1e-6 })
    static let maskedTileCostPerAxis = Parameter(name: "masked_tile_cost_per_axis", range: 0.0...1.5,
                                                 get: { $0.maskedTileCostPerAxis ?? 0.3 },
                                                 set: { $0.maskedTileCostPerAxis = $1 })
    /// SM time per KV tile a scanning kernel tests and skips (`KernelProfile.skippedTile`), in nanoseconds.
    static let skippedTile = Parameter(name: "skipped_tile (ns)", range: 0.0...500.0,
                                       get: { ($0.skippedTile ?? 20e-9) * 1e9 }, set: { $0.skippedTile = $1 * 1e-9 })
    static let hostOverhead = Parameter(name: "host_overhead (us)", range: 0.0...500.0,
                                        get: { ($0.hostOverhead ?? 0) * 1e6 }, set: { $0.hostOverhead = $1 * 1e-6 })

    /// The backward profile's efficiency (`backward.efficiency`); a profile without a `backward:` block is left alone.
    static let backwardEfficiency = Parameter(name: "backward.efficiency", range: 0.1...1.0,
                                              get: { $0.backward?.efficiency ?? $0.efficiency ?? 0.5 },
                                              set: { $0.backward?.efficiency = $1 })

    static func efficiency(headDim: Int) -> Parameter {
        Parameter(name: "efficiency at head_dim \(headDim)", range: 0.2...1.0,
                  get: { $0.efficiencyByHeadDim[headDim] ?? $0.efficiency(headDim: headDim) ?? 0.6 },
                  set: { $0.efficiencyByHeadDim[headDim] = $1 })
    }

    /// The mask-cost scale at one head dimension (128 is the reference, at 1: the per-operation costs are its).
    static func maskCostScale(headDim: Int) -> Parameter {
        Parameter(name: "mask_cost scale at head_dim \(headDim)", range: 0.25...6.0,
                  get: { $0.maskCostByHeadDim[headDim] ?? $0.maskCostScale(headDim: headDim) },
                  set: { profile, value in
                      profile.maskCostByHeadDim[headDim] = value
                      if profile.maskCostByHeadDim[128] == nil { profile.maskCostByHeadDim[128] = 1 }
                  })
    }

    static func maskCost(_ name: String, _ keyPath: WritableKeyPath<MaskOperationCost, Double> & Sendable,
                         range: ClosedRange<Double>) -> Parameter {
        Parameter(name: "mask_cost.\(name) (cycles)", range: range,
                  get: { ($0.maskCost ?? Self.maskCostStart)[keyPath: keyPath] },
                  set: { profile, value in
                      var cost = profile.maskCost ?? Self.maskCostStart
                      cost[keyPath: keyPath] = value
                      profile.maskCost = cost
                  })
    }

    /// Where a mask-cost fit starts: a cycle for applying the mask, a tenth of one per operation.
    static let maskCostStart = MaskOperationCost(base: 1, simple: 0.1, division: 0.1, divisionTensor: 0.3, load: 0.2)

    /// The parameters a GPU validation set informs: efficiency at each head dimension among the samples, per-CTA
    /// and host costs, and each mask-cost term that some masked sample exercises (a term no sample uses would
    /// only drift inside its range, so it keeps its value).
    public static func parameters(for samples: [Sample], profile: KernelProfile? = nil) -> [Parameter] {
        var list = Set(samples.map(\.workload.problem.headDim)).sorted().map { efficiency(headDim: $0) }
        list.append(perCTA)
        // The host floor only shows in runs not much longer than it: fitted where a sample is (else it drifts inside
        // its range and keeps the measured value the profile starts from).
        let floor = profile?.hostOverhead ?? .infinity
        if samples.contains(where: { $0.sparse < 2 * floor || ($0.dense ?? .infinity) < 2 * floor }) { list.append(hostOverhead) }
        // A scanning kernel's skipped tiles, where some sample has gaps in its rows.
        if profile?.skippedTile != nil && samples.contains(where: { $0.workload.mask is BlockMask }) { list.append(skippedTile) }
        let masked = samples.filter { !$0.workload.mask.isDense && $0.workload.kernel?.backend?.value == "flex" }
        let works = masked.map { sample in
            let evaluation = MaskEvaluation(sample.workload)
            return (evaluation.work, evaluation.parameters)
        }
        guard !works.isEmpty else { return list }
        list.append(maskCost("base", \.base, range: 0...16))
        if works.contains(where: { $0.0.compares + $0.0.arithmetic > 0 }) { list.append(maskCost("simple", \.simple, range: 0...4)) }
        if works.contains(where: { $0.0.divisions > 0 && $0.1 == .constant }) { list.append(maskCost("division", \.division, range: 0...8)) }
        if works.contains(where: { $0.0.divisions > 0 && $0.1 == .tensor }) {
            list.append(maskCost("division_tensor", \.divisionTensor, range: 0...16))
        }
        if works.contains(where: { $0.0.loads > 0 }) { list.append(maskCost("load", \.load, range: 0...8)) }
        let maskedDims = Set(masked.map(\.workload.problem.headDim))
        if maskedDims.contains(128) {
            list += maskedDims.subtracting([128]).sorted().map { maskCostScale(headDim: $0) }
        }
        return list
    }

    /// The fit of flex_gna_bench.py's and the CPU cross-check's profiles: efficiency, masked-tile cost, per-CTA cost
    /// and masked-tile cost per extra axis.
    public static func fit(hardware: HardwareSpec, backend: String, start: KernelProfile, samples: [Sample]) -> KernelProfile {
        fit(hardware: hardware, backend: backend, start: start, samples: samples,
            parameters: [efficiency, maskedTileCost, perCTA, maskedTileCostPerAxis], rounds: 4, steps: 30)
    }

    /// The fit of the CPU cross-check's backward (`attnsim crosscheck --fit` on `pass: backward | training`
    /// workloads): the backward's efficiency alone, on the samples' times of the pass, every forward cost as it is.
    public static func fitBackward(hardware: HardwareSpec, backend: String, start: KernelProfile,
                                   samples: [Sample]) -> KernelProfile {
        fit(hardware: hardware, backend: backend, start: start, samples: samples, parameters: [backwardEfficiency],
            rounds: 1, steps: 30)
    }

    public static func fit(hardware: HardwareSpec, backend: String, start: KernelProfile, samples: [Sample],
                           parameters: [Parameter], rounds: Int = 3, steps: Int = 18) -> KernelProfile {
        var spec = hardware
        var params = parameters.map { $0.get(start) }
        func apply(_ p: [Double]) -> KernelProfile {
            var candidate = start
            for (parameter, value) in zip(parameters, p) { parameter.set(&candidate, value) }
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
                total += pow(log(outcome.sparse.time / sample.sparse), 2)
                if let dense = sample.dense { total += pow(log(outcome.dense.time / dense), 2) }
            }
            return total
        }
        for _ in 0..<rounds {
            for i in params.indices {
                func at(_ x: Double) -> Double {
                    var p = params
                    p[i] = x
                    return loss(p)
                }
                let candidate = Self.goldenSection(parameters[i].range, steps: steps, at)
                // Keep the old value unless the search found a better one (the loss can be flat or step-shaped).
                if at(candidate) <= loss(params) { params[i] = candidate }
            }
        }
        return apply(params)
    }

    /// The minimiser of a unimodal `f` on `range` by golden-section search: `steps` shrinkings of the bracket by the
    /// golden ratio (20 leave about 1e-4 of it), then its middle.
    static func goldenSection(_ range: ClosedRange<Double>, steps: Int = 20, _ f: (Double) -> Double) -> Double {
        let ratio = (sqrt(5.0) - 1) / 2
        var (a, b) = (range.lowerBound, range.upperBound)
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var (fc, fd) = (f(c), f(d))
        for _ in 0..<steps {
            if fc < fd {
                (b, d, fd) = (d, c, fc)
                c = b - ratio * (b - a)
                fc = f(c)
            } else {
                (a, c, fc) = (c, d, fd)
                d = a + ratio * (b - a)
                fd = f(d)
            }
        }
        return (a + b) / 2
    }
}
