/// A mask family: which (query, key) scores of one attention call are computed, and what that means for a
/// tiled kernel. Each family is one type in one file under `Sparsity/Masks/`, registered once in
/// `MaskRegistry`; nothing else in attnsim switches over mask kinds.
///
/// A family
/// - decodes and validates its `mask:` YAML (`decode`), with errors that name the file, line, column and key;
/// - gives the exact attended pairs (`attendedPairs`, `attends`);
/// - gives, for any tiling, the tile grid a kernel runs: visited, full and partial KV tiles per Q tile
///   (`tileGrid`), and their summary (`tileWork`);
/// - says what a kernel spends evaluating it on one element of a partially masked tile (`elementWork`).
///
/// ```swift
/// let mask = try MaskRegistry.decode(node, problem: problem, workloadFile: "wl.yaml")
/// mask.kind                                        // "causal"
/// mask.tileWork(MaskTiling(qTile: [128], kvTile: [128]), head: 0).partial
/// ```
public protocol Mask: Sendable {
    /// The `mask.kind` this family is registered under.
    static var kind: String { get }
    /// The keys its `mask:` mapping accepts besides `kind`.
    static var keys: [String] { get }
    /// Decodes and validates a `mask:` mapping for `problem`; relative file names resolve against `workloadFile`.
    static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self

    /// Attended (query, key) pairs of one (batch, head) instance, averaged over heads where they differ; nil
    /// when the mask does not determine them (a block mask whose partial blocks give no element count).
    var attendedPairs: Double? { get }
    /// Whether every query attends every key (no tile is skipped or masked).
    var isDense: Bool { get }
    /// Whether tiles may be N-D boxes of the token layout (GNA under token permutation) rather than runs of
    /// the flattened sequence.
    var allowsMultiDimTiling: Bool { get }
    /// Number of distinct per-head patterns: 1 when every head has the same mask.
    var headPatterns: Int { get }
    /// Whether query `query` attends key `key` (1-D token order, row-major over the layout) in head `head`.
    /// - Complexity: O(1) or O(log blocks).
    func attends(query: Int, key: Int, head: Int) -> Bool

    /// Whether counting the tiles of `tiling` is cheap enough to do interactively.
    func isTractable(_ tiling: MaskTiling) -> Bool
    /// The Q tiles of one instance under `tiling`, in launch order, with their visited and full KV tiles.
    func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid
    /// The KV tiles of one instance of P queries × M keys under `tiling`, each with the Q tiles that touch it: the
    /// backward kernel's grid (`KVMajorGrid.swift`; the default counts it from `cover`).
    func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid
    /// The counts of `tileGrid` (a family may compute them faster, e.g. GNA's per-axis closed forms).
    func tileWork(_ tiling: MaskTiling, head: Int) -> TileWork
    /// Whether a kernel that tests the whole problem before running (NATTEN's Hopper/Blackwell FNA, a
    /// `problem`-scope profile) can skip element masking everywhere under `tiling`.
    func kernelSkipsElementMask(_ tiling: MaskTiling) -> Bool
    /// Whether the wave-aware bound (every visited tile costing a dense tile) may be stated for this mask. It
    /// holds where measurements back it; a family whose Q tiles differ systematically in what they reuse from
    /// cache can beat it slightly and says no.
    var waveBoundHolds: Bool { get }
    /// What evaluating the mask costs per element of a partially masked tile.
    var elementWork: MaskElementWork { get }

    /// How the mask covers queries `rows` × keys `columns` of head `head`, exactly (`TileCover.swift`; the default
    /// tests every element).
    func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover
    /// Attended pairs of queries `rows` × keys `columns` of head `head`, exactly.
    func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int
    /// One range of keys holding every key some query of `rows` attends in head `head`; nil: any key.
    func keyReach(rows: Range<Int>, head: Int) -> Range<Int>?
    /// Whether `cover` answers without testing elements (O(1) or O(rows)): the families that override it.
    var coversRectanglesFast: Bool { get }
    /// The keys query `query` attends in head `head` as at most two disjoint runs in key order, where the family's rows
    /// are such runs (nil otherwise): what lets an intersection count a row without testing its elements.
    func rowRuns(query: Int, head: Int) -> KeyRuns?
    /// Whether a kernel's block mask is built by evaluating a mask function on the elements (FlexAttention's
    /// `create_block_mask`): false for a block mask read from a file and for Radial's, built block by block.
    var hasMaskFunction: Bool { get }
}

