/// FLOPs and minimum off-chip bytes of one attention call, dense and with its mask.
///
/// FLOPs count the two tensor products only (QKᵀ and AV): 2·E + 2·F FLOP per attended (query, key) pair, the
/// convention NATTEN and FlashAttention use for "attention FLOPs"; softmax work is reported by the cascade's op
/// counts instead. Bytes are the compulsory traffic of a fused (1-pass) kernel: Q, K and V read once and the
/// output written once (FuseMax's traffic with P2 = 1, references.md [FuseMax-artifact]); K and V once per K/V
/// head, so grouped-query attention (`problem.kv_heads`) reads them once per group.
public struct AttentionCost: Sendable, Equatable {
    public var denseFLOPs: Double
    /// FLOPs of the masked problem; nil when the mask does not fix its attended pairs.
    public var effectiveFLOPs: Double?
    public var denseBytes: Double

    public init(_ problem: Problem, mask: any Mask) {
        let perPair = 2 * Double(problem.headDim + problem.valueDim)
        let instances = Double(problem.instances)
        denseFLOPs = instances * Double(problem.queryTokens) * Double(problem.keyTokens) * perPair
        effectiveFLOPs = mask.attendedPairs.map { instances * $0 * perPair }
        denseBytes = problem.queryOutputBytes + problem.keyValueBytes
    }

    /// Dense FLOPs over effective FLOPs: the FLOP-wise speedup bound.
    public var flopSpeedup: Double? { effectiveFLOPs.map { denseFLOPs / $0 } }
}
