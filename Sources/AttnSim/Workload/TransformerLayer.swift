/// The linear layers of a transformer layer — Q, K, V and output projections (4·D² MACs per token) and the FFN
/// (2·D·S) — on a spatial array's MAC array at full rate: MACs / (MAC lanes × clock). This is how the FuseMax
/// artifact's end-to-end figures charge them (its linear-layer latencies equal this, e.g. BERT-Base at 1K:
/// 64·1024·(4·768² + 2·768·3072) MACs / (65,536 × 940 MHz) = 7.53 ms).
public struct TransformerLayer: Sendable, Equatable {
    public var dModel: Int
    public var dFFN: Int
    /// The optimizer of a training step (`model.optimizer`, default `adam`): what its update streams
    /// (`Optimizer.bytesPerParameter`); only a `pass: training` workload runs it.
    public var optimizer: Optimizer = .adam

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

/// What a training step adds around attention: the linear layers' backward and the optimizer's update.
///
/// - A linear layer Y = X·W runs two products of the forward's size in its backward, dX = dY·Wᵀ and dW = Xᵀ·dY, so a
///   training step does three times the forward's MACs (the 6 × parameters × tokens FLOPs of references.md
///   [Megatron-LM] §5.1: 2 forward, 4 backward).
/// - The optimizer streams every parameter's state once per step. With mixed-precision Adam each parameter keeps
///   16 bytes of model state (references.md [ZeRO] §3: 2-byte weights and gradients, 12 bytes of fp32 master weight,
///   momentum and variance): the update reads the fp32 states and the 2-byte gradient (14 bytes) and writes the fp32
///   states and the 2-byte weight (14 bytes), 28 bytes per parameter. SGD with momentum keeps 4 + 4 bytes of fp32
///   state: reads 10 bytes, writes 10, 20 per parameter. The update is element-wise, so its time is its bytes at the
///   off-chip bandwidth.
public enum Optimizer: String, Sendable, CaseIterable {
    case adam, sgd, none

    /// DRAM bytes one step moves per parameter.
    public var bytesPerParameter: Double {
        switch self {
        case .adam: 28
        case .sgd: 20
        case .none: 0
        }
    }
}
