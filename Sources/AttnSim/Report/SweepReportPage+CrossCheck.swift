import Foundation

/// The cross-check section (`crosscheck.json`): predicted against measured speedup around y = x, the roofline (upper
/// bound) speedups apart, and histograms of the speedup and time errors.
extension SweepReportPage {
    func crossCheckSection(_ rows: [SweepReport.CrossCheckRow]) -> HTML {
        var data: [VL] = []
        for row in rows {
            var pairs: [(String, VL)] = [("workload", .string(row.workload)), ("set", .string(row.set ?? "all"))]
            for (key, value) in [("measured_speedup", row.measuredSpeedup), ("predicted_speedup", row.predictedSpeedup),
                                 ("bound_speedup", row.rooflineSpeedup), ("speedup_error", row.speedupError),
                                 ("time_error", row.timeError), ("measured_time_s", row.measuredTime), ("predicted_time_s", row.predictedTime)] {
                if let value, value.isFinite { pairs.append((key, .number(value))) }
            }
            data.append(.object(pairs))
        }
        charts.datasets.append(("crosscheck", .list(data)))
        var html = HTML()
        let speeds = rows.flatMap { [$0.measuredSpeedup, $0.predictedSpeedup, $0.rooflineSpeedup].compactMap { $0 } }.filter { $0 > 0 && $0.isFinite }
        if let lo = speeds.min(), let hi = speeds.max() {
            let x: VL = ["field": "measured_speedup", "type": "quantitative", "title": "measured speedup (×)", "scale": ["type": "log"]]
            let spec: VL = [
                "width": 420, "height": 320,
                "layer": [
                    ["data": ["values": [["m": .number(lo * 0.9), "p": .number(lo * 0.9)], ["m": .number(hi * 1.1), "p": .number(hi * 1.1)]]],
                     "mark": ["type": "line", "color": "#333", "strokeDash": [6, 4]],
                     "encoding": ["x": ["field": "m", "type": "quantitative", "scale": ["type": "log"], "title": "measured speedup (×)"],
                                  "y": ["field": "p", "type": "quantitative", "scale": ["type": "log"], "title": "speedup (×)"]]],
                    ["data": ["name": "crosscheck"], "transform": [["filter": "datum.measured_speedup > 0 && datum.bound_speedup > 0"]],
                     "mark": ["type": "point", "shape": "triangle-up", "color": "#777", "size": 50, "tooltip": ["content": "data"]],
                     "encoding": ["x": x, "y": ["field": "bound_speedup", "type": "quantitative", "scale": ["type": "log"], "title": "speedup (×)"]]],
                    ["data": ["name": "crosscheck"], "transform": [["filter": "datum.measured_speedup > 0 && datum.predicted_speedup > 0"]],
                     "mark": ["type": "point", "filled": true, "size": 60, "tooltip": ["content": "data"]],
                     "encoding": ["x": x, "y": ["field": "predicted_speedup", "type": "quantitative", "scale": ["type": "log"], "title": "speedup (×)"],
                                  "color": ["field": "set", "type": "nominal", "title": "set"]],
                     "selection": ["zoom": ["type": "interval", "bind": "scales"]]],
                ],
            ]
            let below = rows.filter { row in (row.rooflineSpeedup ?? .infinity) < (row.measuredSpeedup ?? 0) * (1 - 1e-9) }.count
            html += chart(spec, caption: "Filled markers: attnsim's <em>predicted</em> speedup against the measured one; grey triangles: "
                + "the roofline ratio, an <em>upper bound</em>; the dashed line is y = x. "
                + (below > 0 ? "\(below) upper bound\(below == 1 ? " sits" : "s sit") below its measurement." : "No upper bound sits below its measurement."))
        }
        for (key, title) in [("speedup_error", "speedup error (predicted ÷ measured − 1)"), ("time_error", "time error (predicted ÷ measured − 1)")]
        where data.contains(where: { if case .object(let pairs) = $0 { return pairs.contains { $0.0 == key } } else { return false } }) {
            let spec: VL = [
                "width": 360, "height": 220,
                "data": ["name": "crosscheck"],
                "transform": [["filter": .string("datum.\(key) != null")]],
                "mark": ["type": "bar", "tooltip": true],
                "encoding": [
                    "x": ["field": .string(key), "type": "quantitative", "bin": ["maxbins": 20], "title": .string(title), "axis": ["format": "+.0%"]],
                    "y": ["aggregate": "count", "type": "quantitative", "title": "workloads"],
                    "color": ["field": "set", "type": "nominal", "title": "set"],
                ],
            ]
            html += chart(spec, caption: "How far the predictions miss: \(title); 0 is exact.")
        }
        return html
    }
}
