/// `mask: {kind: all_of, masks: [A, B, …]}`: a pair is attended when every listed mask attends it — composition by
/// AND, as FlexAttention's `and_masks` builds it (references.md [FlexAttention-blog]): a sliding window inside each
/// packed document, GNA cut to causal over the flattened order, a block mask intersected with a window.
///
/// ```yaml
/// mask:
///   kind: all_of
///   masks:
///     - {kind: document, lengths: [8192, 4096, 4096]}
///     - {kind: sliding_window, window: 1024}
/// ```
/// Tiles and pairs are exact for any tiling: a rectangle is empty when one mask leaves it empty, is as the other masks
/// say when one covers it fully, and where two or more cover it partially it is counted row by row from the masks'
/// runs of keys (`rowRuns`: the 1-D families, `causal`), or element by element for masks whose rows are not runs.
public struct AllOfMask: RectangleCountedMask {
    public static let kind = "all_of"
    public static let keys = ["masks"]

    public var masks: [any Mask]
    public var queries: Int
    public var keys: Int
    public let grids = TileGridCache()

    public init(_ masks: [any Mask], queries: Int, keys: Int) {
        self.masks = masks
        self.queries = queries
        self.keys = keys
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let node = try fields.required("masks", expecting: "a list of two or more masks, e.g. "
            + "[{kind: document, lengths: [4096, 4096]}, {kind: sliding_window, window: 1024}]")
        let items = try node.sequence()
        guard items.count >= 2 else {
            throw node.error("`all_of` needs two or more masks to intersect; found \(items.count)")
        }
        var masks: [any Mask] = []
        for item in items { masks.append(try MaskRegistry.decode(item, problem: problem, workloadFile: workloadFile)) }
        let patterns = Set(masks.map(\.headPatterns).filter { $0 > 1 })
        guard patterns.count <= 1 else {
            throw node.error("the masks give different numbers of per-head patterns (\(patterns.sorted())); "
                + "expected one count for every mask that varies by head")
        }
        let mask = AllOfMask(masks, queries: problem.queryTokens, keys: problem.keyTokens)
        if let pairs = mask.attendedPairs, pairs == 0 {
            throw node.error("the masks have no attended pair in common: no query would attend any key")
        }
        return mask
    }

    public var headPatterns: Int { masks.map(\.headPatterns).max() ?? 1 }

    /// A mask's own head for head `head` of the composition (one pattern: 0).
    @inline(__always) func head(_ head: Int, of mask: any Mask) -> Int { mask.headPatterns > 1 ? head : 0 }

    public func attends(query: Int, key: Int, head: Int) -> Bool {
        masks.allSatisfy { $0.attends(query: query, key: key, head: self.head(head, of: $0)) }
    }

