import AttnSim

/// A 1-D mask as the CPU kernel evaluates it on a partially masked tile: one query row at a time, from the mask's
/// own parameters, writing −∞ over the keys the row skips. A row's attended keys are a few runs (windows, sinks,
/// documents, frames, causal) or a run and a lattice (Sparse Transformer strides), filled between; vertical-slash
/// lines are read from two tables eight keys at a time; an intersection evaluates each of its masks in turn.
public protocol RowMask: Sendable {
    /// Sets to −∞ the scores `row[j]` (key `columns.lowerBound + j`) of the keys query `query` does not attend.
    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>)
    /// The same for the rows of queries `queries` of a tile, row r at `scores + r · stride`: a family may set up
    /// once per tile what its rows share (the default asks row by row).
    func apply(_ scores: UnsafeMutablePointer<Float>, stride: Int, queries: Range<Int>, columns: Range<Int>)
}

extension RowMask {
    public func apply(_ scores: UnsafeMutablePointer<Float>, stride: Int, queries: Range<Int>, columns: Range<Int>) {
        for (r, query) in queries.enumerated() { apply(scores + r * stride, query: query, columns: columns) }
    }
}

/// Writes −∞ over the gaps between attended runs given in ascending order of their first key (they may overlap).
struct GapFiller {
    let row: UnsafeMutablePointer<Float>
    let start: Int
    let end: Int
    /// The first key not yet settled.
    var cursor: Int

    @inline(__always) init(_ row: UnsafeMutablePointer<Float>, columns: Range<Int>) {
        self.row = row
        start = columns.lowerBound
        end = columns.upperBound
        cursor = columns.lowerBound
    }

    /// Keys `lo...hi` are attended.
    @inline(__always) mutating func keep(_ lo: Int, _ hi: Int) {
        let lo = max(lo, start), hi = min(hi, end - 1)
        guard lo <= hi else { return }
        if lo > cursor { Self.skip(row + (cursor - start), lo - cursor) }
        cursor = max(cursor, hi + 1)
    }

    /// Every key after the last run is skipped.
    @inline(__always) mutating func finish() {
        if cursor < end { Self.skip(row + (cursor - start), end - cursor) }
        cursor = end
    }

    /// −∞ over `count` scores: eight at a time, then one by one.
    @inline(__always) static func skip(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        var j = 0
        while j + 8 <= count {
            SIMDMath.store(SIMD8(repeating: -.infinity), p + j)
            j += 8
        }
        while j < count {
            p[j] = -.infinity
            j += 1
        }
    }
}

/// A family whose rows are at most two runs (`Mask.rowRuns`): sliding windows, frame-causal blocks, A-shape,
/// documents, causal.
struct RunsRowMask: RowMask {
    let mask: any Mask
    let head: Int
    let keys: Int

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        var fill = GapFiller(row, columns: columns)
        if let runs = mask.rowRuns(query: query, head: head)?.normalized(keys: keys) {
            if !runs.first.isEmpty { fill.keep(runs.first.lo, runs.first.hi) }
            if !runs.second.isEmpty { fill.keep(runs.second.lo, runs.second.hi) }
        }
        fill.finish()
    }
}

/// The Sparse Transformer's patterns: `strided`, the l keys up to the query and every l-th key before them (the
/// keys below the band that share the query's residue mod l, stepped from the first one in the tile); `fixed`, the
/// query's own block up to it and the last c keys of every earlier block.
struct StridedRowMask: RowMask {
    let mask: StridedMask

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        let i = query + mask.keys - mask.queries, l = mask.stride
        var fill = GapFiller(row, columns: columns)
        let last = min(columns.upperBound - 1, i)
        switch mask.pattern {
        case .strided:
            let band = max(0, i - l + 1)
            if columns.lowerBound < band {
                // Keys ≡ i (mod l) from the first ≥ c0 up to the band's start.
                var key = i - (i - columns.lowerBound) / l * l
                let stop = min(last, band - 1)
                while key <= stop {
                    fill.keep(key, key)
                    key += l
                }
            }
            fill.keep(band, last)
        case .fixed:
            let own = i / l * l, c = mask.summary
            if c > 0 {
                var block = columns.lowerBound / l
                while block * l < min(own, last + 1) {
                    fill.keep(block * l + l - c, block * l + l - 1)
                    block += 1
                }
            }
            fill.keep(own, last)
        }
        fill.finish()
    }
}

