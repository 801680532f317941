import Foundation

/// The GNA section: predicted speedup against the swept stride/window axis, one series per hardware, with the
/// FLOP, tile (NATTEN) and wave-aware upper bounds; past ``lineChartLimit`` values, predictions against the axis's
/// product and against each point's bound, and the best points per series.
extension SweepReportPage {
    /// Up to this many x values the GNA chart draws lines against the swept axis; beyond, it plots each point's
    /// prediction against its bound.
    static let lineChartLimit = 40

    func gnaSection() -> HTML {
        let points = report.okPoints.filter { $0.result!.hasTiles && $0.result!.speedup != nil }
        guard !points.isEmpty else { return "<p class=\"muted\">No GNA point has a predicted speedup.</p>\n" }
        let xAxis = report.gnaAxis
        // Series: the hardware, and any other naming axis the x axis does not fix.
        let others = naming.filter { axis in
            axis != xAxis && !SweepReport.isHardwareAxis(axis) && !(xAxis.map { report.determines($0, axis) } ?? false)
        }
        let all = series(points) { point in
            ([point.result!.hardware] + [valuesLabel(point, others)].filter { !$0.isEmpty }).joined(separator: " · ")
        }
        var html = HTML()
        let cats = xAxis.map { categories($0, of: points) }
        if let xAxis, let cats, cats.labels.count > Self.lineChartLimit {
            html += gnaManyValues(points, all, xAxis: xAxis, count: cats.labels.count)
        } else {
            html += gnaLineChart(points, all, xAxis: xAxis, others: others)
        }
        html += gnaAboveBounds(points)
        html += gnaBestTable(all, xAxis: xAxis)
        return html
    }

    /// Predicted speedup and the bounds against the swept axis, one line per series.
    func gnaLineChart(_ points: [SweepReport.Point], _ all: [Series<SweepReport.Point>], xAxis: String?, others: [String]) -> HTML {
        // x: the swept axis; without one, the workloads.
        var labels: [String], place: (SweepReport.Point) -> Int?
        if let xAxis {
            let cats = categories(xAxis, of: points)
            labels = cats.labels
            place = { point in point.value(of: xAxis).flatMap { cats.position[SweepReport.key($0)] } }
        } else {
            labels = []
            for point in points where !labels.contains(point.result!.workload) { labels.append(point.result!.workload) }
            let order = labels
            place = { point in order.firstIndex(of: point.result!.workload) }
        }
        let xTitle = xAxis ?? "workload"
        var values: [Double] = [1]
        for point in points {
            let result = point.result!
            values += [result.speedup, result.flopBound, result.tileBound, result.waveBound].compactMap { $0 }
        }
        var chart = SVGChart(title: "Predicted speedup and upper bounds against \(xTitle)", x: SVGChart.xCategories(labels),
                             y: SVGChart.yScale(values, zero: true), xLabel: xAxis.map { SweepAxisPath($0).label } ?? xTitle,
                             yLabel: "speedup over dense (×)", yFormat: Format.speedupTick)
        if chart.y.contains(1) {
            chart.line([(-0.5, 1), (Double(labels.count) - 0.5, 1)], color: "#bbb", width: 1, title: "dense (1×)")
        }
        // The FLOP bound depends on the workload only: one line per value of the other axes.
        for group in series(points, by: { axesLabel($0, others) }) {
            let line = pointsByPlace(group.points, place: place) { $0.result!.flopBound }
            chart.line(line, color: "#444", width: 1.5, dash: "7 4",
                       title: "FLOP bound, an upper bound" + (group.label.isEmpty ? "" : " (\(group.label))"))
        }
        // Tile and wave-aware bounds depend on the kernel's tiles and the hardware: drawn in each series' colour.
        for (number, serie) in all.enumerated() {
            let color = number < SVGChart.palette.count ? serie.color : SVGChart.other
            chart.line(pointsByPlace(serie.points, place: place) { $0.result!.tileBound }, color: color, width: 1.3, dash: "2 3",
                       title: "tile bound (NATTEN), an upper bound: \(serie.label)")
            chart.line(pointsByPlace(serie.points, place: place) { $0.result!.waveBound }, color: color, width: 1.3, dash: "8 3 2 3",
                       title: "wave-aware bound, an upper bound: \(serie.label)")
            chart.line(pointsByPlace(serie.points, place: place) { $0.result!.speedup }, color: color, width: 2.2,
                       title: "prediction: \(serie.label)")
            for point in serie.points {
                guard let at = place(point), let speedup = point.result!.speedup else { continue }
                chart.marker(Double(at), speedup, color: color, radius: 4, title: tooltip(point, gnaNumbers(point.result!)))
            }
        }
        chart.legendTitle = (["predicted: hardware"] + others).joined(separator: " · ")
        chart.legend = seriesLegend(all, prefix: "")
        chart.legend += [
            .init(label: "FLOP bound (upper bound)", color: "#444", swatch: .line(dash: "7 4")),
            .init(label: "tile bound, NATTEN (upper bound)", color: "#444", swatch: .line(dash: "2 3")),
            .init(label: "wave-aware bound (upper bound)", color: "#444", swatch: .line(dash: "8 3 2 3")),
        ]
        var caption: HTML = "Solid lines and markers are attnsim's <em>predictions</em> "
            + "(its model of what the kernel will do); dashed and dotted lines are <em>upper bounds</em> on the speedup over dense "
            + "attention (the tile and wave-aware bounds in each series' colour). The tile bound is NATTEN's metric and can sit below "
            + "a real speedup when there are many waves; the wave-aware bound is the one attnsim stands behind."
        if let xAxis, let declared = uses.first(where: { $0.name == xAxis })?.values,
           SweepReport.ordered(declared, axis: SweepAxisPath(xAxis)).map(SweepReport.key) != declared.map(SweepReport.key) {
            caption += " The \(xAxis) values are ordered by their product."
        }
        return figure(chart.rendered(), caption: caption)
    }

