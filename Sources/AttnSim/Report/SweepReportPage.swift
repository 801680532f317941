import Foundation

/// Builds the page of ``SweepReport/html(options:library:)``: the sections as HTML with an empty `<div>` per chart,
/// one JSON block with the points and every chart's Vega-Lite spec, the vendored Vega and Vega-Lite, and the script
/// that renders the charts and the points table (SweepReportPage+Script.swift). Each section is an extension in its
/// own file (`SweepReportPage+GNA.swift`, ...).
struct SweepReportPage {
    let report: SweepReport
    let options: SweepReport.Options
    let uses: [SweepReport.AxisUse]
    /// Every varying axis (table columns), and those that name a point (legends, tooltips).
    let varying: [String]
    let naming: [String]
    let workloadsDiffer: Bool
    /// The naming axes as chart dimensions, list-valued ones split into their components.
    let dimensions: [Dimension]
    /// The heatmaps' layouts: x, y and panels (nil where the sweep has none of that kind).
    let gnaLayout: HeatmapLayout?
    let spatialLayout: HeatmapLayout?
    /// The charts in page order, filled as the sections are built.
    let charts = ChartList()

    init(report: SweepReport, options: SweepReport.Options = .init()) throws(Diagnostic) {
        self.report = report
        self.options = options
        uses = report.axisUses
        varying = uses.filter(\.varies).map(\.name)
        naming = report.namingAxes
        workloadsDiffer = Set(report.points.compactMap { $0.result?.workload }).count > 1
        dimensions = Self.dimensions(report: report, naming: naming, uses: uses)
        let gnaPoints = report.okPoints.filter { $0.result!.hasTiles && $0.result!.speedup != nil }
        gnaLayout = try Self.layout(dimensions, points: gnaPoints, options: options, preferred: [])
        let spatialPoints = report.spatialAxes.isEmpty ? [] : report.okPoints.filter { ($0.result?.time ?? 0) > 0 }
        spatialLayout = gnaLayout == nil
            ? try Self.layout(dimensions, points: spatialPoints, options: options, preferred: report.spatialAxes) : nil
        if (options.x != nil || options.y != nil) && gnaLayout == nil && spatialLayout == nil {
            throw Diagnostic(file: "--x/--y", message: "this sweep draws no heatmap (its results have no tile analysis and no "
                + "spatial design axes), so there is no axis to choose")
        }
    }

    /// The charts of a page, in order; a class so the sections (methods of the value type) can add to it.
    final class ChartList {
        var list: [Chart] = []
        /// Datasets besides the points (roofs, utilization, cross-check rows, waterfalls), by name.
        var datasets: [(String, VL)] = []
    }

    /// One chart: where it goes, its Vega-Lite spec, how a brush on it filters the points table (field → `range` for a
    /// continuous scale, `set` for a discrete one), and an optional control that swaps part of the spec.
    struct Chart {
        var id: String
        var spec: VL
        var brush: [(field: String, kind: String)] = []
        var control: VL? = nil
    }

    func rendered(library: VegaLibrary) -> HTML {
        var sections: [(id: String, title: String, body: HTML)] = []
        if let layout = gnaLayout { sections.append(("gna", "GNA speedup", gnaSection(layout))) }
        if report.hasPruning, let axis = report.keepAxis { sections.append(("pruning", "Pruning", pruningSection(axis: axis))) }
        if report.hasSpatial, let body = spatialSection() { sections.append(("spatial", "Time and energy", body)) }
        if let axis = report.resourceAxis { sections.append(("time", "Time", timeSection(axis: axis))) }
        if report.hasRoofline { sections.append(("roofline", "Roofline", rooflineSection())) }
        if report.okPoints.contains(where: { $0.result?.waterfall != nil }) {
            sections.append(("waterfall", "From the FLOP bound to the prediction", waterfallSection()))
        }
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
            + " predictions are attnsim's models of what a kernel or array will do · charts drawn with Vega \(VegaLibrary.vegaVersion)"
            + " and Vega-Lite \(VegaLibrary.vegaLiteVersion) (BSD-3-Clause, University of Washington Interactive Data Lab)</footer>\n"
        html += "<script type=\"application/json\" id=\"report-data\">\(HTML.raw(Self.scriptSafe(pageData().serialized(pretty: false))))</script>\n"
        for script in library.scripts { html += "<script>\(HTML.raw(Self.scriptSafe(script, isJSON: false)))</script>\n" }
        html += "<script>\(HTML.raw(Self.script))</script>\n</body>\n</html>\n"
        return html
    }

