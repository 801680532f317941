/// Everything `attnsim simulate` reports for one (hardware, workload) point, with the CLI contract's keys
/// (README.md, `attnsim simulate`): `flops`, `tiles`, `bounds`, `simulated`, `end_to_end`. A field that no model of
/// this version computes for the point is nil and printed as `null`, never guessed.
public struct SimulationResult: Sendable {
    public struct Tiles: Sendable, Equatable {
        public var qTiles: Int
        public var kvTilesSelfAttention: Int
        public var visited: Int
        public var full: Int
        public var partial: Int
        public var worstVisited: Int
    }

    /// Speedup *upper bounds* over dense attention (nothing a real kernel does can beat them).
    public struct Bounds: Sendable, Equatable {
        public var flopSpeedup: Double?
        public var tileSpeedup: Double?
        public var tileSpeedupMean: Double?
        public var waveSpeedup: Double?
    }

    /// A *prediction* of time and traffic from a performance model named by `model`.
    public struct Simulated: Sendable, Equatable {
        /// Which model produced it (`roofline`: peak compute vs peak bandwidth, a lower bound on time).
        public var model: ModelName
        public var time: Double?
        public var denseTime: Double?
        public var dramBytes: Double?
        public var denseDRAMBytes: Double?
        /// Busy fraction per unit (compute units by name, the off-chip memory level by name).
        public var utilization: [(String, Double)]
        public var energy: Double?
        public var bottleneck: String?
        /// 80 % intervals from the held-out spread of the profile's measurements (`KernelProfile.heldOut`); nil where
        /// no validation backs the prediction.
        public var timeInterval: ClosedRange<Double>?
        public var speedupInterval: ClosedRange<Double>?
        /// Seconds to build the kernel's block mask from the mask function (`KernelProfile.maskBuildTime`), not in
        /// `time`: a built mask serves every call with the same mask and shape. nil where not modelled.
        public var maskBuildTime: Double?
        /// Seconds of the workload's per-call estimator (`EstimatorSpec`, run before every call), not in `time`; its
        /// host and GPU sides. nil where there is none or the hardware file gives no eager dispatch costs.
        public var estimator: (name: String, time: Double, host: Double, gpu: Double)?

        public var speedup: Double? {
            guard let time, let denseTime, time > 0 else { return nil }
            return denseTime / time
        }

        /// The speedup when every call builds its mask: dense time ÷ (time + build).
        public var speedupWithMaskBuild: Double? {
            guard let time, let denseTime, let maskBuildTime else { return nil }
            return denseTime / (time + maskBuildTime)
        }

        /// The speedup of a call with its estimator: dense time ÷ (time + estimator).
        public var speedupWithEstimator: Double? {
            guard let time, let denseTime, let estimator else { return nil }
            return denseTime / (time + estimator.time)
        }

        /// Calls that repay one build: build ÷ (dense time − time); nil where the sparse call saves nothing.
        public var callsToRepayMaskBuild: Double? {
            guard let time, let denseTime, let maskBuildTime, denseTime > time else { return nil }
            return maskBuildTime / (denseTime - time)
        }

        public static func == (a: Simulated, b: Simulated) -> Bool {
            a.model == b.model && a.time == b.time && a.denseTime == b.denseTime && a.dramBytes == b.dramBytes
                && a.denseDRAMBytes == b.denseDRAMBytes && a.energy == b.energy && a.bottleneck == b.bottleneck
                && a.utilization.map(\.0) == b.utilization.map(\.0) && a.utilization.map(\.1) == b.utilization.map(\.1)
                && a.maskBuildTime == b.maskBuildTime && a.estimator?.name == b.estimator?.name
                && a.estimator?.time == b.estimator?.time
        }
    }

    public var hardware: String
    public var workload: String
    public var denseFLOPs: Double
    public var effectiveFLOPs: Double?
    public var tiles: Tiles?
    public var bounds: Bounds
    public var simulated: Simulated
    /// End-to-end speedup from the predicted attention speedup (Amdahl over the model's step schedule).
    public var endToEndSpeedup: Double?
    /// End-to-end speedup if attention reached its FLOP-wise bound (the GNA paper's "FLOP" column).
    public var endToEndFLOPBound: Double?
    /// End-to-end speedup if attention reached its tile-wise bound (the GNA paper's "NATTEN Sim" column).
    public var endToEndTileBound: Double?
    /// Linear layers of the transformer layer (`model: {d_model, d_ffn}`) on the same hardware, and the layer's
    /// time with attention, seconds.
    public var linearTime: Double?
    public var layerTime: Double?
    /// A training step's optimizer update of the layer's weights, seconds (`TrainingStep.swift`), in `layerTime`.
    public var optimizerTime: Double? = nil
    /// The mask's tile analysis under the kernel's tiling (masked workloads with fixed or mapped tile shapes).
    public var tileAnalysis: TileAnalysis?
    /// Which pass the result times (`pass:`; forward for inference workloads).
    public var pass: TrainingPass = .forward
    /// The backward's view of the mask in a backward or training pass (`tiles.kv_major`).
    public var kvMajor: KVMajorAnalysis? = nil
    /// The GPU event simulation (mapping, waves, trace), when the GPU engine timed the point.
    public var gpu: GPUEngine.Outcome?
    /// The spatial-array evaluation (dataflow, P partition, cycles per Einsum), when the spatial engine timed it.
    public var spatial: SpatialEvaluation?
    /// The pruning run (per-layer times, bytes, top-k), for workloads with a pruning schedule.
    public var pruning: PruningEngine.Outcome?
    /// Energy by component (spatial arrays with per-action energies); `simulated.energy` is its total.
    public var energy: SpatialEnergy?
    /// The hardware's roofs for the problem's element type (JSON `simulated.roofs`).
    public var roofs: HardwareRoofs? = nil
    /// Where the speedup went (JSON `simulated.waterfall`).
    public var waterfall: SpeedupWaterfall? = nil
    /// What the model left out for this point, in words (printed under the table; JSON key `notes`).
    public var notes: [String] = []
    /// Query heads and K/V heads of a grouped-query problem (`problem.kv_heads` below `heads`); nil otherwise.
    public var heads: Int? = nil
    public var kvHeads: Int? = nil
}

extension SimulationResult.Tiles {
    public init(_ work: TileWork) {
        self.init(qTiles: work.qTiles, kvTilesSelfAttention: work.kvTilesSelfAttention, visited: work.visited,
                  full: work.full, partial: work.partial, worstVisited: work.worstVisited)
    }
}
