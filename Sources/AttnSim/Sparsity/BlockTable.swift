/// Per-Q-block lists of KV block indices in one flat array (compressed sparse rows): row `q` is
/// `indices[offsets[q] ..< offsets[q + 1]]`, sorted ascending without duplicates. Holds a 1M-token mask of
/// 8192² blocks in 4 bytes per listed block.
public struct BlockTable: Sendable, Equatable {
    public var offsets: [Int]
    public var indices: [Int32]

    public init(offsets: [Int] = [0], indices: [Int32] = []) {
        self.offsets = offsets
        self.indices = indices
    }

    public var rows: Int { offsets.count - 1 }
    public var count: Int { indices.count }

    @inlinable
    public func row(_ q: Int) -> ArraySlice<Int32> { indices[offsets[q] ..< offsets[q + 1]] }

    /// Whether row `q` lists block `k`. - Complexity: O(log row length).
    @inlinable
    public func contains(row q: Int, _ k: Int) -> Bool {
        let key = Int32(truncatingIfNeeded: k)
        let slice = row(q)
        let at = slice.sortedLowerBound(key)
        return at < slice.endIndex && slice[at] == key
    }
}
