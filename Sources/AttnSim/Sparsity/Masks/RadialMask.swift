/// `mask: {kind: radial, frames: F, frame_tokens: T, text_tokens: X, decay: d, model: hunyuan | wan}`: Radial
/// Attention's static mask for video diffusion (references.md [RadialAttention]): tokens are F latent frames of T
/// tokens each, then X text tokens; a token attends spatially nearby tokens of other frames, in a band that halves
/// each time the frame distance doubles, and frames far enough apart only every so many frames. The rule is the
/// artifact's (`radial_attn/attn_mask.py`, `gen_log_mask_shrinked`), which builds a *block* mask the kernel then runs
/// block-sparse (no element mask): for frames i, j at distance δ = |i − j|,
/// - the band half-width is T for δ ≤ 1 (Wan: also every key of frame 0, the attention sink), else
///   max(2^bitlen(T) / 2^bitlen(δ) · d, block);
/// - frames are kept only where 2^bitlen(T) / 2^bitlen(δ) ≥ 128, or δ is a multiple of 128 / that length;
/// - the element band |c − r| ≤ width of each frame pair is shrunk to `block`-token blocks: a block is kept when more
///   than 60 % of its non-empty key columns are attended by more than a third of its rows;
/// - blocks of text rows or text columns are all kept.
///
/// ```yaml
/// mask: {kind: radial, frames: 30, frame_tokens: 3840, text_tokens: 256, decay: 0.95, model: hunyuan}
/// ```
/// The pairs attended are the kept blocks' (the kernel computes whole blocks); tiles and pairs are those of that
/// block mask (`BlockMask`), exact for any tiling.
public struct RadialMask: Mask {
    public static let kind = "radial"
    public static let keys = ["frames", "frame_tokens", "text_tokens", "decay", "model", "block"]

    /// Which artifact model's rule: the near-frame and sink cases differ.
    public enum Model: String, Sendable, CaseIterable { case hunyuan, wan }

    public var frames: Int
    public var frameTokens: Int
    public var textTokens: Int
    public var decay: Double
    public var model: Model
    public var block: Int
    /// The block mask the rule gives.
    public var blocks: BlockMask

    public init(frames: Int, frameTokens: Int, textTokens: Int = 0, decay: Double = 1, model: Model = .hunyuan,
                block: Int = 128) {
        self.frames = frames
        self.frameTokens = frameTokens
        self.textTokens = textTokens
        self.decay = decay
        self.model = model
        self.block = block
        let tokens = frames * frameTokens + textTokens
        let table = Self.blockMask(frames: frames, frameTokens: frameTokens, tokens: tokens, decay: decay, model: model,
                                   block: block)
        blocks = BlockMask(file: "(radial rule)", table: table, queries: tokens, keys: tokens)
    }

    public static func decode(_ fields: SpecMapping, problem: Problem, workloadFile: String) throws(Diagnostic) -> Self {
        let frames = try fields.required("frames", expecting: "latent frames, e.g. 30").int(atLeast: 1)
        let frameNode = try fields.required("frame_tokens", expecting: "tokens per latent frame, e.g. 3840")
        let frameTokens = try frameNode.int(atLeast: 1)
        let text = try fields.optional("text_tokens")?.int(atLeast: 0) ?? 0
        var decay = 1.0
        if let node = fields.optional("decay") {
            decay = try node.physicalQuantity(.number)
            guard decay <= 16 else { throw node.error("expected a decay factor in (0, 16], found \(decay)") }
        }
        let model = try fields.optional("model")?.choice(Model.self) ?? .hunyuan
        var block = 128
        if let node = fields.optional("block") {
            block = try node.int(atLeast: 1)
            guard block == 64 || block == 128 else { throw node.error("expected 64 or 128 (the artifact's block sizes), found \(block)") }
        }
        let total = Double(frames) * Double(frameTokens) + Double(text)
        guard problem.queryTokens == problem.keyTokens, total == Double(problem.queryTokens) else {
            throw fields.node.error("frames × frame_tokens + text_tokens = \(Quantity.formatExactCount(total)) tokens; "
                + "expected the problem's tokens (\(problem.queryTokens)), self-attention over video then text")
        }
        let blocks = (Double(problem.queryTokens) / Double(block)).rounded(.up)
        guard blocks * blocks <= 1e9 else {
            throw fields.node.error("\(Quantity.formatExactCount(blocks))² blocks of \(block) tokens; at most 10⁹ are built")
        }
        return RadialMask(frames: frames, frameTokens: frameTokens, textTokens: text, decay: decay, model: model,
                          block: block)
    }

    // MARK: The artifact's rule

    /// ⌊log₂ n⌋ + 1 for n ≥ 1, 0 for 0 (Python's `int.bit_length`).
    static func bitLength(_ n: Int) -> Int { n == 0 ? 0 : Int.bitWidth - n.leadingZeroBitCount }

    /// 2^bitlen(T) / 2^bitlen(δ): the frame pair's decay length before the factor.
    static func decayLength(frameTokens: Int, distance: Int) -> Double {
        Double(1 << bitLength(frameTokens)) / Double(1 << min(62, bitLength(distance)))
    }

    /// Whether frames `distance` apart are kept at all (`get_diagonal_split_mask`, threshold 128).
    static func splitKeeps(frameTokens: Int, distance: Int) -> Bool {
        let length = decayLength(frameTokens: frameTokens, distance: distance)
        if length >= 128 { return true }
        return distance % Int(128 / length) == 0
    }

