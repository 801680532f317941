extension TransformerLayer {
    /// Seconds on the hardware's MAC lanes (2D arrays of a spatial device; the whole device's peak otherwise).
    /// - Parameter pass: forward (default), backward (dX and dW: twice the forward's MACs) or training (three times).
    public func linearTime(batch: Int, tokens: Int, hardware: HardwareSpec, dtype: DType,
                           pass: TrainingPass = .forward) -> Double? {
        let macs = linearMACs(batch: batch, tokens: tokens) * Self.linearProducts(pass)
        switch hardware.kind {
        case .spatial:
            let lanes = hardware.arrays.filter { $0.shape.count == 2 && $0.ops.contains(.mac) }.reduce(0) { $0 + $1.lanes }
            return lanes > 0 ? macs / (Double(lanes) * hardware.clock) : nil
        case .gpu, .cpu:
            return hardware.peakFLOPs(dtype).map { 2 * macs / $0 }
        }
    }
}