    /// Text safe inside `<script>`: JSON gets every `<` as `\u003c` (so no `</script>` or `<!--` can end or change the
    /// block); a library script only needs `</script` broken, which its minified text does not contain.
    static func scriptSafe(_ text: String, isJSON: Bool = true) -> String {
        if isJSON { return text.replacingOccurrences(of: "<", with: "\\u003c") }
        return text.replacingOccurrences(of: "</script", with: "<\\/script", options: .caseInsensitive)
    }

    // MARK: Charts

    /// Registers a chart and returns its figure: an empty `<div>` the script renders into, and the caption.
    func chart(_ spec: VL, caption: HTML, brush: [(field: String, kind: String)] = [], control: VL? = nil, wide: Bool = false) -> HTML {
        let id = "chart-\(charts.list.count + 1)"
        charts.list.append(Chart(id: id, spec: spec, brush: brush, control: control))
        return "<figure class=\"\(wide ? "wide" : "half")\">" + HTML.element("div", ["class": "vega", "id": id])
            + "<figcaption>\(caption)</figcaption></figure>\n"
    }

    /// Zoom and pan (drag, wheel) bound to the scales, and a brush with the shift key held that filters the points
    /// table: the selections of a scatter or line chart.
    static func zoomAndBrush(_ encodings: [String] = ["x", "y"]) -> VL {
        let shift = "[mousedown[event.shiftKey], window:mouseup] > window:mousemove!"
        return [
            "zoom": ["type": "interval", "bind": "scales", "on": "[mousedown[!event.shiftKey], window:mouseup] > window:mousemove!",
                     "translate": "[mousedown[!event.shiftKey], window:mouseup] > window:mousemove!", "clear": "dblclick"],
            "brush": ["type": "interval", "encodings": .strings(encodings), "on": .string(shift), "translate": .string(shift),
                      "zoom": false, "clear": "dblclick[event.shiftKey]", "mark": ["fill": "#333", "fillOpacity": 0.08, "stroke": "#333"]],
        ]
    }

    /// A field encoding.
    static func field(_ key: String, _ type: String, title: String, extra: [(String, VL)] = []) -> VL {
        var pairs: [(String, VL)] = [("field", .string(key)), ("type", .string(type)), ("title", .string(title))]
        pairs += extra
        return .object(pairs)
    }

    /// A log scale axis with its unit formatted by the page (`formatType` registered in the script).
    static func logScale() -> VL { ["type": "log"] }

    // MARK: Naming points

    /// `#3 16×8×8 · h100-sxm5-80gb`: the index and the values of the varying axes.
    func name(_ point: SweepReport.Point) -> String {
        let values = naming.compactMap { axis in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } }
        var text = "#\(point.index)" + (values.isEmpty ? "" : " " + values.joined(separator: " · "))
        if values.isEmpty, let result = point.result { text += " \(result.workload) on \(result.hardware)" }
        return text
    }

    /// The point's values on `axes`, as `64 KiB · 32×32`.
    func valuesLabel(_ point: SweepReport.Point, _ axes: [String]) -> String {
        axes.compactMap { axis in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } }.joined(separator: " · ")
    }

    /// The series of a point on a chart whose x axis is `axis`: its hardware and the other naming axes' values.
    func seriesLabel(_ point: SweepReport.Point, excluding axis: String?) -> String {
        let others = naming.filter { other in
            other != axis && !SweepReport.isHardwareAxis(other) && !(axis.map { report.determines($0, other) } ?? false)
        }
        return ([point.result!.hardware] + [valuesLabel(point, others)].filter { !$0.isEmpty }).joined(separator: " · ")
    }

    /// Axis names as code, joined by "and".
    func codes(_ names: [String]) -> HTML { names.map { HTML.element("code", .text($0)) }.joined(separator: " and ") }

    // MARK: Cells

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
