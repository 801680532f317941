/// `mask: {kind: per_head, groups: [{heads: H₀, mask: A}, {heads: H₁, mask: B}, …]}`: heads in groups, each group with
/// its own mask, the heads of a group consecutive and the counts summing to `problem.heads` — DuoAttention's
/// retrieval heads (full attention) beside streaming heads (sinks and a recent window; references.md
/// [DuoAttention §3]).
///
/// ```yaml
/// mask:
///   kind: per_head
///   groups:
///     - {heads: 8, mask: {kind: causal}}
///     - {heads: 24, mask: {kind: a_shape, sink: 64, window: 256}}
/// ```
/// A kernel runs the Q tiles of one head after another, so the grid of one batch element holds every head's tiles
/// (`Mask.combinedTileGrid`); each group's grid is its mask's.
public struct PerHeadMask: Mask {
    public static let kind = "per_head"
    public static let keys = ["groups"]

    public struct Group: Sendable {
        public var heads: Int
        public var mask: any Mask
        public init(heads: Int, mask: any Mask) {
            self.heads = heads
            self.mask = mask
        }
    }

    public var groups: [Group]
    /// The group of each head.
    public var groupOfHead: [Int]

    public init(_ groups: [Group]) {
        self.groups = groups
        groupOfHead = groups.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element.heads) }
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let node = try fields.required("groups", expecting: "a list of {heads: N, mask: {...}}, the head counts summing "
            + "to problem.heads (\(problem.heads))")
        var groups: [Group] = []
        for item in try node.sequence() {
            let group = try item.mapping(allowed: ["heads", "mask"])
            let heads = try group.required("heads", expecting: "the heads of this group, e.g. 8").int(atLeast: 1)
            let maskNode = try group.required("mask", expecting: "this group's mask, e.g. {kind: causal}")
            let mask = try MaskRegistry.decode(maskNode, problem: problem, workloadFile: workloadFile)
            guard mask.headPatterns == 1 else {
                throw maskNode.error("a group's mask must be the same for each of its heads; this one has "
                    + "\(mask.headPatterns) per-head patterns")
            }
            groups.append(Group(heads: heads, mask: mask))
        }
        guard !groups.isEmpty else { throw node.error("expected at least one group, found an empty list") }
        let total = groups.reduce(0) { $0 + $1.heads }
        guard total == problem.heads else {
            throw node.error("the groups hold \(total) heads; expected problem.heads (\(problem.heads))")
        }
        return PerHeadMask(groups)
    }

    @inline(__always) func mask(of head: Int) -> any Mask { groups[groupOfHead[head]].mask }

    public var headPatterns: Int { groups.count == 1 ? 1 : groupOfHead.count }

    public func attends(query: Int, key: Int, head: Int) -> Bool { mask(of: head).attends(query: query, key: key, head: 0) }
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        mask(of: head).cover(rows: rows, columns: columns, head: 0)
    }
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        mask(of: head).pairs(rows: rows, columns: columns, head: 0)
    }
    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? { mask(of: head).keyReach(rows: rows, head: 0) }
    public var coversRectanglesFast: Bool { groups.allSatisfy { $0.mask.coversRectanglesFast } }
    public func rowRuns(query: Int, head: Int) -> KeyRuns? { mask(of: head).rowRuns(query: query, head: 0) }

    /// The heads' pairs, averaged; nil when a group's mask does not determine them.
    public var attendedPairs: Double? {
        var total = 0.0
        for group in groups {
            guard let pairs = group.mask.attendedPairs else { return nil }
            total += Double(group.heads) * pairs
        }
        return total / Double(groupOfHead.count)
    }

    public var isDense: Bool { groups.allSatisfy { $0.mask.isDense } }
    public var hasMaskFunction: Bool { groups.allSatisfy { $0.mask.hasMaskFunction } }
    public var allowsMultiDimTiling: Bool { groups.allSatisfy { $0.mask.allowsMultiDimTiling } }
    public var waveBoundHolds: Bool { groups.allSatisfy { $0.mask.waveBoundHolds } }
    public func isTractable(_ tiling: MaskTiling) -> Bool { groups.allSatisfy { $0.mask.isTractable(tiling) } }
    public func kernelSkipsElementMask(_ tiling: MaskTiling) -> Bool {
        groups.allSatisfy { $0.mask.kernelSkipsElementMask(tiling) }
    }

    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid { mask(of: head).tileGrid(tiling, head: 0) }
    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        mask(of: head).kvMajorGrid(tiling, head: 0, queries: queries, keys: keys)
    }
    public func tileWork(_ tiling: MaskTiling, head: Int) -> TileWork { mask(of: head).tileWork(tiling, head: 0) }

    /// The most work any group's mask function does, and one comparison of the head index choosing the group: a
    /// mask function branching on `h` runs one group's rule per element (a CTA holds one head).
    public var elementWork: MaskElementWork {
        var work = groups.map(\.mask.elementWork).max { $0.operations < $1.operations } ?? .none
        if groups.count > 1 { work.compares += 1 }
        return work
    }
}