    /// The band half-width of frames `distance` apart (`get_window_width`), nil for a whole frame pair (near frames,
    /// Wan's sink frame).
    static func width(frameTokens: Int, distance: Int, decay: Double, block: Int) -> Double? {
        if distance <= 1 { return nil }
        let length = decayLength(frameTokens: frameTokens, distance: distance) * decay
        return length >= Double(block) ? length : Double(block)
    }

    /// The kept blocks of one frame pair, in the pair's padded block grid (`shrinkMaskStrict` of the band placed at row
    /// offset `rowOffset` and column offset `columnOffset` inside its first block): (row block, column block).
    /// - Complexity: O(blocks near the band · block).
    static func pairBlocks(frameTokens t: Int, rowOffset rr: Int, columnOffset rc: Int, width: Double?,
                           block bs: Int) -> [(Int, Int)] {
        let n = (rr + ceilDiv(t, bs) * bs) / bs            // the padded mask's rows // block (columns cut to as many)
        let w = width.map { Int($0.rounded(.down)) } ?? t  // |x| ≤ width for whole x
        var kept: [(Int, Int)] = []
        for bi in 0..<n {
            let (r0, r1) = (bi * bs, bi * bs + bs - 1)
            for bj in 0..<n {
                let (c0, c1) = (bj * bs, bj * bs + bs - 1)
                // Rows r attend column c when rr ≤ r < rr + T, rc ≤ c < rc + T and |(c − rc) − (r − rr)| ≤ w.
                guard c1 >= rc, c0 < rc + t, r1 >= rr, r0 < rr + t else { continue }
                guard c0 - rc + rr - w <= r1, c1 - rc + rr + w >= r0 else { continue }
                var (nonEmpty, dense) = (0, 0)
                for c in max(c0, rc)...min(c1, rc + t - 1) {
                    let lo = max(max(rr, c - rc + rr - w), r0), hi = min(min(rr + t - 1, c - rc + rr + w), r1)
                    let count = hi - lo + 1
                    if count > 0 {
                        nonEmpty += 1
                        if 3 * count > bs { dense += 1 }
                    }
                }
                // More than 60 % of the non-empty columns have a density above 1/3.
                if 5 * dense > 3 * nonEmpty { kept.append((bi, bj)) }
            }
        }
        return kept
    }

    /// The block mask of the rule over `tokens` tokens (video, then text), every kept block full.
    static func blockMask(frames: Int, frameTokens t: Int, tokens: Int, decay: Double, model: Model,
                          block bs: Int) -> BlockMaskFile {
        let n = ceilDiv(tokens, bs)
        var kept = [Bool](repeating: false, count: n * n)
        let border = frames * t / bs                       // video_text_border: text blocks from here on
        for b in border..<n {
            for k in 0..<n { kept[b * n + k] = true; kept[k * n + b] = true }
        }
        var cache: [[Int]: [(Int, Int)]] = [:]
        for i in 0..<frames {
            for j in 0..<frames {
                let distance = abs(i - j)
                let sink = model == .wan && j == 0
                guard sink || splitKeeps(frameTokens: t, distance: distance) else { continue }
                let width = sink ? nil : width(frameTokens: t, distance: distance, decay: decay, block: bs)
                let (rr, rc) = ((i * t) % bs, (j * t) % bs)
                let key = [rr, rc, width.map { Int($0.rounded(.down)) } ?? -1]
                let pair = cache[key] ?? pairBlocks(frameTokens: t, rowOffset: rr, columnOffset: rc, width: width, block: bs)
                cache[key] = pair
                let (rowStart, columnStart) = (i * t / bs, j * t / bs)
                for (bi, bj) in pair where rowStart + bi < n && columnStart + bj < n {
                    kept[(rowStart + bi) * n + columnStart + bj] = true
                }
            }
        }
        var full = BlockTable(offsets: [0], indices: [])
        for q in 0..<n {
            for k in 0..<n where kept[q * n + k] { full.indices.append(Int32(k)) }
            full.offsets.append(full.indices.count)
        }
        let empty = BlockTable(offsets: [Int](repeating: 0, count: n + 1), indices: [])
        return BlockMaskFile(blockSize: (bs, bs), heads: [BlockMaskFile.Head(full: full, partial: empty)],
                             attendedPairs: nil, perHead: false)
    }

    // MARK: Mask

    public var attendedPairs: Double? { blocks.attendedPairs }
    public var hasMaskFunction: Bool { false }
    public var isDense: Bool { blocks.table.heads[0].full.count == blocks.table.heads[0].full.rows * blocks.table.heads[0].full.rows }
    public func attends(query: Int, key: Int, head: Int) -> Bool { blocks.attends(query: query, key: key, head: 0) }
    public func tileGrid(_ tiling: MaskTiling, head: Int) -> QTileGrid { blocks.tileGrid(tiling, head: 0) }
    public func kvMajorGrid(_ tiling: MaskTiling, head: Int, queries: Int, keys: Int) -> QTileGrid {
        blocks.kvMajorGrid(tiling, head: 0, queries: queries, keys: keys)
    }

    /// The kernel runs whole blocks: no element mask. Under other tile sizes a FlexAttention-style kernel looks the
    /// block up, as for a block-mask file.
    public var elementWork: MaskElementWork { blocks.elementWork }
}
