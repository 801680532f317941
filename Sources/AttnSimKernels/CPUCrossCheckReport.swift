import AttnSim
import Foundation

/// What `attnsim crosscheck` prints: per workload the measured and predicted times and speedups, the bound, and
/// the errors; the summary gives the medians over all workloads and over the ones a fit did not train on. Where a
/// workload times a backward or training pass, the table adds the pass and the sparse run's backward alone.
public struct CPUCrossCheckReport: Sendable {
    public var hardware: String
    public var threads: Int
    public var rows: [CPUCrossCheck.Row]
    /// The profile fitted on the training workloads, when `--fit` ran.
    public var fitted: KernelProfile?

    public init(hardware: String, threads: Int, rows: [CPUCrossCheck.Row], fitted: KernelProfile? = nil) {
        self.hardware = hardware
        self.threads = threads
        self.rows = rows
        self.fitted = fitted
    }

    /// The rows to judge the model by: held-out ones when a fit trained on the others, else all.
    public var judged: [CPUCrossCheck.Row] { fitted == nil ? rows : rows.filter { !$0.training } }
    public var medianSpeedupError: Double? { GPUCrossCheckReport.median(judged.map { abs($0.speedupError) }) }
    public var medianTimeError: Double? { GPUCrossCheckReport.median(judged.map { abs($0.timeError) }) }
    /// Workloads whose measured speedup beats the bound (there must be none).
    public var boundViolations: [CPUCrossCheck.Row] {
        rows.filter { row in row.bound.map { $0 < row.measuredSpeedup } ?? false }
    }

    /// Whether any workload timed a backward or training pass (the table then says which pass each row is).
    public var hasBackward: Bool { rows.contains { $0.pass.runsBackward } }

    public var table: String {
        let ms = { (x: Double) in String(format: "%.2f", x * 1e3) }
        let pct = { (x: Double) in String(format: "%+.1f %%", x * 100) }
        var table = TextTable(title: "attnsim crosscheck: \(hardware), \(threads) threads — measured vs predicted (ms)")
        let passes = hasBackward
        var header = ["workload", "set"] + (passes ? ["pass"] : []) + ["dense meas/pred", "sparse meas/pred"]
        header += (passes ? ["backward meas/pred"] : []) + ["time error", "speedup meas/pred", "speedup error", "bound"]
        table.add(header)
        for row in rows {
            var backward = "—"
            if let measured = row.measuredBackward, let predicted = row.predictedBackward {
                backward = "\(ms(measured)) / \(ms(predicted))"
            }
            var cells: [String] = [row.workload, fitted == nil ? "—" : (row.training ? "fit" : "held-out")]
            if passes { cells.append(row.pass.rawValue) }
            cells.append("\(ms(row.measuredDense)) / \(ms(row.predictedDense))")
            cells.append("\(ms(row.measuredSparse)) / \(ms(row.predictedSparse))")
            if passes { cells.append(backward) }
            cells.append(pct(row.timeError))
            cells.append(String(format: "%.2f× / %.2f×", row.measuredSpeedup, row.predictedSpeedup))
            cells.append(pct(row.speedupError))
            cells.append(row.bound.map { String(format: "%.2f×", $0) } ?? "—")
            table.add(cells)
        }
        var summary = TextTable()
        summary.add("judged workloads", fitted == nil ? "all \(rows.count)" : "\(judged.count) held out of \(rows.count)")
        summary.add("median |speedup error|", medianSpeedupError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("median |time error|", medianTimeError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("bound below a measured speedup", "\(boundViolations.count) workload(s)"
            + (boundViolations.isEmpty ? "" : ": " + boundViolations.map(\.workload).joined(separator: ", ")))
        // A fit sets the forward profile on forward workloads and the backward's efficiency on the others.
        if let backward = fitted?.backward, passes {
            summary.add("fitted backward", String(format: "efficiency %.3f", backward.efficiency ?? 0))
        }
        if let fitted, rows.contains(where: { $0.pass == .forward }) {
            summary.add("fitted profile", String(format: "efficiency %.3f, masked_tile_cost %.3f + %.3f per extra axis, per_cta %.2f us",
                                                 fitted.efficiency ?? 0, fitted.maskedTileCost ?? 0,
                                                 fitted.maskedTileCostPerAxis ?? 0, (fitted.perCTA ?? 0) * 1e6))
        }
        return table.rendered + summary.rendered
    }

    /// One row per workload, the keys of every cross-check (README.md, `attnsim crosscheck ... --format json`).
    public var records: [CrossCheckRecord] {
        rows.map { row in
            CrossCheckRecord(workload: row.workload, measuredTimeS: row.measuredSparse, predictedTimeS: row.predictedSparse,
                             measuredSpeedup: row.measuredSpeedup, predictedSpeedup: row.predictedSpeedup, boundSpeedup: row.bound,
                             measuredDenseTimeS: row.measuredDense, predictedDenseTimeS: row.predictedDense,
                             speedupError: row.speedupError, timeError: row.timeError,
                             set: fitted == nil ? "all" : (row.training ? "fit" : "held-out"), model: row.model,
                             pass: row.pass.rawValue,
                             measuredBackwardTimeS: row.measuredBackward, predictedBackwardTimeS: row.predictedBackward)
        }
    }

    /// The contract's list: one object per workload.
    public var json: JSONValue { .array(records.map { JSONValue(encoding: $0) }) }

    public var csv: String { CrossCheckRecord.csv(records) }
}
