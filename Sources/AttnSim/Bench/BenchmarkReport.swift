/// The table `attnsim bench` prints: per case the median, spread and target, and for kernels their throughput
/// (and its share of a measured peak, when given).
public enum BenchmarkReport {
    public static func table(_ results: [BenchmarkResult], peak: Double? = nil) -> String {
        var table = TextTable(title: "attnsim bench (per run; median of samples, min…max)")
        let kernels = results.contains { $0.flops != nil }
        table.add(["case", "median", "min … max", "runs", "target"] + (kernels ? ["throughput"] : []))
        for result in results {
            let target = result.target.map { "≤ \(Quantity.format($0, .time)) \(result.meetsTarget == true ? "met" : "MISSED")" } ?? ""
            var row = [result.name, Quantity.format(result.median, .time),
                       "\(Quantity.format(result.min, .time)) … \(Quantity.format(result.max, .time))",
                       "\(result.runs)", target]
            if kernels {
                row.append(result.throughput.map { rate in
                    Quantity.format(rate, .flopRate) + (peak.map { String(format: " (%.0f %% of peak)", rate / $0 * 100) } ?? "")
                } ?? "")
            }
            table.add(row)
        }
        var text = table.rendered
        if let peak, kernels {
            text += "peak: \(Quantity.format(peak, .flopRate)) fp32 FMA, measured now on every core (HostCalibration)\n"
        }
        return text
    }
}
