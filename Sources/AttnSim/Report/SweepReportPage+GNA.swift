import Foundation

/// The GNA section: heatmaps of the predicted speedup over two dimensions, one panel per value of the rest, the colour
/// switchable to the FLOP, tile (NATTEN) and wave-aware upper bounds and to prediction ÷ tile bound; each prediction
/// against a chosen bound with y = x; how many predictions exceed each bound; the best points per hardware.
extension SweepReportPage {
    /// What a heatmap's colour can show: title, field, how cells that hold several points combine, the colour scheme.
    struct ColourChoice {
        var label: String
        var field: String
        var best: String
        var scheme: VL
        /// The unit the legend formats its values in (`x`, `s`, `J`, `ratio`).
        var unit: String = "x"
    }

    func gnaSection(_ layout: HeatmapLayout) -> HTML {
        let points = report.okPoints.filter { $0.result!.hasTiles && $0.result!.speedup != nil }
        var html = HTML()
        let sequential: VL = ["scheme": "viridis"]
        var choices = [ColourChoice(label: "predicted speedup", field: "speedup", best: "max", scheme: sequential)]
        for (label, field, path) in [("FLOP bound (upper bound)", "flop_bound", \SweepReport.Result.flopBound),
                                     ("tile bound, NATTEN (upper bound)", "tile_bound", \.tileBound),
                                     ("wave-aware bound (upper bound)", "wave_bound", \.waveBound)]
        where points.contains(where: { $0.result![keyPath: path] != nil }) {
            choices.append(ColourChoice(label: label, field: field, best: "max", scheme: sequential))
        }
        if points.contains(where: { $0.result!.tileBound != nil }) {
            choices.append(ColourChoice(label: "prediction ÷ tile bound", field: "pred_over_tile", best: "max",
                                        scheme: ["scheme": "redblue", "domainMid": 1, "reverse": true], unit: "ratio"))
        }
        html += heatmap(layout, choices: choices, what: "GNA point")
        html += gnaBoundScatter(points)
        html += gnaAboveBounds(points)
        html += gnaBestTable(points)
        return html
    }

