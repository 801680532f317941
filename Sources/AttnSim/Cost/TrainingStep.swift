/// The training step around attention: the linear layers' weights and the optimizer's update time (`Optimizer`, in
/// `Workload/TransformerLayer.swift`, says what the update streams).
extension TransformerLayer {
    /// Weights of the linear layers (biases and norms left out): 4·D² + 2·D·S.
    public var parameters: Double {
        let d = Double(dModel), s = Double(dFFN)
        return 4 * d * d + 2 * d * s
    }

    /// How many forward-sized products the linear layers run in `pass`: 1 forward, 2 backward, 3 both.
    public static func linearProducts(_ pass: TrainingPass) -> Double {
        (pass.runsForward ? 1 : 0) + (pass.runsBackward ? 2 : 0)
    }

    /// Seconds of one optimizer step over this layer's parameters: their state's bytes at the off-chip bandwidth; nil
    /// where the hardware gives no bandwidth.
    public func optimizerTime(_ optimizer: Optimizer, hardware: HardwareSpec) -> Double? {
        guard optimizer != .none else { return 0 }
        guard let bandwidth = hardware.offChip.bandwidth, bandwidth > 0 else { return nil }
        return parameters * optimizer.bytesPerParameter / bandwidth
    }
}
