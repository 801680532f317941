import Foundation

extension EstimatorCrossCheck {
    /// The table `attnsim crosscheck-gpu` prints for an estimator file.
    public var table: String {
        var lines = ["attnsim crosscheck-gpu: per-call estimators on \(device) — predicted vs measured (ms, eager; none fitted)"]
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        lines.append("  " + pad("config", 32) + "  measured  predicted    error  bound by")
        for row in rows {
            lines.append("  " + pad(row.id, 32) + String(format: " %9.2f %10.2f %+7.1f %%  ", row.measured * 1e3,
                                                          row.predicted * 1e3, row.error * 100)
                         + (row.hostBound ? "host" : "GPU") + String(format: " (host %.2f, GPU %.2f)", row.host * 1e3, row.gpu * 1e3))
        }
        let median = { (values: [Double]) in GPUCrossCheckReport.median(values) ?? .nan }
        for (label, subset) in [("host-bound", rows.filter(\.hostBound)), ("GPU-bound", rows.filter { !$0.hostBound }),
                                ("all", rows)] where !subset.isEmpty {
            lines.append(String(format: "  median |error| %@: %.1f %% over %d (signed median %+.1f %%)", label as NSString,
                                median(subset.map { abs($0.error) }) * 100, subset.count,
                                median(subset.map(\.error)) * 100))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
