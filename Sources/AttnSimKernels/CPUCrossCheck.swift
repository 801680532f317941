import AttnSim
import Foundation

/// Holds attnsim's CPU predictions against real kernel runs on this machine (`attnsim crosscheck`): for each
/// workload, the simulator picks the mapping; the kernels run that mapping's tiles — the sparse workload (causal,
/// GNA, or a pruned prefill schedule on compacted K/V) and its dense baseline — timed with a warm-up and the
/// median of several repetitions; the simulator predicts both. A workload with `pass: backward | training` runs the
/// forward kernel (keeping the log-sum-exp) and the backward kernel (`AttentionBackwardKernel`, dQ by its separate
/// pass) on both problems, and is held against the prediction of the same pass.
public struct CPUCrossCheck: Sendable {
    public struct Row: Sendable {
        public var workload: String
        public var training: Bool
        public var measuredDense: Double
        public var measuredSparse: Double
        public var predictedDense: Double
        public var predictedSparse: Double
        /// The wave-aware bound (GNA); nil where none applies (causal, pruning: see README).
        public var bound: Double?
        public var model: String
        /// The pass the times are of (the workload's `pass:`): the forward, the backward, or both.
        public var pass: TrainingPass = .forward
        /// The sparse run's backward alone, measured and predicted (a backward or training pass; nil for a forward one).
        public var measuredBackward: Double? = nil
        public var predictedBackward: Double? = nil

        public var measuredSpeedup: Double { measuredDense / measuredSparse }
        public var predictedSpeedup: Double { predictedDense / predictedSparse }
        public var speedupError: Double { predictedSpeedup / measuredSpeedup - 1 }
        public var timeError: Double { predictedSparse / measuredSparse - 1 }
    }

    /// What the kernels measured for one workload: seconds of the workload's pass on the dense baseline and on the
    /// sparse workload and, for a backward or training pass, the backward's part of each.
    public struct Measurement: Sendable {
        public var dense: Double
        public var sparse: Double
        public var denseBackward: Double?
        public var sparseBackward: Double?

        public init(dense: Double, sparse: Double, denseBackward: Double? = nil, sparseBackward: Double? = nil) {
            self.dense = dense
            self.sparse = sparse
            self.denseBackward = denseBackward
            self.sparseBackward = sparseBackward
        }
    }

    /// Every third workload of the list (the first, fourth, …) may train a profile fit; the rest are held out.
    public static func isTraining(_ index: Int) -> Bool { index % 3 == 0 }

    public var threads: Int
    public var repetitions: Int

    public init(threads: Int, repetitions: Int = 5) {
        self.threads = max(1, threads)
        self.repetitions = max(1, repetitions)
    }

    /// One kernel call of a timed side: a plan over some instances.
    struct Call {
        var plan: AttentionPlan
        var instances: Int
    }

    /// Median seconds of the dense and the sparse side (each its calls in sequence) over the repetitions, timed in
    /// turn (`AlternatingTimer`).
    func timePair(dense: [Call], sparse: [Call], problem: Problem) -> (dense: Double, sparse: Double) {
        func prepare(_ calls: [Call]) -> [(AttentionPlan, AttentionInputs)] {
            calls.map { ($0.plan, AttentionInputs(plan: $0.plan, instances: $0.instances, e: problem.headDim, f: problem.valueDim)) }
        }
        let (d, s) = (prepare(dense), prepare(sparse))
        defer { (d + s).forEach { $0.1.deallocate() } }
        let times = AlternatingTimer.medians(runs: repetitions, {
            for (plan, inputs) in d { inputs.run(plan, threads: threads) }
        }, {
            for (plan, inputs) in s { inputs.run(plan, threads: threads) }
        })
        return (times.first, times.second)
    }

    /// Median seconds of a training step's forward pass (with its log-sum-exp) and backward pass
    /// (`AttentionBackwardKernel`, dQ by `dqMode`) on `plan` over `instances` instances, timed in turn
    /// (`AlternatingTimer`: a warm-up of each, the forward first, then `repetitions` rounds) on `threads` workers.
    public func timeTraining(plan: AttentionPlan, instances: Int, headDim: Int, valueDim: Int,
                             dqMode: AttentionBackwardKernel.DQMode = .separatePass) -> (forward: Double, backward: Double) {
        let backward = AttentionBackwardPlan(plan)
        let inputs = AttentionTrainingInputs(plan: plan, instances: instances, e: headDim, f: valueDim)
        defer { inputs.deallocate() }
        let times = AlternatingTimer.medians(runs: repetitions, {
            inputs.runForward(plan, threads: threads)
        }, {
            inputs.runBackward(backward, threads: threads, dqMode: dqMode)
        })
        return (times.first, times.second)
    }

