/// What the report draws: which sections the data has, the axes that resize
/// a spatial design, and the time–energy Pareto front.
extension SweepReport {
    /// The GNA section draws when a result has a tile analysis.
    public var hasGNA: Bool { points.contains { $0.result?.hasTiles == true } }

    /// The spatial section draws when a result has an energy, or an axis resizes an array or a buffer.
    public var hasSpatial: Bool {
        points.contains { $0.result?.energy != nil } || axisUses.contains { $0.varies && SweepReport.isSpatialAxis($0.name) }
    }

    /// The roofline draws the points with both FLOPs, DRAM bytes and a time.
    public var hasRoofline: Bool { points.contains { $0.result?.arithmeticIntensity != nil && $0.result?.achievedRate != nil } }

    public var hasUtilization: Bool { points.contains { !($0.result?.utilization.isEmpty ?? true) } }

    /// Axes that resize a spatial design (`hardware.arrays[0].shape`, `hardware.memory[1].size`, ...).
    public var spatialAxes: [String] {
        namingAxes.filter(SweepReport.isSpatialAxis)
    }

    /// The points on the time–energy Pareto front (no other point is both faster and lower in energy), fastest first.
    public var paretoFront: [Point] {
        let candidates = points.filter { ($0.result?.time ?? 0) > 0 && ($0.result?.energy ?? 0) > 0 }
            .sorted { ($0.result!.time!, $0.result!.energy!, $0.index) < ($1.result!.time!, $1.result!.energy!, $1.index) }
        var front: [Point] = []
        var lowest = Double.infinity
        for point in candidates where point.result!.energy! < lowest {
            front.append(point)
            lowest = point.result!.energy!
        }
        return front
    }
}

/// The pruning section: a swept keep ratio.
extension SweepReport {
    /// The varying keep-ratio axis (`pruning.token_keep`, `.head_keep`, `.value_keep`) with a number at every point.
    public var keepAxis: String? {
        axisUses.first { use in
            guard use.varies, use.values.allSatisfy({ $0.doubleValue != nil }) else { return false }
            switch SweepAxisPath(use.name).field {
            case .tokenKeep, .headKeep, .valueKeep: return true
            default: return false
            }
        }?.name
    }

    /// The pruning section draws when a keep ratio is swept and the points have a time.
    public var hasPruning: Bool { keepAxis != nil && points.contains { $0.result?.time != nil } }
}
