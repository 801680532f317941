import Foundation

/// The pruning section (a swept keep ratio, such as SpAtten's token keep): predicted speedup, time and DRAM traffic
/// against the keep ratio, one line per target (the hardware and the other naming axes).
extension SweepReportPage {
    func pruningSection(axis: String) -> HTML {
        let key = Self.columnKey(axis)
        let path = SweepAxisPath(axis)
        let title = path.field == .tokenKeep ? "token keep ratio (\(axis))" : axis
        var html = HTML()
        // Colour: the hardware; line style: the one other naming axis, where there is one with a few values.
        let hardwareKey = "hardware"
        let others = naming.filter { $0 != axis && !SweepReport.isHardwareAxis($0) && !report.determines(axis, $0) }
        let dash = others.count == 1 && (uses.first { $0.name == others[0] }?.values.count ?? 99) <= 4 ? others[0] : nil
        let metrics: [(field: String, title: String, log: Bool)] = [
            ("speedup", "speedup over dense (predicted, ×)", false),
            ("time_s", "time (predicted)", true),
            ("dram_bytes", "DRAM traffic (predicted)", true),
        ]
        for metric in metrics where report.okPoints.contains(where: { point in
            guard let result = point.result else { return false }
            switch metric.field {
            case "speedup": return result.speedup != nil
            case "time_s": return result.time != nil
            default: return result.dramBytes != nil
            }
        }) {
            var y: [(String, VL)] = [("field", .string(metric.field)), ("type", "quantitative"), ("title", .string(metric.title))]
            if metric.log { y.append(("scale", ["type": "log"])) }
            if metric.field != "speedup" { y.append(("axis", ["format": .string(metric.field == "time_s" ? "s" : "B"), "formatType": "unit"])) }
            var encoding: VL = [
                "x": Self.field(key, "quantitative", title: title, extra: [("scale", ["reverse": true])]),
                "y": .object(y),
                "color": Self.field(hardwareKey, "nominal", title: "target (hardware)"),
            ]
            encoding = encoding.with(("detail", Self.field("series", "nominal", title: "series")))
            let lineEncoding: VL = dash.map { ["strokeDash": Self.field(Self.columnKey($0), "nominal", title: $0)] } ?? [:]
            let spec: VL = [
                "width": 420, "height": 280,
                "config": ["legend": ["orient": "bottom", "direction": "horizontal", "columns": 2]],
                "data": ["name": "points"],
                "transform": [["filter": .string("datum.\(key) != null && datum.\(metric.field) != null")]],
                "encoding": encoding,
                "layer": [
                    ["mark": ["type": "line", "strokeWidth": 1.8], "encoding": lineEncoding],
                    ["mark": ["type": "point", "filled": true, "size": 36, "tooltip": ["content": "data"]], "selection": Self.zoomAndBrush(["x"])],
                ],
            ]
            html += chart(spec, caption: "\(metric.title.prefix(1).uppercased() + metric.title.dropFirst()) against the keep ratio "
                + "(x runs from keeping everything to keeping least), one line per target\(dash.map { " and value of \($0)" } ?? ""). Drag to pan, scroll to zoom, shift-drag to "
                + "brush the points table, double-click to reset; click a marker for its point.",
                brush: [(key, "range")])
        }
        let speedups = report.okPoints.filter { $0.result?.rooflineBound != nil }
        if !speedups.isEmpty {
            html += "<p class=\"clear muted\">The roofline ratio (dense over pruned steps on the roofline; not a strict bound) is in "
                + "each point's tooltip and the points table.</p>\n"
        }
        return html
    }
}
