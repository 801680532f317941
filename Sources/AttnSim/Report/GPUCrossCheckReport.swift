import Foundation

/// The table `attnsim crosscheck-gpu` prints: per measured config the predicted and measured times and speedups,
/// the wave-aware bound, FlexAttention's block counts against attnsim's, and the held-out error summary.
public struct GPUCrossCheckReport: Sendable {
    public var device: String
    public var backend: String
    public var rows: [GPUCrossCheck.Row]
    /// The profiles fitted on the training configs, by backend.
    public var fitted: [String: KernelProfile]
    public var skipped: [String]

    public init(device: String, backend: String, rows: [GPUCrossCheck.Row], fitted: [String: KernelProfile] = [:],
                skipped: [String] = []) {
        self.device = device
        self.backend = backend
        self.rows = rows
        self.fitted = fitted
        self.skipped = skipped
    }

    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    public var heldOut: [GPUCrossCheck.Row] { rows.filter { !$0.training } }

    /// The `q`-quantile (0…1) of `values` by the nearest rank.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// Held-out error summary of one family (`sdpa`, `flex`, `window`, `gna`, …) and mask-parameter style.
    public struct FamilySummary: Sendable, Equatable {
        public var family: String
        public var count: Int
        public var medianTimeError: Double
        public var p90TimeError: Double
        public var worstTimeError: Double
        public var medianSpeedupError: Double
        public var p90SpeedupError: Double
        public var worstSpeedupError: Double
    }

    /// One summary per family (split by `mask_params` where a family has both), over its held-out configs.
    public var families: [FamilySummary] {
        let groups = Dictionary(grouping: heldOut) { row in
            row.family + (row.measurement.maskParams.map { " (\($0))" } ?? "")
        }
        return groups.keys.sorted().map { key in
            let rows = groups[key]!
            let time = rows.map { abs($0.timeError) }, speedup = rows.map { abs($0.speedupError) }
            return FamilySummary(family: key, count: rows.count, medianTimeError: Self.median(time)!,
                                 p90TimeError: Self.quantile(time, 0.9)!, worstTimeError: time.max()!,
                                 medianSpeedupError: Self.median(speedup)!, p90SpeedupError: Self.quantile(speedup, 0.9)!,
                                 worstSpeedupError: speedup.max()!)
        }
    }
    public var medianSpeedupError: Double? { Self.median(heldOut.map { abs($0.speedupError) }) }
    public var medianTimeError: Double? { Self.median(heldOut.map { abs($0.timeError) }) }
    /// Configs whose measured speedup beats the wave-aware bound (there must be none).
    public var boundViolations: [GPUCrossCheck.Row] {
        rows.filter { row in row.waveBound.map { $0 < row.measurement.measuredSpeedup } ?? false }
    }
    /// Configs where FlexAttention's block counts differ from attnsim's tile counts.
    public var blockMismatches: [GPUCrossCheck.Row] {
        rows.filter { row in
            guard let partial = row.measurement.partialBlocks, let full = row.measurement.fullBlocks else { return false }
            return partial != row.predictedPartial || full != row.predictedFull
        }
    }

