import Foundation

/// Figures derived from a hardware description: peaks, per-unit peaks, ridge points.
extension HardwareSpec {
    /// Peak FLOP/s of the whole device for `dtype`.
    ///
    /// GPUs use the matrix (tensor-core) peak and fall back to the vector peak; CPUs use the vector peak and
    /// fall back to the matrix one; spatial arrays count 2 FLOP per MAC-capable PE per cycle.
    public func peakFLOPs(_ dtype: DType) -> Double? {
        switch kind {
        case .gpu: return matrix[dtype] ?? vector[dtype]
        case .cpu: return vector[dtype] ?? matrix[dtype]
        case .spatial:
            let macLanes = arrays.filter { $0.ops.contains(.mac) }.reduce(0) { $0 + $1.lanes }
            return macLanes == 0 ? nil : Double(macLanes) * 2 * clock
        }
    }

    /// Peak FLOP/s of one compute unit (one SM, one core) or of one PE for spatial arrays.
    public func peakFLOPsPerUnit(_ dtype: DType) -> Double? {
        guard let peak = peakFLOPs(dtype) else { return nil }
        switch kind {
        case .gpu, .cpu: return units.map { peak / Double($0.count) }
        case .spatial: return 2 * clock
        }
    }

    /// Peak FLOP per cycle of one unit: `peakFLOPsPerUnit / clock` (e.g. 4096 for an H100 SM in BF16).
    public func flopsPerCyclePerUnit(_ dtype: DType) -> Double? {
        peakFLOPsPerUnit(dtype).map { $0 / clock }
    }

    /// FLOP per byte of off-chip traffic at which compute and memory time are equal.
    public func ridgePoint(_ dtype: DType) -> Double? {
        guard let peak = peakFLOPs(dtype), let bandwidth = offChip.bandwidth else { return nil }
        return peak / bandwidth
    }

    /// Index in `memory` of the first on-chip level shared by the whole device (a GPU's L2, an accelerator's
    /// global buffer): the first sized level inside DRAM that is not one-per-unit.
    public var sharedBufferIndex: Int? {
        memory.indices.dropFirst().first { !memory[$0].perUnit && memory[$0].size != nil }
    }

    /// Capacity of that level, bytes (0 when the file lists none).
    public var sharedBufferBytes: Double {
        sharedBufferIndex.flatMap { memory[$0].size } ?? 0
    }

    /// The element types this device has a peak for, in a fixed order.
    public var supportedDTypes: [DType] {
        DType.allCases.filter { peakFLOPs($0) != nil }
    }

    /// Fraction of the peak rates a kernel of `duration` seconds runs at: 1 up to a twentieth of `sustainedAfter`,
    /// `sustainedClock / clock` from `sustainedAfter` on, log-linear in between (power-limited clocks settle
    /// within milliseconds of sustained tensor-core load).
    public func clockFactor(forDuration duration: Double) -> Double {
        guard let sustained = sustainedClock, let after = sustainedAfter else { return 1 }
        let floor = sustained / clock
        let start = after / 20
        if duration <= start { return 1 }
        if duration >= after { return floor }
        let t = log(duration / start) / log(after / start)
        return 1 + (floor - 1) * t
    }
}