    /// For many x values: predictions against the axis's order value (a list's product), with each bound's highest
    /// value at each x as a line, then predictions against the tightest bound with y = x marking the bound.
    func gnaManyValues(_ points: [SweepReport.Point], _ all: [Series<SweepReport.Point>], xAxis: String, count: Int) -> HTML {
        var html = HTML()
        let path = SweepAxisPath(xAxis)
        let order: (SweepReport.Point) -> Double? = { point in
            point.value(of: xAxis).flatMap { SweepReport.orderValue($0, axis: path) }.flatMap { $0 > 0 ? $0 : nil }
        }
        if points.allSatisfy({ order($0) != nil }) {
            var values: [Double] = [1]
            for point in points { values += [point.result!.speedup, point.result!.flopBound, point.result!.tileBound, point.result!.waveBound].compactMap { $0 } }
            let isList: Bool = { if case .array? = points.first?.value(of: xAxis) { return true } else { return false } }()
            let xTitle = xAxis + (isList ? " (product of its values)" : "")
            var chart = SVGChart(title: "Predicted speedup against \(xTitle)", x: SVGChart.xScale(points.map { order($0)! }),
                                 y: SVGChart.yScale(values, zero: true),
                                 xLabel: path.label + (isList ? " (product of its values)" : ""), yLabel: "speedup over dense (×)",
                                 yFormat: Format.speedupTick)
            /// The highest value of a bound at each x, in x order: an upper bound on every point there.
            func envelope(_ members: [SweepReport.Point], _ field: KeyPath<SweepReport.Result, Double?>) -> [(Double, Double)] {
                var highest: [Double: Double] = [:]
                for point in members { if let value = point.result![keyPath: field] { highest[order(point)!] = max(highest[order(point)!] ?? value, value) } }
                return highest.keys.sorted().map { ($0, highest[$0]!) }
            }
            // The tile and wave-aware bounds jump between neighbouring x values; the next chart holds each point to them.
            chart.line(envelope(points, \.flopBound), color: "#444", width: 1.5, dash: "7 4", title: "FLOP bound, an upper bound (highest at each x)")
            for (number, serie) in all.enumerated() {
                let color = number < SVGChart.palette.count ? serie.color : SVGChart.other
                chart.markers(serie.points.map { (order($0)!, $0.result!.speedup!, tooltip($0, gnaNumbers($0.result!))) }, color: color,
                              radius: 2.6, limit: SweepReport.markerLimit / max(all.count, 1))
            }
            chart.legendTitle = "predicted: hardware"
            chart.legend = seriesLegend(all, prefix: "")
            chart.legend.append(.init(label: "FLOP bound (upper bound)", color: "#444", swatch: .line(dash: "7 4")))
            html += figure(chart.rendered(), caption: "\(count) values of <code>\(xAxis)</code>, placed by "
                + (isList ? "the product of their values" : "value") + ". Markers are attnsim's <em>predictions</em>; the dashed line is "
                + "the FLOP bound, an <em>upper bound</em> (its highest value at each x). The tile (NATTEN) and wave-aware bounds differ "
                + "between neighbouring values, so the next chart holds each point against its own bound. Markers that would overlap "
                + "are drawn once.")
        }
        let choices: [(String, KeyPath<SweepReport.Result, Double?>)] = [
            ("wave-aware bound", \.waveBound), ("tile bound (NATTEN)", \.tileBound), ("FLOP bound", \.flopBound),
        ]
        guard let (boundName, bound) = choices.first(where: { choice in points.allSatisfy { $0.result![keyPath: choice.1] != nil } })
            ?? choices.first(where: { choice in points.contains { $0.result![keyPath: choice.1] != nil } }) else { return html }
        let numbers = points.flatMap { [$0.result![keyPath: bound], $0.result!.speedup].compactMap { $0 } }
        var chart = SVGChart(title: "Predicted speedup against the \(boundName)", x: SVGChart.xScale(numbers, zero: true),
                             y: SVGChart.yScale(numbers, zero: true), xLabel: "\(boundName), an upper bound (×)",
                             yLabel: "predicted speedup (×)", xFormat: Format.speedupTick, yFormat: Format.speedupTick)
        chart.shareScales()
        chart.line([(chart.x.lo, chart.x.lo), (chart.x.hi, chart.x.hi)], color: "#444", width: 1.2, dash: "7 4",
                   title: "y = x: the prediction reaches the bound")
        for (number, serie) in all.enumerated() {
            let color = number < SVGChart.palette.count ? serie.color : SVGChart.other
            let items = serie.points.compactMap { point in
                point.result![keyPath: bound].map { (x: $0, y: point.result!.speedup!, title: tooltip(point, gnaNumbers(point.result!))) }
            }
            chart.markers(items, color: color, radius: 2.6, limit: SweepReport.markerLimit / max(all.count, 1))
        }
        chart.legendTitle = "predicted: hardware"
        chart.legend = seriesLegend(all, prefix: "")
        chart.legend.append(.init(label: "y = x (the bound)", color: "#444", swatch: .line(dash: "7 4")))
        html += figure(chart.rendered(), caption: "Each marker is one point's <em>prediction</em> against its \(boundName), an "
            + "<em>upper bound</em>. The distance below the diagonal is what the prediction charges beyond the bound (partially masked "
            + "tiles, per-CTA work, waves, launch). The best points are listed below.")
        return html
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
        return "<p>Predictions above a bound: \(counts.joined(separator: " · ")). Above the wave-aware bound, the one attnsim "
            + "stands behind, would be a model error; above the FLOP or tile bound can be right (those bounds leave out waves and the "
            + "dense kernel's power-limited clock; README, GPU predictions).</p>\n"
    }

