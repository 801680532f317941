import Foundation

/// The time section, for sweeps of a hardware resource (`hardware.memory[i].bandwidth`, `…size`, `clock`,
/// `units.count`, an array shape): predicted time against that axis, log scale, one line per series, the marker's
/// shape saying what binds — where a design turns memory-bound is where the shapes change and the line bends.
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
        guard let dimension = dimensions.first(where: { $0.axis == axis && $0.component == nil }) else {
            return "<p class=\"muted\">The axis <code>\(axis)</code> has no single value per point to draw.</p>\n"
        }
        var x: VL = dimension.encoding()
        if dimension.numeric { x = Self.field(dimension.key, "quantitative", title: SweepAxisPath(axis).label, extra: [("scale", ["type": "log"])]) }
        let spec: VL = [
            "width": 560, "height": 320,
            "data": ["name": "points"],
            "transform": [["filter": .string("datum.time_s > 0 && datum.\(dimension.key) != null")]],
            "encoding": [
                "x": x.with(("title", .string(SweepAxisPath(axis).label))),
                "y": Self.field("time_s", "quantitative", title: "time (predicted)",
                                extra: [("scale", ["type": "log"]), ("axis", ["format": "s", "formatType": "unit"])]),
                "color": Self.field("series", "nominal", title: "series"),
            ],
            "layer": [
                ["mark": ["type": "line", "strokeWidth": 1.6]],
                ["mark": ["type": "point", "filled": true, "size": 50, "tooltip": ["content": "data"]],
                 "encoding": ["shape": Self.field("bottleneck", "nominal", title: "bottleneck")],
                 "selection": dimension.numeric ? Self.zoomAndBrush() : ["brush": ["type": "interval", "encodings": ["x"], "clear": "dblclick"]]],
            ],
        ]
        return chart(spec, caption: "Predicted time against <code>\(axis)</code>, log scale, one line per series; the marker's shape "
            + "says what binds (compute or memory). Brush to filter the points table; hover for the whole point.",
            brush: [(dimension.key, dimension.numeric ? "range" : "set")], wide: true)
    }
}
