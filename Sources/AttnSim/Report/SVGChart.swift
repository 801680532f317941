import Foundation

/// The SVG charts of `attnsim report`, written by hand: axes with ticks (linear, logarithmic or categorical),
/// marks with `<title>` tooltips, and a legend to the right of the plot. Coordinates print with one decimal, so
/// the same data gives the same bytes.
struct SVGChart {
    /// Maps data values to pixels along one axis.
    struct Scale {
        enum Kind { case linear, log, categories([String]) }
        var kind: Kind
        var lo: Double
        var hi: Double
        var from: Double
        var to: Double

        func callAsFunction(_ value: Double) -> Double {
            let t: Double
            if case .log = kind {
                t = (Foundation.log10(max(value, lo * 1e-6)) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo))
            } else {
                t = (value - lo) / (hi - lo)
            }
            return from + t * (to - from)
        }

        func contains(_ value: Double) -> Bool {
            if case .log = kind, value <= 0 { return false }
            return value >= min(lo, hi) * (1 - 1e-9) && value <= max(lo, hi) * (1 + 1e-9)
        }

        var isLog: Bool { if case .log = kind { return true } else { return false } }

        /// A scale that fits `values`: logarithmic when they are all positive and span more than `logSpan`, or when
        /// `log` says so; a linear scale starts at 0 when `zero` is set.
        static func fitting(_ values: [Double], from: Double, to: Double, log: Bool? = nil, logSpan: Double = 30,
                            zero: Bool = false) -> Scale {
            let finite = values.filter(\.isFinite)
            let low = finite.min() ?? 0, high = finite.max() ?? 1
            let useLog = log ?? (low > 0 && high / low > logSpan)
            if useLog, low > 0 {
                // Each end snaps to a whole decade when that adds little room, else pads the data a little.
                var lo = Foundation.pow(10, Foundation.floor(Foundation.log10(low)))
                var hi = Foundation.pow(10, Foundation.ceil(Foundation.log10(high)))
                if low / lo > 3.2 { lo = low / 1.25 }
                if hi / high > 3.2 { hi = high * 1.25 }
                if hi <= lo { hi = lo * 10 }
                return Scale(kind: .log, lo: lo, hi: hi, from: from, to: to)
            }
            var lo = zero ? min(0, low) : low, hi = zero ? max(0, high) : high
            if hi - lo <= 0 { let pad = lo == 0 ? 1 : abs(lo) * 0.1; lo -= pad; hi += pad }
            let step = niceStep((hi - lo) / 5)
            lo = Foundation.floor(lo / step) * step
            hi = Foundation.ceil(hi / step) * step
            return Scale(kind: .linear, lo: lo, hi: hi, from: from, to: to)
        }

        static func categories(_ labels: [String], from: Double, to: Double) -> Scale {
            Scale(kind: .categories(labels), lo: -0.5, hi: Double(max(labels.count, 1)) - 0.5, from: from, to: to)
        }

        /// 1, 2 or 5 times a power of ten, at least `raw`.
        static func niceStep(_ raw: Double) -> Double {
            guard raw > 0, raw.isFinite else { return 1 }
            let power = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
            for factor in [1.0, 2, 5, 10] where factor * power >= raw * (1 - 1e-9) { return factor * power }
            return 10 * power
        }