    /// A training step of the dense and the sparse side (each its calls in sequence): four timed bodies — dense
    /// forward, dense backward, sparse forward, sparse backward — in turn (`AlternatingTimer`), each backward on the
    /// forward that ran just before it; the medians combined as `pass` says (a backward pass counts the backward only).
    func timeTrainingPair(dense: [Call], sparse: [Call], problem: Problem, pass: TrainingPass) -> Measurement {
        typealias Prepared = (plan: AttentionPlan, backward: AttentionBackwardPlan, inputs: AttentionTrainingInputs)
        func prepare(_ calls: [Call]) -> [Prepared] {
            calls.map { ($0.plan, AttentionBackwardPlan($0.plan),
                         AttentionTrainingInputs(plan: $0.plan, instances: $0.instances, e: problem.headDim, f: problem.valueDim)) }
        }
        let (d, s) = (prepare(dense), prepare(sparse))
        defer { (d + s).forEach { $0.inputs.deallocate() } }
        let times = AlternatingTimer.medians(runs: repetitions, [
            { for call in d { call.inputs.runForward(call.plan, threads: threads) } },
            { for call in d { call.inputs.runBackward(call.backward, threads: threads) } },
            { for call in s { call.inputs.runForward(call.plan, threads: threads) } },
            { for call in s { call.inputs.runBackward(call.backward, threads: threads) } },
        ])
        let forward = pass == .training ? 1.0 : 0.0
        return Measurement(dense: forward * times[0] + times[1], sparse: forward * times[2] + times[3],
                           denseBackward: times[1], sparseBackward: times[3])
    }

    /// The most dense FLOPs one workload's kernels may run, over every timed run and the warm-up (README.md,
    /// "Limits": about 45 GFLOP/s on two cores of this host, so 5·10¹¹ take about 11 s), and the most bytes its
    /// Q, K, V and O tensors may take (2 GB).
    public static let maxFLOPs = 5e11
    public static let maxTensorBytes = 2e9

    static func checkSize(_ workload: Workload, repetitions: Int) throws(Diagnostic) {
        let p = workload.problem
        let instances = Double(p.instances)
        // The FLOPs the kernels run per attended pair: the forward's, and the backward kernel's with its separate dQ
        // pass (S and dP computed twice) when the pass has a backward.
        var perPair = PassFLOPs.forward(headDim: p.headDim, valueDim: p.valueDim)
        if workload.pass.runsBackward {
            perPair += PassFLOPs.backwardKeyValue(headDim: p.headDim, valueDim: p.valueDim)
                + PassFLOPs.backwardQuery(headDim: p.headDim, valueDim: p.valueDim)
        }
        let flops = Double(p.queryTokens) * Double(p.keyTokens) * perPair * instances * Double(repetitions + 1)
        // The dense and the sparse side's tensors are both held while the runs alternate; a backward adds dO, dQ, dK
        // and dV, as many again.
        let bytes = 2 * 4 * instances * (Double(p.queryTokens) + Double(p.keyTokens)) * Double(p.headDim + p.valueDim)
            * (workload.pass.runsBackward ? 2 : 1)
        if flops > maxFLOPs {
            throw Diagnostic(file: workload.file, path: "problem",
                             message: "timing the kernels would run \(Quantity.formatExactCount(flops)) dense FLOPs "
                                + "(\(repetitions + 1) runs); crosscheck takes up to \(Quantity.formatExactCount(maxFLOPs)) per workload "
                                + "(README.md, \"Limits\"): use fewer tokens, heads or --repetitions")
        }
        if bytes > maxTensorBytes {
            throw Diagnostic(file: workload.file, path: "problem",
                             message: "the tensors of the dense and the sparse runs would take \(Quantity.formatNatural(bytes, .bytes)); crosscheck "
                                + "takes up to \(Quantity.formatNatural(maxTensorBytes, .bytes)): use fewer tokens or heads")
        }
    }

