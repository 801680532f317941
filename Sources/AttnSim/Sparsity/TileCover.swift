import Foundation

/// How a mask covers a rectangle of one head's score matrix (query rows × key columns of the 1-D token order): no
/// element attended (a kernel skips the tile), some (it evaluates the element mask), or every one (it runs the tile
/// unmasked).
public enum TileCover: Sendable, Equatable {
    case empty, partial, full
}

/// Rectangles of the score matrix, asked of any mask: the primitive from which masks built of other masks (`all_of`,
/// `per_head`) count their tiles and pairs exactly. A family answers in O(1) where it can (`KeyRunMask`, `causal`,
/// `strided`); the defaults here test every element and are exact for every family.
extension Mask {
    /// How the mask covers queries `rows` × keys `columns` of head `head` (both non-empty, inside the problem).
    /// - Complexity: O(rows · columns) here (`elementCover`).
    public func cover(rows: Range<Int>, columns: Range<Int>, head: Int) -> TileCover {
        elementCover(rows: rows, columns: columns, head: head) { attends(query: $0, key: $1, head: $2) }
    }

    /// Attended (query, key) pairs of queries `rows` × keys `columns` of head `head`.
    /// - Complexity: O(rows · columns) here (`elementPairs`).
    public func pairs(rows: Range<Int>, columns: Range<Int>, head: Int) -> Int {
        elementPairs(rows: rows, columns: columns, head: head) { attends(query: $0, key: $1, head: $2) }
    }

    /// Keys that some query of `rows` may attend in head `head`, as one range holding all of them (nil: any key). A
    /// family that knows tells it, so that a rectangle count need not visit the rest.
    public func keyReach(rows: Range<Int>, head: Int) -> Range<Int>? { nil }

    public func rowRuns(query: Int, head: Int) -> KeyRuns? { nil }

    public var coversRectanglesFast: Bool { false }
}

/// The cover of a rectangle from its elements, stopping at the first pair of elements that settles it as partial.
/// - Complexity: O(rows · columns).
func elementCover(rows: Range<Int>, columns: Range<Int>, head: Int,
                  attends: (_ query: Int, _ key: Int, _ head: Int) -> Bool) -> TileCover {
    var seen = (attended: false, skipped: false)
    for query in rows {
        for key in columns {
            if attends(query, key, head) { seen.attended = true } else { seen.skipped = true }
            if seen.attended && seen.skipped { return .partial }
        }
    }
    return seen.attended ? .full : .empty
}

/// The attended pairs of a rectangle, element by element.
/// - Complexity: O(rows · columns).
func elementPairs(rows: Range<Int>, columns: Range<Int>, head: Int,
                  attends: (_ query: Int, _ key: Int, _ head: Int) -> Bool) -> Int {
    var count = 0
    for query in rows {
        for key in columns where attends(query, key, head) { count += 1 }
    }
    return count
}

extension Mask {
    /// Walks the 1-D tiles of head `head` over P queries × M keys: for each Q tile in order, `qTile(index)`, then
    /// `kvTile(tile, cover)` for each KV tile inside the keys its rows may reach (`keyReach`) that it does not skip.
    /// What a grid counts and what a kernel's visit list holds.
    /// - Complexity: O(P/TQ · reached KV tiles) covers.
    public func forEachCoveredTile(queries: Int, keys: Int, qTile: Int, kvTile: Int, head: Int,
                                   qTile startQTile: (Int) -> Void, kvTile visit: (Int, TileCover) -> Void) {
        var q0 = 0
        while q0 < queries {
            let rows = q0 ..< min(q0 + qTile, queries)
            startQTile(q0 / qTile)
            let reach = keyReach(rows: rows, head: head)?.clamped(to: 0 ..< keys) ?? 0 ..< keys
            if !reach.isEmpty {
                for tile in (reach.lowerBound / kvTile) ..< ceilDiv(reach.upperBound, kvTile) {
                    let columns = tile * kvTile ..< min((tile + 1) * kvTile, keys)
                    let cover = cover(rows: rows, columns: columns, head: head)
                    if cover != .empty { visit(tile, cover) }
                }
            }
            q0 = rows.upperBound
        }
    }
}

