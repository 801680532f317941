import Foundation

/// The roofline: each point's achieved FLOP/s against its FLOP per DRAM byte, log-log, coloured by hardware, with the
/// roofs its results carry: a horizontal roof per compute unit (its peak FLOP/s) and a slanted roof per memory level
/// (its bandwidth × intensity), each drawn up to where it meets the other kind.
extension SweepReportPage {
    /// Distinct roofs drawn at most; a sweep over a resource (bandwidths, clocks) gives one per value.
    static let roofLimit = 24

    /// The roof lines: two rows per roof (its ends), with the hardware that has it and its label.
    func roofRows() -> (rows: [VL], count: Int, omitted: Int, missing: Int) {
        let points = report.okPoints.filter { $0.result!.arithmeticIntensity != nil && $0.result!.achievedRate != nil }
        let intensities = points.map { $0.result!.arithmeticIntensity! }
        guard let low = intensities.min(), let high = intensities.max() else { return ([], 0, 0, 0) }
        struct Roof: Hashable { var hardware: String; var label: String; var memory: Bool; var rate: Double }
        var roofs: [Roof] = [], seen = Set<Roof>()
        var peaks: [String: (compute: Double, memory: Double)] = [:]
        var missing = 0
        for point in points {
            let result = point.result!
            guard let set = result.roofs, !(set.compute.isEmpty && set.memory.isEmpty) else { missing += 1; continue }
            var peak = peaks[result.hardware] ?? (0, 0)
            for roof in set.compute where roof.flopsPerS > 0 && roof.flopsPerS.isFinite {
                let item = Roof(hardware: result.hardware, label: "\(roof.unit) \(Format.rate(roof.flopsPerS))", memory: false, rate: roof.flopsPerS)
                if seen.insert(item).inserted { roofs.append(item) }
                peak.compute = max(peak.compute, roof.flopsPerS)
            }
            for roof in set.memory where roof.bytesPerS > 0 && roof.bytesPerS.isFinite {
                let item = Roof(hardware: result.hardware, label: "\(roof.level) \(Quantity.format(roof.bytesPerS, .bandwidth))", memory: true,
                                rate: roof.bytesPerS)
                if seen.insert(item).inserted { roofs.append(item) }
                peak.memory = max(peak.memory, roof.bytesPerS)
            }
            peaks[result.hardware] = peak
        }
        let kept = Array(roofs.prefix(Self.roofLimit))
        // The x range: the points' intensities and every ridge, with some room.
        var lo = low, hi = high
        for (_, peak) in peaks where peak.compute > 0 && peak.memory > 0 {
            lo = min(lo, peak.compute / peak.memory)
            hi = max(hi, peak.compute / peak.memory)
        }
        lo /= 4
        hi *= 4
        var rows: [VL] = []
        for (number, roof) in kept.enumerated() {
            let peak = peaks[roof.hardware]!
            let ends: [(Double, Double)]
            if roof.memory {
                // Up to where it meets the highest compute roof (or across the chart without one).
                let end = peak.compute > 0 ? min(hi, peak.compute / roof.rate) : hi
                ends = [(lo, roof.rate * lo), (max(end, lo), roof.rate * max(end, lo))]
            } else {
                let start = peak.memory > 0 ? max(lo, roof.rate / peak.memory) : lo
                ends = [(start, roof.rate), (hi, roof.rate)]
            }
            for (order, end) in ends.enumerated() {
                rows.append(["roof": .value(.integer(Int64(number))), "hardware": .string(roof.hardware), "label": .string(roof.label),
                             "kind": .string(roof.memory ? "memory roof" : "compute roof"), "x": .number(end.0), "y": .number(end.1),
                             "end": .value(.integer(Int64(order)))])
            }
        }
        return (rows, kept.count, roofs.count - kept.count, missing)
    }

    func rooflineSection() -> HTML {
        let roofs = roofRows()
        charts.datasets.append(("roofs", .list(roofs.rows)))
        let xTitle = "FLOP per DRAM byte (effective FLOPs ÷ predicted DRAM traffic)", yTitle = "achieved FLOP/s (effective FLOPs ÷ predicted time)"
        let roofX: VL = ["field": "x", "type": "quantitative", "scale": ["type": "log"], "title": .string(xTitle)]
        let roofY: VL = ["field": "y", "type": "quantitative", "scale": ["type": "log"], "title": .string(yTitle),
                         "axis": ["format": "FLOP/s", "formatType": "unit"]]
        let x = Self.field("intensity", "quantitative", title: xTitle,
                           extra: [("scale", ["type": "log"])])
        let y = Self.field("achieved", "quantitative", title: yTitle,
                           extra: [("scale", ["type": "log"]), ("axis", ["format": "FLOP/s", "formatType": "unit"])])
        var layers: [VL] = []
        if !roofs.rows.isEmpty {
            layers.append([
                "data": ["name": "roofs"],
                "mark": ["type": "line", "strokeWidth": 1.6, "tooltip": true],
                "encoding": [
                    "x": roofX,
                    "y": roofY,
                    "detail": ["field": "roof", "type": "nominal"],
                    "color": ["field": "hardware", "type": "nominal", "title": "hardware"],
                    "strokeDash": ["field": "kind", "type": "nominal", "title": "roof"],
                    "order": ["field": "end", "type": "quantitative"],
                    "tooltip": [["field": "label", "title": "roof"], ["field": "hardware"], ["field": "kind"]],
                ],
            ])
            layers.append([
                "data": ["name": "roofs"],
                "transform": [["filter": "datum.end == 1"]],
                "mark": ["type": "text", "align": "right", "baseline": "bottom", "dy": -3, "fontSize": 10],
                "encoding": [
                    "x": roofX,
                    "y": roofY,
                    "text": ["field": "label"],
                    "color": ["field": "hardware", "type": "nominal", "title": "hardware"],
                ],
            ])
        }
        layers.append([
            "data": ["name": "points"],
            "transform": [["filter": "datum.intensity > 0 && datum.achieved > 0"]],
            "mark": ["type": "point", "filled": true, "size": 30, "opacity": 0.7, "tooltip": ["content": "data"]],
            "encoding": ["x": x, "y": y, "color": Self.field("hardware", "nominal", title: "hardware"),
                         "shape": Self.field("bottleneck", "nominal", title: "bottleneck")],
            "selection": Self.zoomAndBrush(),
        ])
        let spec: VL = ["width": 620, "height": 400, "layer": .list(layers)]
        var caption: HTML = "Each marker is a point's effective FLOPs over its predicted DRAM traffic (x) and over its predicted time "
            + "(y), coloured by hardware, shaped by what binds. "
        if roofs.count > 0 {
            caption += "Roofs, from the results: a horizontal line per compute unit at its peak FLOP/s, a slanted line per memory level at "
                + "its bandwidth × intensity; a point sits under the lowest roof above it."
            if roofs.omitted > 0 { caption += " \(roofs.omitted) more distinct roofs are not drawn." }
            if roofs.missing > 0 { caption += " \(roofs.missing) points' results carry no roofs." }
        } else {
            caption += "No roof is drawn: these results carry no roofs (<code>simulated.roofs</code>; results written before attnsim "
                + "recorded them lack it — rerun the sweep, or see <code>attnsim hw show HW</code> for the peaks)."
        }
        caption += " Drag to pan, scroll to zoom, shift-drag to brush the points table."
        return chart(spec, caption: caption, brush: [("intensity", "range"), ("achieved", "range")], wide: true)
    }
}
