import Foundation

/// The page `attnsim report` writes: one HTML file with inline CSS, SVG and a little JavaScript (sortable tables),
/// nothing fetched from the network. Sections appear only when the sweep has data for them:
///
/// - header: name, description, spec, point and error counts, the axes and their values, the best points (always);
/// - GNA: predicted speedup against the swept stride/window axis, one series per hardware, with the FLOP,
///   tile (NATTEN) and wave-aware upper bounds (results with a tile analysis); past ``Page/lineChartLimit`` values,
///   predictions against the axis's product and against each point's bound, and the best points per hardware;
/// - spatial: time against energy with the Pareto front, and time and energy against each array-size or
///   buffer-size axis (results with an energy, or axes that resize a spatial design);
/// - roofline: achieved FLOP/s against arithmetic intensity (results with FLOPs, DRAM bytes and a time);
/// - utilization: per-unit busy fractions of the points with the best predicted speedup;
/// - cross-check: predicted against measured speedup and the error histograms (`crosscheck.json`);
/// - tables: every point (sortable, filterable, capped at ``tableLimit`` rows) and every error point.
///
/// Building the page is O(points · axes²) (finding which axes follow which) plus O(points · log points) for sorting.
extension SweepReport {
    /// Rows of the points table; a larger sweep lists its best points (highest predicted speedup, then shortest time)
    /// and says where the rest are.
    public static let tableLimit = 1000
    /// Markers per scatter chart: markers that would overlap are drawn once, and past this many positions an even
    /// subsample is drawn (always with the whole Pareto front).
    public static let markerLimit = 2500
    /// Points in the utilization chart.
    public static let utilizationLimit = 16

    /// The whole page. The same report gives the same bytes (no timestamps, no hash-ordered iteration).
    public func html() -> String {
        let page = Page(report: self)
        return page.rendered()
    }
}

/// Builds the page; holds what several sections share (the varying axes, the series colours).
private struct Page {
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

    func rendered() -> String {
        var sections: [(id: String, title: String, body: String)] = []
        if report.hasGNA { sections.append(("gna", "GNA speedup", gnaSection())) }
        if report.hasSpatial, let body = spatialSection() { sections.append(("spatial", "Time and energy", body)) }
        if report.hasRoofline { sections.append(("roofline", "Roofline", rooflineSection())) }
        if report.hasUtilization { sections.append(("utilization", "Utilization", utilizationSection())) }
        if let rows = report.crossCheck, !rows.isEmpty { sections.append(("crosscheck", "Cross-check", crossCheckSection(rows))) }
        if !report.okPoints.isEmpty { sections.append(("points", "Points", pointsSection())) }
        if !report.errorPoints.isEmpty { sections.append(("errors", "Errors", errorsSection())) }

        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"generator\" content=\"attnsim \(AttnSimVersion.string)\">\n"
        html += "<title>\(HTML.escape(report.header.name)) — attnsim sweep report</title>\n<style>\(Page.css)</style>\n</head>\n<body>\n"
        html += headerSection()
        if !sections.isEmpty {
            html += "<nav>" + sections.map { "<a href=\"#\($0.id)\">\(HTML.escape($0.title))</a>" }.joined(separator: " · ") + "</nav>\n"
        }
        for section in sections {
            html += "<section id=\"\(section.id)\">\n<h2>\(HTML.escape(section.title))</h2>\n\(section.body)</section>\n"
        }
        html += "<footer>attnsim \(AttnSimVersion.string) · bounds are upper bounds (nothing real beats them);"
            + " predictions are attnsim's models of what a kernel or array will do.</footer>\n"
        html += "<script>\(Page.script)</script>\n</body>\n</html>\n"
        return html
    }

    // MARK: Header