    /// A heatmap over the layout's x and y, one panel per value of its panel dimensions, coloured by the first choice
    /// (a control on the page switches among them).
    func heatmap(_ layout: HeatmapLayout, choices: [ColourChoice], what: String) -> HTML {
        let first = choices[0]
        let aggregate: [(String, VL)] = layout.aggregated.isEmpty ? [] : [("aggregate", .string(first.best))]
        func colour(_ choice: ColourChoice) -> VL {
            .object([("field", .string(choice.field)), ("type", "quantitative"), ("title", .string(choice.label)),
                     ("scale", choice.scheme), ("legend", ["format": .string(choice.unit), "formatType": "unit"])]
                    + (layout.aggregated.isEmpty ? [] : [("aggregate", .string(choice.best))]))
        }
        func filter(_ choice: ColourChoice) -> String { "datum.panel != null && datum.\(choice.field) != null" }
        // Cells between 10 and 28 pixels, so that a row of up to six panels fits the page.
        let xCount = Set(report.okPoints.compactMap { point in layout.panelOf[point.index] != nil ? layout.x.value(point).map(SweepReport.key) : nil }).count
        let cell = max(8, min(26, 560 / max(1, xCount * min(layout.panelCount, 6))))
        // As many panels a row as fit in about 1,100 pixels (each panel: its cells and an axis).
        let columns = max(1, min(layout.panelCount, 6, 1100 / (xCount * (cell + 2) + 50)))
        let tooltip: VL = layout.aggregated.isEmpty ? ["content": "data"] : true
        var inner: VL = [
            "width": ["step": .value(.integer(Int64(cell + 2)))],
            "height": ["step": .value(.integer(Int64(cell + 2)))],
            "mark": ["type": "rect", "tooltip": tooltip],
            "encoding": [
                "x": layout.x.encoding(),
                "y": layout.y.encoding(sortDescending: true),
                "color": colour(first),
            ],
            "selection": ["brush": ["type": "interval", "encodings": ["x", "y"], "clear": "dblclick",
                                    "mark": ["fill": "#000", "fillOpacity": 0.06, "stroke": "#000"]]],
        ]
        if !aggregate.isEmpty { inner = inner.with(("mark", ["type": "rect", "tooltip": true])) }
        let spec: VL = [
            "data": ["name": "points"],
            "transform": [["filter": .string(filter(first))]],
            "facet": ["field": "panel", "type": "ordinal", "title": .string(layout.panels.isEmpty ? "" : layout.panels.map(\.title).joined(separator: " · ")),
                      "sort": ["field": "panel_order", "op": "min"]],
            "columns": .value(.integer(Int64(columns))),
            "spacing": 8,
            "spec": inner,
            "resolve": ["scale": ["color": "shared"]],
        ]
        let control: VL = ["label": "colour", "path": ["spec", "encoding", "color"], "filterPath": ["transform", 0, "filter"],
                           "choices": .list(choices.map { ["label": .string($0.label), "set": colour($0), "filter": .string(filter($0))] })]
        var caption: HTML = "Each cell is one \(what) at <code>\(layout.x.title)</code> (x) and <code>\(layout.y.title)</code> (y)"
        if !layout.panels.isEmpty { caption += ", one panel per value of \(codes(layout.panels.map(\.title)))" }
        if !layout.aggregated.isEmpty {
            caption += "; each cell shows the best over \(codes(layout.aggregated.map(\.title))) (more panels than \(Self.panelLimit) otherwise)"
        }
        if choices.contains(where: { $0.label.contains("upper bound") }) {
            caption += ". The colour control switches between the <em>prediction</em> (attnsim's model) and the <em>upper bounds</em>; "
                + "bounds are what no kernel can beat, predictions are what attnsim expects"
        } else {
            caption += ". The colour control switches among the <em>predictions</em> (\(choices.map(\.label).joined(separator: ", ")))"
        }
        caption += ". Drag to brush cells (the points table keeps "
            + "what you brush; double-click clears); hover a cell for the whole point, click it for its waterfall. "
            + "<code>attnsim report --x AXIS --y AXIS</code> chooses the axes."
        let brush: [(field: String, kind: String)] = [(layout.x.key, "set"), (layout.y.key, "set")]
        return chart(spec, caption: caption, brush: brush, control: control, wide: true)
    }

    /// Each prediction against a bound (the control switches among them), y = x marking the bound.
    func gnaBoundScatter(_ points: [SweepReport.Point]) -> HTML {
        let bounds = [("wave-aware bound", "wave_bound", \SweepReport.Result.waveBound), ("tile bound (NATTEN)", "tile_bound", \.tileBound),
                      ("FLOP bound", "flop_bound", \.flopBound)].filter { _, _, path in points.contains { $0.result![keyPath: path] != nil } }
        guard let first = bounds.first else { return HTML() }
        let values = points.flatMap { p in [p.result!.speedup, p.result!.flopBound, p.result!.tileBound, p.result!.waveBound].compactMap { $0 } }
        let lo = max(values.min() ?? 1, 1e-3) * 0.9, hi = (values.max() ?? 1) * 1.1
        func x(_ label: String, _ key: String) -> VL { Self.field(key, "quantitative", title: "\(label), an upper bound (×)", extra: [("scale", ["zero": false])]) }
        let spec: VL = [
            "width": 420, "height": 320,
            "layer": [
                [
                    "data": ["name": "points"],
                    "transform": [["filter": .string("datum.speedup != null && datum.\(first.1) != null")]],
                    "mark": ["type": "circle", "size": 14, "opacity": 0.55, "tooltip": ["content": "data"]],
                    "encoding": [
                        "x": x(first.0, first.1),
                        "y": Self.field("speedup", "quantitative", title: "predicted speedup (×)", extra: [("scale", ["zero": false])]),
                        "color": Self.field("hardware", "nominal", title: "hardware"),
                    ],
                    "selection": Self.zoomAndBrush(),
                ],
                [
                    "data": ["values": [["b": .number(lo), "p": .number(lo)], ["b": .number(hi), "p": .number(hi)]]],
                    "mark": ["type": "line", "color": "#333", "strokeDash": [6, 4], "strokeWidth": 1.2],
                    "encoding": ["x": ["field": "b", "type": "quantitative"], "y": ["field": "p", "type": "quantitative"]],
                ],
            ],
        ]
        let control: VL = ["label": "bound on x", "path": ["layer", 0, "encoding", "x"],
                           "filterPath": ["layer", 0, "transform", 0, "filter"],
                           "choices": .list(bounds.map { ["label": .string($0.0), "set": x($0.0, $0.1),
                                                          "filter": .string("datum.speedup != null && datum.\($0.1) != null")] })]
        let caption: HTML = "Each marker is one point's <em>prediction</em> against an <em>upper bound</em> (the control picks "
            + "which); the dashed diagonal is y = x, the bound itself. Markers above it predict more than the bound allows "
            + "(below: the cost the prediction charges beyond the bound: partially masked tiles, per-CTA work, waves, launch). "
            + "Drag to pan, scroll to zoom, shift-drag to brush the points table, double-click to reset."
        return chart(spec, caption: caption, brush: [(first.1, "range"), ("speedup", "range")], control: control)
    }

