/// Speedup upper bounds over dense attention from a mask's tile work alone (references.md [GNA App. B.1]).
///
/// - `flop`: dense pairs over attended pairs (nil where the mask does not fix its pairs).
/// - `tile`: NATTEN's metric, K_SA over the worst Q tile's visited tiles: every Q tile is assumed to run at once.
/// - `tileMean`: K_SA over the mean visited tiles (total work; it does *not* reproduce the GNA paper).
/// - `qPadding`: the tile metric charged for the Q tiles padding adds: ⌈P/ΠTQ⌉·⌈M/ΠTKV⌉ / (#Q tiles · worst)
///   (10.42× for HunyuanVideo 16×8×8 against 10.40× measured, references.md [NATTEN-docs]).
/// - `wave(units:instances:)`: attnsim's bound: the dense kernel takes ⌈CTAs/units⌉ waves of K tiles; the sparse
///   one can finish no sooner than its worst CTA nor than its total work spread over all units (references.md
///   [attnsim-design]).
public struct TileBounds: Sendable, Equatable {
    public var flop: Double?
    public var tile: Double
    public var tileMean: Double
    public var qPadding: Double
    /// Single-dimensional GNA tiling only: the tile bound for a kernel that iterates the whole KV range.
    public var tileRange: Double?

    let denseQTiles: Int
    let denseKVTiles: Int
    let work: TileWork

    /// - Parameters:
    ///   - queries, keys: the problem's query and key tokens (P, M);
    ///   - patterns: head patterns summed in `work` (per-head masks), 1 otherwise.
    public init(work: TileWork, flop: Double?, queries: Int, keys: Int, patterns: Int = 1) {
        let k = Double(work.kvTilesSelfAttention)
        self.work = work
        self.flop = flop
        denseQTiles = patterns * ceilDiv(queries, work.qTile.reduce(1, *))
        denseKVTiles = ceilDiv(keys, work.kvTile.reduce(1, *))
        tile = k / Double(work.worstVisited)
        tileMean = k * Double(work.qTiles) / Double(work.visited)
        qPadding = Double(denseQTiles) * Double(denseKVTiles) / (Double(work.qTiles) * Double(work.worstVisited))
        tileRange = work.tiling == .single_dim ? k / Double(work.worstVisitedRange) : nil
    }

    /// The bounds of a GNA problem (self attention over `mask.tokens`).
    public init(mask: GNAMask, work: TileWork) {
        self.init(work: work, flop: mask.flopSpeedup, queries: mask.tokens, keys: mask.tokens)
    }

    /// The wave-aware bound for `instances` (batch × heads) copies of the problem on `units` SMs or cores.
    public func wave(units: Int, instances: Int) -> Double {
        Self.wave(denseQTiles: denseQTiles, denseKVTiles: denseKVTiles, visited: work.visited,
                  worstVisited: work.worstVisited, units: units, instances: instances)
    }

    /// The wave-aware bound for any tile grid: dense waves of full Q tiles against the sparse grid's longest Q
    /// tile or its total tiles spread over the units, whichever is more, every tile at the same cost.
    public static func wave(denseQTiles: Int, denseKVTiles: Int, visited: Int, worstVisited: Int, units: Int,
                            instances: Int) -> Double {
        let denseWaves = ceilDivOfProduct(denseQTiles, times: instances, by: units)
        let dense = denseWaves * Double(denseKVTiles)
        let sparse = max(Double(worstVisited), ceilDivOfProduct(visited, times: instances, by: units))
        return dense / sparse
    }

    /// ⌈a·k / b⌉, exact in Int where a·k fits, else in Double (a huge batch must not overflow).
    static func ceilDivOfProduct(_ a: Int, times k: Int, by b: Int) -> Double {
        let (product, overflow) = a.multipliedReportingOverflow(by: k)
        return overflow ? (Double(a) * Double(k) / Double(b)).rounded(.up) : Double(ceilDiv(product, b))
    }
}
