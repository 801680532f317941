import Foundation

/// The cross-check section (`crosscheck.json`): predicted against measured speedup, the error histograms, and a
/// table of every cross-checked workload.
extension SweepReportPage {
    func crossCheckSection(_ rows: [SweepReport.CrossCheckRow]) -> HTML {
        var html = HTML()
        let paired = rows.filter { ($0.measuredSpeedup ?? 0) > 0 && ($0.predictedSpeedup ?? 0) > 0 }
        let violations = rows.filter { row in
            guard let bound = row.rooflineSpeedup, let measured = row.measuredSpeedup else { return false }
            return bound < measured * (1 - 1e-9)
        }
        let errors = rows.compactMap(\.speedupError).map(abs).sorted()
        html += "<p>\(rows.count) cross-checked workload\(rows.count == 1 ? "" : "s")"
        if !errors.isEmpty { html += "; median |speedup error| \(Format.percent(errors[errors.count / 2]))" }
        html += "; upper bound below a measured speedup: <b class=\"\(violations.isEmpty ? "ok" : "bad")\">\(violations.count)</b>"
        if !violations.isEmpty { html += " (\(violations.prefix(10).map(\.workload).joined(separator: ", ")))" }
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
            html += figure(chart.rendered(), caption: "Points above the diagonal are predictions more optimistic than the measurement.")
        }
        let speedupErrors = rows.compactMap(\.speedupError), timeErrors = rows.compactMap(\.timeError)
        var histograms = HTML()
        if !speedupErrors.isEmpty { histograms += histogram(speedupErrors, title: "speedup error (predicted / measured − 1)", color: "#0072B2") }
        if !timeErrors.isEmpty { histograms += histogram(timeErrors, title: "time error (predicted / measured − 1)", color: "#E69F00") }
        if !histograms.isEmpty { html += "<div class=\"row\">\(histograms)</div>\n" }
        html += "<table class=\"sortable\"><thead><tr><th>workload</th><th>set</th><th>measured time</th><th>predicted time</th>"
            + "<th>time error</th><th>measured speedup</th><th>predicted speedup</th><th>speedup error</th><th>upper bound</th></tr></thead><tbody>"
        for row in rows {
            html += "<tr>\(textCell(row.workload))\(textCell(row.set))"
                + "\(numberCell(row.measuredTime, Format.time))\(numberCell(row.predictedTime, Format.time))"
                + "\(numberCell(row.timeError, Format.signedPercent))"
                + "\(numberCell(row.measuredSpeedup, Format.speedup))\(numberCell(row.predictedSpeedup, Format.speedup))"
                + "\(numberCell(row.speedupError, Format.signedPercent))\(numberCell(row.rooflineSpeedup, Format.speedup))</tr>"
        }
        return html + "</tbody></table>\n"
    }

    /// A histogram of relative errors in percent, with bins of a round width.
    func histogram(_ errors: [Double], title: String, color: String) -> HTML {
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
        return figure(chart.rendered(), caption: "Workloads per \(Format.plainTick(width)) % bin.")
    }
}