extension Mask {
    public var kind: String { Self.kind }
    public var hasMaskFunction: Bool { true }
    public var headPatterns: Int { 1 }
    public var waveBoundHolds: Bool { true }
    public var allowsMultiDimTiling: Bool { false }
    public func isTractable(_ tiling: MaskTiling) -> Bool { true }
    public func tileWork(_ tiling: MaskTiling, head: Int) -> TileWork {
        TileWork(grid: tileGrid(tiling, head: head), tiling: tiling)
    }
    public func kernelSkipsElementMask(_ tiling: MaskTiling) -> Bool { isDense }

    /// The tile grid of every head pattern, concatenated (one pattern: the grid itself). A kernel's grid runs the
    /// Q tiles of one head after another, so with per-head masks one "instance" of this grid is a batch element.
    public func combinedTileGrid(_ tiling: MaskTiling) -> QTileGrid {
        guard headPatterns > 1 else { return tileGrid(tiling, head: 0) }
        return QTileGrid.concatenating((0..<headPatterns).map { tileGrid(tiling, head: $0) })
    }

    /// The tile counts over every head pattern: sums of the per-head counts, the worst of the worst tiles.
    public func combinedTileWork(_ tiling: MaskTiling) -> TileWork {
        guard headPatterns > 1 else { return tileWork(tiling, head: 0) }
        return TileWork(grid: combinedTileGrid(tiling), tiling: tiling)
    }
}

/// How a kernel tiles the token sequence: tile shapes (one entry per token axis for multi-dimensional tiling,
/// or a single token count), the tiling style and whether KV tiles are snapped to a static grid.
public struct MaskTiling: Sendable, Hashable {
    public var qTile: [Int]
    public var kvTile: [Int]
    public var tiling: KernelChoice.Tiling
    public var kvTiling: KernelChoice.KVTiling

    public init(qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling = .single_dim,
                kvTiling: KernelChoice.KVTiling = .static) {
        self.qTile = qTile
        self.kvTile = kvTile
        self.tiling = tiling
        self.kvTiling = kvTiling
    }

    public var qTileTokens: Int { qTile.reduce(1, *) }
    public var kvTileTokens: Int { kvTile.reduce(1, *) }
}

/// The per-element work a kernel spends evaluating a mask on a partially masked tile: integer comparisons,
/// integer adds and multiplies, divisions or modulos (coordinate decodes of 2-D/3-D layouts, dilation groups),
/// and loads from a table (a block table, document boundaries). A cost model prices each on the unit's pipes.
public struct MaskElementWork: Sendable, Equatable {
    public var compares: Int
    public var arithmetic: Int
    public var divisions: Int
    public var loads: Int
    /// Token axes decoded from the flat index (1 for 1-D masks).
    public var axes: Int
    /// How many of `divisions` (divisions and modulos) have a power of two for divisor: compiled in, such a division
    /// is a shift or a bit mask, a simple operation; read from a tensor, the compiler cannot know it.
    public var powerOfTwoDivisions: Int
    /// How many of `divisions` divide a value that depends on both the query and the key index (`(q − kv) % l`), so
    /// run for every element. The others divide the query index or the key index alone (coordinate decodes, `q // B`,
    /// `kv % l`): a kernel computes them once per row or column of a tile, and costs them less
    /// (validation/gpu/README.md, "Where a mask function's work lands").
    public var perElementDivisions: Int
    /// How many of `loads` are indexed by a value that depends on both indices (`is_slash[q − kv]`): a gather for every
    /// element, where a table indexed by the query or the key alone is read once per row or column.
    public var perElementLoads: Int

    public init(compares: Int = 0, arithmetic: Int = 0, divisions: Int = 0, loads: Int = 0, axes: Int = 1,
                powerOfTwoDivisions: Int = 0, perElementDivisions: Int = 0, perElementLoads: Int = 0) {
        self.compares = compares
        self.arithmetic = arithmetic
        self.divisions = divisions
        self.loads = loads
        self.axes = axes
        self.powerOfTwoDivisions = min(powerOfTwoDivisions, divisions)
        self.perElementDivisions = min(perElementDivisions, divisions)
        self.perElementLoads = min(perElementLoads, loads)
    }

    /// What a mask function that looks its rule up in per-token tables evaluates per element, on `axes` token axes:
    /// the query's and the key's group ids (two loads, a compare), then per axis the key's coordinate and the
    /// query's interval bounds (three loads, two compares, two ANDs), as validation/gpu/flex_gna_bench.py's `lut`
    /// mask function does.
    public static func tableLookup(axes: Int) -> MaskElementWork {
        MaskElementWork(compares: 1 + 2 * axes, arithmetic: 2 * axes, loads: 2 + 3 * axes, axes: axes)
    }

    /// Whether `n` is a power of two (a division by it compiles to a shift).
    public static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }

    public static let none = MaskElementWork(axes: 1)

    /// Every operation, counted once.
    public var operations: Int { compares + arithmetic + divisions + loads }

}
