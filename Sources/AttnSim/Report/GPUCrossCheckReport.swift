import Foundation

/// The table `attnsim crosscheck-gpu` prints: per measured config the predicted and measured times and speedups,
/// the wave-aware bound, FlexAttention's block counts against attnsim's, and the held-out error summary.
public struct GPUCrossCheckReport: Sendable {
    public var device: String
    public var backend: String
    public var rows: [GPUCrossCheck.Row]
    public var fitted: KernelProfile?
    public var skipped: [String]

    public init(device: String, backend: String, rows: [GPUCrossCheck.Row], fitted: KernelProfile? = nil,
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
        table.add("config", "set", "dense meas/pred", "GNA meas/pred", "speedup meas/pred", "error", "wave bound", "blocks F/P")
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
        if let fitted {
            summary.add("fitted \(backend)", String(format: "efficiency %.3f, masked_tile_cost %.3f + %.3f per extra axis, per_cta %.2f us",
                                                   fitted.efficiency ?? 0, fitted.maskedTileCost ?? 0,
                                                   fitted.maskedTileCostPerAxis ?? 0, (fitted.perCTA ?? 0) * 1e6))
        }
        if !skipped.isEmpty {
            summary.add("not modelled (layout)", skipped.joined(separator: ", "))
        }
        return table.rendered + summary.rendered
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
