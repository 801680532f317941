/// How an attention cascade runs on a 2D + 1D spatial array (references.md [FuseMax Mapping 1], [FuseMax-artifact]):
/// which array each Einsum is bound to and at what cost per iteration point, how Einsums overlap in time, and how the
/// query rank is partitioned under the buffer.
///
/// Produced by `SpatialMapper` for a named dataflow (FuseMax and its ablation steps, FLAT, unfused), printed and
/// written to a file like any mapping, and evaluated by `SpatialEngine`.
public struct SpatialMapping: Sendable, Equatable {
    public enum Dataflow: String, Sendable, CaseIterable {
        /// FuseMax (+Binding): 1-pass cascade, element-wise work on the 2D array, epochs pipelined and interleaved.
        case fusemax
        /// "+Architecture": FuseMax hardware, but each M0×P0 tile is produced and consumed before the next starts.
        case fusemaxArch = "fusemax-arch"
        /// "+Cascade": the 1-pass cascade on FLAT's hardware; softmax work on the 1D array.
        case fusemaxCascade = "fusemax-cascade"
        /// FLAT: 3-pass cascade, row-fused, softmax on the 1D array at one cycle per element per Einsum.
        case flat
        /// Unfused: QK, softmax and AV as three phases with DRAM round trips between them.
        case unfused
    }

    /// How bound Einsums combine into time.
    public enum Combination: Sendable, Equatable {
        /// A software-pipelined epoch: stages run one after another; within a stage the arrays overlap
        /// (time = max over arrays of their summed cycles); `stall` cycles are added per epoch-equivalent.
        case epochs(stages: [[String]])
        /// One fused block: every array runs concurrently (TeAAL: the max over components of summed times).
        case fusedBlock
        /// Sequential phases, each the max of its compute and its own DRAM time.
        case phases([[String]])
    }

    public struct Binding: Sendable, Equatable {
        public var einsum: String
        public var array: String
        /// Cycles per iteration point on one lane of the array.
        public var cost: Double
    }

    public var dataflow: Dataflow
    public var cascade: String
    public var array2D: String
    public var array1D: String
    /// M0 = P0: the 2D array's side (references.md [FuseMax §IV]).
    public var tile: Int
    /// Query rows resident per block (P1) and the number of blocks of P (P2 = P / (P1·P0)), for K/V reuse.
    public var p1: Int
    public var p2: Int
    public var bindings: [Binding]
    public var combination: Combination
    /// Stall cycles per M0 × P0 tile (fill and drain of tiles that are not pipelined: the array side),
    /// "+Architecture" (references.md [FuseMax-artifact] stall_proposal.py: `LM_cycles × 256`, LM taking one cycle
    /// per tile).
    public var stallPerN: Double
    /// The global buffer's capacity, bytes (FLAT decides from it whether its scores stay on chip).
    public var bufferBytes: Double
    /// What the mapping runs: the forward above, the backward (`backward`) alone, or a training step's forward then
    /// backward (the workload's `pass:`).
    public var pass: TrainingPass = .forward
    /// The backward's dataflow on the same arrays, for `pass: backward | training` (`SpatialMapper.backward`).
    public var backward: SpatialBackwardMapping? = nil
}

extension SpatialMapping {
    /// One line: the dataflow, its cascade, the tiles and the query partition, and the backward's when it runs one.
    public var summary: String {
        let forward = "\(dataflow.rawValue) (\(cascade)); M0 = P0 = \(tile), P1 = \(p1), P2 = \(p2)"
        guard pass.runsBackward, let backward else { return forward }
        return (pass.runsForward ? forward + "; " : "\(dataflow.rawValue); ") + "backward " + backward.summary
    }
}

extension SpatialMapping {
    /// The tiling a spatial array runs a mask under: M0 × P0 tiles (M0 = P0 = `tile`) of the flattened sequence.
    public static func maskTiling(tile: Int) -> MaskTiling { MaskTiling(qTile: [tile], kvTile: [tile]) }

    /// Whether the tiles `mask` leaves an array of `tile`-token tiles can be counted in seconds (`Mask.isTractable`):
    /// tiny tiles on a long masked sequence cannot (2-D GNA over 65,536 tokens in 2-token tiles: 10⁹ tile tests).
    public static func canCountTiles(of mask: (any Mask)?, tile: Int) -> Bool {
        guard let mask, !mask.isDense else { return true }
        return mask.isTractable(maskTiling(tile: tile))
    }
}
