import Testing
@testable import AttnSim

/// The split-KV grid against a brute force written here: list a Q tile's visited KV tiles one by one (the first
/// `full` of them full, the rest partial), deal them out in FlashAttention-2's runs of ⌈visited / splits⌉
/// (references.md [FlashAttention-src] `n_blocks_per_split`), and count.
@Suite struct QTileGridSplitKVTests {
    static func bruteForce(_ tile: QTileVisit, splits: Int) -> [QTileVisit] {
        if tile.visited == 0 { return [tile] }
        let perSplit = (tile.visited + splits - 1) / splits
        var runs: [QTileVisit] = []
        for split in 0..<splits {
            let tiles = (0..<tile.visited).filter { $0 / perSplit == split }
            guard !tiles.isEmpty else { continue }
            runs.append(QTileVisit(visited: tiles.count, full: tiles.filter { $0 < tile.full }.count))
        }
        return runs
    }

    @Test func runsMatchBruteForce() {
        for visited in 0...40 {
            for full in stride(from: 0, through: visited, by: max(1, visited / 5)) {
                for splits in [1, 2, 3, 4, 7, 8, 16, 41, 128] {
                    let tile = QTileVisit(visited: visited, full: full)
                    let runs = splits == 1 ? [tile] : QTileGrid.kvRuns(tile, splits: splits)
                    #expect(runs == Self.bruteForce(tile, splits: splits), "visited \(visited) full \(full) splits \(splits)")
                }
            }
        }
    }

    /// The split grid keeps every visited and full tile and the dense KV count, runs split-major (FA2's
    /// `grid(num_m_block, num_splits, b·h)`), and launches no empty run: 10 tiles in 4 splits are 3 + 3 + 3 + 1, 4 tiles
    /// in 4 splits 1 each, 1 tile one run.
    @Test func gridKeepsTheWork() {
        let causal = QTileGrid.causal(queries: 1000, keys: 1000, qTile: 128, kvTile: 128)
        for splits in [1, 2, 3, 8, 128] {
            let split = causal.splittingKV(into: splits)
            #expect(split.visited == causal.visited && split.full == causal.full)
            #expect(split.denseKVTiles == causal.denseKVTiles)
            #expect(split.tiles.allSatisfy { $0.visited > 0 })
        }
        let grid = QTileGrid(tiles: [QTileVisit(visited: 10, full: 9), QTileVisit(visited: 4, full: 4),
                                     QTileVisit(visited: 1, full: 0)], denseKVTiles: 10, qTileTokens: 128, kvTileTokens: 128)
        // Split 0 of the three Q tiles, then split 1 of the first two, and so on; the 10th tile (partial) is last.
        #expect(grid.splittingKV(into: 4).tiles.map(\.visited) == [3, 1, 1, 3, 1, 3, 1, 1, 1])
        #expect(grid.splittingKV(into: 4).tiles.map(\.full) == [3, 1, 0, 3, 1, 3, 1, 0, 1])
    }
}