    public var table: String {
        let ms = { (x: Double) in String(format: "%.3f", x * 1e3) }
        let pct = { (x: Double) in String(format: "%+.1f %%", x * 100) }
        var table = TextTable(title: "attnsim crosscheck-gpu: \(backend) on \(device) — predicted vs measured (ms)")
        table.add("config", "set", "dense meas/pred", "masked meas/pred", "speedup meas/pred", "error", "wave bound", "blocks F/P")
        for row in rows {
            let m = row.measurement
            let blocks = m.fullBlocks.map { "\($0)/\(m.partialBlocks ?? 0) vs \(row.predictedFull)/\(row.predictedPartial)" } ?? "—"
            table.add(m.id, row.training ? "fit" : "held-out",
                      "\(ms(m.denseTime)) / \(ms(row.predictedDense))",
                      "\(ms(m.sparseTime)) / \(ms(row.predictedSparse))",
                      String(format: "%.2f× / %.2f×", m.measuredSpeedup, row.predictedSpeedup),
                      pct(row.speedupError),
                      row.waveBound.map { String(format: "%.2f×", $0) } ?? "—", blocks)
        }
        var summary = TextTable()
        summary.add("held-out configs", "\(heldOut.count) of \(rows.count)")
        summary.add("median |speedup error|, held-out", medianSpeedupError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("median |time error|, held-out", medianTimeError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("wave-aware bound below a measured speedup", "\(boundViolations.count) config(s)"
            + (boundViolations.isEmpty ? "" : ": " + boundViolations.map(\.measurement.id).joined(separator: ", ")))
        summary.add("block counts differing from FlexAttention's", "\(blockMismatches.count) config(s)")
        for (name, profile) in fitted.sorted(by: { $0.key < $1.key }) {
            summary.add("fitted \(name)", Self.describe(profile))
        }
        if !skipped.isEmpty {
            summary.add("not modelled (layout)", skipped.joined(separator: ", "))
        }
        var families = TextTable(title: "held-out error by family: |time error| and |speedup error|, median / 90th percentile / worst")
        families.add("family", "configs", "time median", "time p90", "time worst", "speedup median", "speedup p90", "speedup worst")
        let share = { (x: Double) in String(format: "%.1f %%", x * 100) }
        for f in self.families {
            families.add(f.family, "\(f.count)", share(f.medianTimeError), share(f.p90TimeError), share(f.worstTimeError),
                         share(f.medianSpeedupError), share(f.p90SpeedupError), share(f.worstSpeedupError))
        }
        return table.rendered + summary.rendered + (self.families.count > 1 ? families.rendered : "")
    }

    /// The fitted numbers of a profile, as `attnsim crosscheck-gpu --fit` prints them.
    static func describe(_ profile: KernelProfile) -> String {
        var parts: [String] = []
        if profile.efficiencyByHeadDim.isEmpty {
            parts.append(String(format: "efficiency %.3f", profile.efficiency ?? 0))
        } else {
            parts.append("efficiency by head_dim " + profile.efficiencyByHeadDim.sorted { $0.key < $1.key }
                .map { String(format: "%d: %.3f", $0.key, $0.value) }.joined(separator: ", "))
        }
        if let cost = profile.maskCost {
            parts.append(String(format: "mask_cost cycles/element: base %.3f, simple %.3f, division %.3f, division_tensor %.3f, load %.3f",
                                cost.base, cost.simple, cost.division, cost.divisionTensor, cost.load))
        } else if let masked = profile.maskedTileCost {
            parts.append(String(format: "masked_tile_cost %.3f + %.3f per extra axis", masked, profile.maskedTileCostPerAxis ?? 0))
        }
        parts.append(String(format: "per_cta %.2f us", (profile.perCTA ?? 0) * 1e6))
        if let host = profile.hostOverhead { parts.append(String(format: "host_overhead %.1f us", host * 1e6)) }
        return parts.joined(separator: "; ")
    }

    public var record: GPUCrossCheckRecord {
        GPUCrossCheckRecord(device: device, backend: backend, medianAbsSpeedupErrorHeldOut: medianSpeedupError,
                            medianAbsTimeErrorHeldOut: medianTimeError, waveBoundViolations: boundViolations.count,
                            configs: rows.map { row in
                                CrossCheckRecord(workload: row.measurement.id, measuredTimeS: row.measurement.sparseTime,
                                                 predictedTimeS: row.predictedSparse, measuredSpeedup: row.measurement.measuredSpeedup,
                                                 predictedSpeedup: row.predictedSpeedup, boundSpeedup: row.waveBound,
                                                 measuredDenseTimeS: row.measurement.denseTime, predictedDenseTimeS: row.predictedDense,
                                                 speedupError: row.speedupError, timeError: row.timeError,
                                                 set: row.training ? "fit" : "held-out", model: ModelName.gpuEvent.rawValue)
                            })
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per config, the columns of `attnsim crosscheck --format csv`.
    public var csv: String { CrossCheckRecord.csv(record.configs) }
}
