import Foundation

/// The roofline section: achieved FLOP/s against arithmetic intensity, coloured by hardware.
extension SweepReportPage {
    func rooflineSection() -> HTML {
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
        let overlap: HTML? = drawn < points.count ? " \(points.count) points: markers that would overlap are drawn once." : nil
        return figure(chart.rendered(), caption: "Each marker is a point's effective FLOPs over its predicted DRAM traffic "
            + "(x) and over its predicted time (y), coloured by hardware. No roof is drawn: a result does not carry the hardware's "
            + "peak FLOP/s and DRAM bandwidth (see <code>attnsim hw show HW</code>).\(overlap)")
    }
}