    func headerSection() -> String {
        let header = report.header
        let ok = report.okPoints.count, errors = report.errorPoints.count
        var html = "<header>\n<h1>\(HTML.escape(header.name))</h1>\n"
        if let description = header.description, !description.isEmpty { html += "<p class=\"lead\">\(HTML.escape(description))</p>\n" }
        html += "<dl class=\"facts\">"
        var count = "<b id=\"point-count\">\(report.points.count)</b> points"
        if let declared = header.declaredPoints, declared != report.points.count { count += " of \(declared) (the sweep is incomplete)" }
        html += "<div><dt>points</dt><dd>\(count): <span class=\"ok\">\(ok) ok</span>, "
            + "<span class=\(errors > 0 ? "\"bad\"" : "\"ok\"")>\(errors) error\(errors == 1 ? "" : "s")</span></dd></div>"
        if let mode = header.mode { html += "<div><dt>mode</dt><dd>\(HTML.escape(mode))</dd></div>" }
        if let spec = header.spec { html += "<div><dt>spec</dt><dd><code>\(HTML.escape(spec))</code></dd></div>" }
        for (word, values) in [("hardware", distinct(\.hardware)), ("workload", distinct(\.workload))]
        where !values.isEmpty && !uses.contains(where: { $0.name == word && $0.varies }) {
            html += "<div><dt>\(word)</dt><dd>\(HTML.escape(values.prefix(12).joined(separator: ", ")))"
                + (values.count > 12 ? " … (\(values.count) in all)" : "") + "</dd></div>"
        }
        html += "</dl>\n"
        if !uses.isEmpty {
            html += "<table class=\"axes\"><thead><tr><th>axis</th><th>values</th></tr></thead><tbody>"
            for use in uses {
                let labels = use.values.map(SweepReport.label)
                html += "<tr><td><code>\(HTML.escape(use.name))</code></td><td>\(HTML.escape(labels.prefix(24).joined(separator: ", ")))"
                    + (labels.count > 24 ? " … (\(labels.count) values)" : "") + (use.varies ? "" : " <span class=\"muted\">(fixed)</span>")
                    + "</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        html += highlights()
        html += "</header>\n"
        return html
    }

    /// Distinct values of a result field, in point order.
    func distinct(_ field: KeyPath<SweepReport.Result, String>) -> [String] {
        var seen = Set<String>(), values: [String] = []
        for point in report.points { if let value = point.result?[keyPath: field], seen.insert(value).inserted { values.append(value) } }
        return values
    }

    /// Cards for the best points.
    func highlights() -> String {
        var cards: [String] = []
        let ok = report.okPoints
        // A speedup card only where something is faster than dense (a sweep of dense designs has 1× everywhere).
        if let best = ok.filter({ $0.result?.speedup != nil }).max(by: { ($0.result!.speedup!, -$0.index) < ($1.result!.speedup!, -$1.index) }),
           abs(best.result!.speedup! - 1) > 1e-9 {
            let bound = best.result!.waveBound ?? best.result!.flopBound
            cards.append(card("best predicted speedup", Format.speedup(best.result!.speedup!),
                              name(best) + (bound.map { " · upper bound \(Format.speedup($0))" } ?? "")))
        }
        if let fastest = ok.filter({ $0.result?.time != nil }).min(by: { ($0.result!.time!, $0.index) < ($1.result!.time!, $1.index) }) {
            cards.append(card("fastest predicted time", Format.time(fastest.result!.time!), name(fastest)))
        }
        if let lowest = ok.filter({ $0.result?.energy != nil }).min(by: { ($0.result!.energy!, $0.index) < ($1.result!.energy!, $1.index) }) {
            cards.append(card("lowest energy", Format.energy(lowest.result!.energy!), name(lowest)))
        }
        let front = report.paretoFront
        let withEnergy = ok.filter { ($0.result?.time ?? 0) > 0 && ($0.result?.energy ?? 0) > 0 }.count
        if front.count > 0 && withEnergy >= 2 { cards.append(card("time–energy Pareto front", "\(front.count) point\(front.count == 1 ? "" : "s")", "see Time and energy")) }
        return cards.isEmpty ? "" : "<div class=\"cards\">" + cards.joined() + "</div>\n"
    }

    func card(_ title: String, _ value: String, _ detail: String) -> String {
        "<div class=\"card\"><div class=\"muted\">\(HTML.escape(title))</div><div class=\"big\">\(HTML.escape(value))</div>"
            + "<div class=\"small\">\(HTML.escape(detail))</div></div>"
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

    /// The point's values on `axes`, as `64 KiB · 32×32` (the legend's title names the axes).
    func valuesLabel(_ point: SweepReport.Point, _ axes: [String]) -> String {
        axes.compactMap { axis in point.value(of: axis).map { SweepReport.shortLabel(axis, $0) } }.joined(separator: " · ")
    }

    /// The point's values on `axes` with their names, as `window=18×24×24 · dilation=1×1×1` (tooltips of lines).
    func axesLabel(_ point: SweepReport.Point, _ axes: [String]) -> String {
        axes.compactMap { axis in point.value(of: axis).map { "\(axis)=\(SweepReport.shortLabel(axis, $0))" } }.joined(separator: " · ")
    }

    /// The categories of an x axis (ordered by value where every value has one) and each point's position.
    func categories(_ axis: String, of points: [SweepReport.Point]) -> (labels: [String], position: [String: Int]) {
        let present = Set(points.compactMap { $0.value(of: axis).map(SweepReport.key) })
        let values = SweepReport.ordered((uses.first { $0.name == axis }?.values ?? []).filter { present.contains(SweepReport.key($0)) })
        var position: [String: Int] = [:]
        for (place, value) in values.enumerated() { position[SweepReport.key(value)] = place }
        return (values.map(SweepReport.label), position)
    }

    // MARK: GNA

    /// Up to this many x values the GNA chart draws lines against the swept axis; beyond, it plots each point's
    /// prediction against its bound.
    static let lineChartLimit = 40

    func gnaSection() -> String {
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
        var html = ""
        let cats = xAxis.map { categories($0, of: points) }
        if let xAxis, let cats, cats.labels.count > Page.lineChartLimit {
            html += gnaManyValues(points, all, xAxis: xAxis, count: cats.labels.count)
        } else {
            html += gnaLineChart(points, all, xAxis: xAxis, others: others)
        }
        html += gnaAboveBounds(points)
        html += gnaBestTable(all, xAxis: xAxis)
        return html
    }

    /// Predicted speedup and the bounds against the swept axis, one line per series.
    func gnaLineChart(_ points: [SweepReport.Point], _ all: [Series<SweepReport.Point>], xAxis: String?, others: [String]) -> String {
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
                             y: SVGChart.yScale(values, zero: true), xLabel: xTitle, yLabel: "speedup over dense (×)",
                             yFormat: Format.speedupTick)
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
        var html = "<figure>\(chart.rendered())<figcaption>Solid lines and markers are attnsim's <em>predictions</em> "
            + "(its model of what the kernel will do); dashed and dotted lines are <em>upper bounds</em> on the speedup over dense "
            + "attention (the tile and wave-aware bounds in each series' colour). The tile bound is NATTEN's metric and can sit below "
            + "a real speedup when there are many waves; the wave-aware bound is the one attnsim stands behind."
        if let xAxis, let declared = uses.first(where: { $0.name == xAxis })?.values,
           SweepReport.ordered(declared).map(SweepReport.key) != declared.map(SweepReport.key) {
            html += " The \(HTML.escape(xAxis)) values are ordered by their product."
        }
        return html + "</figcaption></figure>\n"
    }

    /// For many x values: predictions against the axis's order value (a list's product), with each bound's highest
    /// value at each x as a line, then predictions against the tightest bound with y = x marking the bound.
    func gnaManyValues(_ points: [SweepReport.Point], _ all: [Series<SweepReport.Point>], xAxis: String, count: Int) -> String {
        var html = ""
        let order: (SweepReport.Point) -> Double? = { point in point.value(of: xAxis).flatMap(SweepReport.orderValue).flatMap { $0 > 0 ? $0 : nil } }
        if points.allSatisfy({ order($0) != nil }) {
            var values: [Double] = [1]
            for point in points { values += [point.result!.speedup, point.result!.flopBound, point.result!.tileBound, point.result!.waveBound].compactMap { $0 } }
            let isList: Bool = { if case .array? = points.first?.value(of: xAxis) { return true } else { return false } }()
            let xTitle = xAxis + (isList ? " (product of its values)" : "")
            var chart = SVGChart(title: "Predicted speedup against \(xTitle)", x: SVGChart.xScale(points.map { order($0)! }),
                                 y: SVGChart.yScale(values, zero: true), xLabel: xTitle, yLabel: "speedup over dense (×)",
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
            html += "<figure>\(chart.rendered())<figcaption>\(count) values of <code>\(HTML.escape(xAxis))</code>, placed by "
                + (isList ? "the product of their values" : "value") + ". Markers are attnsim's <em>predictions</em>; the dashed line is "
                + "the FLOP bound, an <em>upper bound</em> (its highest value at each x). The tile (NATTEN) and wave-aware bounds differ "
                + "between neighbouring values, so the next chart holds each point against its own bound. Markers that would overlap "
                + "are drawn once.</figcaption></figure>\n"
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
        html += "<figure>\(chart.rendered())<figcaption>Each marker is one point's <em>prediction</em> against its \(boundName), an "
            + "<em>upper bound</em>. The distance below the diagonal is what the prediction charges beyond the bound (partially masked "
            + "tiles, per-CTA work, waves, launch). The best points are listed below.</figcaption></figure>\n"
        return html
    }

    /// How many predictions exceed each bound: a check on the model for the wave-aware bound.
    func gnaAboveBounds(_ points: [SweepReport.Point]) -> String {
        let counts = [("FLOP bound", \SweepReport.Result.flopBound), ("tile bound (NATTEN)", \.tileBound), ("wave-aware bound", \.waveBound)]
            .compactMap { name, field -> String? in
                let bounded = points.filter { $0.result![keyPath: field] != nil }
                guard !bounded.isEmpty else { return nil }
                let above = bounded.filter { $0.result!.speedup! > $0.result![keyPath: field]! * (1 + 1e-9) }.count
                let tag = name == "wave-aware bound" && above > 0 ? "bad" : "muted"
                return "\(name) <b class=\"\(tag)\">\(above)</b> of \(bounded.count)"
            }
        guard !counts.isEmpty else { return "" }
        return "<p>Predictions above a bound: " + counts.joined(separator: " · ") + ". Above the wave-aware bound, the one attnsim "
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
    func gnaBestTable(_ all: [Series<SweepReport.Point>], xAxis: String?) -> String {
        let top = 10
        guard all.contains(where: { $0.points.count > top }) else { return "" }
        var html = "<h3>Best predicted speedups (top \(top) per series)</h3>\n<table class=\"sortable\"><thead><tr><th>series</th>"
            + "<th>#</th>" + (xAxis.map { "<th>\(HTML.escape($0))</th>" } ?? "")
            + "<th>predicted</th><th>time</th><th>FLOP bound</th><th>tile bound (NATTEN)</th><th>wave-aware bound</th>"
            + "<th>share of wave-aware bound</th></tr></thead><tbody>"
        for serie in all.prefix(SVGChart.palette.count) {
            let best = serie.points.sorted { ($0.result!.speedup!, -$0.index) > ($1.result!.speedup!, -$1.index) }.prefix(top)
            for point in best {
                let result = point.result!
                let share = result.waveBound.flatMap { bound in bound > 0 ? result.speedup! / bound : nil }
                html += "<tr><td>\(HTML.escape(serie.label))</td><td data-v=\"\(point.index)\">\(point.index)</td>"
                    + (xAxis.map { axisCell(point, $0) } ?? "")
                    + numberCell(result.speedup, Format.speedup) + numberCell(result.time, Format.time)
                    + numberCell(result.flopBound, Format.speedup) + numberCell(result.tileBound, Format.speedup)
                    + numberCell(result.waveBound, Format.speedup) + numberCell(share, Format.percent) + "</tr>"
            }
        }
        return html + "</tbody></table>\n"
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

    // MARK: Spatial

    func spatialSection() -> String? {
        var html = ""
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
            html += "<figure>\(chart.rendered())<figcaption>Each marker is one design point's <em>prediction</em>; the Pareto front "
                + "(\(front.count) point\(front.count == 1 ? "" : "s"), ringed) holds the points no other point beats in both time and energy."
                + (drawn < both.count ? " \(both.count) points: markers that would overlap are drawn once"
                    + (both.count > SweepReport.markerLimit ? ", and an even subsample of the rest beyond \(SweepReport.markerLimit)" : "") + "." : "")
                + "</figcaption></figure>\n"
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
                          format: @escaping (Double) -> String) -> String {
        let measured = timed.filter { (value($0.result!) ?? 0) > 0 }
        guard !measured.isEmpty else { return "" }
        let cats = categories(axis, of: measured)
        let place: (SweepReport.Point) -> Int? = { point in point.value(of: axis).flatMap { cats.position[SweepReport.key($0)] } }
        let others = naming.filter { $0 != axis && !report.determines(axis, $0) }
        var chart = SVGChart(title: "\(metric) against \(axis)", x: SVGChart.xCategories(cats.labels),
                             y: SVGChart.yScale(measured.map { value($0.result!)! }, logSpan: 10), xLabel: axis, yLabel: metric,
                             yFormat: format)
        let combinations = series(measured) { valuesLabel($0, others) }
        var caption: String
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
            caption = others.isEmpty ? "" : ", one line per value of " + others.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " and ")
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
            caption = (seriesAxis.map { ", one line per value of <code>\(HTML.escape($0))</code>" } ?? "")
                + ": the line is the lowest over " + rest.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " and ")
                + ", the band spans lowest to highest"
        }
        return "<figure>\(chart.rendered())<figcaption>\(HTML.escape(metric.prefix(1).uppercased() + metric.dropFirst())) (a prediction) "
            + "against <code>\(HTML.escape(axis))</code>\(caption).</figcaption></figure>\n"
    }

    func paretoTable(_ front: [SweepReport.Point]) -> String {
        guard !front.isEmpty else { return "" }
        var html = "<h3>Pareto-optimal points</h3>\n<table class=\"sortable\"><thead><tr><th>#</th>"
        html += varying.map { "<th>\(HTML.escape($0))</th>" }.joined()
        html += "<th>time</th><th>energy</th><th>DRAM</th><th>bottleneck</th></tr></thead><tbody>"
        for point in front {
            let result = point.result!
            html += "<tr><td data-v=\"\(point.index)\">\(point.index)</td>" + axisCells(point)
                + numberCell(result.time, Format.time) + numberCell(result.energy, Format.energy)
                + numberCell(result.dramBytes, Format.bytes) + "<td>\(HTML.escape(result.bottleneck ?? "—"))</td></tr>"
        }
        return html + "</tbody></table>\n"
    }

    // MARK: Roofline

    func rooflineSection() -> String {
        let points = report.okPoints.filter { $0.result!.arithmeticIntensity != nil && $0.result!.achievedRate != nil }
        let groups = series(points) { $0.result!.hardware }
        var chart = SVGChart(title: "Roofline", x: SVGChart.xScale(points.map { $0.result!.arithmeticIntensity! }, log: true),
                             y: SVGChart.yScale(points.map { $0.result!.achievedRate! }, log: true),
                             xLabel: "arithmetic intensity (effective FLOP per DRAM byte)", yLabel: "achieved FLOP/s",
                             xFormat: Format.plainTick, yFormat: Format.rate)
        var drawn = 0
        for (number, group) in groups.enumerated() {
            let color = number < SVGChart.palette.count ? group.color : SVGChart.other
            for filled in [true, false] {
                let items = group.points.filter { ($0.result!.bottleneck == "compute") == filled }.map { point in
                    let result = point.result!
                    return (x: result.arithmeticIntensity!, y: result.achievedRate!,
                            title: tooltip(point, ["\(Format.plainTick(result.arithmeticIntensity!)) FLOP/B",
                                                   "\(Format.rate(result.achievedRate!)) achieved", "bottleneck \(result.bottleneck ?? "—")"]))
                }
                if !items.isEmpty {
                    drawn += chart.markers(items, color: color, radius: 3.5, filled: filled, limit: SweepReport.markerLimit / max(groups.count, 1))
                }
            }
        }
        chart.legend = seriesLegend(groups, prefix: "")
        chart.legend.append(.init(label: "filled: compute-bound", color: "#444", swatch: .marker(filled: true)))
        chart.legend.append(.init(label: "ring: other bottleneck", color: "#444", swatch: .marker(filled: false)))
        return "<figure>\(chart.rendered())<figcaption>Each marker is a point's effective FLOPs over its predicted DRAM traffic "
            + "(x) and over its predicted time (y), coloured by hardware. No roof is drawn: a result does not carry the hardware's "
            + "peak FLOP/s and DRAM bandwidth (see <code>attnsim hw show HW</code>)."
            + (drawn < points.count ? " \(points.count) points: markers that would overlap are drawn once." : "") + "</figcaption></figure>\n"
    }

    // MARK: Utilization

    func utilizationSection() -> String {
        let candidates = report.okPoints.filter { !$0.result!.utilization.isEmpty }
        let ranked = candidates.sorted { a, b in
            let sa = a.result!.speedup ?? -1, sb = b.result!.speedup ?? -1
            if sa != sb { return sa > sb }
            let ta = a.result!.time ?? .infinity, tb = b.result!.time ?? .infinity
            if ta != tb { return ta < tb }
            return a.index < b.index
        }
        // The best of each hardware in turn, so every device shows.
        let byHardware = series(ranked) { $0.result!.hardware }
        var shown: [SweepReport.Point] = []
        var depth = 0
        while shown.count < min(SweepReport.utilizationLimit, ranked.count) {
            for group in byHardware where depth < group.points.count && shown.count < SweepReport.utilizationLimit {
                shown.append(group.points[depth])
            }
            depth += 1
        }
        var units: [String] = []
        for point in shown { for entry in point.result!.utilization where !units.contains(entry.unit) { units.append(entry.unit) } }
        let bar = 9.0, gap = 12.0, left = 270.0, right = 840.0, top = 26.0
        let rowHeight = Double(units.count) * bar + gap
        let height = top + Double(shown.count) * rowHeight + 30
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 920 \(SVGChart.f(height))\" width=\"920\" role=\"img\""
            + " aria-label=\"Utilization per unit\" class=\"chart\">"
        for percent in stride(from: 0, through: 100, by: 20) {
            let px = SVGChart.f(left + (right - left) * Double(percent) / 100)
            svg += "<line x1=\"\(px)\" y1=\"\(SVGChart.f(top - 6))\" x2=\"\(px)\" y2=\"\(SVGChart.f(height - 24))\" stroke=\"#e6e6ea\"/>"
            svg += "<text x=\"\(px)\" y=\"\(SVGChart.f(height - 10))\" font-size=\"11\" text-anchor=\"middle\">\(percent) %</text>"
        }
        for (number, unit) in units.enumerated() {
            let lx = left + Double(number) * 90
            svg += "<rect x=\"\(SVGChart.f(lx))\" y=\"6\" width=\"12\" height=\"10\" fill=\"\(SVGChart.color(number))\"/>"
                + "<text x=\"\(SVGChart.f(lx + 16))\" y=\"15\" font-size=\"11\">\(HTML.escape(SVGChart.clip(unit, 10)))</text>"
        }
        for (row, point) in shown.enumerated() {
            let y0 = top + Double(row) * rowHeight
            let label = name(point) + (point.result!.speedup.flatMap { abs($0 - 1) > 1e-9 ? "  \(Format.speedup($0))" : nil } ?? "")
            svg += "<text x=\"\(SVGChart.f(left - 8))\" y=\"\(SVGChart.f(y0 + Double(units.count) * bar / 2 + 4))\" font-size=\"11\""
                + " text-anchor=\"end\"><title>\(HTML.escape(tooltip(point, [])))</title>\(HTML.escape(SVGChart.clip(label, 38)))</text>"
            for (number, unit) in units.enumerated() {
                guard let fraction = point.result!.utilization.first(where: { $0.unit == unit })?.fraction else { continue }
                let width = (right - left) * min(max(fraction, 0), 1)
                let by = y0 + Double(number) * bar
                svg += "<rect x=\"\(SVGChart.f(left))\" y=\"\(SVGChart.f(by))\" width=\"\(SVGChart.f(width))\" height=\"\(SVGChart.f(bar - 1))\""
                    + " fill=\"\(SVGChart.color(number))\"><title>\(HTML.escape("\(unit): \(Format.percent(fraction))"))</title></rect>"
                svg += "<text x=\"\(SVGChart.f(left + width + 4))\" y=\"\(SVGChart.f(by + bar - 1.5))\" font-size=\"9\" fill=\"#555\">"
                    + "\(Format.percent(fraction))</text>"
            }
        }
        svg += "</svg>"
        let caption = "Predicted busy fraction of each unit for the \(shown.count) point\(shown.count == 1 ? "" : "s") with the best "
            + "predicted speedup" + (byHardware.count > 1 ? " on each hardware in turn" : "")
            + (candidates.count > shown.count ? " (of \(candidates.count))" : "") + "."
        return "<figure>\(svg)<figcaption>\(caption)</figcaption></figure>\n"
    }

    // MARK: Cross-check

    func crossCheckSection(_ rows: [SweepReport.CrossCheckRow]) -> String {
        var html = ""
        let paired = rows.filter { ($0.measuredSpeedup ?? 0) > 0 && ($0.predictedSpeedup ?? 0) > 0 }
        let violations = rows.filter { row in
            guard let bound = row.rooflineSpeedup, let measured = row.measuredSpeedup else { return false }
            return bound < measured * (1 - 1e-9)
        }
        let errors = rows.compactMap(\.speedupError).map(abs).sorted()
        html += "<p>\(rows.count) cross-checked workload\(rows.count == 1 ? "" : "s")"
        if !errors.isEmpty { html += "; median |speedup error| \(Format.percent(errors[errors.count / 2]))" }
        html += "; upper bound below a measured speedup: <b class=\(violations.isEmpty ? "\"ok\"" : "\"bad\"")>\(violations.count)</b>"
        html += violations.isEmpty ? "" : " (" + violations.prefix(10).map { HTML.escape($0.workload) }.joined(separator: ", ") + ")"
        html += ".</p>\n"
        if !paired.isEmpty {
            let all = paired.flatMap { [$0.measuredSpeedup!, $0.predictedSpeedup!] }
            var chart = SVGChart(title: "Predicted against measured speedup", x: SVGChart.xScale(all, logSpan: 10, zero: true),
                                 y: SVGChart.yScale(all, logSpan: 10, zero: true), xLabel: "measured speedup (×)",
                                 yLabel: "predicted speedup (×)", xFormat: Format.speedupTick, yFormat: Format.speedupTick)
            // Shared scale on both axes, so y = x is the diagonal.
            chart.shareScales()
            let lo = chart.x.lo, hi = chart.x.hi
            chart.polygon([(lo, lo * 0.8), (hi, hi * 0.8), (hi, hi), (hi * 0.8, hi), (lo, lo * 1.25)].map { ($0.0, min(max($0.1, lo), hi)) },
                          color: "#009E73", opacity: 0.10, title: "within 20 % of measured")
            chart.line([(lo, lo), (hi, hi)], color: "#444", width: 1.2, dash: "5 3", title: "y = x: prediction equals measurement")
            let sets = series(paired) { $0.set ?? "all" }
            for serie in sets {
                for row in serie.points {
                    let violation = violations.contains { $0.workload == row.workload }
                    var text = [row.workload, "measured \(Format.speedup(row.measuredSpeedup!))", "predicted \(Format.speedup(row.predictedSpeedup!))"]
                    if let bound = row.rooflineSpeedup { text.append("upper bound \(Format.speedup(bound))" + (violation ? " — below the measurement" : "")) }
                    if let error = row.speedupError { text.append("error \(Format.signedPercent(error))") }
                    chart.marker(row.measuredSpeedup!, row.predictedSpeedup!, color: serie.color, radius: 4.5, stroke: violation ? "#D00" : nil,
                                 title: text.joined(separator: "\n"))
                }
            }
            chart.legend = sets.map { .init(label: "workloads (\($0.label))", color: $0.color, swatch: .marker(filled: true)) }
            chart.legend.append(.init(label: "y = x", color: "#444", swatch: .line(dash: "5 3")))
            chart.legend.append(.init(label: "within ±20 %", color: "#009E73", swatch: .band))
            if !violations.isEmpty { chart.legend.append(.init(label: "red ring: bound < measured", color: "#D00", swatch: .marker(filled: false))) }
            html += "<figure>\(chart.rendered())<figcaption>Points above the diagonal are predictions more optimistic than the "
                + "measurement.</figcaption></figure>\n"
        }
        let speedupErrors = rows.compactMap(\.speedupError), timeErrors = rows.compactMap(\.timeError)
        var histograms = ""
        if !speedupErrors.isEmpty { histograms += histogram(speedupErrors, title: "speedup error (predicted / measured − 1)", color: "#0072B2") }
        if !timeErrors.isEmpty { histograms += histogram(timeErrors, title: "time error (predicted / measured − 1)", color: "#E69F00") }
        if !histograms.isEmpty { html += "<div class=\"row\">\(histograms)</div>\n" }
        html += "<table class=\"sortable\"><thead><tr><th>workload</th><th>set</th><th>measured time</th><th>predicted time</th>"
            + "<th>time error</th><th>measured speedup</th><th>predicted speedup</th><th>speedup error</th><th>upper bound</th></tr></thead><tbody>"
        for row in rows {
            html += "<tr><td>\(HTML.escape(row.workload))</td><td>\(HTML.escape(row.set ?? "—"))</td>"
                + numberCell(row.measuredTime, Format.time) + numberCell(row.predictedTime, Format.time)
                + numberCell(row.timeError, Format.signedPercent)
                + numberCell(row.measuredSpeedup, Format.speedup) + numberCell(row.predictedSpeedup, Format.speedup)
                + numberCell(row.speedupError, Format.signedPercent) + numberCell(row.rooflineSpeedup, Format.speedup) + "</tr>"
        }
        return html + "</tbody></table>\n"
    }

    /// A histogram of relative errors in percent, with bins of a round width.
    func histogram(_ errors: [Double], title: String, color: String) -> String {
        let percents = errors.map { $0 * 100 }
        let low = percents.min()!, high = percents.max()!
        let width = max(1, SVGChart.Scale.niceStep((high - low) / 12))
        let first = Foundation.floor(low / width), last = max(Foundation.floor(high / width), first)
        var counts = Array(repeating: 0, count: Int(last - first) + 1)
        for value in percents { counts[min(counts.count - 1, Int(Foundation.floor(value / width) - first))] += 1 }
        let right = 470.0
        var chart = SVGChart(title: title, x: SVGChart.xScale([first * width, (last + 1) * width, 0], log: false, right: right),
                             y: SVGChart.yScale([0, Double(counts.max()!)], log: false, zero: true), xLabel: title + " (%)",
                             yLabel: "workloads", xFormat: { Format.plainTick($0) + " %" }, yFormat: Format.plainTick)
        for (bin, count) in counts.enumerated() where count > 0 {
            let x0 = (first + Double(bin)) * width
            chart.rect(x0: x0 + width * 0.04, x1: x0 + width * 0.96, y0: 0, y1: Double(count), color: color, opacity: 0.85,
                       title: "\(Format.plainTick(x0)) % to \(Format.plainTick(x0 + width)) %: \(count) workload\(count == 1 ? "" : "s")")
        }
        if chart.x.contains(0) { chart.line([(0, chart.y.lo), (0, chart.y.hi)], color: "#444", width: 1.2, dash: "5 3", title: "no error") }
        chart.width = right + 20
        chart.plotRight = right
        return "<figure>\(chart.rendered())<figcaption>Workloads per \(Format.plainTick(width)) % bin.</figcaption></figure>\n"
    }

    // MARK: Tables

    /// A column of the points table: its title and how to fill a cell.
    /// A result column of the points table: its title, the text a reader sees, and the cell.
    struct Column {
        var title: String
        var text: (SweepReport.Result) -> String?
        var cell: (SweepReport.Result) -> String
    }

    func pointsSection() -> String {
        let ok = report.okPoints
        func numeric(_ title: String, _ value: @escaping (SweepReport.Result) -> Double?, _ format: @escaping (Double) -> String) -> Column {
            Column(title: title, text: { value($0).map(format) }, cell: { numberCell(value($0), format) })
        }
        func text(_ title: String, _ value: @escaping (SweepReport.Result) -> String?) -> Column {
            Column(title: title, text: value, cell: { "<td>\(HTML.escape(value($0) ?? "—"))</td>" })
        }
        // The result's hardware and workload names, unless an axis already says them.
        var columns: [Column] = []
        if !varying.contains(where: SweepReport.isHardwareAxis) { columns.append(text("hardware") { $0.hardware }) }
        if !varying.contains("workload") { columns.append(text("workload") { $0.workload }) }
        columns += [
            text("model") { $0.model },
            numeric("time", \.time, Format.time),
            numeric("dense time", \.denseTime, Format.time),
            numeric("speedup (predicted)", \.speedup, Format.speedup),
            numeric("FLOP bound", \.flopBound, Format.speedup),
            numeric("tile bound (NATTEN)", \.tileBound, Format.speedup),
            numeric("wave-aware bound", \.waveBound, Format.speedup),
            numeric("roofline ratio", \.rooflineBound, Format.speedup),
            numeric("end-to-end speedup", \.endToEndSpeedup, Format.speedup),
            numeric("effective FLOPs", \.effectiveFLOPs, { Quantity.formatCount($0, "FLOP") }),
            numeric("DRAM", \.dramBytes, Format.bytes),
            numeric("energy", \.energy, Format.energy),
            text("bottleneck") { $0.bottleneck },
            numeric("peak utilization", { $0.utilization.map(\.fraction).max() }, Format.percent),
        ]
        // Columns without data are left out; columns with one value for every point are stated once above the table.
        var fixed: [String] = []
        columns = columns.filter { column in
            var seen: String?
            var varies = false
            for point in ok {
                let text = column.text(point.result!) ?? "—"
                if seen == nil { seen = text } else if seen != text { varies = true; break }
            }
            if !varies, let seen, seen != "—", ok.count > 1 { fixed.append("\(column.title) <b>\(HTML.escape(seen))</b>") }
            return varies || (ok.count == 1 && seen != "—")
        }
        // A large sweep lists its best points: highest predicted speedup, then shortest time.
        let shown = ok.count <= SweepReport.tableLimit ? ok : Array(ok.sorted { a, b in
            let sa = a.result!.speedup ?? -1, sb = b.result!.speedup ?? -1
            if sa != sb { return sa > sb }
            let ta = a.result!.time ?? .infinity, tb = b.result!.time ?? .infinity
            return ta != tb ? ta < tb : a.index < b.index
        }.prefix(SweepReport.tableLimit))
        var html = "<p class=\"muted\">Click a column header to sort; type to filter. Times, bytes and energies are predictions; "
            + "bounds are upper bounds on the speedup over dense.</p>\n"
        if ok.count > shown.count {
            html += "<p class=\"note\">Showing the \(shown.count) points with the highest predicted speedup (then the shortest time) "
                + "of \(ok.count) ok points; every point is in points.jsonl and points.csv.</p>\n"
        }
        if !fixed.isEmpty { html += "<p>The same for every point: " + fixed.joined(separator: " · ") + ".</p>\n" }
        html += "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-table=\"points-table\" aria-label=\"filter rows\">\n"
        html += "<div class=\"scroll\"><table class=\"sortable\" id=\"points-table\"><thead><tr>"
            + (["#"] + varying + columns.map(\.title)).map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for point in shown {
            html += "<tr><td data-v=\"\(point.index)\">\(point.index)</td>" + axisCells(point)
                + columns.map { $0.cell(point.result!) }.joined() + "</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    func errorsSection() -> String {
        let errors = report.errorPoints
        let shown = errors.prefix(SweepReport.tableLimit)
        var html = "<p>\(errors.count) point\(errors.count == 1 ? "" : "s") failed"
            + (errors.count > shown.count ? "; the first \(shown.count) are listed" : "") + ".</p>\n"
        html += "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>#</th>"
            + varying.map { "<th>\(HTML.escape($0))</th>" }.joined() + "<th>error</th></tr></thead><tbody>\n"
        for point in shown {
            html += "<tr><td data-v=\"\(point.index)\">\(point.index)</td>" + axisCells(point)
                + "<td class=\"error\">\(HTML.escape(point.error ?? "error"))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    func axisCells(_ point: SweepReport.Point) -> String { varying.map { axisCell(point, $0) }.joined() }

    /// A point's value of an axis, sorted by its order value (a number, a list's product, a size) where it has one.
    func axisCell(_ point: SweepReport.Point, _ axis: String) -> String {
        let value = point.value(of: axis)
        let order = value.flatMap(SweepReport.orderValue).map { " data-v=\"\(Format.sortKey($0))\"" } ?? ""
        return "<td\(order)>\(HTML.escape(value.map(SweepReport.label) ?? "—"))</td>"
    }

    /// A numeric cell: the formatted value, sorted by the raw number; "—" (sorted last) when nil.
    func numberCell(_ value: Double?, _ format: (Double) -> String) -> String {
        guard let value, value.isFinite else { return "<td data-v=\"\">—</td>" }
        return "<td data-v=\"\(Format.sortKey(value))\">\(HTML.escape(format(value)))</td>"
    }

    // MARK: Style and script

    static let css = """
    :root{--ink:#1d1d24;--muted:#6b6b78;--line:#e3e3ea;--accent:#0072B2}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1120px;padding:24px 28px 48px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-top:12px;border-top:1px solid var(--line)}h3{font-size:15px;margin:18px 0 6px}
    .lead{font-size:15px;margin:0 0 12px;color:#33333d}
    .facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 12px}.facts div{display:flex;gap:8px}.facts dt{color:var(--muted)}.facts dd{margin:0}
    .muted{color:var(--muted)}.ok{color:#0a7d3b}.bad{color:#b3261e;font-weight:600}.note{background:#fff6e0;padding:6px 10px;border-radius:4px}
    nav{position:sticky;top:0;background:#fffffff0;padding:8px 0;border-bottom:1px solid var(--line);z-index:1}nav a{color:var(--accent);text-decoration:none}
    .cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:200px;max-width:340px}
    .big{font-size:22px;font-weight:650}.small{font-size:12px;color:var(--muted)}
    figure{margin:12px 0 20px}.row{display:flex;flex-wrap:wrap;gap:0 24px}.row figure{flex:1 1 420px;max-width:490px}figcaption{font-size:13px;color:#44444f;max-width:880px}
    svg.chart{max-width:100%;height:auto;display:block;font-family:inherit}
    table{border-collapse:collapse;font-size:12.5px;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    td[data-v]{text-align:right;font-variant-numeric:tabular-nums}td.error{white-space:normal;color:#b3261e;max-width:640px}
    table.sortable th{cursor:pointer;user-select:none;background:#f4f4f8;position:sticky;top:0}
    th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
    table.axes td{white-space:normal}.scroll{overflow:auto;max-height:640px;border:1px solid var(--line)}
    .filter{margin:4px 0;padding:4px 8px;width:260px;border:1px solid #ccc;border-radius:4px}
    code{font-size:12.5px;background:#f4f4f8;padding:0 3px;border-radius:3px}
    footer{margin-top:36px;color:var(--muted);font-size:12px}
    """

    /// Sortable tables (numbers by `data-v`, empty values last either way), the row filter, and `data-ready` on
    /// `<body>` once it ran (scripts/check-report.sh looks for it).
    static let script = """
    (function(){
    function key(cell){if(!cell)return null;var v=cell.getAttribute('data-v');if(v!==null){return v===''?null:parseFloat(v);}return cell.textContent.toLowerCase();}
    function sortBy(table,column,th){
    var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',dir>0?'ascending':'descending');
    var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
    rows.forEach(function(r,i){r._i=i;});
    rows.sort(function(a,b){var x=key(a.cells[column]),y=key(b.cells[column]);
    if(x===null&&y===null)return a._i-b._i;if(x===null)return 1;if(y===null)return -1;
    if(typeof x!==typeof y){x=String(x);y=String(y);}
    return x<y?-dir:x>y?dir:a._i-b._i;});
    rows.forEach(function(r){body.appendChild(r);});}
    document.querySelectorAll('table.sortable').forEach(function(table){
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){sortBy(table,i,th);});});});
    document.querySelectorAll('input.filter').forEach(function(input){
    var table=document.getElementById(input.getAttribute('data-table'));
    input.addEventListener('input',function(){var q=input.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});
    document.body.setAttribute('data-ready','1');
    })();
    """
}

/// Number formats of the report: units on every value, `µs` rather than `us`.
enum Format {
    static func time(_ seconds: Double) -> String { micro(Quantity.format(seconds, .time)) }
    /// Energies up to 1000 J with SI prefixes (`812 J`, `3.2 µJ`); larger ones in kJ, MJ and GJ.
    static func energy(_ joules: Double) -> String {
        for (size, unit) in [(1e9, "GJ"), (1e6, "MJ"), (1e3, "kJ")] where abs(joules) >= size * 0.99995 {
            return Quantity.format(joules / size, .number) + " " + unit
        }
        return micro(Quantity.format(joules, .energy))
    }
    static func bytes(_ bytes: Double) -> String { Quantity.format(bytes, .bytes) }
    static func rate(_ flops: Double) -> String { Quantity.format(flops, .flopRate) }

    static func speedup(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f×", value) : value >= 10 ? String(format: "%.1f×", value) : String(format: "%.2f×", value)
    }

    /// A number for sorting a table: 7 significant digits are plenty and keep the page small.
    static func sortKey(_ value: Double) -> String { String(format: "%.7g", value) }

    static func speedupTick(_ value: Double) -> String { plainTick(value) + "×" }
    static func plainTick(_ value: Double) -> String { Quantity.format(value, .number) }
    static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
    static func signedPercent(_ fraction: Double) -> String { String(format: "%+.1f %%", fraction * 100) }

    static func micro(_ text: String) -> String {
        guard text.count > 3, text.hasSuffix(" us") || text.hasSuffix(" uJ") else { return text }
        return String(text.dropLast(2)) + "µ" + String(text.suffix(1))
    }
}
