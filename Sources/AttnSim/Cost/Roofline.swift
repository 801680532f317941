/// The roofline estimate: a kernel takes at least its FLOPs over peak compute and its bytes over peak bandwidth,
/// and at best the larger of the two (Williams, Waterman, Patterson, "Roofline", CACM 2009).
///
/// This is a *lower bound on time*: no launch, no waves, no masked-tile cost. The event simulators refine it.
public struct Roofline: Sendable, Equatable {
    public enum Bottleneck: String, Sendable { case compute, memory }

    public var computeTime: Double
    public var memoryTime: Double

    public init(flops: Double, bytes: Double, peakFLOPs: Double, bandwidth: Double) {
        computeTime = flops / peakFLOPs
        memoryTime = bytes / bandwidth
    }

    public var time: Double { max(computeTime, memoryTime) }
    public var bottleneck: Bottleneck { computeTime >= memoryTime ? .compute : .memory }
    /// Fraction of peak compute in use over `time`.
    public var computeUtilization: Double { time > 0 ? computeTime / time : 0 }
}

/// The roofs of a roofline chart (Williams, Waterman, Patterson, "Roofline", CACM 2009): a flat roof per compute
/// unit at its peak rate, and a slanted roof per memory level at its bandwidth (time ≥ bytes ÷ bandwidth at every
/// level, so achieved FLOP/s ≤ intensity × bandwidth).
public struct HardwareRoofs: Sendable, Equatable {
    public struct Compute: Sendable, Equatable {
        public var name: String
        public var flopsPerSecond: Double
    }

    public struct Memory: Sendable, Equatable {
        public var name: String
        /// The level's bandwidth over the whole device (a per-unit level's times the units).
        public var bytesPerSecond: Double
    }

    public var compute: [Compute]
    public var memory: [Memory]
}

extension HardwareSpec {
    /// The device's roofs for `dtype`: its matrix and vector peaks (GPU, CPU) or each array's (spatial: 2 FLOP
    /// per PE per cycle for MAC arrays, 1 op otherwise), and every memory level with a bandwidth.
    public func roofs(_ dtype: DType) -> HardwareRoofs {
        var compute: [HardwareRoofs.Compute] = []
        switch kind {
        case .gpu, .cpu:
            let unit = units?.name ?? "unit"
            if let peak = matrix[dtype] { compute.append(.init(name: "\(unit) matrix", flopsPerSecond: peak)) }
            if let peak = vector[dtype] { compute.append(.init(name: "\(unit) vector", flopsPerSecond: peak)) }
        case .spatial:
            for array in arrays {
                let perLane = array.ops.contains(.mac) ? 2.0 : 1.0
                compute.append(.init(name: array.name, flopsPerSecond: Double(array.lanes) * perLane * clock))
            }
        }
        let memory = self.memory.compactMap { level -> HardwareRoofs.Memory? in
            guard let bandwidth = level.bandwidth, bandwidth > 0 else { return nil }
            let copies = level.perUnit ? Double(units?.count ?? 1) : 1
            return .init(name: level.name, bytesPerSecond: bandwidth * copies)
        }
        return HardwareRoofs(compute: compute.filter { $0.flopsPerSecond > 0 }, memory: memory)
    }
}