        /// Tick positions (data values); for categories, the indices whose labels show.
        var ticks: [Double] {
            switch kind {
            case .categories(let labels):
                let every = max(1, Int((Double(labels.count) / 16).rounded(.up)))
                return stride(from: 0, to: labels.count, by: every).map(Double.init)
            case .log:
                let first = Int(Foundation.floor(Foundation.log10(lo) + 1e-9)), last = Int(Foundation.ceil(Foundation.log10(hi) - 1e-9))
                let decades = last - first
                let factors: [Double] = decades <= 1 ? [1, 2, 5] : decades <= 2 ? [1, 3] : [1]
                let every = max(1, Int((Double(decades) / 8).rounded(.up)))
                var ticks: [Double] = []
                for exponent in first...last where (exponent - first) % every == 0 {
                    for factor in factors {
                        let tick = factor * Foundation.pow(10, Double(exponent))
                        if tick >= lo * (1 - 1e-9) && tick <= hi * (1 + 1e-9) { ticks.append(tick) }
                    }
                }
                return ticks
            case .linear:
                let step = Scale.niceStep((hi - lo) / 5)
                var ticks: [Double] = []
                var tick = lo
                while tick <= hi + step * 1e-6 { ticks.append(abs(tick) < step * 1e-9 ? 0 : tick); tick += step }
                return ticks
            }
        }
    }

    /// How a legend entry is drawn.
    enum Swatch {
        case line(dash: String?)
        case marker(filled: Bool)
        case band
    }

    struct LegendItem {
        var label: String
        var color: String
        var swatch: Swatch
    }

    static let width = 920.0
    static let height = 400.0
    static let plotLeft = 100.0
    static let plotRight = 650.0
    static let plotTop = 22.0
    static let plotBottom = 330.0

    var title: String
    var x: Scale
    var y: Scale
    var xLabel: String
    var yLabel: String
    var xFormat: (Double) -> String
    var yFormat: (Double) -> String
    var marks = HTML()
    var legend: [LegendItem] = []
    /// A heading over the legend (what the series are).
    var legendTitle: String?
    var width = SVGChart.width
    var height = SVGChart.height
    var plotRight = SVGChart.plotRight

    init(title: String, x: Scale, y: Scale, xLabel: String, yLabel: String,
         xFormat: @escaping (Double) -> String = SVGChart.plain, yFormat: @escaping (Double) -> String = SVGChart.plain) {
        self.title = title
        self.x = x
        self.y = y
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xFormat = xFormat
        self.yFormat = yFormat
    }

    /// An x scale spanning the plot's width.
    static func xScale(_ values: [Double], log: Bool? = nil, logSpan: Double = 30, zero: Bool = false, right: Double = plotRight) -> Scale {
        .fitting(values, from: plotLeft, to: right, log: log, logSpan: logSpan, zero: zero)
    }

    /// A y scale spanning the plot's height (up is larger).
    static func yScale(_ values: [Double], log: Bool? = nil, logSpan: Double = 30, zero: Bool = false) -> Scale {
        .fitting(values, from: plotBottom, to: plotTop, log: log, logSpan: logSpan, zero: zero)
    }

    static func xCategories(_ labels: [String], right: Double = plotRight) -> Scale { .categories(labels, from: plotLeft, to: right) }

    // MARK: Marks

    /// A polyline through the points (in data space), skipping none; `dash` is an SVG dash array.
    mutating func line(_ points: [(Double, Double)], color: String, width: Double = 2, dash: String? = nil, title: String? = nil) {
        guard points.count >= 2 else { return }
        let path = points.map { "\(SVGChart.f(x($0.0))),\(SVGChart.f(y($0.1)))" }.joined(separator: " ")
        marks += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(SVGChart.f(width))\""
            + "\(SVGChart.dashArray(dash))>\(SVGChart.tooltip(title))</polyline>"
    }

    /// A circle marker with a tooltip; hollow markers are drawn as rings.
    mutating func marker(_ px: Double, _ py: Double, color: String, radius: Double = 4, filled: Bool = true, stroke: String? = nil,
                         title: String) {
        let fill = filled ? color : "#fff"
        let edge = stroke ?? color
        marks += "<circle cx=\"\(SVGChart.f(x(px)))\" cy=\"\(SVGChart.f(y(py)))\" r=\"\(SVGChart.f(radius))\" fill=\"\(fill)\""
            + " stroke=\"\(edge)\" stroke-width=\"1.5\"><title>\(title)</title></circle>"
    }

    /// A scatter of one colour, grouped in one `<g>`: markers that land on the same pixel are drawn once (the first
    /// keeps its tooltip), and past `limit` distinct positions an even subsample is drawn.
    /// Returns how many markers were drawn. O(n) in the items.
    @discardableResult
    mutating func markers(_ items: [(x: Double, y: Double, title: String)], color: String, radius: Double, filled: Bool = true,
                          limit: Int) -> Int {
        var seen = Set<Int>()
        var distinct: [(Double, Double, String)] = []
        for item in items {
            let px = x(item.x), py = y(item.y)
            guard px.isFinite, py.isFinite else { continue }
            if seen.insert(Int(px.rounded()) * 100_000 + Int(py.rounded())).inserted { distinct.append((px, py, item.title)) }
        }
        let every = max(1, (distinct.count + limit - 1) / max(limit, 1))
        marks += "<g fill=\"\(filled ? color : "#fff")\" stroke=\"\(color)\" stroke-width=\"1.2\">"
        var drawn = 0
        for (number, item) in distinct.enumerated() where number % every == 0 {
            marks += "<circle cx=\"\(SVGChart.f(item.0))\" cy=\"\(SVGChart.f(item.1))\" r=\"\(SVGChart.f(radius))\">"
                + "<title>\(item.2)</title></circle>"
            drawn += 1
        }
        marks += "</g>"
        return drawn
    }

    /// A rectangle in data space (bars, bands).
    mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, color: String, opacity: Double = 1, title: String? = nil) {
        let left = min(x(x0), x(x1)), right = max(x(x0), x(x1)), top = min(y(y0), y(y1)), bottom = max(y(y0), y(y1))
        let fillOpacity: HTML? = opacity < 1 ? " fill-opacity=\"\(SVGChart.f(opacity))\"" : nil
        marks += "<rect x=\"\(SVGChart.f(left))\" y=\"\(SVGChart.f(top))\" width=\"\(SVGChart.f(right - left))\""
            + " height=\"\(SVGChart.f(bottom - top))\" fill=\"\(color)\"\(fillOpacity)>\(SVGChart.tooltip(title))</rect>"
    }

    /// A filled polygon in data space.
    mutating func polygon(_ points: [(Double, Double)], color: String, opacity: Double, title: String? = nil) {
        let path = points.map { "\(SVGChart.f(x($0.0))),\(SVGChart.f(y($0.1)))" }.joined(separator: " ")
        marks += "<polygon points=\"\(path)\" fill=\"\(color)\" fill-opacity=\"\(SVGChart.f(opacity))\">"
            + "\(SVGChart.tooltip(title))</polygon>"
    }

    /// One scale for both axes (the wider of the two), so y = x is the diagonal.
    mutating func shareScales() {
        let lo = min(x.lo, y.lo), hi = max(x.hi, y.hi)
        x.lo = lo; x.hi = hi; y.lo = lo; y.hi = hi
        if x.isLog != y.isLog { x.kind = .linear; y.kind = .linear; x.lo = min(0, lo); y.lo = x.lo }
    }

    /// ` stroke-dasharray="…"`, or nothing.
    static func dashArray(_ dash: String?) -> HTML? { dash.map { " stroke-dasharray=\"\($0)\"" } }

    /// A mark's `<title>` (its tooltip), or nothing.
    static func tooltip(_ title: String?) -> HTML? { title.map { "<title>\($0)</title>" } }

    // MARK: Rendering

    func rendered() -> HTML {
        let plotLeft = SVGChart.plotLeft, plotTop = SVGChart.plotTop, plotBottom = SVGChart.plotBottom
        var svg: HTML = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVGChart.f(width)) \(SVGChart.f(height))\""
            + " width=\"\(SVGChart.f(width))\" role=\"img\" aria-label=\"\(title)\" class=\"chart\">"
        svg += "<rect x=\"\(SVGChart.f(plotLeft))\" y=\"\(SVGChart.f(plotTop))\" width=\"\(SVGChart.f(plotRight - plotLeft))\""
            + " height=\"\(SVGChart.f(plotBottom - plotTop))\" fill=\"#fbfbfd\" stroke=\"#ccc\"/>"
        // Grid and ticks.
        var categoryLabels: [String] = []
        if case .categories(let labels) = x.kind { categoryLabels = labels }
        let rotate = categoryLabels.contains { $0.count > 8 } || categoryLabels.count > 10
        for tick in x.ticks {
            let px = SVGChart.f(x(tick))
            svg += "<line x1=\"\(px)\" y1=\"\(SVGChart.f(plotTop))\" x2=\"\(px)\" y2=\"\(SVGChart.f(plotBottom))\" stroke=\"#e6e6ea\"/>"
            let text = categoryLabels.isEmpty ? xFormat(tick) : categoryLabels[Int(tick)]
            if rotate {
                svg += "<text x=\"\(px)\" y=\"\(SVGChart.f(plotBottom + 12))\" font-size=\"11\" text-anchor=\"end\""
                    + " transform=\"rotate(-30 \(px) \(SVGChart.f(plotBottom + 12)))\">\(SVGChart.clip(text, 18))</text>"
            } else {
                svg += "<text x=\"\(px)\" y=\"\(SVGChart.f(plotBottom + 16))\" font-size=\"11\" text-anchor=\"middle\">\(text)</text>"
            }
        }
        for tick in y.ticks {
            let py = SVGChart.f(y(tick))
            svg += "<line x1=\"\(SVGChart.f(plotLeft))\" y1=\"\(py)\" x2=\"\(SVGChart.f(plotRight))\" y2=\"\(py)\" stroke=\"#e6e6ea\"/>"
            svg += "<text x=\"\(SVGChart.f(plotLeft - 6))\" y=\"\(SVGChart.f(y(tick) + 4))\" font-size=\"11\" text-anchor=\"end\">"
                + "\(yFormat(tick))</text>"
        }
        svg += marks
        // Axis titles.
        let xTitleY = plotBottom + (rotate ? 62 : 40)
        svg += "<text x=\"\(SVGChart.f((plotLeft + plotRight) / 2))\" y=\"\(SVGChart.f(xTitleY))\" font-size=\"12\""
            + " text-anchor=\"middle\" font-weight=\"600\">\(xLabel + (x.isLog ? " (log)" : ""))</text>"
        let yMid = SVGChart.f((plotTop + plotBottom) / 2)
        svg += "<text x=\"16\" y=\"\(yMid)\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"600\""
            + " transform=\"rotate(-90 16 \(yMid))\">\(yLabel + (y.isLog ? " (log)" : ""))</text>"
        // Legend, right of the plot.
        var ly = plotTop + 8
        if let legendTitle, !legend.isEmpty {
            svg += "<text x=\"\(SVGChart.f(plotRight + 16))\" y=\"\(SVGChart.f(ly + 4))\" font-size=\"11\" font-weight=\"600\">"
                + "<title>\(legendTitle)</title>\(SVGChart.clip(legendTitle, 40))</text>"
            ly += 18
        }
        for item in legend {
            let lx = plotRight + 16
            switch item.swatch {
            case .line(let dash):
                svg += "<line x1=\"\(SVGChart.f(lx))\" y1=\"\(SVGChart.f(ly))\" x2=\"\(SVGChart.f(lx + 24))\" y2=\"\(SVGChart.f(ly))\""
                    + " stroke=\"\(item.color)\" stroke-width=\"2\"\(SVGChart.dashArray(dash))/>"
            case .marker(let filled):
                svg += "<circle cx=\"\(SVGChart.f(lx + 12))\" cy=\"\(SVGChart.f(ly))\" r=\"4\" fill=\"\(filled ? item.color : "#fff")\""
                    + " stroke=\"\(item.color)\" stroke-width=\"1.5\"/>"
            case .band:
                svg += "<rect x=\"\(SVGChart.f(lx))\" y=\"\(SVGChart.f(ly - 5))\" width=\"24\" height=\"10\" fill=\"\(item.color)\""
                    + " fill-opacity=\"0.35\"/>"
            }
            svg += "<text x=\"\(SVGChart.f(lx + 30))\" y=\"\(SVGChart.f(ly + 4))\" font-size=\"11\">"
                + "<title>\(item.label)</title>\(SVGChart.clip(item.label, 36))</text>"
            ly += 18
        }
        svg += "</svg>"
        return svg
    }

    // MARK: Formatting

    /// One decimal, no trailing ".0": SVG coordinates.
    static func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    static func plain(_ value: Double) -> String { Quantity.format(value, .number) }

    /// Okabe–Ito colours (distinguishable with colour blindness), then a grey for the rest.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#000000"]
    static let other = "#9a9a9a"

    static func color(_ index: Int) -> String { index < palette.count ? palette[index] : other }
}
