/// The table `attnsim bench` prints: per case the median, spread and target.
public enum BenchmarkReport {
    public static func table(_ results: [BenchmarkResult]) -> String {
        var table = TextTable(title: "attnsim bench (per run; median of samples, min…max)")
        table.add("case", "median", "min … max", "runs", "target")
        for result in results {
            let target = result.target.map { "≤ \(Quantity.format($0, .time)) \(result.meetsTarget == true ? "met" : "MISSED")" } ?? ""
            table.add(result.name, Quantity.format(result.median, .time),
                      "\(Quantity.format(result.min, .time)) … \(Quantity.format(result.max, .time))",
                      "\(result.runs)", target)
        }
        return table.rendered
    }
}
