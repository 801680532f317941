/// The linear layers of a transformer layer — Q, K, V and output projections (4·D² MACs per token) and the FFN
/// (2·D·S) — on a spatial array's MAC array at full rate: MACs / (MAC lanes × clock). This is how the FuseMax
/// artifact's end-to-end figures charge them (its linear-layer latencies equal this, e.g. BERT-Base at 1K:
/// 64·1024·(4·768² + 2·768·3072) MACs / (65,536 × 940 MHz) = 7.53 ms).
public struct TransformerLayer: Sendable, Equatable {
    public var dModel: Int
    public var dFFN: Int

    public init(dModel: Int, dFFN: Int) {
        self.dModel = dModel
        self.dFFN = dFFN
    }

    /// MACs of the linear layers for `batch` × `tokens` tokens.
    public func linearMACs(batch: Int, tokens: Int) -> Double {
        let d = Double(dModel), s = Double(dFFN)
        return Double(batch) * Double(tokens) * (4 * d * d + 2 * d * s)
    }
}
