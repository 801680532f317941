import Foundation

/// The time section, for sweeps of a hardware resource (`hardware.memory[i].bandwidth`, `…size`, `clock`,
/// `units.count`, an array shape): predicted time against that axis, log scale, one line per series, each marker
/// filled where the point is compute-bound and a ring where another resource binds — where a design turns
/// memory-bound is where the markers open and the line bends.
extension SweepReport {
    /// The varying hardware-resource axis the time chart puts on x, if any.
    public var resourceAxis: String? {
        axisUses.first { use in
            guard use.varies else { return false }
            switch SweepAxisPath(use.name).field {
            case .memoryBandwidth, .memorySize, .clock, .unitCount, .arrayShape: return true
            default: return false
            }
        }?.name
    }
}

extension SweepReportPage {
    func timeSection(axis: String) -> HTML {
        let points = report.okPoints.filter { ($0.result!.time ?? 0) > 0 && $0.value(of: axis) != nil }
        let others = naming.filter { $0 != axis && !report.determines(axis, $0) }
        let all = series(points) { point in
            ([point.result!.hardware] + [valuesLabel(point, others)].filter { !$0.isEmpty }).joined(separator: " · ")
        }
        let cats = categories(axis, of: points)
        let place = { (point: SweepReport.Point) in point.value(of: axis).flatMap { cats.position[SweepReport.key($0)] } }
        var chart = SVGChart(title: "Predicted time against \(SweepAxisPath(axis).label)", x: SVGChart.xCategories(cats.labels),
                             y: SVGChart.yScale(points.map { $0.result!.time! }, log: true),
                             xLabel: SweepAxisPath(axis).label, yLabel: "predicted time",
                             yFormat: { Quantity.format($0, .time) })
        var memoryBound = 0
        for (number, serie) in all.enumerated() {
            let color = number < SVGChart.palette.count ? serie.color : SVGChart.other
            chart.line(pointsByPlace(serie.points, place: place) { $0.result!.time }, color: color, width: 2,
                       title: "prediction: \(serie.label)")
            for point in serie.points {
                guard let at = place(point), let time = point.result!.time else { continue }
                let bottleneck = point.result!.bottleneck ?? "—"
                if bottleneck == "memory" { memoryBound += 1 }
                chart.marker(Double(at), time, color: color, radius: 4, filled: bottleneck == "compute",
                             title: tooltip(point, ["\(Quantity.format(time, .time))", "bottleneck \(bottleneck)"]))
            }
        }
        chart.legend = seriesLegend(all, prefix: "")
        chart.legend.append(.init(label: "filled: compute-bound", color: "#444", swatch: .marker(filled: true)))
        chart.legend.append(.init(label: "ring: memory-bound or overhead", color: "#444", swatch: .marker(filled: false)))
        return figure(chart.rendered(), caption: "Predicted time of each point against \(SweepAxisPath(axis).label), one line per "
            + "series. \(memoryBound) of \(points.count) points are memory-bound: there the time follows the DRAM traffic over "
            + "the bandwidth, and adding compute would not help.")
    }
}