    /// How many predictions exceed each bound: a check on the model for the wave-aware bound.
    func gnaAboveBounds(_ points: [SweepReport.Point]) -> HTML {
        let counts = [("FLOP bound", \SweepReport.Result.flopBound), ("tile bound (NATTEN)", \.tileBound), ("wave-aware bound", \.waveBound)]
            .compactMap { name, field -> HTML? in
                let bounded = points.filter { $0.result![keyPath: field] != nil }
                guard !bounded.isEmpty else { return nil }
                let above = bounded.filter { $0.result!.speedup! > $0.result![keyPath: field]! * (1 + 1e-9) }.count
                let tag = name == "wave-aware bound" && above > 0 ? "bad" : "muted"
                return "\(name) <b class=\"\(tag)\">\(above)</b> of \(bounded.count)"
            }
        guard !counts.isEmpty else { return HTML() }
        return "<p class=\"clear\">Predictions above a bound: \(counts.joined(separator: " · ")). Above the wave-aware bound, the one attnsim "
            + "stands behind, would be a model error; above the FLOP or tile bound can be right (those bounds leave out waves and the "
            + "dense kernel's power-limited clock; README, GPU predictions).</p>\n"
    }

    /// The points with the best predicted speedup per hardware.
    func gnaBestTable(_ points: [SweepReport.Point]) -> HTML {
        let top = 10
        var groups: [(String, [SweepReport.Point])] = []
        for point in points {
            if let at = groups.firstIndex(where: { $0.0 == point.result!.hardware }) { groups[at].1.append(point) } else { groups.append((point.result!.hardware, [point])) }
        }
        guard groups.contains(where: { $0.1.count > top }) else { return HTML() }
        var html: HTML = "<h3>Best predicted speedups (top \(top) per hardware)</h3>\n<table class=\"sortable\"><thead><tr><th>hardware</th>"
            + "<th>#</th>\(headerCells(naming.filter { !SweepReport.isHardwareAxis($0) }))"
            + "<th>predicted</th><th>time</th><th>FLOP bound</th><th>tile bound (NATTEN)</th><th>wave-aware bound</th>"
            + "<th>share of wave-aware bound</th></tr></thead><tbody>"
        for (hardware, members) in groups {
            let best = members.sorted { ($0.result!.speedup!, -$0.index) > ($1.result!.speedup!, -$1.index) }.prefix(top)
            for point in best {
                let result = point.result!
                let share = result.waveBound.flatMap { bound in bound > 0 ? result.speedup! / bound : nil }
                html += "<tr data-index=\"\(point.index)\">\(textCell(hardware))\(indexCell(point))"
                    + "\(naming.filter { !SweepReport.isHardwareAxis($0) }.map { axisCell(point, $0) }.joined())"
                    + "\(numberCell(result.speedup, Format.speedup))\(numberCell(result.time, Format.time))"
                    + "\(numberCell(result.flopBound, Format.speedup))\(numberCell(result.tileBound, Format.speedup))"
                    + "\(numberCell(result.waveBound, Format.speedup))\(numberCell(share, Format.percent))</tr>"
            }
        }
        return html + "</tbody></table>\n"
    }
}
