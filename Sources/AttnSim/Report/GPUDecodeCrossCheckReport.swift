import Foundation

/// The table `attnsim crosscheck-gpu HW decode.json` prints: per measured decode call over compacted K/V, the
/// predicted and measured times and speedups over the dense call, the roofline bound, and the held-out errors.
public struct GPUDecodeCrossCheckReport: Sendable {
    public var device: String
    public var rows: [GPUDecodeCrossCheck.Row]

    public init(device: String, rows: [GPUDecodeCrossCheck.Row]) {
        self.device = device
        self.rows = rows
    }

    public var heldOut: [GPUDecodeCrossCheck.Row] { rows.filter { !$0.training } }
    public var medianTimeError: Double? { GPUCrossCheckReport.median(heldOut.map { abs($0.timeError) }) }
    public var medianSpeedupError: Double? { GPUCrossCheckReport.median(heldOut.compactMap { $0.speedupError.map(abs) }) }
    /// Calls whose measured speedup beats the bound (there must be none).
    public var boundViolations: [GPUDecodeCrossCheck.Row] {
        rows.filter { row in row.measuredSpeedup.map { $0 > row.bound } ?? false }
    }

    public var table: String {
        let us = { (x: Double) in String(format: "%.1f", x * 1e6) }
        let pct = { (x: Double) in String(format: "%+.1f %%", x * 100) }
        var table = TextTable(title: "attnsim crosscheck-gpu: decode over compacted K/V on \(device) — predicted vs measured (us)")
        table.add("config", "set", "kept", "time meas/pred", "error", "speedup meas/pred", "bound")
        for row in rows {
            let m = row.measurement
            table.add(m.id, row.training ? "fit" : "held-out", "\(m.kept) of \(m.context)",
                      "\(us(m.time)) / \(us(row.predicted))", pct(row.timeError),
                      row.measuredSpeedup.map { String(format: "%.2f× / %.2f×", $0, row.predictedSpeedup) } ?? "—",
                      String(format: "%.2f×", row.bound))
        }
        var summary = TextTable()
        summary.add("held-out calls", "\(heldOut.count) of \(rows.count)")
        summary.add("median |time error|, held-out", medianTimeError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("median |speedup error|, held-out", medianSpeedupError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("bound below a measured speedup", "\(boundViolations.count) call(s)"
            + (boundViolations.isEmpty ? "" : ": " + boundViolations.map(\.measurement.id).joined(separator: ", ")))
        return table.rendered + summary.rendered
    }

    public var record: GPUDecodeCrossCheckRecord {
        GPUDecodeCrossCheckRecord(device: device, medianAbsTimeErrorHeldOut: medianTimeError,
                                  medianAbsSpeedupErrorHeldOut: medianSpeedupError, boundViolations: boundViolations.count,
                                  configs: rows.map { row in
                                      CrossCheckRecord(workload: row.measurement.id, measuredTimeS: row.measurement.time,
                                                       predictedTimeS: row.predicted, measuredSpeedup: row.measuredSpeedup,
                                                       predictedSpeedup: row.predictedSpeedup, boundSpeedup: row.bound,
                                                       measuredDenseTimeS: row.measuredDense, predictedDenseTimeS: row.predictedDense,
                                                       speedupError: row.speedupError, timeError: row.timeError,
                                                       set: row.training ? "fit" : "held-out", model: ModelName.gpuDecode.rawValue,
                                                       kept: row.measurement.kept)
                                  })
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per call, the columns of `attnsim crosscheck --format csv`.
    public var csv: String { CrossCheckRecord.csv(record.configs) }
}
