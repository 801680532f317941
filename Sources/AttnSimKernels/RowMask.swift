import AttnSim

/// A 1-D mask as the CPU kernel evaluates it on a partially masked tile: one query row at a time, from the mask's
/// own parameters, writing −∞ over the keys the row skips. A row's attended keys are a few runs (windows, sinks,
/// documents, frames, causal), a run and a lattice (Sparse Transformer strides), or two sorted lists of lines
/// (vertical-slash); an intersection evaluates each of its masks in turn. The cost is the row's runs and a fill of
/// the skipped keys, not a test per element.
public protocol RowMask: Sendable {
    /// Sets to −∞ the scores `row[j]` (key `columns.lowerBound + j`) of the keys query `query` does not attend.
    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>)
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
        if lo > cursor { (row + (cursor - start)).update(repeating: -.infinity, count: lo - cursor) }
        cursor = max(cursor, hi + 1)
    }

    /// Every key after the last run is skipped.
    @inline(__always) mutating func finish() {
        if cursor < end { (row + (cursor - start)).update(repeating: -.infinity, count: end - cursor) }
        cursor = end
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

/// MInference's vertical-slash lines: the vertical keys in the tile (a binary search, then in order) merged with the
/// slash diagonals' keys i − s (offsets s from the largest that lands in the tile down), both up to the query.
struct VerticalSlashRowMask: RowMask {
    let mask: VerticalSlashMask

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        let i = query + mask.keys - mask.queries
        var fill = GapFiller(row, columns: columns)
        let last = min(columns.upperBound - 1, i)
        if last >= columns.lowerBound {
            let vertical = mask.vertical, slash = mask.slash
            var v = vertical.sortedLowerBound(columns.lowerBound)
            // Offsets s with i − s in [c0, last]: s in [i − last, i − c0], walked from the largest down.
            var s = slash.sortedLowerBound(i - columns.lowerBound + 1) - 1
            let smallest = i - last
            while true {
                let nextVertical = v < vertical.count && vertical[v] <= last ? vertical[v] : Int.max
                let nextSlash = s >= 0 && slash[s] >= smallest ? i - slash[s] : Int.max
                if nextVertical == Int.max && nextSlash == Int.max { break }
                if nextVertical <= nextSlash {
                    fill.keep(nextVertical, nextVertical)
                    v += 1
                } else {
                    fill.keep(nextSlash, nextSlash)
                    s -= 1
                }
            }
        }
        fill.finish()
    }
}

/// An intersection: each mask's row in turn (a key skipped by any stays −∞).
struct AllOfRowMask: RowMask {
    let parts: [any RowMask]

    func apply(_ row: UnsafeMutablePointer<Float>, query: Int, columns: Range<Int>) {
        for part in parts { part.apply(row, query: query, columns: columns) }
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
            return VerticalSlashRowMask(mask: lines)
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
