/// `mask: {kind: none}`: every query attends every key. Every tile is full; a kernel evaluates nothing.
public struct DenseMask: Mask, Equatable {
    public static let kind = "none"
    public static let keys: [String] = []

    public var queries: Int
    public var keys: Int

    public init(queries: Int, keys: Int) {
        self.queries = queries
        self.keys = keys
    }

    public init(_ problem: Problem) { self.init(queries: problem.queryTokens, keys: problem.keyTokens) }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        DenseMask(problem)
    }

    public var attendedPairs: Double? { Double(queries) * Double(keys) }
    public var isDense: Bool { true }
    public func attends(query: Int, key: Int, head: Int) -> Bool { true }

    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        .dense(queries: queries, keys: keys, qTile: tiling.qTileTokens, kvTile: tiling.kvTileTokens)
    }

    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        .denseKVMajor(queries: queries, keys: keys, qTile: tiling.qTileTokens, kvTile: tiling.kvTileTokens)
    }

    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover { .full }
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int { rows.count * columns.count }
    public var coversRectanglesFast: Bool { true }
    public func rowRuns(query: Int, head: Int) -> KeyRuns? { KeyRuns(KeyRun(0, keys - 1)) }

    public var elementWork: MaskElementWork { .none }
}
