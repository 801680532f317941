/// The JSON of `attnsim simulate --format json`, and the `result` of every sweep point: one (hardware, workload)
/// point with the CLI contract's keys (README.md, `attnsim simulate`; docs/schema/result.schema.json). Keys are
/// written in declaration order; a nil optional is `null` (the key is there), an `@OmittedWhenNil` one is left
/// out. Units: times in seconds (`_s`), traffic in bytes (`_bytes`, whole numbers), work in FLOP, energy in
/// joules (`_j`), speedups as ratios over dense attention, utilization as busy fractions in [0, 1].
public struct SimulationRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    /// The hardware file's `name:`.
    public var hardware: String
    /// The workload file's `name:`.
    public var workload: String
    /// `backward` or `training` for a workload that says so (`pass:`); absent for the forward pass. The keys below
    /// then describe that pass: FLOPs, bounds and times of the backward, or of forward and backward together.
    @OmittedWhenNil public var pass: String? = nil
    public var flops: FLOPs
    /// Tile counts per (batch, head) instance under the kernel's tiling (all null without a tile analysis).
    public var tiles: Tiles
    /// Speedup *upper bounds* over dense attention.
    public var bounds: Bounds
    /// Whether the mask is fully block-sparse under the tiling; null without a tile analysis.
    public var blockSparse: BlockSparse?
    /// The *prediction* of a performance model.
    public var simulated: Simulated
    /// The pruning run, for workloads with a pruning schedule; null otherwise.
    public var pruning: Pruning?
    public var endToEnd: Rollup
    /// What the model left out for this point, in words.
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", hardware, workload, pass, flops, tiles, bounds, blockSparse = "block_sparse"
        case simulated, pruning, endToEnd = "end_to_end", notes
    }

    /// FLOP of the attention call(s), over all batch × heads instances.
    public struct FLOPs: Codable, Sendable, Equatable {
        /// Dense (unmasked, unpruned) attention.
        public var dense: Double
        /// What the mask or schedule leaves; null where no model counts it.
        public var effective: Double?
    }

    /// Tile counts. The first six keys are always there (null when unknown); the others only with a tile analysis.
    public struct Tiles: Codable, Sendable, Equatable {
        public var qTiles: Int?
        /// KV tiles a Q tile visits in dense self attention.
        public var kvTilesSelfAttention: Int?
        /// (Q tile, KV tile) pairs visited, fully unmasked, and partially masked.
        public var visited: Int?
        public var full: Int?
        public var partial: Int?
        /// KV tiles the busiest Q tile visits, and how many of them are full.
        public var worstVisited: Int?
        @OmittedWhenNil public var worstFull: Int? = nil
        /// `multi_dim` or `single_dim`; `static` or `dynamic`.
        @OmittedWhenNil public var tiling: String? = nil
        @OmittedWhenNil public var kvTiling: String? = nil
        /// Tile shapes in tokens per axis.
        @OmittedWhenNil public var qTile: [Int]? = nil
        @OmittedWhenNil public var kvTile: [Int]? = nil
        /// Head patterns summed in the counts (per-head masks); absent for one pattern.
        @OmittedWhenNil public var headPatterns: Int? = nil
        /// A backward or training pass: the same mask seen from the keys, the backward kernel's grid (each KV tile with
        /// the Q tiles that touch it).
        @OmittedWhenNil public var kvMajor: KVMajor? = nil

        /// `tiles.kv_major`: KV tiles, the Q tiles of dense attention each would see, visited and full (KV tile, Q tile)
        /// pairs, and the Q tiles of the most-visited KV tile.
        public struct KVMajor: Codable, Sendable, Equatable {
            public var kvTiles: Int
            public var qTilesSelfAttention: Int
            public var visited: Int
            public var full: Int
            public var partial: Int
            public var worstVisited: Int

            enum CodingKeys: String, CodingKey {
                case kvTiles = "kv_tiles", qTilesSelfAttention = "q_tiles_self_attention", visited, full, partial
                case worstVisited = "worst_visited"
            }
        }

        enum CodingKeys: String, CodingKey {
            case qTiles = "q_tiles", kvTilesSelfAttention = "kv_tiles_self_attention", visited, full, partial
            case worstVisited = "worst_visited", worstFull = "worst_full", tiling, kvTiling = "kv_tiling"
            case qTile = "q_tile", kvTile = "kv_tile", headPatterns = "head_patterns", kvMajor = "kv_major"
        }
    }

    public struct Bounds: Codable, Sendable, Equatable {
        /// Dense FLOP over effective FLOP.
        public var flopSpeedup: Double?
        /// NATTEN's tile-wise bound (the worst Q tile), the mean-Q-tile variant, and the wave-aware bound.
        public var tileSpeedup: Double?
        public var tileSpeedupMean: Double?
        public var waveSpeedup: Double?
        /// The tile bound with Q padding charged, and with KV range iteration.
        public var tileSpeedupQpad: Double?
        public var tileSpeedupRange: Double?

        enum CodingKeys: String, CodingKey {
            case flopSpeedup = "flop_speedup", tileSpeedup = "tile_speedup", tileSpeedupMean = "tile_speedup_mean"
            case waveSpeedup = "wave_speedup", tileSpeedupQpad = "tile_speedup_qpad", tileSpeedupRange = "tile_speedup_range"
        }
    }

    public struct BlockSparse: Codable, Sendable, Equatable {
        /// No tile is partially masked.
        public var exact: Bool
        /// NATTEN's predicate for skipping the element mask.
        public var kernelFastPath: Bool

        enum CodingKeys: String, CodingKey { case exact, kernelFastPath = "kernel_fast_path" }
    }

    public struct Simulated: Codable, Sendable, Equatable {
        /// Which model (`gpu-event`, `cpu-event`, `spatial`, `roofline`, `spatten-pipeline`,
        /// `spatten-behavioural`, `gpu-decode`).
        public var model: String
        public var timeS: Double?
        public var denseTimeS: Double?
        /// Dense time over time.
        public var speedup: Double?
        /// Off-chip traffic, whole bytes.
        public var dramBytes: ByteCount?
        public var denseDRAMBytes: ByteCount?
        /// Busy fraction per unit (compute units, then the off-chip memory level), by name.
        public var utilization: OrderedMap<Double>
        public var energyJ: Double?
        /// `full` or `artifact` (spatial arrays with per-action energies).
        public var energyAccounting: String?
        /// Joules per component; their sum is `energy_j`.
        public var energyBreakdownJ: OrderedMap<Double>?
        /// `compute` or `memory` (or a model's own word).
        public var bottleneck: String?
        /// The GPU grid: waves, their efficiency, CTAs and resident CTAs per SM.
        public var waves: Int?
        public var waveEfficiency: Double?
        public var ctas: Int?
        public var ctasPerSM: Int?
        public var mapping: Mapping?
        /// K/V heads of a grouped-query problem (`problem.kv_heads`); absent when every query head has its own.
        @OmittedWhenNil public var kvHeads: Int? = nil
        /// GPU: query heads of a GQA group packed into one CTA's Q tile; absent when unpacked.
        @OmittedWhenNil public var packedHeads: Int? = nil
        /// GPU: seconds of the split-KV combine kernel, included in `time_s`; absent without split-KV.
        @OmittedWhenNil public var combineTimeS: Double? = nil
        /// Seconds and DRAM bytes of the backward pass, included in `time_s` and `dram_bytes` (`pass: training`; all of
        /// them for `pass: backward`); absent for a forward or where the engine does not split them.
        @OmittedWhenNil public var backwardTimeS: Double? = nil
        @OmittedWhenNil public var backwardDRAMBytes: ByteCount? = nil
        /// 80 % intervals `[low, high]` from the held-out spread of the profile's measurements; absent where no
        /// validation backs the engine (docs/schema/result.schema.json).
        @OmittedWhenNil public var timeIntervalS: [Double]? = nil
        @OmittedWhenNil public var speedupInterval: [Double]? = nil
        /// GPU: seconds to build the block mask from the mask function (not in `time_s`), and the speedup when every
        /// call builds it; absent where the profile does not model it.
        @OmittedWhenNil public var maskBuildS: Double? = nil
        @OmittedWhenNil public var speedupWithMaskBuild: Double? = nil
        /// GPU: the per-call estimator (`estimator:` in the workload; not in `time_s`) and the speedup of a call
        /// with it; absent without one or without the hardware file's eager dispatch costs.
        @OmittedWhenNil public var estimator: Estimator? = nil
        @OmittedWhenNil public var speedupWithEstimator: Double? = nil
        /// The hardware's roofs for the problem's element type: peak rate per compute unit, bandwidth per memory level.
        @OmittedWhenNil public var roofs: Roofs? = nil
        /// Where the speedup went, from the FLOP-wise bound to the prediction (`SpeedupWaterfall`); absent where
        /// there is no speedup to explain.
        @OmittedWhenNil public var waterfall: Waterfall? = nil
        /// The kernels a GPU backward ran, in launch order (`preprocess`, `dk_dv_dq_atomic` or `dk_dv`, `convert_dq`
        /// or `dq`), each with its time and DRAM bytes; absent for a forward pass.
        @OmittedWhenNil public var backwardKernels: [BackwardKernelRun]? = nil

        public struct BackwardKernelRun: Codable, Sendable, Equatable {
            public var name: String
            public var timeS: Double?
            public var dramBytes: ByteCount?

            enum CodingKeys: String, CodingKey {
                case name, timeS = "time_s", dramBytes = "dram_bytes"
            }
        }

        public struct Roofs: Codable, Sendable, Equatable {
            public var compute: [Compute]
            public var memory: [Memory]

            public struct Compute: Codable, Sendable, Equatable {
                public var unit: String
                public var flopsPerS: Double
                public init(unit: String, flopsPerS: Double) {
                    self.unit = unit
                    self.flopsPerS = flopsPerS
                }
                enum CodingKeys: String, CodingKey { case unit, flopsPerS = "flops_per_s" }
            }

            public struct Memory: Codable, Sendable, Equatable {
                public var level: String
                public var bytesPerS: Double
                public init(level: String, bytesPerS: Double) {
                    self.level = level
                    self.bytesPerS = bytesPerS
                }
                enum CodingKeys: String, CodingKey { case level, bytesPerS = "bytes_per_s" }
            }

            public init(compute: [Compute], memory: [Memory]) {
                self.compute = compute
                self.memory = memory
            }
        }

        public struct Waterfall: Codable, Sendable, Equatable {
            public var steps: [Step]

            public struct Step: Codable, Sendable, Equatable {
                /// `flop_bound`, `tile_quantisation`, `kernel_rate`, `waves_and_tail`, `mask_evaluation`,
                /// `fixed_costs`, `memory`, `other_costs`, `mask_construction`, `end_to_end`.
                public var name: String
                public var label: String
                /// What the step stands for at this point, where it needs saying.
                @OmittedWhenNil public var detail: String? = nil
                /// Speedup after this step ÷ before it.
                public var factor: Double
                /// Seconds the step adds to the sparse call (the first: its sparse time).
                public var timeS: Double
                /// Speedup after this step.
                public var speedup: Double
                /// False where the model has nothing for the step (factor 1, time 0).
                public var modelled: Bool

                public init(name: String, label: String, detail: String? = nil, factor: Double, timeS: Double,
                            speedup: Double, modelled: Bool) {
                    self.name = name
                    self.label = label
                    self.detail = detail
                    self.factor = factor
                    self.timeS = timeS
                    self.speedup = speedup
                    self.modelled = modelled
                }

                enum CodingKeys: String, CodingKey { case name, label, detail, factor, timeS = "time_s", speedup, modelled }
            }

            public init(steps: [Step]) { self.steps = steps }
        }

        public struct Estimator: Codable, Sendable, Equatable {
            public var kind: String
            public var timeS: Double
            public var hostS: Double
            public var gpuS: Double

            public init(kind: String, timeS: Double, hostS: Double, gpuS: Double) {
                self.kind = kind
                self.timeS = timeS
                self.hostS = hostS
                self.gpuS = gpuS
            }

            enum CodingKeys: String, CodingKey {
                case kind, timeS = "time_s", hostS = "host_s", gpuS = "gpu_s"
            }
        }

        enum CodingKeys: String, CodingKey {
            case model, timeS = "time_s", denseTimeS = "dense_time_s", speedup, dramBytes = "dram_bytes"
            case denseDRAMBytes = "dense_dram_bytes", utilization, energyJ = "energy_j"
            case energyAccounting = "energy_accounting", energyBreakdownJ = "energy_breakdown_j", bottleneck, waves
            case waveEfficiency = "wave_efficiency", ctas, ctasPerSM = "ctas_per_sm", mapping, kvHeads = "kv_heads"
            case packedHeads = "packed_heads", combineTimeS = "combine_time_s", backwardTimeS = "backward_time_s"
            case backwardDRAMBytes = "backward_dram_bytes", timeIntervalS = "time_interval_s"
            case speedupInterval = "speedup_interval", maskBuildS = "mask_build_s"
            case speedupWithMaskBuild = "speedup_with_mask_build", estimator
            case speedupWithEstimator = "speedup_with_estimator", roofs, waterfall
            case backwardKernels = "backward_kernels"
        }
    }

    /// The mapping the engine ran: a GPU kernel mapping (the first six keys) or a spatial dataflow (the last six).
    public struct Mapping: Codable, Sendable, Equatable {
        @OmittedWhenNil public var backend: String? = nil
        @OmittedWhenNil public var qTile: [Int]? = nil
        @OmittedWhenNil public var kvTile: [Int]? = nil
        @OmittedWhenNil public var tiling: String? = nil
        @OmittedWhenNil public var kvTiling: String? = nil
        @OmittedWhenNil public var persistent: Bool? = nil
        /// GPU: CTAs per Q tile over its KV tiles (split-KV); absent when 1.
        @OmittedWhenNil public var kvSplits: Int? = nil
        /// GPU backward or training: the dQ variant the mapping runs (`atomic` or `separate`), where it picks one.
        @OmittedWhenNil public var dq: String? = nil
        @OmittedWhenNil public var dataflow: String? = nil
        @OmittedWhenNil public var cascade: String? = nil
        /// M0 = P0 tile, and the P partition over the arrays.
        @OmittedWhenNil public var tile: Int? = nil
        @OmittedWhenNil public var p1: Int? = nil
        @OmittedWhenNil public var p2: Int? = nil
        @OmittedWhenNil public var bindings: [Binding]? = nil
        /// Spatial: the backward's dataflow (`pass: backward | training`); absent for a forward.
        @OmittedWhenNil public var backward: Backward? = nil

        enum CodingKeys: String, CodingKey {
            case backend, qTile = "q_tile", kvTile = "kv_tile", tiling, kvTiling = "kv_tiling", persistent
            case kvSplits = "kv_splits", dq, dataflow, cascade, tile, p1, p2, bindings, backward
        }

        /// The backward on a spatial array (`SpatialBackwardMapping`): its cascade and passes over m, the key
        /// partition (K1 KV tiles resident per block, M2 blocks), the buffer it needs, whether the fibers carried
        /// between passes stay on chip, and its Einsums' bindings.
        public struct Backward: Codable, Sendable, Equatable {
            public var cascade: String
            public var passes: Int
            public var kvTiles: Int
            public var kvBlocks: Int
            public var bufferNeedBytes: ByteCount?
            public var bufferBytes: ByteCount?
            public var fibersOnChip: Bool
            public var bindings: [Binding]

            public init(cascade: String, passes: Int, kvTiles: Int, kvBlocks: Int, bufferNeedBytes: ByteCount?,
                        bufferBytes: ByteCount?, fibersOnChip: Bool, bindings: [Binding]) {
                self.cascade = cascade
                self.passes = passes
                self.kvTiles = kvTiles
                self.kvBlocks = kvBlocks
                self.bufferNeedBytes = bufferNeedBytes
                self.bufferBytes = bufferBytes
                self.fibersOnChip = fibersOnChip
                self.bindings = bindings
            }

            enum CodingKeys: String, CodingKey {
                case cascade, passes, kvTiles = "kv_tiles", kvBlocks = "kv_blocks", bufferNeedBytes = "buffer_need_bytes"
                case bufferBytes = "buffer_bytes", fibersOnChip = "fibers_on_chip", bindings
            }
        }

        /// An Einsum bound to an array, at a cost in cycles per iteration point.
        public struct Binding: Codable, Sendable, Equatable {
            public var einsum: String
            public var array: String
            public var cyclesPerPoint: Double

            enum CodingKeys: String, CodingKey { case einsum, array, cyclesPerPoint = "cycles_per_point" }
        }
    }

    public struct Pruning: Codable, Sendable, Equatable {
        public var model: String
        /// K and V bytes read over the schedule, pruned and dense.
        public var kvBytes: ByteCount?
        public var denseKVBytes: ByteCount?
        public var kvReduction: Double?
        /// The roofline ratio of dense to pruned steps (not a strict bound).
        public var rooflineSpeedup: Double?
        public var attentionTimeS: Double?
        public var overheadTimeS: Double?
        public var topkTimeS: Double?
        /// Top-k time over the pruned time.
        public var topkShare: Double?
        public var layers: [Layer]

        enum CodingKeys: String, CodingKey {
            case model, kvBytes = "kv_bytes", denseKVBytes = "dense_kv_bytes", kvReduction = "kv_reduction"
            case rooflineSpeedup = "roofline_speedup", attentionTimeS = "attention_time_s", overheadTimeS = "overhead_time_s"
            case topkTimeS = "topk_time_s", topkShare = "topk_share", layers
        }

        /// One (step, layer) call.
        public struct Layer: Codable, Sendable, Equatable {
            public var step: Int
            public var layer: Int
            public var timeS: Double?
            public var denseTimeS: Double?
            public var topkTimeS: Double?
            public var kvBytes: ByteCount?
            public var dramBytes: ByteCount?
            public var flops: Double?

            enum CodingKeys: String, CodingKey {
                case step, layer, timeS = "time_s", denseTimeS = "dense_time_s", topkTimeS = "topk_time_s"
                case kvBytes = "kv_bytes", dramBytes = "dram_bytes", flops
            }
        }
    }

    /// The model-level roll-up (Amdahl over the step schedule) and the transformer layer's linear time.
    public struct Rollup: Codable, Sendable, Equatable {
        /// From the predicted attention speedup, and at the FLOP-wise and tile-wise bounds.
        public var speedup: Double?
        public var flopSpeedup: Double?
        public var tileSpeedup: Double?
        public var linearTimeS: Double?
        public var layerTimeS: Double?
        /// A training step: the optimizer's update of the layer's weights (included in `layer_time_s`).
        @OmittedWhenNil public var optimizerTimeS: Double? = nil

        enum CodingKeys: String, CodingKey {
            case speedup, flopSpeedup = "flop_speedup", tileSpeedup = "tile_speedup", linearTimeS = "linear_time_s"
            case layerTimeS = "layer_time_s", optimizerTimeS = "optimizer_time_s"
        }
    }
}
