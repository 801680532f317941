/// `mask: {kind: gna, window, stride, dilation, causal}`: generalized neighborhood attention over a 1-D to 3-D
/// token layout (`GNAMask`), with NATTEN's rules (references.md [GNA §3.1], [NATTEN-src]).
extension GNAMask: Mask {
    public static let kind = "gna"
    public static let keys = ["window", "stride", "dilation", "causal"]

    public static func decode(_ map: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> GNAMask {
        let axes = problem.tokens.count
        guard problem.kvTokens == problem.tokens else {
            throw map.node.error("GNA is self attention: kv_tokens must equal tokens (\(problem.tokens))")
        }
        func perAxis(_ item: SpecNode) throws(Diagnostic) -> [Int] {
            var list = try item.intList(atLeast: 1)
            if list.count == 1 && axes > 1 && !item.isSequence { list = Array(repeating: list[0], count: axes) }
            guard list.count == axes else {
                throw item.error("expected \(axes) value(s), one per token axis of tokens \(problem.tokens), found \(list.count)")
            }
            return list
        }
        let ones = Array(repeating: 1, count: axes)
        let windowNode = try map.required("window", expecting: "one size per token axis, e.g. [18, 24, 24]")
        let window = try perAxis(windowNode)
        let stride = try map.optional("stride").map(perAxis) ?? ones
        let dilation = try map.optional("dilation").map(perAxis) ?? ones
        var causal: [Bool] = []
        if let causalNode = map.optional("causal") {
            if causalNode.isSequence {
                let items = try causalNode.sequence()
                guard items.count == axes else {
                    throw causalNode.error("expected \(axes) value(s), one per token axis, found \(items.count)")
                }
                for item in items { causal.append(try item.bool()) }
            } else {
                causal = Array(repeating: try causalNode.bool(), count: axes)
            }
        } else {
            causal = Array(repeating: false, count: axes)
        }
        if let problem = GNAMask.check(tokens: problem.tokens, window: window, stride: stride, dilation: dilation,
                                       causal: causal) {
            throw (map.optional(problem.field) ?? windowNode).error(problem.message)
        }
        return GNAMask(tokens: problem.tokens, window: window, stride: stride, dilation: dilation, causal: causal)
    }

    public var attendedPairs: Double? { attendedPairCount }
    public var isDense: Bool { false }
    public var allowsMultiDimTiling: Bool { true }

    /// Row-major coordinates per axis; on each, the key must lie in the query's dilation group and window.
    public func attends(query: Int, key: Int, head: Int) -> Bool {
        var q = query, k = key
        for axis in axes.reversed() {
            let (qx, kx) = (q % axis.length, k % axis.length)
            q /= axis.length
            k /= axis.length
            let d = axis.dilation
            guard qx % d == kx % d else { return false }
            let n = axis.groupLength(qx % d)
            guard axis.keys(ofQuery: qx / d, groupLength: n).contains(kx / d) else { return false }
        }
        return true
    }

    public func isTractable(_ tiling: MaskTiling) -> Bool {
        TileWork.isTractable(mask: self, qTile: tiling.qTile, kvTile: tiling.kvTile, tiling: tiling.tiling)
    }

    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid {
        .gna(self, qTile: tiling.qTile, kvTile: tiling.kvTile, tiling: tiling.tiling, kvTiling: tiling.kvTiling)
    }

    public func tileWork(_ tiling: MaskTiling, head: Int) -> TileWork {
        TileWork(mask: self, qTile: tiling.qTile, kvTile: tiling.kvTile, tiling: tiling.tiling, kvTiling: tiling.kvTiling)
    }

    /// NATTEN's fast-path predicate holds for multi-dimensional tiles (references.md [NATTEN-src] fna_fusion.hpp).
    public func kernelSkipsElementMask(_ tiling: MaskTiling) -> Bool {
        tiling.tiling == .multi_dim && kernelFastPath(qTile: tiling.qTile, kvTile: tiling.kvTile)
    }

    /// Per axis: the query's window start (a division by the stride, adds and clamps) and two comparisons of the
    /// key against it; a dilated axis compares the dilation groups (two modulos and a comparison).
    ///
    /// A 2-D/3-D layout first decodes the query's and the key's coordinates from the tile-major flat index (the
    /// order whose 1-D blocks are the kernel's tile boxes, as `validation/gpu/protocol_bench.py`'s mask function
    /// and NATTEN's token permutation lay tokens out): on each axis a division and a modulo by the tile extent
    /// (a power of two in every kernel), and on every axis but the outermost a division and a modulo by the tiles
    /// along it (L ÷ tile extent: a power of two when L is); then the coordinate is recomposed (a multiply and an add).
    public var elementWork: MaskElementWork {
        var work = MaskElementWork(axes: axes.count)
        let decoded = axes.count > 1
        for (index, axis) in axes.enumerated() {
            work.divisions += 1 + (axis.dilation > 1 ? 2 : 0)
            work.powerOfTwoDivisions += (MaskElementWork.isPowerOfTwo(axis.stride) ? 1 : 0)
                + (axis.dilation > 1 && MaskElementWork.isPowerOfTwo(axis.dilation) ? 2 : 0)
            if decoded {
                let tilesAlong = index > 0 ? 4 : 0
                work.divisions += 4 + tilesAlong
                work.powerOfTwoDivisions += 4 + (MaskElementWork.isPowerOfTwo(axis.length) ? tilesAlong : 0)
                work.arithmetic += 4
            }
            work.arithmetic += 5
            work.compares += 2 + (axis.dilation > 1 ? 1 : 0)
        }
        return work
    }
}