/// MInference's vertical-slash lines, tested as FlexAttention's mask functions test them: per key a table load,
/// one table over keys (vertical or not) and one over diagonal offsets, eight keys at a time. The offset table is
/// stored reversed (entry M − 1 − s for offset s), so the offsets i − k of consecutive keys k are consecutive
/// entries too; keys past the query are skipped. Entries are 32-bit, the width of a lane of the scores' mask.
struct VerticalSlashRowMask: RowMask {
    let shift: Int
    let keys: Int
    /// isVertical[k]: −1 (all bits) for a vertical key, else 0.
    let isVertical: [Int32]
    /// isSlashReversed[M − 1 − s]: −1 for a slash offset s, else 0.
    let isSlashReversed: [Int32]

    init(_ mask: VerticalSlashMask) {
        (shift, keys) = (mask.keys - mask.queries, mask.keys)
        var vertical = [Int32](repeating: 0, count: mask.keys)
        for k in mask.vertical { vertical[k] = -1 }
        var slash = [Int32](repeating: 0, count: mask.keys)
        for s in mask.slash { slash[mask.keys - 1 - s] = -1 }
        (isVertical, isSlashReversed) = (vertical, slash)
    }

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        apply(row, stride: 0, queries: query ..< query + 1, columns: columns)
    }

    func apply(_ scores: UnsafeMutablePointer<Float>, stride: Int, queries: Range<Int>, columns: Range<Int>) {
        isVertical.withUnsafeBufferPointer { vertical in
            isSlashReversed.withUnsafeBufferPointer { slash in
                let v = vertical.baseAddress!
                let c0 = columns.lowerBound
                for (r, query) in queries.enumerated() {
                    let i = query + shift, row = scores + r * stride
                    let end = min(columns.upperBound, i + 1)
                    // Key k: v[k], and offset i − k at s[k].
                    let s = slash.baseAddress! + (keys - 1 - i)
                    var k = c0
                    while k + 8 <= end {
                        let lines = UnsafeRawPointer(v + k).loadUnaligned(as: SIMD8<Int32>.self)
                            | UnsafeRawPointer(s + k).loadUnaligned(as: SIMD8<Int32>.self)
                        let p = row + (k - c0)
                        SIMDMath.store(SIMDMath.load(p).replacing(with: SIMD8(repeating: -.infinity),
                                                                  where: lines .== SIMD8<Int32>()), p)
                        k += 8
                    }
                    while k < end {
                        if v[k] | s[k] == 0 { row[k - c0] = -.infinity }
                        k += 1
                    }
                    if end < columns.upperBound {
                        GapFiller.skip(row + max(0, end - c0), columns.upperBound - max(end, c0))
                    }
                }
            }
        }
    }
}

/// An intersection: each mask's row in turn (a key skipped by any stays −∞).
struct AllOfRowMask: RowMask {
    let parts: [any RowMask]

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        for part in parts { part.apply(row, query: query, columns: columns) }
    }

    func apply(_ scores: UnsafeMutablePointer<Float>, stride: Int, queries: Range<Int>, columns: Range<Int>) {
        for part in parts { part.apply(scores, stride: stride, queries: queries, columns: columns) }
    }
}

/// Any other mask, tested element by element (`Mask.attends`): GNA or a block mask inside an intersection.
struct ElementRowMask: RowMask {
    let mask: any Mask
    let head: Int

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        for key in columns where !mask.attends(query: query, key: key, head: head) {
            row[key - columns.lowerBound] = -.infinity
        }
    }
}

extension AttentionPlan {
    /// The row evaluation of `mask` for head `head`: by its family's rule where the kernel has one.
    static func rowMask(of mask: any AttnSim.Mask, head: Int, keys: Int) -> any RowMask {
        switch mask {
        case let strided as StridedMask:
            return StridedRowMask(mask: strided)
        case let lines as VerticalSlashMask:
            return VerticalSlashRowMask(lines)
        case let all as AllOfMask:
            return AllOfRowMask(parts: all.masks.map { rowMask(of: $0, head: $0.headPatterns > 1 ? head : 0, keys: keys) })
        case let perHead as PerHeadMask:
            return rowMask(of: perHead.groups[perHead.groupOfHead[head]].mask, head: 0, keys: keys)
        default:
            if mask.rowRuns(query: 0, head: head) != nil { return RunsRowMask(mask: mask, head: head, keys: keys) }
            return ElementRowMask(mask: mask, head: head)
        }
    }
}
