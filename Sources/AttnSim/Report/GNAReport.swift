import Foundation

/// `attnsim gna`: one GNA problem given on the command line, its tile work, bounds and verdicts, optionally a
/// stride sweep. Holds no logic beyond presentation; the numbers come from `GNAAnalysis` and `GNAStrideSweep`.
public struct GNAReport: Sendable {
    public struct Request: Sendable {
        public var tokens: [Int]
        public var window: [Int]
        public var stride: [Int]?
        public var dilation: [Int]?
        public var causal: [Bool]?
        public var qTile: [Int]
        public var kvTile: [Int]
        public var tiling: KernelChoice.Tiling = .multi_dim
        public var kvTiling: KernelChoice.KVTiling = .static
        public var batch = 1
        public var heads = 1
        public var headDim = 128
        /// SMs or cores, for the wave-aware bound.
        public var units: Int?
        public var model: ModelRollup?
        /// `--backward`: also the backward's KV-major tiles (the inverse neighbourhoods) and their bounds.
        public var backward = false

        public init(tokens: [Int], window: [Int], qTile: [Int], kvTile: [Int]) {
            self.tokens = tokens
            self.window = window
            self.qTile = qTile
            self.kvTile = kvTile
        }
    }

    public var request: Request
    public var analysis: GNAAnalysis
    public var sweep: GNAStrideSweep?
    /// The backward's view (`--backward`).
    public var backward: KVMajorAnalysis?

    /// Validates the request with the workload file's rules and analyses it: every size a positive whole number,
    /// causal flags 0 or 1, one value per token axis, the problem-size rule of workload files
    /// (`Problem.sizeProblem`), at most `HardwareSpec.maxUnits` units, and tile work (and a stride sweep) that takes
    /// seconds, not hours (`TileWork.intractability`, `GNAStrideSweep.maxSteps`).
    public init(_ request: Request, sweepStride: Bool = false) throws(GNAMaskProblem) {
        let axes = request.tokens.count
        for (field, values) in [("tokens", request.tokens), ("window", request.window), ("stride", request.stride ?? []),
                                ("dilation", request.dilation ?? []), ("q-tile", request.qTile), ("kv-tile", request.kvTile),
                                ("batch", [request.batch]), ("heads", [request.heads]), ("head-dim", [request.headDim]),
                                ("units", request.units.map { [$0] } ?? [])] {
            if let bad = values.first(where: { $0 < 1 }) {
                throw GNAMaskProblem(field: field, message: "\(bad): expected whole numbers ≥ 1")
            }
        }
        if let units = request.units, units > HardwareSpec.maxUnits {
            throw GNAMaskProblem(field: "units", message: "\(units): expected at most \(HardwareSpec.maxUnits) SMs or cores "
                + "(the limit of hardware files)")
        }
        if let why = Problem.sizeProblem(batch: request.batch, heads: request.heads, embedding: request.headDim,
                                         tokens: request.tokens, kvTokens: request.tokens) {
            throw GNAMaskProblem(field: "tokens", message: why)
        }
        let stride = request.stride ?? Array(repeating: 1, count: axes)
        let dilation = request.dilation ?? Array(repeating: 1, count: axes)
        let causal = request.causal ?? Array(repeating: false, count: axes)
        if let problem = GNAMask.check(tokens: request.tokens, window: request.window, stride: stride,
                                       dilation: dilation, causal: causal) {
            throw problem
        }
        for (field, tile) in [("q-tile", request.qTile), ("kv-tile", request.kvTile)] {
            guard tile.count == axes || (request.tiling == .single_dim && tile.count == 1) else {
                throw GNAMaskProblem(field: field, message: "expected \(axes) value(s), one per token axis, found \(tile.count)")
            }
            guard tile.map(Double.init).reduce(1, *) <= Double(Workload.maxTileTokens) else {
                throw GNAMaskProblem(field: field, message: "a tile of \(Self.shape(tile)) tokens is too large to model; "
                    + "expected at most \(Workload.maxTileTokens) tokens per tile")
            }
        }
        if sweepStride && request.tiling != .multi_dim {
            throw GNAMaskProblem(field: "sweep-stride", message: "the stride sweep needs --tiling multi_dim (its "
                + "bound is separable per axis only there)")
        }
        let mask = GNAMask(tokens: request.tokens, window: request.window, stride: stride, dilation: dilation, causal: causal)
        if let why = TileWork.intractability(mask: mask, qTile: request.qTile, kvTile: request.kvTile, tiling: request.tiling) {
            throw GNAMaskProblem(field: "tiling", message: why)
        }
        self.request = request
        analysis = GNAAnalysis(mask: mask, qTile: request.qTile, kvTile: request.kvTile, tiling: request.tiling,
                               kvTiling: request.kvTiling)
        backward = request.backward
            ? KVMajorAnalysis(mask: mask, queries: mask.tokens, keys: mask.tokens, tiling: analysis.tiles.tiling) : nil
        guard sweepStride else {
            sweep = nil
            return
        }
        let frontSteps = GNAStrideSweep.frontSteps(mask, qTile: request.qTile)
        guard frontSteps <= GNAStrideSweep.maxFrontSteps else {
            throw GNAMaskProblem(field: "sweep-stride", message: "sweeping strides 1…window on every axis takes "
                + "\(Quantity.formatExactCount(frontSteps)) steps (window × Q tiles per axis); attnsim takes up to "
                + "\(Quantity.formatExactCount(GNAStrideSweep.maxFrontSteps)): use larger Q tiles, a smaller window or fewer tokens")
        }
        let fronts = GNAStrideSweep.fronts(mask: mask, qTile: request.qTile, kvTile: request.kvTile, kvTiling: request.kvTiling)
        let pointSteps = GNAStrideSweep.pointSteps(mask, qTile: request.qTile, fronts: fronts)
        guard pointSteps <= TileWork.maxMultiDimSteps else {
            throw GNAMaskProblem(field: "sweep-stride", message: "the fronts have \(fronts.map { String($0.count) }.joined(separator: " × ")) "
                + "strides, whose combinations take \(Quantity.formatExactCount(pointSteps)) steps to analyse; attnsim takes "
                + "up to \(Quantity.formatExactCount(TileWork.maxMultiDimSteps)): use larger Q tiles or fewer tokens")
        }
        sweep = GNAStrideSweep(mask: mask, qTile: request.qTile, kvTile: request.kvTile, kvTiling: request.kvTiling,
                               fronts: fronts)
    }

