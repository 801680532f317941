import Foundation

/// The spatial section: time against energy with the Pareto front (colour by array size, shape by buffer size), the
/// Pareto-optimal points, and heatmaps of time and energy over array size × buffer size.
extension SweepReportPage {
    func spatialSection() -> HTML? {
        var html = HTML()
        let both = report.okPoints.filter { ($0.result?.time ?? 0) > 0 && ($0.result?.energy ?? 0) > 0 }
        let axes = report.spatialAxes
        if both.count >= 2 {
            let front = report.paretoFront
            let colourAxis = axes.first ?? naming.first
            let shapeAxis = axes.dropFirst().first { axis in (uses.first { $0.name == axis }?.values.count ?? 99) <= 8 }
            func encoding(_ axis: String?, _ channel: String) -> [(String, VL)] {
                guard let axis, let dimension = dimensions.first(where: { $0.axis == axis && $0.component == nil }) else { return [] }
                var pairs: [(String, VL)] = [("field", .string(dimension.key)), ("type", "ordinal"), ("title", .string(axis))]
                if !dimension.numeric { pairs.append(("sort", .strings(dimension.order))) }
                if channel == "color" { pairs.append(("scale", ["scheme": "viridis"])) }
                return [(channel, .object(pairs))]
            }
            let x = Self.field("time_s", "quantitative", title: "time (predicted)",
                               extra: [("scale", ["type": "log"]), ("axis", ["format": "s", "formatType": "unit"])])
            let y = Self.field("energy_j", "quantitative", title: "energy (predicted)",
                               extra: [("scale", ["type": "log"]), ("axis", ["format": "J", "formatType": "unit"])])
            let spec: VL = [
                "width": 560, "height": 380,
                "data": ["name": "points"],
                "transform": [["filter": "datum.time_s > 0 && datum.energy_j > 0"]],
                "layer": [
                    [
                        "mark": ["type": "point", "filled": true, "size": 44, "opacity": 0.8, "tooltip": ["content": "data"]],
                        "encoding": .object([("x", x), ("y", y)] + encoding(colourAxis, "color") + encoding(shapeAxis, "shape")),
                        "selection": Self.zoomAndBrush(),
                    ],
                    [
                        "transform": [["filter": "datum.pareto"]],
                        "mark": ["type": "line", "interpolate": "step-after", "color": "#D55E00", "strokeWidth": 2],
                        "encoding": ["x": x, "y": y, "order": ["field": "time_s", "type": "quantitative"]],
                    ],
                    [
                        "transform": [["filter": "datum.pareto"]],
                        "mark": ["type": "point", "size": 150, "color": "#D55E00", "strokeWidth": 2, "tooltip": ["content": "data"]],
                        "encoding": ["x": x, "y": y],
                    ],
                ],
            ]
            var caption: HTML = "Each marker is one design point's <em>prediction</em>"
            if let colourAxis { caption += ", coloured by <code>\(colourAxis)</code>" }
            if let shapeAxis { caption += ", shaped by <code>\(shapeAxis)</code>" }
            caption += "; the orange steps and rings are the Pareto front (\(front.count) point\(front.count == 1 ? "" : "s")): no other "
                + "point is both faster and lower in energy. Drag to pan, scroll to zoom, shift-drag to brush the points table."
            html += chart(spec, caption: caption, brush: [("time_s", "range"), ("energy_j", "range")], wide: true)
            html += paretoTable(front)
        }
        if let layout = spatialLayout {
            var choices = [ColourChoice(label: "time (predicted)", field: "time_s", best: "min", scheme: ["scheme": "viridis", "reverse": true, "type": "log"], unit: "s")]
            if both.count >= 1 {
                choices.append(ColourChoice(label: "energy (predicted)", field: "energy_j", best: "min", scheme: ["scheme": "viridis", "reverse": true, "type": "log"], unit: "J"))
            }
            html += heatmap(layout, choices: choices, what: "design point")
        }
        return html.isEmpty ? nil : html
    }

    func paretoTable(_ front: [SweepReport.Point]) -> HTML {
        guard !front.isEmpty else { return HTML() }
        var html: HTML = "<h3>Pareto-optimal points</h3>\n<table class=\"sortable\"><thead><tr><th>#</th>"
        html += headerCells(varying)
        html += "<th>time</th><th>energy</th><th>DRAM</th><th>bottleneck</th></tr></thead><tbody>"
        for point in front {
            let result = point.result!
            html += "<tr data-index=\"\(point.index)\">\(indexCell(point))\(axisCells(point))\(numberCell(result.time, Format.time))"
                + "\(numberCell(result.energy, Format.energy))\(numberCell(result.dramBytes, Format.bytes))\(textCell(result.bottleneck))</tr>"
        }
        return html + "</tbody></table>\n"
    }
}
