import Foundation

/// The waterfall from the FLOP-wise bound to the predicted speedup (`simulated.waterfall`): each step a bar from the
/// speedup before it to the speedup after it, the first and last from zero. Drawn for the best point of each hardware,
/// and for the point the reader clicks (in a chart or the points table).
extension SweepReportPage {
    /// The waterfall rows of a point: step order, label, the speedup before and after, its factor and time.
    func waterfallRows(_ point: SweepReport.Point, _ steps: [SweepReport.WaterfallStep]) -> [VL] {
        var rows: [VL] = []
        var before = 0.0
        for (order, step) in steps.enumerated() {
            let total = order == 0 || order == steps.count - 1
            let start = total ? 0 : before
            let kind = total ? "total" : step.speedup >= before ? "raises" : "lowers"
            rows.append(["index": .value(.integer(Int64(point.index))), "point": .string(name(point)), "order": .value(.integer(Int64(order))),
                         "step": .string(step.label), "start": .number(start), "end": .number(step.speedup), "kind": .string(kind),
                         "factor": .number(step.factor), "time_s": .number(step.timeS), "speedup": .number(step.speedup),
                         "detail": .string(step.detail ?? (step.modelled ? "" : "not modelled here"))])
            before = step.speedup
        }
        return rows
    }

    /// Every point's waterfall for the page's script (which draws the one clicked): the steps' names and labels and
    /// the details once each, then per point `[step, speedup after it, time it adds, detail or -1]` per step, the
    /// numbers to 5 significant digits (the chart's; points.jsonl has them whole). 10 steps of 6,006 points take
    /// about 2 MB this way, 18 MB as rows.
    func compactWaterfalls() -> (data: VL, count: Int) {
        var steps: [[String]] = [], details: [String] = [], points: [(String, VL)] = []
        func round(_ value: Double) -> VL { .number(Double(String(format: "%.5g", value)) ?? value) }
        for point in report.okPoints {
            guard let waterfall = point.result?.waterfall else { continue }
            points.append((String(point.index), .list(waterfall.map { step in
                let key = [step.name, step.label]
                let stepIndex = steps.firstIndex(of: key) ?? { steps.append(key); return steps.count - 1 }()
                let detail = step.detail ?? (step.modelled ? nil : "not modelled here")
                let detailIndex = detail.map { text in details.firstIndex(of: text) ?? { details.append(text); return details.count - 1 }() } ?? -1
                return [.value(.integer(Int64(stepIndex))), round(step.speedup), round(step.timeS), .value(.integer(Int64(detailIndex)))]
            })))
        }
        let data: VL = ["steps": .list(steps.map { ["name": .string($0[0]), "label": .string($0[1])] }), "details": .strings(details),
                        "points": .object(points)]
        return (data, points.count)
    }

    /// The Vega-Lite spec of a waterfall over the dataset `data` (one panel per point when `faceted`).
    static func waterfallSpec(data: String, faceted: Bool) -> VL {
        let layer: VL = [
            "width": 440, "height": 220,
            "encoding": [
                "x": ["field": "step", "type": "ordinal", "title": .null, "sort": ["field": "order", "op": "min"],
                      "axis": ["labelAngle": -35, "labelLimit": 170, "labelOverlap": false]],
                "tooltip": [["field": "step", "title": "step"], ["field": "detail", "title": "what it is here"],
                            ["field": "factor", "title": "factor", "format": ".3f"],
                            ["field": "speedup", "title": "speedup after it", "format": ".2f"],
                            ["field": "time_s", "title": "time it adds (s)", "format": ".3~s"]],
            ],
            "layer": [
                ["mark": ["type": "bar", "tooltip": true],
                 "encoding": ["y": ["field": "start", "type": "quantitative", "title": "speedup over dense (×)"], "y2": ["field": "end"],
                              "color": ["field": "kind", "type": "nominal", "title": .null,
                                        "scale": ["domain": ["total", "raises", "lowers"], "range": ["#4C78A8", "#54A24B", "#E45756"]]]]],
                ["mark": ["type": "text", "dy": -6, "fontSize": 9],
                 "encoding": ["y": ["field": "end", "type": "quantitative"], "text": ["field": "speedup", "format": ".3~g"]]],
            ],
        ]
        guard faceted else { return layer.with(("data", ["name": .string(data)])) }
        return ["data": ["name": .string(data)], "facet": ["field": "point", "type": "nominal", "title": .null,
                                                            "sort": ["field": "index", "op": "min"]],
                "columns": 2, "spec": layer]
    }

    func waterfallSection() -> HTML {
        var best: [String: SweepReport.Point] = [:], order: [String] = []
        for point in report.okPoints {
            guard let result = point.result, result.waterfall != nil, let speedup = result.speedup else { continue }
            if best[result.hardware] == nil { order.append(result.hardware) }
            if best[result.hardware].map({ speedup > $0.result!.speedup! }) ?? true { best[result.hardware] = point }
        }
        let rows = order.flatMap { best[$0].map { waterfallRows($0, $0.result!.waterfall!) } ?? [] }
        charts.datasets.append(("waterfall_best", .list(rows)))
        charts.datasets.append(("waterfall_focus", []))
        var html = chart(Self.waterfallSpec(data: "waterfall_best", faceted: true),
                         caption: "From the FLOP-wise bound (the first bar, an <em>upper bound</em>) through each step the "
                            + "<em>prediction</em> charges (tile quantisation, kernel rate, waves, partially masked tiles, fixed costs, "
                            + "memory ...) to the predicted speedup, for the best predicted point of each hardware; each step multiplies "
                            + "the speedup by its factor (green raises it, red lowers it). The last bar is the result's last step, such "
                            + "as the end-to-end speedup. Hover a bar for its factor and the time it adds.", wide: true)
        html += "<div id=\"focus-waterfall\" class=\"focus\"><p class=\"muted\" id=\"focus-note\">Click a point in a chart or a row of "
            + "the points table to draw its waterfall here.</p>"
            + HTML.element("div", ["class": "vega", "id": "chart-focus"]) + "</div>\n"
        return html
    }
}
