/// A run of consecutive key indices `lo...hi`, empty when `lo > hi`.
public struct KeyRun: Sendable, Equatable {
    public var lo: Int
    public var hi: Int

    public init(_ lo: Int, _ hi: Int) {
        self.lo = lo
        self.hi = hi
    }

    public static let empty = KeyRun(0, -1)

    public var isEmpty: Bool { lo > hi }
    public func contains(_ key: Int) -> Bool { lo <= key && key <= hi }
}

/// At most two runs of keys: the keys one query row attends (a sink and a window), or those any or every query of
/// a Q tile attends. The tile counts below are what a kernel's grid needs of such a set: how many KV tiles hold one
/// of its keys, and how many lie inside it entirely.
///
/// ```swift
/// let set = KeyRuns(KeyRun(0, 63), KeyRun(1000, 1999))   // a 64-key sink and a window
/// set.tilesTouched(tile: 128, keys: 4096)                // 1 + 9 = 10
/// set.tilesInside(tile: 128, keys: 4096)                 // 7 (tiles 8…14)
/// ```
public struct KeyRuns: Sendable, Equatable {
    public var first: KeyRun
    public var second: KeyRun

    public init(_ first: KeyRun, _ second: KeyRun = .empty) {
        self.first = first
        self.second = second
    }

    public func contains(_ key: Int) -> Bool { first.contains(key) || second.contains(key) }

    /// The same set clipped to keys `0..<keys`, as disjoint runs in key order that do not touch (`second.lo >
    /// first.hi + 1`); `first` is empty only when the set is.
    public func normalized(keys: Int) -> KeyRuns {
        var a = KeyRun(max(first.lo, 0), min(first.hi, keys - 1))
        var b = KeyRun(max(second.lo, 0), min(second.hi, keys - 1))
        if a.isEmpty { return KeyRuns(b.isEmpty ? .empty : b) }
        if b.isEmpty { return KeyRuns(a) }
        if b.lo < a.lo { swap(&a, &b) }
        if b.lo <= a.hi + 1 { return KeyRuns(KeyRun(a.lo, max(a.hi, b.hi))) }
        return KeyRuns(a, b)
    }

    /// Keys of the set inside `columns` (the set as given: runs that overlap count their common keys twice, so
    /// callers pass `normalized` sets).
    public func count(in columns: Range<Int>) -> Int {
        func overlap(_ run: KeyRun) -> Int {
            run.isEmpty ? 0 : max(0, min(run.hi + 1, columns.upperBound) - max(run.lo, columns.lowerBound))
        }
        return overlap(first) + overlap(second)
    }

    /// KV tiles of `tile` keys (the last one cut at `keys`) that hold at least one key of the set.
    /// - Complexity: O(1).
    public func tilesTouched(tile: Int, keys: Int) -> Int {
        let set = normalized(keys: keys)
        guard !set.first.isEmpty else { return 0 }
        let a = (set.first.lo / tile, set.first.hi / tile)
        var count = a.1 - a.0 + 1
        if !set.second.isEmpty {
            let b = (set.second.lo / tile, set.second.hi / tile)
            count += b.1 - b.0 + 1 - max(0, a.1 - b.0 + 1)     // a tile holding the end of one run and the start of the other
        }
        return count
    }

    /// KV tiles of `tile` keys whose every real key is in the set (a tile cut short by `keys` counts as ending
    /// there). Runs that do not touch have a key outside the set between them, so a tile inside the set is inside one run.
    /// - Complexity: O(1).
    public func tilesInside(tile: Int, keys: Int) -> Int {
        let set = normalized(keys: keys)
        func inside(_ run: KeyRun) -> Int {
            guard !run.isEmpty else { return 0 }
            let firstTile = ceilDiv(run.lo, tile)
            let lastTile = run.hi >= keys - 1 ? ceilDiv(keys, tile) - 1 : (run.hi + 1) / tile - 1
            return max(0, lastTile - firstTile + 1)
        }
        return inside(set.first) + inside(set.second)
    }
}

/// Σ_{x = a}^{b} min(x, c) for 0 ≤ a, c ≥ 0, in closed form — the keys of rows whose window is cut at the
/// sequence's start, summed: the series up to `c`, then `c` per term. A sum of non-negative parts, so it stays
/// positive (and close) where Double cannot hold it exactly.
/// - Complexity: O(1).
func sumOfMin(from a: Int, through b: Int, cap c: Int) -> Double {
    guard a <= b else { return 0 }
    var sum = 0.0
    if a <= c {
        let top = min(b, c)
        sum += (Double(a) + Double(top)) * Double(top - a + 1) / 2
    }
    if b > c { sum += Double(c) * Double(b - max(a, c + 1) + 1) }
    return sum
}

/// `start + length`, at most `limit` (for `start` ≤ `limit`), without forming the sum when it would pass `limit`:
/// a window's or frame's end near the end of a sequence of up to 9·10¹⁸ keys.
@inline(__always)
func clampedEnd(_ start: Int, plus length: Int, limit: Int) -> Int {
    length >= limit - start ? limit : start + length
}
