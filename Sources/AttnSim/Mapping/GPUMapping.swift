/// How attention is laid out as a GPU kernel: the backend, the Q and KV tile shapes (per token axis), how the
/// sequence is tiled, and how CTAs are scheduled. A mapping is data: printed by `attnsim map`, written into a
/// workload's `kernel:` block and fed back.
public struct GPUMapping: Sendable, Hashable, CustomStringConvertible {
    public var backend: String
    public var qTile: [Int]
    public var kvTile: [Int]
    public var tiling: KernelChoice.Tiling
    public var kvTiling: KernelChoice.KVTiling
    /// Persistent kernel (one CTA per slot looping over Q tiles) instead of one CTA per Q tile in waves.
    public var persistent: Bool
    /// CTAs per Q tile, each over a contiguous share of its KV tiles, then a combine kernel (split-KV,
    /// FlashDecoding; `SplitKV`); 1: one CTA visits all of them.
    public var kvSplits: Int
    /// The backward's dQ variant (`BackwardDQ`) for a backward or training pass; nil: the backend's default.
    public var dq: BackwardDQ? = nil

    public init(backend: String, qTile: [Int], kvTile: [Int], tiling: KernelChoice.Tiling = .multi_dim,
                kvTiling: KernelChoice.KVTiling = .static, persistent: Bool = false, kvSplits: Int = 1) {
        self.backend = backend
        self.qTile = qTile
        self.kvTile = kvTile
        self.tiling = tiling
        self.kvTiling = kvTiling
        self.persistent = persistent
        self.kvSplits = kvSplits
    }

    /// The tiling of the token sequence this mapping runs.
    public var maskTiling: MaskTiling { MaskTiling(qTile: qTile, kvTile: kvTile, tiling: tiling, kvTiling: kvTiling) }

    public var qTileTokens: Int { qTile.reduce(1, *) }
    public var kvTileTokens: Int { kvTile.reduce(1, *) }

    public var description: String {
        let shape = { (t: [Int]) in t.map(String.init).joined(separator: "×") }
        return "\(backend): Q \(shape(qTile)) / KV \(shape(kvTile)), \(tiling.rawValue), \(kvTiling.rawValue) KV, "
            + (persistent ? "persistent" : "waves") + (kvSplits > 1 ? ", KV split \(kvSplits)" : "")
            + (dq.map { ", dQ \($0.rawValue)" } ?? "")
    }

    /// The workload `kernel:` block that reproduces this mapping.
    public var yaml: String {
        let list = { (t: [Int]) in "[" + t.map(String.init).joined(separator: ", ") + "]" }
        return "kernel: {backend: \(backend), q_tile: \(list(qTile)), kv_tile: \(list(kvTile)), "
            + "tiling: \(tiling.rawValue), kv_tiling: \(kvTiling.rawValue)"
            + (kvSplits > 1 ? ", kv_splits: \(kvSplits)" : "") + (dq.map { ", dq: \($0.rawValue)" } ?? "") + "}"
    }
}
