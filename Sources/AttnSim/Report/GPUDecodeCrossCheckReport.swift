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

    public var json: JSONValue {
        .object([
            ("device", .string(device)),
            ("median_abs_time_error_held_out", .number(medianTimeError)),
            ("median_abs_speedup_error_held_out", .number(medianSpeedupError)),
            ("bound_violations", .number(Double(boundViolations.count))),
            ("configs", .array(rows.map { row in
                .object([
                    ("id", .string(row.measurement.id)), ("set", .string(row.training ? "fit" : "held-out")),
                    ("kept", .number(Double(row.measurement.kept))),
                    ("measured_time_s", .number(row.measurement.time)), ("predicted_time_s", .number(row.predicted)),
                    ("measured_speedup", .number(row.measuredSpeedup)), ("predicted_speedup", .number(row.predictedSpeedup)),
                    ("bound_speedup", .number(row.bound)),
                ])
            })),
        ])
    }
}
