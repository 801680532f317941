/// `attnsim gna --format json`: one GNA problem's tile work, bounds and verdicts, with `tiles`, `bounds` and
/// `block_sparse` exactly as `attnsim simulate` writes them, and the stride sweep when asked for.
public struct GNARecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var problem: Request
    public var flops: SimulationRecord.FLOPs
    public var tiles: SimulationRecord.Tiles
    public var bounds: SimulationRecord.Bounds
    public var blockSparse: SimulationRecord.BlockSparse
    public var endToEnd: Rollup
    /// `--sweep-stride`: per-axis Pareto fronts and their combinations; absent otherwise.
    @OmittedWhenNil public var sweep: Sweep? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", problem, flops, tiles, bounds, blockSparse = "block_sparse"
        case endToEnd = "end_to_end", sweep
    }

    /// The problem as given on the command line (per token axis).
    public struct Request: Codable, Sendable, Equatable {
        public var tokens: [Int]
        public var window: [Int]
        public var stride: [Int]
        public var dilation: [Int]
        public var causal: [Bool]
        public var batch: Int
        public var heads: Int
        public var headDim: Int

        enum CodingKeys: String, CodingKey { case tokens, window, stride, dilation, causal, batch, heads, headDim = "head_dim" }
    }

    /// The roll-up at each bound (`speedup` is null: `gna` predicts no time).
    public struct Rollup: Codable, Sendable, Equatable {
        public var speedup: Double?
        public var flopSpeedup: Double?
        public var tileSpeedup: Double?

        enum CodingKeys: String, CodingKey { case speedup, flopSpeedup = "flop_speedup", tileSpeedup = "tile_speedup" }
    }

    public struct Sweep: Codable, Sendable, Equatable {
        /// Per token axis: the strides on the Pareto front and their tile-bound factors.
        public var fronts: [[FrontPoint]]
        public var points: [Point]

        public struct FrontPoint: Codable, Sendable, Equatable {
            public var stride: Int
            public var factor: Double
        }

        public struct Point: Codable, Sendable, Equatable {
            public var stride: [Int]
            public var bounds: SimulationRecord.Bounds
            public var blockSparse: SimulationRecord.BlockSparse
            public var endToEndTileSpeedup: Double?

            enum CodingKeys: String, CodingKey {
                case stride, bounds, blockSparse = "block_sparse", endToEndTileSpeedup = "end_to_end_tile_speedup"
            }
        }
    }
}