    /// The tooltip numbers of a GNA point.
    func gnaNumbers(_ result: SweepReport.Result) -> [String] {
        let bounds = [("FLOP", result.flopBound), ("tile", result.tileBound), ("wave-aware", result.waveBound)]
            .compactMap { name, value in value.map { "\(name) \(Format.speedup($0))" } }
        return ["predicted \(result.speedup.map(Format.speedup) ?? "—")" + (result.time.map { " (\(Format.time($0)))" } ?? "")]
            + (bounds.isEmpty ? [] : ["upper bounds: " + bounds.joined(separator: ", ")])
    }

    /// The points with the best predicted speedup in each series.
    func gnaBestTable(_ all: [Series<SweepReport.Point>], xAxis: String?) -> HTML {
        let top = 10
        guard all.contains(where: { $0.points.count > top }) else { return HTML() }
        var html: HTML = "<h3>Best predicted speedups (top \(top) per series)</h3>\n<table class=\"sortable\"><thead><tr><th>series</th>"
            + "<th>#</th>\(headerCells(xAxis.map { [$0] } ?? []))"
            + "<th>predicted</th><th>time</th><th>FLOP bound</th><th>tile bound (NATTEN)</th><th>wave-aware bound</th>"
            + "<th>share of wave-aware bound</th></tr></thead><tbody>"
        for serie in all.prefix(SVGChart.palette.count) {
            let best = serie.points.sorted { ($0.result!.speedup!, -$0.index) > ($1.result!.speedup!, -$1.index) }.prefix(top)
            for point in best {
                let result = point.result!
                let share = result.waveBound.flatMap { bound in bound > 0 ? result.speedup! / bound : nil }
                html += "<tr>\(textCell(serie.label))\(indexCell(point))\(xAxis.map { axisCell(point, $0) })"
                    + "\(numberCell(result.speedup, Format.speedup))\(numberCell(result.time, Format.time))"
                    + "\(numberCell(result.flopBound, Format.speedup))\(numberCell(result.tileBound, Format.speedup))"
                    + "\(numberCell(result.waveBound, Format.speedup))\(numberCell(share, Format.percent))</tr>"
            }
        }
        return html + "</tbody></table>\n"
    }
}
