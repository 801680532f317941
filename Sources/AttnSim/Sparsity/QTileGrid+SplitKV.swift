extension QTileGrid {
    /// The grid of a split-KV kernel (FlashDecoding): each Q tile's visit cut into `splits` contiguous runs of
    /// ⌈visited / splits⌉ KV tiles, as FlashAttention-2 cuts its KV blocks (references.md [FlashAttention-src]
    /// `n_blocks_per_split`), one CTA per run. The last run may be short; runs left empty are not launched (a Q tile
    /// that visits nothing keeps one CTA, which writes its output). Partially masked tiles are taken to be the last
    /// ones a Q tile visits — the diagonal tiles of causal attention — so they fall in its last runs.
    ///
    /// Launch order within an instance is split-major, Q tiles fastest, as FA2's split grid
    /// (`dim3 grid(num_m_block, num_splits, batch * heads)`). `denseKVTiles` stays that of the whole Q tile: the
    /// runs of one Q tile read disjoint K and V.
    ///
    /// - Complexity: O(Q tiles · splits).
    public func splittingKV(into splits: Int) -> QTileGrid {
        guard splits > 1 else { return self }
        var runs = [[QTileVisit]](repeating: [], count: splits)
        for tile in tiles {
            for (index, run) in Self.kvRuns(tile, splits: splits).enumerated() { runs[index].append(run) }
        }
        return QTileGrid(tiles: runs.flatMap { $0 }, denseKVTiles: denseKVTiles, qTileTokens: qTileTokens,
                         kvTileTokens: kvTileTokens)
    }

    /// The non-empty runs of one Q tile's visit under `splits` splits, in order.
    static func kvRuns(_ tile: QTileVisit, splits: Int) -> [QTileVisit] {
        guard tile.visited > 0 else { return [tile] }
        let length = ceilDiv(tile.visited, splits)
        return stride(from: 0, to: tile.visited, by: length).map { start in
            let end = min(start + length, tile.visited)
            return QTileVisit(visited: end - start, full: max(0, min(end, tile.full) - start))
        }
    }
}