    /// The measured seconds of a workload's pass, dense and sparse, on `hardware`'s chosen mapping.
    public func measure(_ workload: Workload, hardware: HardwareSpec) throws(Diagnostic) -> Measurement {
        let problem = workload.problem
        try Self.checkSize(workload, repetitions: repetitions)
        if let pruning = workload.pruning {
            guard workload.pass == .forward else {
                throw Diagnostic(file: workload.file, path: "pass",
                                 message: "the CPU kernels time the backward of attention masks; a pruned prefill runs "
                                    + "forward only (`pass: forward`)")
            }
            guard pruning.mode == .prefill, pruning.kvAccess == .compacted else {
                throw Diagnostic(file: workload.file, path: "pruning",
                                 message: "the CPU kernels run pruned prefill on compacted K/V (`mode: prefill`, `kv_access: compacted`)")
            }
            let tile = try denseTile(hardware: hardware, workload: workload)
            let schedule = PruningSchedule(pruning, problem: problem)
            var sparse: [Call] = [], dense: [Call] = []
            for (layer, full) in zip(schedule.layers, schedule.dense) {
                sparse.append(Call(plan: .dense(queries: layer.queries, keys: layer.queries, qTile: tile, kvTile: tile),
                                   instances: problem.batch * layer.heads))
                dense.append(Call(plan: .dense(queries: full.queries, keys: full.queries, qTile: tile, kvTile: tile),
                                  instances: problem.batch * full.heads))
            }
            let times = timePair(dense: dense, sparse: sparse, problem: problem)
            return Measurement(dense: times.dense, sparse: times.sparse)
        }
        let mapping = try GPUEngine.chooseMapping(hardware: hardware, workload: workload)
        let p = problem.queryTokens, m = problem.keyTokens
        let dense = Call(plan: .dense(queries: p, keys: m, qTile: mapping.qTileTokens, kvTile: mapping.kvTileTokens),
                         instances: problem.instances)
        var sparse: [Call] = []
        if let perHead = workload.mask as? PerHeadMask {
            // Each group's heads (of every batch element) under its own plan, one group after another.
            var head = 0
            for group in perHead.groups {
                sparse.append(Call(plan: try AttentionPlan.plan(for: workload, mapping: mapping, head: head),
                                   instances: problem.batch * group.heads))
                head += group.heads
            }
        } else {
            sparse.append(Call(plan: try AttentionPlan.plan(for: workload, mapping: mapping), instances: problem.instances))
        }
        if workload.pass.runsBackward {
            // The profile must price a backward before the kernels spend time on one.
            let profile = try GPUEngine.profile(hardware, backend: mapping.backend, file: workload.file)
            _ = try GPUEngine.backwardKernel(hardware, backend: mapping.backend, profile: profile, file: workload.file)
            return timeTrainingPair(dense: [dense], sparse: sparse, problem: problem, pass: workload.pass)
        }
        let times = timePair(dense: [dense], sparse: sparse, problem: problem)
        return Measurement(dense: times.dense, sparse: times.sparse)
    }

    /// The 1-D tile of the dense kernel: the backend profile's token counts.
    func denseTile(hardware: HardwareSpec, workload: Workload) throws(Diagnostic) -> Int {
        let backend = workload.kernel?.backend?.value ?? hardware.kernels.keys.sorted().first ?? ""
        return try GPUEngine.profile(hardware, backend: backend, file: workload.file).qTileTokens ?? 64
    }

    /// Measures and predicts every workload; `progress` is told each workload's name before it runs.
    public func rows(_ workloads: [Workload], hardware: HardwareSpec, progress: (Int, String) -> Void = { _, _ in })
        throws(Diagnostic) -> [Row] {
        var rows: [Row] = []
        for (index, workload) in workloads.enumerated() {
            progress(index, workload.name)
            let measured = try measure(workload, hardware: hardware)
            rows.append(try predict(workload, hardware: hardware, measured: measured, training: Self.isTraining(index)))
        }
        return rows
    }

    /// The simulator's prediction for a measured workload, of the workload's pass.
    public func predict(_ workload: Workload, hardware: HardwareSpec, measured: Measurement,
                        training: Bool) throws(Diagnostic) -> Row {
        let result = try Simulator.run(hardware: hardware, workload: workload)
        let sparse: Double?, dense: Double?
        if let pruning = result.pruning {
            // The kernels run the attention calls only (no importance pass or top-k).
            sparse = pruning.attentionTime
            dense = pruning.denseTime
        } else {
            sparse = result.simulated.time
            dense = result.simulated.denseTime
        }
        guard let sparse, let dense else {
            throw Diagnostic(file: workload.file, message: "\(hardware.name) predicted no time for \(workload.name) "
                                + "(model \(result.simulated.model.rawValue)); a CPU file needs a kernel profile under `kernels:`")
        }
        var row = Row(workload: workload.name, training: training, measuredDense: measured.dense, measuredSparse: measured.sparse,
                      predictedDense: dense, predictedSparse: sparse,
                      bound: result.bounds.waveSpeedup, model: result.simulated.model.rawValue, pass: workload.pass)
        if workload.pass.runsBackward {
            row.measuredBackward = measured.sparseBackward
            row.predictedBackward = result.gpu?.sparseBackward?.total.time
        }
        return row
    }
}