    /// Empty if one mask leaves the rectangle empty; full if every one covers it; as the one partial mask says
    /// otherwise; element by element when two or more are partial.
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        var partial = 0
        for mask in masks {
            switch mask.cover(rows: rows, columns: columns, head: self.head(head, of: mask)) {
            case .empty: return .empty
            case .partial: partial += 1
            case .full: break
            }
        }
        if partial <= 1 { return partial == 0 ? .full : .partial }
        if let count = runPairs(rows: rows, columns: columns, head: head) {
            return count == 0 ? .empty : count == rows.count * columns.count ? .full : .partial
        }
        return elementCover(rows: rows, columns: columns, head: head) { attends(query: $0, key: $1, head: $2) }
    }

    /// The pairs of a rectangle from each row's runs (`rowRuns`), intersected over the masks; nil when a mask's rows
    /// are not runs. Each mask's runs are disjoint, so the intersections of one run from every mask are disjoint too:
    /// a row's count is the sum over those choices (at most 2ⁿ for n masks) of their common keys inside `columns`.
    /// - Complexity: O(rows · 2ⁿ), no allocation.
    func runPairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int? {
        guard masks.count <= 16 else { return nil }
        var count = 0
        var runs = [KeyRuns](repeating: KeyRuns(.empty), count: masks.count)
        for query in rows {
            for (index, mask) in masks.enumerated() {
                guard let own = mask.rowRuns(query: query, head: self.head(head, of: mask)) else { return nil }
                runs[index] = own
            }
            count += Self.commonKeys(runs, in: columns)
        }
        return count
    }

    /// Keys inside `columns` that every set of `runs` holds.
    static func commonKeys(_ runs: [KeyRuns], in columns: Range<Int>) -> Int {
        var total = 0
        choices: for choice in 0 ..< (1 << runs.count) {
            var (lo, hi) = (columns.lowerBound, columns.upperBound - 1)
            for (index, set) in runs.enumerated() {
                let run = choice & (1 << index) == 0 ? set.first : set.second
                lo = max(lo, run.lo)
                hi = min(hi, run.hi)
                if run.isEmpty || lo > hi { continue choices }
            }
            total += hi - lo + 1
        }
        return total
    }

    /// Fast when every mask's covers are fast and its rows are runs (`rowRuns`, asked of row 0): a rectangle two masks
    /// cover partially is then counted row by row. With a mask whose rows are not runs (`strided`, GNA, a block file)
    /// such rectangles are tested element by element.
    public var coversRectanglesFast: Bool { masks.allSatisfy { $0.coversRectanglesFast && $0.rowRuns(query: 0, head: 0) != nil } }

    /// Not given: an intersection's row can hold more than two runs, so an intersection nested in another is counted
    /// element by element where both are partial (and `coversRectanglesFast` says so).
    public func rowRuns(query: Int, head: Int) -> KeyRuns? { nil }

    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        var partial: [any Mask] = []
        for mask in masks {
            switch mask.cover(rows: rows, columns: columns, head: self.head(head, of: mask)) {
            case .empty: return 0
            case .partial: partial.append(mask)
            case .full: break
            }
        }
        if partial.isEmpty { return rows.count * columns.count }
        if partial.count == 1 { return partial[0].pairs(rows: rows, columns: columns, head: self.head(head, of: partial[0])) }
        if let count = runPairs(rows: rows, columns: columns, head: head) { return count }
        return elementPairs(rows: rows, columns: columns, head: head) { attends(query: $0, key: $1, head: $2) }
    }

    /// The masks' reaches, intersected.
    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? {
        var reach: Range<Int>? = nil
        for mask in masks {
            guard let own = mask.keyReach(rows: rows, head: self.head(head, of: mask)) else { continue }
            reach = reach.map { $0.clamped(to: own) } ?? own
        }
        return reach
    }

    /// Σ over the rectangles of a 128 × 128 grid (inside the keys' reach) of their pairs, averaged over heads; nil
    /// where counting them would pass the covering limit (`QTileGrid.coveringIsTractable`).
    /// - Complexity: as `tileGrid` at 128-token tiles.
    public var attendedPairs: Double? { grids.attendedPairs { countPairs() } }

    func countPairs() -> Double? {
        let tile = 128
        guard QTileGrid.coveringIsTractable(self, queries: queries, keys: keys, MaskTiling(qTile: [tile], kvTile: [tile]))
        else { return nil }
        var total = 0.0
        for head in 0..<headPatterns {
            var q0 = 0
            while q0 < queries {
                let rows = q0 ..< min(q0 + tile, queries)
                let reach = keyReach(rows: rows, head: head)?.clamped(to: 0 ..< keys) ?? 0 ..< keys
                var k0 = reach.lowerBound
                while k0 < reach.upperBound {
                    let columns = k0 ..< min(k0 + tile, reach.upperBound)
                    total += Double(pairs(rows: rows, columns: columns, head: head))
                    k0 = columns.upperBound
                }
                q0 = rows.upperBound
            }
        }
        return total / Double(headPatterns)
    }

    public var isDense: Bool { masks.allSatisfy(\.isDense) }
    public var hasMaskFunction: Bool { masks.allSatisfy(\.hasMaskFunction) }

    public var waveBoundHolds: Bool { masks.allSatisfy(\.waveBoundHolds) }

    /// Every mask's work: `and_masks` evaluates each mask function on the element and combines the booleans (the ANDs
    /// are not counted, as within one family's function).
    public var elementWork: MaskElementWork {
        var work = MaskElementWork(axes: 1)
        for mask in masks {
            let own = mask.elementWork
            work.compares += own.compares
            work.arithmetic += own.arithmetic
            work.divisions += own.divisions
            work.loads += own.loads
            work.powerOfTwoDivisions += own.powerOfTwoDivisions
            work.perElementDivisions += own.perElementDivisions
            work.axes = max(work.axes, own.axes)
        }
        return work
    }
}
