/// The KV-major view of an `AttentionPlan`, what the backward pass walks (`AttentionBackwardKernel`): per KV tile
/// the Q tiles that visit it, in ascending order, each marked full or partial as the forward's visit is — the plan's
/// Q-major visit lists transposed once (a counting sort by KV tile), to be built once per plan and reused by every
/// backward call on it.
///
/// It also says how keys map to KV tiles. In most plans (1-D tiles, GNA with static KV tiles) every key lies in at
/// most one visited KV tile, and a KV work item writes its keys' dK and dV itself. GNA with dynamic KV tiles starts a
/// KV tile where a Q tile's window starts, so tiles overlap; each tile's dK and dV then go to a buffer of their own,
/// and a last pass sums, per key, its tiles in tile order (`slots`), which keeps the result deterministic.
public struct AttentionBackwardPlan: Sendable {
    public struct Visit: Sendable, Equatable {
        public var qTile: Int32
        public var full: Bool
    }

    /// A key's place in a KV tile: tile `tile`, row `row` of it.
    struct Slot: Sendable {
        var tile: Int32
        var row: Int32
    }

    /// The forward plan (Q-major: the separate dQ pass walks it as the forward does).
    public let forward: AttentionPlan
    /// KV tile j is visited by visits[visitOffsets[j] ..< visitOffsets[j + 1]].
    public let visits: [Visit]
    public let visitOffsets: [Int]
    /// Whether every key lies in at most one visited KV tile.
    public let exclusiveKeys: Bool
    /// Where overlapping tiles share keys (not `exclusiveKeys`): key k's places are slots[slotOffsets[k] ..<
    /// slotOffsets[k + 1]], by ascending tile; empty otherwise.
    let slots: [Slot]
    let slotOffsets: [Int]
    /// Keys in no visited KV tile: no query attends them, so their dK and dV are zero.
    let unvisitedKeys: [Int32]

    public var kvTileCount: Int { visitOffsets.count - 1 }

    /// - Precondition: the plan's Q tiles hold every query exactly once (every plan `AttentionPlan` builds does).
    /// - Complexity: O(visits + keys + queries).
    public init(_ forward: AttentionPlan) {
        self.forward = forward
        let kvTiles = forward.kvOffsets.count - 1
        var offsets = [Int](repeating: 0, count: kvTiles + 1)
        for visit in forward.visits { offsets[Int(visit.kvTile) + 1] += 1 }
        for tile in 0..<kvTiles { offsets[tile + 1] += offsets[tile] }
        var next = offsets
        var visits = [Visit](repeating: Visit(qTile: 0, full: false), count: forward.visits.count)
        for qTile in 0..<forward.qTileCount {
            for index in forward.visitOffsets[qTile] ..< forward.visitOffsets[qTile + 1] {
                let visit = forward.visits[index]
                let tile = Int(visit.kvTile)
                visits[next[tile]] = Visit(qTile: Int32(qTile), full: visit.full)
                next[tile] += 1
            }
        }
        self.visits = visits
        visitOffsets = offsets

        // Keys per visited KV tile.
        var places = [Int](repeating: 0, count: forward.keys + 1)
        for tile in 0..<kvTiles where offsets[tile] < offsets[tile + 1] {
            for position in forward.kvOffsets[tile] ..< forward.kvOffsets[tile + 1] { places[Int(forward.kvRows[position]) + 1] += 1 }
        }
        unvisitedKeys = (0..<forward.keys).filter { places[$0 + 1] == 0 }.map(Int32.init)
        exclusiveKeys = places.allSatisfy { $0 <= 1 }
        if exclusiveKeys {
            (slots, slotOffsets) = ([], [])
        } else {
            for key in 0..<forward.keys { places[key + 1] += places[key] }
            var fill = places
            var slots = [Slot](repeating: Slot(tile: 0, row: 0), count: places[forward.keys])
            for tile in 0..<kvTiles where offsets[tile] < offsets[tile + 1] {
                let start = forward.kvOffsets[tile]
                for position in start ..< forward.kvOffsets[tile + 1] {
                    let key = Int(forward.kvRows[position])
                    slots[fill[key]] = Slot(tile: Int32(tile), row: Int32(position - start))
                    fill[key] += 1
                }
            }
            (self.slots, slotOffsets) = (slots, places)
        }

        var seen = [Bool](repeating: false, count: forward.queries)
        precondition(forward.qRows.count == forward.queries, "the backward pass needs every query in exactly one Q tile")
        for row in forward.qRows {
            precondition(!seen[Int(row)], "the backward pass needs every query in exactly one Q tile")
            seen[Int(row)] = true
        }
    }
}
