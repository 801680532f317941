import Foundation

/// The utilization section: the busy fraction of each unit (SM, HBM, pe2d, ...) for the points with the best
/// predicted speedup (then the shortest time) of each hardware, as a grid of cells.
extension SweepReportPage {
    func utilizationSection() -> HTML {
        let candidates = report.okPoints.filter { !($0.result!.utilization.isEmpty) }
        var byHardware: [String: [SweepReport.Point]] = [:], order: [String] = []
        for point in candidates {
            if byHardware[point.result!.hardware] == nil { order.append(point.result!.hardware) }
            byHardware[point.result!.hardware, default: []].append(point)
        }
        let perHardware = max(1, SweepReport.utilizationLimit / max(order.count, 1))
        let chosen = order.flatMap { hardware in
            byHardware[hardware]!.sorted { a, b in
                let sa = a.result!.speedup ?? -1, sb = b.result!.speedup ?? -1
                if sa != sb { return sa > sb }
                let ta = a.result!.time ?? .infinity, tb = b.result!.time ?? .infinity
                return ta != tb ? ta < tb : a.index < b.index
            }.prefix(perHardware)
        }
        var rows: [VL] = [], names: [String] = []
        for point in chosen {
            names.append(name(point))
            for entry in point.result!.utilization {
                rows.append(["index": .value(.integer(Int64(point.index))), "point": .string(name(point)), "unit": .string(entry.unit),
                             "fraction": .number(entry.fraction)])
            }
        }
        charts.datasets.append(("utilization", .list(rows)))
        let spec: VL = [
            "data": ["name": "utilization"],
            "width": ["step": 52], "height": ["step": 20],
            "encoding": [
                "x": ["field": "unit", "type": "nominal", "title": "unit", "axis": ["labelAngle": 0, "orient": "top"]],
                "y": ["field": "point", "type": "nominal", "title": .null, "sort": .strings(names), "axis": ["labelLimit": 360]],
            ],
            "layer": [
                ["mark": ["type": "rect", "tooltip": true],
                 "encoding": ["color": ["field": "fraction", "type": "quantitative", "title": "busy fraction",
                                        "scale": ["domain": [0, 1], "scheme": "blues"]]]],
                ["mark": ["type": "text", "fontSize": 11],
                 "encoding": ["text": ["field": "fraction", "format": ".0%"],
                              "color": ["condition": ["test": "datum.fraction > 0.6", "value": "white"], "value": "black"]]],
            ],
        ]
        return chart(spec, caption: "The busy fraction of each unit, predicted, for the best points of each hardware (highest predicted "
            + "speedup, then shortest time): a unit near 100 % is what binds.", wide: true)
    }
}