extension QTileGrid {
    /// The tile grid of any mask over P queries × M keys in 1-D tiles, from `Mask.cover` (`forEachCoveredTile`).
    /// - Complexity: O(P/TQ · reached KV tiles) covers.
    public static func covering(_ mask: some Mask, queries: Int, keys: Int, qTile: Int, kvTile: Int,
                                head: Int) -> QTileGrid {
        var tiles: [QTileVisit] = []
        tiles.reserveCapacity(ceilDiv(queries, qTile))
        mask.forEachCoveredTile(queries: queries, keys: keys, qTile: qTile, kvTile: kvTile, head: head) { _ in
            tiles.append(QTileVisit(visited: 0, full: 0))
        } kvTile: { _, cover in
            tiles[tiles.count - 1].visited += 1
            if cover == .full { tiles[tiles.count - 1].full += 1 }
        }
        return QTileGrid(tiles: tiles, denseKVTiles: ceilDiv(keys, kvTile), qTileTokens: qTile, kvTileTokens: kvTile)
    }

    /// The most tile pairs `covering` is asked to test, P/TQ · M/TKV: a cover is O(1) for the families that build on
    /// it, a few ns each (README.md, "Limits").
    public static var maxCoverPairs: Double { 4e8 }

    /// Tile pairs `covering` may ask about: P/TQ · M/TKV.
    public static func coverPairs(queries: Int, keys: Int, _ tiling: MaskTiling) -> Double {
        (Double(queries) / Double(tiling.qTileTokens)).rounded(.up) * (Double(keys) / Double(tiling.kvTileTokens)).rounded(.up)
    }

    /// Whether `covering` stays within `maxCoverPairs` tests for `mask`: tile pairs when its covers are fast, else
    /// every element of every pair (a cover tested element by element).
    public static func coveringIsTractable(_ mask: some Mask, queries: Int, keys: Int, _ tiling: MaskTiling) -> Bool {
        let pairs = coverPairs(queries: queries, keys: keys, tiling)
        return (mask.coversRectanglesFast ? pairs : pairs * Double(tiling.qTileTokens) * Double(tiling.kvTileTokens))
            <= maxCoverPairs
    }
}

/// A 1-D mask over P queries and M keys whose tile grid is counted from rectangles (`QTileGrid.covering`): `strided`,
/// `vertical_slash`, `all_of`. Dense when it covers the whole matrix.
public protocol RectangleCountedMask: Mask {
    var queries: Int { get }
    var keys: Int { get }
    /// The grids already counted, by tiling and head: a simulation asks for the same grid several times (tile
    /// bounds, the mapper's candidates, the event simulation), and counting one is O(P/TQ · M/TKV).
    var grids: TileGridCache { get }
}

extension RectangleCountedMask {
    public var isDense: Bool { cover(rows: 0 ..< queries, columns: 0 ..< keys, head: 0) == .full }

    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        grids.grid(tiling, head: head) {
            .covering(self, queries: queries, keys: keys, qTile: tiling.qTileTokens, kvTile: tiling.kvTileTokens, head: head)
        }
    }

    public func isTractable(_ tiling: MaskTiling) -> Bool {
        QTileGrid.coveringIsTractable(self, queries: queries, keys: keys, tiling)
    }
}

/// Tile grids (and attended pairs) counted once per (tiling, head) for one mask value, shared by its copies; safe across threads. Two caches
/// always compare equal, so a mask's equality is that of its parameters.
public final class TileGridCache: @unchecked Sendable, Equatable {
    private var grids: [Key: QTileGrid] = [:]
    private let lock = NSLock()
    private struct Key: Hashable {
        var tiling: MaskTiling
        var head: Int
    }

    public init() {}

    /// The grid of `tiling` and `head`, counted by `count` the first time.
    public func grid(_ tiling: MaskTiling, head: Int, count: () -> QTileGrid) -> QTileGrid {
        let key = Key(tiling: tiling, head: head)
        lock.lock()
        if let grid = grids[key] { lock.unlock(); return grid }
        lock.unlock()
        let grid = count()
        lock.lock()
        grids[key] = grid
        lock.unlock()
        return grid
    }

    private var pairs: Double??

    /// A mask's attended pairs, counted by `count` the first time (an intersection counts them over rectangles).
    public func attendedPairs(count: () -> Double?) -> Double? {
        lock.lock()
        if let known = pairs { lock.unlock(); return known }
        lock.unlock()
        let value = count()
        lock.lock()
        pairs = .some(value)
        lock.unlock()
        return value
    }

    public static func == (a: TileGridCache, b: TileGridCache) -> Bool { true }
}
