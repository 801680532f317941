import Foundation

/// Builds the page of ``SweepReport/html()``; holds what several sections share (the varying axes, the series
/// colours). Each section is an extension in its own file (`SweepReportPage+GNA.swift`, ...).
struct SweepReportPage {
    let report: SweepReport
    let uses: [SweepReport.AxisUse]
    /// Every varying axis (table columns), and those that name a point (legends, tooltips).
    let varying: [String]
    let naming: [String]
    let workloadsDiffer: Bool

    init(report: SweepReport) {
        self.report = report
        uses = report.axisUses
        varying = uses.filter(\.varies).map(\.name)
        naming = report.namingAxes
        workloadsDiffer = Set(report.points.compactMap { $0.result?.workload }).count > 1
    }

    func rendered() -> HTML {
        var sections: [(id: String, title: String, body: HTML)] = []
        if report.hasGNA { sections.append(("gna", "GNA speedup", gnaSection())) }
        if report.hasSpatial, let body = spatialSection() { sections.append(("spatial", "Time and energy", body)) }
        if let axis = report.resourceAxis { sections.append(("time", "Time", timeSection(axis: axis))) }
        if report.hasRoofline { sections.append(("roofline", "Roofline", rooflineSection())) }
        if report.hasUtilization { sections.append(("utilization", "Utilization", utilizationSection())) }
        if let rows = report.crossCheck, !rows.isEmpty { sections.append(("crosscheck", "Cross-check", crossCheckSection(rows))) }
        if !report.okPoints.isEmpty { sections.append(("points", "Points", pointsSection())) }
        if !report.errorPoints.isEmpty { sections.append(("errors", "Errors", errorsSection())) }

        var html: HTML = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"generator\" content=\"attnsim \(AttnSimVersion.string)\">\n"
        html += "<title>\(report.header.name) — attnsim sweep report</title>\n<style>\(HTML.raw(Self.css))</style>\n</head>\n<body>\n"
        html += headerSection()
        if !sections.isEmpty {
            html += "<nav>\(sections.map { "<a href=\"#\($0.id)\">\($0.title)</a>" as HTML }.joined(separator: " · "))</nav>\n"
        }
        for section in sections {
            html += "<section id=\"\(section.id)\">\n<h2>\(section.title)</h2>\n\(section.body)</section>\n"
        }
        html += "<footer>attnsim \(AttnSimVersion.string) · bounds are upper bounds (nothing real beats them);"
            + " predictions are attnsim's models of what a kernel or array will do.</footer>\n"
        html += "<script>\(HTML.raw(Self.script))</script>\n</body>\n</html>\n"
        return html
    }

    // MARK: Naming points

    /// `#3 16×8×8 · h100-sxm5-80gb`: the index and the values of the varying axes.
    func name(_ point: SweepReport.Point) -> String {
        let values = naming.compactMap { axis in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } }
        var text = "#\(point.index)" + (values.isEmpty ? "" : " " + values.joined(separator: " · "))
        if values.isEmpty, let result = point.result { text += " \(result.workload) on \(result.hardware)" }
        return text
    }

    /// A tooltip: the point's name, its workload where workloads differ, then its numbers.
    func tooltip(_ point: SweepReport.Point, _ extra: [String]) -> String {
        var lines = [name(point)]
        if workloadsDiffer, let result = point.result { lines.append("\(result.workload) on \(result.hardware)") }
        return (lines + extra).joined(separator: "\n")
    }

    /// The point's values on `axes`, as `64 KiB · 32×32` (the legend's title names the axes).
    func valuesLabel(_ point: SweepReport.Point, _ axes: [String]) -> String {
        axes.compactMap { axis in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } }.joined(separator: " · ")
    }

    /// The point's values on `axes` with their names, as `window=18×24×24 · dilation=1×1×1` (tooltips of lines).
    func axesLabel(_ point: SweepReport.Point, _ axes: [String]) -> String {
        axes.compactMap { axis in point.value(of: axis).map { "\(axis)=\(SweepReport.shortLabel(axis, $0))" } }.joined(separator: " · ")
    }

    // MARK: Series

    /// Items of one chart series, with its label and colour.
    struct Series<Item> {
        var label: String
        var color: String
        var points: [Item]
    }

    /// Groups items into series by a key, in order of first appearance; the first few get the palette's colours.
    func series<Item>(_ points: [Item], by key: (Item) -> String) -> [Series<Item>] {
        var order: [String] = []
        var members: [String: [Item]] = [:]
        for point in points {
            let label = key(point)
            if members[label] == nil { order.append(label) }
            members[label, default: []].append(point)
        }
        return order.enumerated().map { Series(label: $1, color: SVGChart.color($0), points: members[$1]!) }
    }

    /// Legend entries for the first series (coloured), and a count of the rest (grey).
    func seriesLegend<Item>(_ all: [Series<Item>], prefix: String) -> [SVGChart.LegendItem] {
        var items = all.prefix(SVGChart.palette.count).map {
            SVGChart.LegendItem(label: prefix + $0.label, color: $0.color, swatch: .marker(filled: true))
        }
        if all.count > SVGChart.palette.count {
            items.append(.init(label: "\(all.count - SVGChart.palette.count) more series", color: SVGChart.other, swatch: .marker(filled: true)))
        }
        return items
    }

    /// The categories of an x axis (ordered by value where every value has one) and each point's position.
    func categories(_ axis: String, of points: [SweepReport.Point]) -> (labels: [String], position: [String: Int]) {
        let present = Set(points.compactMap { $0.value(of: axis).map(SweepReport.key) })
        let values = SweepReport.ordered((uses.first { $0.name == axis }?.values ?? []).filter { present.contains(SweepReport.key($0)) },
                                         axis: SweepAxisPath(axis))
        var position: [String: Int] = [:]
        for (place, value) in values.enumerated() { position[SweepReport.key(value)] = place }
        return (values.map(SweepReport.label), position)
    }

    /// (category position, value) pairs of a series, in category order, skipping points without a value.
    func pointsByPlace(_ points: [SweepReport.Point], place: (SweepReport.Point) -> Int?,
                       value: (SweepReport.Point) -> Double?) -> [(Double, Double)] {
        var pairs: [(Double, Double)] = []
        var used = Set<Int>()
        for point in points {
            guard let at = place(point), let number = value(point), used.insert(at).inserted else { continue }
            pairs.append((Double(at), number))
        }
        return pairs.sorted { $0.0 < $1.0 }
    }

    // MARK: Cells

    /// A figure: a chart (or any drawing) and its caption.
    func figure(_ drawing: HTML, caption: HTML) -> HTML { "<figure>\(drawing)<figcaption>\(caption)</figcaption></figure>\n" }

    /// The point's index, sorted as a number.
    func indexCell(_ point: SweepReport.Point) -> HTML { .element("td", ["data-v": "\(point.index)"], "\(point.index)") }

    func axisCells(_ point: SweepReport.Point) -> HTML { varying.map { axisCell(point, $0) }.joined() }

    /// A point's value of an axis, sorted by its order value (a number, a list's product, a size) where it has one.
    func axisCell(_ point: SweepReport.Point, _ axis: String) -> HTML {
        let value = point.value(of: axis)
        return .element("td", ["data-v": value.flatMap { SweepReport.orderValue($0, axis: SweepAxisPath(axis)) }.map(Format.sortKey)],
                        .text(value.map(SweepReport.label) ?? "—"))
    }

    /// A numeric cell: the formatted value, sorted by the raw number; "—" (sorted last) when nil.
    func numberCell(_ value: Double?, _ format: (Double) -> String) -> HTML {
        guard let value, value.isFinite else { return "<td data-v=\"\">—</td>" }
        return .element("td", ["data-v": Format.sortKey(value)], .text(format(value)))
    }

    /// A text cell; "—" when nil.
    func textCell(_ text: String?) -> HTML { .element("td", .text(text ?? "—")) }

    /// `<th>` cells, one per title.
    func headerCells(_ titles: [String]) -> HTML { titles.map { HTML.element("th", .text($0)) }.joined() }
}
