/// How a backward cascade (`backward_cascade:`, `Cascade+Backward.swift`) runs on a FuseMax-style 2D + 1D spatial
/// array, for `pass: backward | training`. FuseMax publishes no backward design (references.md [FuseMax] is inference
/// only); this is attnsim's dataflow: the KV-stationary loop nest of FlashAttention-2's backward (references.md
/// [FlashAttention-2] §3.2, Algorithm 2) laid on FuseMax's arrays and tiles (references.md [FuseMax] Mapping 1).
/// Its assumptions:
///
/// - **Tiles and binding.** The 2D array holds an M0 × P0 tile of scores (M0 = P0 = its side), keys down one axis,
///   queries along the other; a product's remaining rank (e or f) runs in time. Each Einsum goes to an array by the
///   forward's binding rule for the same dataflow (``SpatialMapper/bind(_:of:dataflow:array2D:array1D:)``): the five
///   products (S, dV, dP, dQ, dK) to the 2D array; element-wise work over the scores (exp(S − L), dS = P ∘ (dP − D))
///   to the 2D array in `fusemax` and `fusemax-arch` (exp as 6 MACs and a subtract) and to the 1D array in
///   `fusemax-cascade`; the rest — FlashAttention-2's preprocessing D = rowsum(dO ∘ O) — to the 1D array.
///   `flat` and `unfused` have no backward here.
/// - **KV-stationary.** For each batch × head instance, for each pass over m, for each block of ``kvTiles`` (K1) KV
///   tiles, for each Q tile of P0 queries, for each resident KV tile: the block's K, V tiles and its dK, dV
///   accumulators stay in the global buffer while the Q tiles stream through it with their Q, dO, L and D rows and
///   their dQ accumulator. dQ sums over a block's KV tiles in the buffer and over the ``kvBlocks`` (M2) blocks in
///   DRAM: written M2 times and read back M2 − 1 times. dK and dV are written once. K1 is the largest divisor of
///   ⌈M/M0⌉ whose block fits the buffer beside one Q tile — FuseMax's P1 rule with keys and queries swapped.
/// - **Preprocessing.** Einsums over no key rank that need nothing of the key loop (D = rowsum(dO ∘ O)) run once
///   over the queries before it, reading their inputs once and writing their outputs once.
/// - **Passes.** A cascade with N passes over m (``PassAnalysis``) walks the key loop N times; each Einsum runs in
///   the pass ``Cascade/scheduledPasses(over:)`` gives it (the earliest allowed, or its first reader's when its
///   output still carries the keys), and each walk reads the KV-side and query-side tensors its Einsums use.
///   Score-shaped tensors one pass produces and a later one reads
///   (``PassFibers``: P and dP of `attention-backward-d-from-p`, S and SN of `attention-backward-recompute`) stay in
///   the buffer when all P rows' fibers of one instance fit beside a one-tile block, else go to DRAM and back — the
///   mechanism the engine charges FLAT's 3-pass forward with.
/// - **Overlap.** FuseMax's pipelining taken to its ideal: the arrays overlap fully across tile pairs, passes and
///   instances, and DRAM transfers overlap compute; time is the busier array's cycles (plus `fusemax-arch`'s
///   fill/drain stall per tile per pass) or the DRAM time, whichever is longer.
public struct SpatialBackwardMapping: Sendable, Equatable {
    /// How one tensor of the cascade moves in the KV-stationary loop nest.
    public struct TensorRole: Sendable, Equatable {
        public enum Side: String, Sendable {
            /// Over keys only (K, V, dK, dV): held in the buffer with its KV block.
            case keys
            /// Over queries only (Q, dO, L, D, dQ): streamed through each KV block a tile at a time.
            case queries
            /// Over keys and queries (S, P, dP, dS): tiles in the arrays; across passes, ``PassFibers``.
            case scores
            /// Over neither (a scalar).
            case other
        }

        public var name: String
        public var side: Side
        /// Words per key (keys), per query (queries), per (key, query) pair (scores) or per instance (other).
        public var words: Double
        /// The phase of its producer (0: the preprocessing, k: pass k over m); nil for an input of the cascade.
        public var producedIn: Int?
        /// Produced by a reduction over the keys, so summed over the KV blocks (dQ; D of the d-from-p cascade).
        public var accumulatedOverKeys: Bool
        /// The phases whose Einsums read it, ascending, each once.
        public var readIn: [Int]
    }

    /// The preset's name or "inline", and the cascade.
    public var cascadeName: String
    public var cascade: Cascade
    public var bindings: [SpatialMapping.Binding]
    /// Passes over m (``PassAnalysis``): how many times the key loop runs.
    public var passes: Int
    /// The phase of each bound Einsum (0: preprocessing, k: pass k), in binding order.
    public var phases: [Int]
    public var roles: [TensorRole]
    /// Score-shaped tensors carried from a pass to a later one.
    public var fibers: PassFibers
    /// Whether those fibers stay in the buffer (else they go through DRAM).
    public var fibersOnChip: Bool
    /// K1: KV tiles (of M0 keys) resident per block, and M2 = ⌈M/M0⌉ / K1 blocks.
    public var kvTiles: Int
    public var kvBlocks: Int
    /// Fill/drain stall cycles per M0 × P0 tile per pass (`fusemax-arch`: the array side).
    public var stallPerN: Double
    /// Bytes the dataflow keeps in the global buffer (the block, one Q tile, the fibers when held), and the buffer.
    public var bufferNeed: Double
    public var bufferBytes: Double

    /// One line: the cascade, its passes, the key partition, and where the fibers carried between passes go.
    public var summary: String {
        "\(cascadeName) (\(passes) pass\(passes == 1 ? "" : "es") over m); K1 = \(kvTiles), M2 = \(kvBlocks)"
            + (fibers.crossings.isEmpty ? "" : fibersOnChip ? ", fibers on chip" : ", fibers through DRAM")
    }

    /// The phase of the bound Einsum `name`, or nil.
    public func phase(of name: String) -> Int? {
        bindings.firstIndex { $0.einsum == name }.map { phases[$0] }
    }
}
