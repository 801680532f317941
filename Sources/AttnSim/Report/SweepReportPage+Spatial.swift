import Foundation

/// The spatial section: time against energy with the Pareto front, and time and energy against each array-size
/// or buffer-size axis.
extension SweepReportPage {
    func spatialSection() -> HTML? {
        var html = HTML()
        let timed = report.okPoints.filter { ($0.result?.time ?? 0) > 0 }
        let both = timed.filter { ($0.result?.energy ?? 0) > 0 }
        let axes = report.spatialAxes
        if both.count >= 2 {
            let front = report.paretoFront
            let onFront = Set(front.map(\.index))
            let colorAxis = axes.first { axis in (uses.first { $0.name == axis }?.values.count ?? 0) <= SVGChart.palette.count }
            let groups: [Series<SweepReport.Point>] = colorAxis.map { axis in
                let order = categories(axis, of: both).labels
                return series(both) { point in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } ?? "?" }
                    .sorted { (order.firstIndex(of: $0.label) ?? 0) < (order.firstIndex(of: $1.label) ?? 0) }
                    .enumerated().map { Series(label: $1.label, color: SVGChart.color($0), points: $1.points) }
            } ?? [Series(label: "points", color: SVGChart.palette[0], points: both)]
            var chart = SVGChart(title: "Time against energy", x: SVGChart.xScale(both.map { $0.result!.time! }, logSpan: 10),
                                 y: SVGChart.yScale(both.map { $0.result!.energy! }, logSpan: 10),
                                 xLabel: "predicted time", yLabel: "energy", xFormat: Format.time, yFormat: Format.energy)
            let stepLine = zip(front, front.dropFirst()).flatMap { a, b in
                [(a.result!.time!, a.result!.energy!), (b.result!.time!, a.result!.energy!)]
            } + (front.last.map { [($0.result!.time!, $0.result!.energy!)] } ?? [])
            chart.line(stepLine, color: "#D55E00", width: 2, title: "Pareto front: no other point is both faster and lower in energy")
            var drawn = 0
            for group in groups {
                let items = group.points.filter { !onFront.contains($0.index) }.map { point in
                    (x: point.result!.time!, y: point.result!.energy!,
                     title: tooltip(point, ["time \(Format.time(point.result!.time!))", "energy \(Format.energy(point.result!.energy!))"]))
                }
                drawn += chart.markers(items, color: group.color, radius: 3.5, limit: SweepReport.markerLimit / max(groups.count, 1))
                for point in group.points where onFront.contains(point.index) {
                    let result = point.result!
                    chart.marker(result.time!, result.energy!, color: group.color, radius: 5.5, stroke: "#000",
                                 title: tooltip(point, ["time \(Format.time(result.time!))", "energy \(Format.energy(result.energy!))",
                                                        "on the Pareto front"]))
                    drawn += 1
                }
            }
            chart.legendTitle = colorAxis
            chart.legend = groups.map { .init(label: $0.label, color: $0.color, swatch: .marker(filled: true)) }
            chart.legend.append(.init(label: "Pareto front (ringed)", color: "#D55E00", swatch: .line(dash: nil)))
            let subsample: HTML? = both.count > SweepReport.markerLimit
                ? ", and an even subsample of the rest beyond \(SweepReport.markerLimit)" : nil
            let overlap: HTML? = drawn < both.count ? " \(both.count) points: markers that would overlap are drawn once\(subsample)." : nil
            html += figure(chart.rendered(), caption: "Each marker is one design point's <em>prediction</em>; the Pareto front "
                + "(\(front.count) point\(front.count == 1 ? "" : "s"), ringed) holds the points no other point beats in both time and energy."
                + "\(overlap)")
            html += paretoTable(front)
        }
        for axis in axes.prefix(3) where !timed.isEmpty {
            for (metric, value, format) in [
                ("predicted time", { (r: SweepReport.Result) in r.time }, Format.time),
                ("energy", { (r: SweepReport.Result) in r.energy }, Format.energy),
            ] as [(String, (SweepReport.Result) -> Double?, (Double) -> String)] {
                html += spatialAxisChart(timed, axis: axis, metric: metric, value: value, format: format)
            }
        }
        return html.isEmpty ? nil : html
    }

    /// A metric against one size axis. With few enough combinations of the other axes, one line per combination;
    /// else one line per value of the other axis with the fewest values, at the lowest value over the rest, with a
    /// band from lowest to highest.
    func spatialAxisChart(_ timed: [SweepReport.Point], axis: String, metric: String, value: @escaping (SweepReport.Result) -> Double?,
                          format: @escaping (Double) -> String) -> HTML {
        let measured = timed.filter { (value($0.result!) ?? 0) > 0 }
        guard !measured.isEmpty else { return HTML() }
        let cats = categories(axis, of: measured)
        let place: (SweepReport.Point) -> Int? = { point in point.value(of: axis).flatMap { cats.position[SweepReport.key($0)] } }
        let others = naming.filter { $0 != axis && !report.determines(axis, $0) }
        var chart = SVGChart(title: "\(metric) against \(axis)", x: SVGChart.xCategories(cats.labels),
                             y: SVGChart.yScale(measured.map { value($0.result!)! }, logSpan: 10), xLabel: SweepAxisPath(axis).label, yLabel: metric,
                             yFormat: format)
        let combinations = series(measured) { valuesLabel($0, others) }
        var caption: HTML
        if combinations.count <= SVGChart.palette.count {
            for group in combinations {
                chart.line(pointsByPlace(group.points, place: place) { value($0.result!) }, color: group.color, width: 1.8,
                           title: group.label.isEmpty ? metric : group.label)
                let items = group.points.compactMap { point in
                    place(point).map { (x: Double($0), y: value(point.result!)!, title: tooltip(point, ["\(metric) \(format(value(point.result!)!))"])) }
                }
                chart.markers(items, color: group.color, radius: 3.5, limit: SweepReport.markerLimit)
            }
            chart.legendTitle = others.isEmpty ? nil : others.joined(separator: " · ")
            chart.legend = seriesLegend(combinations.map { Series(label: $0.label.isEmpty ? metric : $0.label, color: $0.color, points: $0.points) },
                                        prefix: "")
            caption = others.isEmpty ? HTML() : ", one line per value of \(codes(others))"
        } else {
            let counts = others.map { other in Set(measured.compactMap { $0.value(of: other).map(SweepReport.key) }).count }
            let seriesAxis = zip(others, counts).filter { $0.1 <= SVGChart.palette.count }.min { $0.1 < $1.1 }?.0
            let rest = others.filter { $0 != seriesAxis }
            let groups = series(measured) { point in seriesAxis.map { valuesLabel(point, [$0]) } ?? metric }
            for group in groups {
                var lowest: [Int: SweepReport.Point] = [:], highest: [Int: Double] = [:]
                for point in group.points {
                    guard let at = place(point), let number = value(point.result!) else { continue }
                    if lowest[at].map({ number < value($0.result!)! }) ?? true { lowest[at] = point }
                    highest[at] = max(highest[at] ?? number, number)
                }
                let positions = lowest.keys.sorted()
                let low = positions.map { (Double($0), value(lowest[$0]!.result!)!) }
                let high = positions.map { (Double($0), highest[$0]!) }
                chart.polygon(low + high.reversed(), color: group.color, opacity: 0.12, title: "\(group.label): lowest to highest over the other axes")
                chart.line(low, color: group.color, width: 1.8, title: "\(group.label): the lowest over the other axes")
                chart.markers(positions.map { at in
                    let point = lowest[at]!
                    return (x: Double(at), y: value(point.result!)!, title: tooltip(point, ["\(metric) \(format(value(point.result!)!)), the lowest here"]))
                }, color: group.color, radius: 3.5, limit: SweepReport.markerLimit)
            }
            chart.legendTitle = seriesAxis
            chart.legend = seriesLegend(groups, prefix: "")
            chart.legend.append(.init(label: "range over the other axes", color: "#777", swatch: .band))
            let perValue: HTML? = seriesAxis.map { ", one line per value of <code>\($0)</code>" }
            caption = "\(perValue): the line is the lowest over \(codes(rest)), the band spans lowest to highest"
        }
        let title = metric.prefix(1).uppercased() + metric.dropFirst()
        return figure(chart.rendered(), caption: "\(title) (a prediction) against <code>\(axis)</code>\(caption).")
    }

    /// Axis names as code, joined by "and".
    func codes(_ names: [String]) -> HTML { names.map { HTML.element("code", .text($0)) }.joined(separator: " and ") }

    func paretoTable(_ front: [SweepReport.Point]) -> HTML {
        guard !front.isEmpty else { return HTML() }
        var html: HTML = "<h3>Pareto-optimal points</h3>\n<table class=\"sortable\"><thead><tr><th>#</th>"
        html += headerCells(varying)
        html += "<th>time</th><th>energy</th><th>DRAM</th><th>bottleneck</th></tr></thead><tbody>"
        for point in front {
            let result = point.result!
            html += "<tr>\(indexCell(point))\(axisCells(point))\(numberCell(result.time, Format.time))"
                + "\(numberCell(result.energy, Format.energy))\(numberCell(result.dramBytes, Format.bytes))\(textCell(result.bottleneck))</tr>"
        }
        return html + "</tbody></table>\n"
    }
}