    static func shape(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }

    func endToEnd(_ speedup: Double) -> Double? {
        request.model.map { EndToEnd.speedup(attentionSpeedup: speedup, model: $0) }
    }

    var instances: Int { request.batch * request.heads }

    func wave(_ analysis: GNAAnalysis) -> Double? {
        request.units.map { analysis.bounds.wave(units: $0, instances: instances) }
    }

    // MARK: JSON

    public var record: GNARecord {
        let mask = analysis.mask
        let perPair = 4.0 * Double(request.headDim) * Double(instances)
        var record = GNARecord(
            problem: .init(tokens: request.tokens, window: mask.axes.map(\.window), stride: mask.axes.map(\.stride),
                           dilation: mask.axes.map(\.dilation), causal: mask.axes.map(\.causal), batch: request.batch,
                           heads: request.heads, headDim: request.headDim),
            flops: .init(dense: Double(mask.tokens) * Double(mask.tokens) * perPair, effective: mask.attendedPairCount * perPair),
            tiles: tilesRecord, bounds: boundsRecord(analysis), blockSparse: analysis.blockSparseRecord,
            endToEnd: .init(speedup: nil, flopSpeedup: endToEnd(mask.flopSpeedup).flatMap(finite),
                            tileSpeedup: endToEnd(analysis.bounds.tile).flatMap(finite)))
        if let sweep {
            record.sweep = GNARecord.Sweep(
                fronts: sweep.fronts.map { front in front.map { .init(stride: $0.stride, factor: $0.factor) } },
                points: sweep.points.map { point in
                    .init(stride: point.stride, bounds: boundsRecord(point.analysis), blockSparse: point.analysis.blockSparseRecord,
                          endToEndTileSpeedup: endToEnd(point.analysis.bounds.tile).flatMap(finite))
                })
        }
        return record
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    var tilesRecord: SimulationRecord.Tiles {
        var tiles = analysis.tilesRecord
        tiles.kvMajor = backward?.record
        return tiles
    }

    func boundsRecord(_ analysis: GNAAnalysis) -> SimulationRecord.Bounds {
        .init(flopSpeedup: finite(analysis.bounds.flop), tileSpeedup: finite(analysis.bounds.tile),
              tileSpeedupMean: finite(analysis.bounds.tileMean), waveSpeedup: wave(analysis).flatMap(finite),
              tileSpeedupQpad: finite(analysis.bounds.qPadding), tileSpeedupRange: analysis.bounds.tileRange.flatMap(finite))
    }

    // MARK: Table

    public var table: String {
        let work = analysis.work
        let mask = analysis.mask
        let bounds = analysis.bounds
        func times(_ x: Double?) -> String { x.map { String(format: "%.2f×", $0) } ?? "—" }
        var table = TextTable(title: "GNA \(Self.shape(request.tokens)) tokens, window \(Self.shape(mask.axes.map(\.window))), "
            + "stride \(Self.shape(mask.axes.map(\.stride))), dilation \(Self.shape(mask.axes.map(\.dilation)))"
            + (mask.axes.contains(where: \.causal) ? ", causal \(mask.axes.map { $0.causal ? "1" : "0" }.joined(separator: "×"))" : ""))
        let sparsity = 1 - mask.attendedPairCount / (Double(mask.tokens) * Double(mask.tokens))
        table.add("sparsity", String(format: "%.1f %%", sparsity * 100))
        table.section("tiles (\(work.tiling.rawValue), \(work.kvTiling.rawValue) KV; Q \(Self.shape(work.qTile)), "
            + "KV \(Self.shape(work.kvTile)); per head)")
        table.add("Q tiles", "\(work.qTiles)")
        table.add("KV tiles, self attention", "\(work.kvTilesSelfAttention) per Q tile")
        table.add("KV tiles visited", "\(work.visited) (\(work.full) full, \(work.partial) partially masked)")
        table.add("worst Q tile", "\(work.worstVisited) visited (\(work.worstFull) full)")
        table.add("fully block-sparse", work.isFullyBlockSparse ? "yes" : "no")
        table.add("kernel fast path", analysis.kernelFastPath ? "yes (NATTEN's predicate)" : "no (NATTEN's predicate)")
        table.section("bounds (upper bounds on speedup over self attention)")
        table.add("FLOP-wise", times(bounds.flop))
        table.add("tile-wise (NATTEN, worst Q tile)", times(bounds.tile))
        table.add("tile-wise, mean Q tile", times(bounds.tileMean))
        table.add("tile-wise, Q padding charged", times(bounds.qPadding))
        if let range = bounds.tileRange { table.add("tile-wise, KV range iteration", times(range)) }
        if let units = request.units { table.add("wave-aware (\(units) units)", times(wave(analysis))) }
        if let backward {
            table.section("backward (KV-major: each KV tile with the Q tiles of its keys' inverse neighbourhoods)")
            backward.addCounts(to: &table)
            table.add("tile-wise (worst KV tile)", times(backward.bounds.tile))
            if let units = request.units {
                table.add("wave-aware (\(units) units)", times(backward.bounds.wave(units: units, instances: instances)))
            }
        }
        if let model = request.model {
            let steps = model.totalSteps.map { " of \($0) steps, \(model.denseSteps ?? 0) dense" } ?? ""
            table.section("end to end (attention share \(String(format: "%.1f %%", model.attentionShare * 100))\(steps))")
            table.add("at the FLOP-wise bound", times(endToEnd(mask.flopSpeedup)))
            table.add("at the tile-wise bound", times(endToEnd(bounds.tile)))
        }
        if let sweep {
            table.section("stride sweep: per-axis Pareto fronts (stride: tile-bound factor)")
            for (axis, front) in sweep.fronts.enumerated() {
                table.add("axis \(axis)", front.map { "\($0.stride): \(String(format: "%.2f", $0.factor))×" }.joined(separator: ", "))
            }
            var combos = TextTable(title: "stride sweep: combinations of the fronts, by tile-wise bound")
            combos.add("stride", "tile-wise", "Q-padded", "FLOP-wise", "block-sparse", "E2E at tile-wise")
            for point in sweep.points {
                let b = point.analysis.bounds
                combos.add(Self.shape(point.stride), times(b.tile), times(b.qPadding), times(b.flop),
                           point.analysis.work.isFullyBlockSparse ? "yes" : "no", times(endToEnd(b.tile)))
            }
            return table.rendered + combos.rendered
        }
        return table.rendered
    }
}

extension GNAReport {
    /// `--format csv`: one row, the columns of ``GNARecord`` (the stride sweep's lists as cells).
    public var csv: String { RecordCSV.text([record]) }
}
