import Foundation

/// The utilization section: per-unit busy fractions of the points with the best predicted speedup, as bars.
extension SweepReportPage {
    func utilizationSection() -> HTML {
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
        let caption: HTML = "Predicted busy fraction of each unit for the \(shown.count) point\(shown.count == 1 ? "" : "s") with the best "
            + "predicted speedup\(byHardware.count > 1 ? " on each hardware in turn" : "")"
            + "\(candidates.count > shown.count ? " (of \(candidates.count))" : "")."
        return figure(utilizationBars(shown, units: units), caption: caption)
    }

    /// One group of bars per point (one bar per unit), with the units' legend on top and a percent scale below.
    func utilizationBars(_ shown: [SweepReport.Point], units: [String]) -> HTML {
        let bar = 9.0, gap = 12.0, left = 270.0, right = 840.0, top = 26.0
        let rowHeight = Double(units.count) * bar + gap
        let height = top + Double(shown.count) * rowHeight + 30
        var svg: HTML = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 920 \(SVGChart.f(height))\" width=\"920\" role=\"img\""
            + " aria-label=\"Utilization per unit\" class=\"chart\">"
        for percent in stride(from: 0, through: 100, by: 20) {
            let px = SVGChart.f(left + (right - left) * Double(percent) / 100)
            svg += "<line x1=\"\(px)\" y1=\"\(SVGChart.f(top - 6))\" x2=\"\(px)\" y2=\"\(SVGChart.f(height - 24))\" stroke=\"#e6e6ea\"/>"
            svg += "<text x=\"\(px)\" y=\"\(SVGChart.f(height - 10))\" font-size=\"11\" text-anchor=\"middle\">\(percent) %</text>"
        }
        for (number, unit) in units.enumerated() {
            let lx = left + Double(number) * 90
            svg += "<rect x=\"\(SVGChart.f(lx))\" y=\"6\" width=\"12\" height=\"10\" fill=\"\(SVGChart.color(number))\"/>"
                + "<text x=\"\(SVGChart.f(lx + 16))\" y=\"15\" font-size=\"11\">\(SVGChart.clip(unit, 10))</text>"
        }
        for (row, point) in shown.enumerated() {
            let y0 = top + Double(row) * rowHeight
            let label = name(point) + (point.result!.speedup.flatMap { abs($0 - 1) > 1e-9 ? "  \(Format.speedup($0))" : nil } ?? "")
            svg += "<text x=\"\(SVGChart.f(left - 8))\" y=\"\(SVGChart.f(y0 + Double(units.count) * bar / 2 + 4))\" font-size=\"11\""
                + " text-anchor=\"end\"><title>\(tooltip(point, []))</title>\(SVGChart.clip(label, 38))</text>"
            for (number, unit) in units.enumerated() {
                guard let fraction = point.result!.utilization.first(where: { $0.unit == unit })?.fraction else { continue }
                let width = (right - left) * min(max(fraction, 0), 1)
                let by = y0 + Double(number) * bar
                svg += "<rect x=\"\(SVGChart.f(left))\" y=\"\(SVGChart.f(by))\" width=\"\(SVGChart.f(width))\" height=\"\(SVGChart.f(bar - 1))\""
                    + " fill=\"\(SVGChart.color(number))\"><title>\(unit): \(Format.percent(fraction))</title></rect>"
                svg += "<text x=\"\(SVGChart.f(left + width + 4))\" y=\"\(SVGChart.f(by + bar - 1.5))\" font-size=\"9\" fill=\"#555\">"
                    + "\(Format.percent(fraction))</text>"
            }
        }
        svg += "</svg>"
        return svg
    }
}
