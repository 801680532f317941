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

    /// - Parameter pass: the forward (default), the backward or both (`PassFLOPs`): the backward's FLOPs are its five
    ///   products, 2(3E + 2F) per pair, and its compulsory bytes read Q, K, V, O and dO and write dQ, dK and dV.
    public init(_ problem: Problem, mask: any Mask, pass: TrainingPass = .forward) {
        let perPair = PassFLOPs.perPair(pass, headDim: problem.headDim, valueDim: problem.valueDim)
        let instances = Double(problem.instances)
        denseFLOPs = instances * Double(problem.queryTokens) * Double(problem.keyTokens) * perPair
        effectiveFLOPs = mask.attendedPairs.map { instances * $0 * perPair }
        let forwardBytes = problem.queryOutputBytes + problem.keyValueBytes
        // Backward: Q, O, dO read and dQ written (Q, O are queryOutputBytes; dO and dQ as much again), K and V read and
        // dK and dV written.
        let backwardBytes = 2 * problem.queryOutputBytes + 2 * problem.keyValueBytes
        denseBytes = (pass.runsForward ? forwardBytes : 0) + (pass.runsBackward ? backwardBytes : 0)
    }

    /// Dense FLOPs over effective FLOPs: the FLOP-wise speedup bound.
    public var flopSpeedup: Double? { effectiveFLOPs.map { denseFLOPs / $0 } }
}
