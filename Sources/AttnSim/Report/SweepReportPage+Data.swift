import Foundation

/// The page's data: the naming axes as chart dimensions, the heatmaps' layouts, the fields of a point (key, title,
/// unit), one row per ok point, and the JSON block the script reads.
extension SweepReportPage {
    /// A naming axis, or one component of a list-valued one (`mask.stride[0]`), as a chart dimension.
    struct Dimension {
        /// What a reader and `--x`/`--y` call it: the axis path, with `[i]` for a component.
        var title: String
        /// The data column.
        var key: String
        var axis: String
        var component: Int?
        /// Number-valued (the column holds numbers, ordered by value); else the column holds labels, in `order`.
        var numeric: Bool
        var order: [String]

        /// The column's value at a point.
        func value(_ point: SweepReport.Point) -> JSONValue? {
            guard let value = point.value(of: axis) else { return nil }
            if let component {
                guard case .array(let items) = value, component < items.count else { return nil }
                return items[component]
            }
            if numeric { return value.doubleValue.map(JSONValue.number) }
            return .string(SweepReport.shortLabel(axis, value))
        }

        func sortKey(_ point: SweepReport.Point) -> Double {
            guard let value = value(point) else { return .infinity }
            if numeric { return value.doubleValue ?? .infinity }
            if case .string(let text) = value { return Double(order.firstIndex(of: text) ?? order.count) }
            return .infinity
        }

        /// The Vega-Lite encoding of this dimension on a heatmap axis (ordinal, in value or sweep order).
        func encoding(sortDescending: Bool = false) -> VL {
            var pairs: [(String, VL)] = [("field", .string(key)), ("type", "ordinal"), ("title", .string(title))]
            if numeric {
                if sortDescending { pairs.append(("sort", "descending")) }
            } else {
                pairs.append(("sort", .strings(sortDescending ? order.reversed() : order)))
            }
            return .object(pairs)
        }
    }

    /// A heatmap's x and y dimensions, the dimensions its panels are split by (`panel`), and those its cells take the
    /// best over (`aggregated`: too many panels otherwise).
    struct HeatmapLayout {
        var x: Dimension
        var y: Dimension
        var panels: [Dimension]
        var aggregated: [Dimension]
        /// Each point's panel label and the panels' order, by index.
        var panelOf: [Int: (label: String, order: Int)]
        var panelCount: Int
    }

    /// Panels a heatmap is split into at most; past this the dimensions with the most values are aggregated.
    static let panelLimit = 40

    /// A data column's key for an axis name: letters, digits and `_` (Vega-Lite reads `.` and `[` in a field as a path).
    static func columnKey(_ name: String) -> String {
        "ax_" + String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func dimensions(report: SweepReport, naming: [String], uses: [SweepReport.AxisUse]) -> [Dimension] {
        var result: [Dimension] = []
        let ok = report.okPoints
        for axis in naming {
            let values = ok.compactMap { $0.value(of: axis) }
            guard !values.isEmpty else { continue }
            let lengths = Set(values.map { value -> Int in
                if case .array(let items) = value, items.allSatisfy({ $0.doubleValue != nil }) { return items.count }
                return -1
            })
            // A mask's or tile's per-axis list splits into its components; an array shape (16×16) stays whole.
            if lengths.count == 1, let length = lengths.first, length > 0, !SweepReport.isSpatialAxis(axis) {
                for component in 0..<length {
                    let distinct = Set(values.compactMap { value -> Double? in
                        if case .array(let items) = value { return items[component].doubleValue }
                        return nil
                    })
                    guard distinct.count > 1 else { continue }
                    result.append(Dimension(title: "\(axis)[\(component)]", key: columnKey(axis) + "_\(component)", axis: axis,
                                            component: component, numeric: true, order: []))
                }
            } else if values.allSatisfy({ $0.doubleValue != nil }) {
                result.append(Dimension(title: axis, key: columnKey(axis), axis: axis, component: nil, numeric: true, order: []))
            } else {
                let ordered = SweepReport.ordered(uses.first { $0.name == axis }?.values ?? values, axis: SweepAxisPath(axis))
                var order: [String] = []
                for value in ordered where !order.contains(SweepReport.shortLabel(axis, value)) { order.append(SweepReport.shortLabel(axis, value)) }
                result.append(Dimension(title: axis, key: columnKey(axis), axis: axis, component: nil, numeric: false, order: order))
            }
        }
        return result
    }

    /// The heatmap of `points` (nil without points or with fewer than two dimensions): x and y from the options, else
    /// the `preferred` axes, else the two dimensions with the most distinct values (a hardware axis last); the rest
    /// split the panels, the fewest-valued first, while they make at most ``panelLimit`` panels.
    static func layout(_ dimensions: [Dimension], points: [SweepReport.Point], options: SweepReport.Options,
                       preferred: [String]) throws(Diagnostic) -> HeatmapLayout? {
        guard !points.isEmpty, dimensions.count >= 2 else { return nil }
        func distinct(_ dimension: Dimension) -> Int { Set(points.compactMap { dimension.value($0).map(SweepReport.key) }).count }
        func named(_ name: String, _ flag: String) throws(Diagnostic) -> Dimension {
            if let found = dimensions.first(where: { $0.title == name }) { return found }
            throw Diagnostic(file: flag, message: "no axis \"\(name)\" in this sweep" + DidYouMean.hint(for: name, among: dimensions.map(\.title))
                + "; its axes: " + dimensions.map(\.title).joined(separator: ", "))
        }
        var ranked = dimensions.enumerated().sorted { a, b in
            let hardwareA = SweepReport.isHardwareAxis(a.element.axis), hardwareB = SweepReport.isHardwareAxis(b.element.axis)
            if hardwareA != hardwareB { return !hardwareA }
            let (countA, countB) = (distinct(a.element), distinct(b.element))
            return countA != countB ? countA > countB : a.offset < b.offset
        }.map(\.element)
        let preferredDimensions = preferred.compactMap { axis in dimensions.first { $0.axis == axis } }
        if preferredDimensions.count >= 2 { ranked = preferredDimensions + ranked.filter { d in !preferredDimensions.contains { $0.key == d.key } } }
        var x = ranked[0], y = ranked[1]
        if let name = options.x { x = try named(name, "--x") }
        if let name = options.y { y = try named(name, "--y") }
        if options.x != nil && options.y == nil { y = ranked.first { $0.key != x.key }! }
        if options.y != nil && options.x == nil { x = ranked.first { $0.key != y.key }! }
        guard x.key != y.key else { throw Diagnostic(file: "--y", message: "x and y name the same axis (\(x.title)); choose two") }
        var panels: [Dimension] = [], aggregated: [Dimension] = []
        var product = 1
        for dimension in dimensions.filter({ $0.key != x.key && $0.key != y.key }).sorted(by: { distinct($0) < distinct($1) }) {
            let count = distinct(dimension)
            if product * count <= panelLimit { panels.append(dimension); product *= count } else { aggregated.append(dimension) }
        }
        // Panels in the order of their dimensions' values.
        panels = dimensions.filter { d in panels.contains { $0.key == d.key } }
        var keys: [[Double]: String] = [:]
        for point in points {
            keys[panels.map { $0.sortKey(point) }] = panels.compactMap { panel in
                panel.value(point).map(SweepReport.label)
            }.joined(separator: " · ")
        }
        let sorted = keys.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var order: [[Double]: Int] = [:]
        for (place, key) in sorted.enumerated() { order[key] = place }
        var panelOf: [Int: (label: String, order: Int)] = [:]
        for point in points {
            let key = panels.map { $0.sortKey(point) }
            panelOf[point.index] = (keys[key]!.isEmpty ? "all" : keys[key]!, order[key]!)
        }
        return HeatmapLayout(x: x, y: y, panels: panels, aggregated: aggregated, panelOf: panelOf, panelCount: sorted.count)
    }

    /// A result field of the page's data: its column, title (tooltips, table) and unit (the script formats by it).
    struct Field {
        var key: String
        var title: String
        var unit: String
        var value: (SweepReport.Point, SweepReport.Result) -> JSONValue?
    }

    /// The result fields, in table order.
    var resultFields: [Field] {
        func number(_ key: String, _ title: String, _ unit: String, _ value: @escaping (SweepReport.Result) -> Double?) -> Field {
            Field(key: key, title: title, unit: unit) { _, result in value(result).map(JSONValue.number) }
        }
        func text(_ key: String, _ title: String, _ value: @escaping (SweepReport.Result) -> String?) -> Field {
            Field(key: key, title: title, unit: "") { _, result in value(result).map(JSONValue.string) }
        }
        var fields: [Field] = [text("hardware", "hardware") { $0.hardware }, text("workload", "workload") { $0.workload }]
        fields += [
            text("model", "model") { $0.model },
            number("time_s", "time (predicted)", "s") { $0.time },
            number("dense_time_s", "dense time (predicted)", "s") { $0.denseTime },
            number("speedup", "speedup (predicted)", "x") { $0.speedup },
            number("flop_bound", "FLOP bound (upper bound)", "x") { $0.flopBound },
            number("tile_bound", "tile bound, NATTEN (upper bound)", "x") { $0.tileBound },
            number("wave_bound", "wave-aware bound (upper bound)", "x") { $0.waveBound },
            number("pred_over_tile", "prediction ÷ tile bound", "ratio") { r in r.speedup.flatMap { s in r.tileBound.map { s / $0 } } },
            number("roofline_ratio", "roofline ratio (dense ÷ pruned steps)", "x") { $0.rooflineBound },
            number("e2e_speedup", "end-to-end speedup", "x") { $0.endToEndSpeedup },
            number("effective_flops", "effective FLOPs", "FLOP") { $0.effectiveFLOPs },
            number("dram_bytes", "DRAM traffic (predicted)", "B") { $0.dramBytes },
            number("dense_dram_bytes", "dense DRAM traffic", "B") { $0.denseDRAMBytes },
            number("energy_j", "energy (predicted)", "J") { $0.energy },
            text("bottleneck", "bottleneck") { $0.bottleneck },
            number("intensity", "FLOP per DRAM byte", "FLOP/B") { $0.arithmeticIntensity },
            number("achieved", "achieved FLOP/s", "FLOP/s") { $0.achievedRate },
            number("peak_utilization", "peak utilization", "%") { $0.utilization.map(\.fraction).max() },
        ]
        return fields
    }

    /// Every column a row can hold: `#`, the name, the varying axes, the dimensions' components, the result fields,
    /// and the heatmaps' panels: key → (title, unit).
    var columns: [(key: String, title: String, unit: String)] {
        var columns: [(key: String, title: String, unit: String)] = [("index", "#", ""), ("name", "point", "")]
        for axis in varying { columns.append((Self.columnKey(axis), axis, "")) }
        for dimension in dimensions where dimension.component != nil { columns.append((dimension.key, dimension.title, "")) }
        columns += resultFields.map { ($0.key, $0.title, $0.unit) }
        columns += [("series", "series", ""), ("pareto", "on the time–energy Pareto front", ""), ("panel", "panel", "")]
        return columns
    }

    /// One row per ok point: every column it has a value for (nulls left out).
    func rows() -> [VL] {
        let front = Set(report.paretoFront.map(\.index))
        let fields = resultFields
        let components = dimensions.filter { $0.component != nil }
        let layout = gnaLayout ?? spatialLayout
        let seriesAxis = report.keepAxis ?? report.resourceAxis ?? gnaLayout?.x.axis
        return report.okPoints.map { point in
            let result = point.result!
            var pairs: [(String, VL)] = [("index", .value(.integer(Int64(point.index)))), ("name", .string(name(point)))]
            for axis in varying {
                guard let value = point.value(of: axis) else { continue }
                let numeric = value.doubleValue.map(JSONValue.number)
                pairs.append((Self.columnKey(axis), .value(numeric ?? .string(SweepReport.shortLabel(axis, value)))))
            }
            for dimension in components { if let value = dimension.value(point) { pairs.append((dimension.key, .value(value))) } }
            for field in fields { if let value = field.value(point, result), value != .null { pairs.append((field.key, .value(value))) } }
            pairs.append(("series", .string(seriesLabel(point, excluding: seriesAxis))))
            if front.contains(point.index) { pairs.append(("pareto", true)) }
            if let panel = layout?.panelOf[point.index] {
                pairs.append(("panel", .string(panel.label)))
                pairs.append(("panel_order", .value(.integer(Int64(panel.order)))))
            }
            return .object(pairs)
        }
    }

    /// The columns of the points table: `#`, the varying axes, and the result fields whose value differs between points;
    /// the fields with one value for every point are stated once above it.
    func tableColumns() -> (columns: [VL], fixed: [HTML]) {
        let ok = report.okPoints
        var columns: [VL] = [["key": "index", "title": "#", "unit": ""]]
        for axis in varying { columns.append(["key": .string(Self.columnKey(axis)), "title": .string(axis), "unit": ""]) }
        var fixed: [HTML] = []
        for field in resultFields {
            // The hardware and workload names, unless an axis already says them.
            if field.key == "hardware" && varying.contains(where: SweepReport.isHardwareAxis) { continue }
            if field.key == "workload" && varying.contains("workload") { continue }
            var seen: JSONValue?, varies = false, any = false
            for point in ok {
                let value = field.value(point, point.result!) ?? .null
                if value != .null { any = true }
                if seen == nil { seen = value } else if seen != value { varies = true; break }
            }
            if varies || (ok.count == 1 && any) {
                columns.append(["key": .string(field.key), "title": .string(field.title), "unit": .string(field.unit)])
            } else if any, let seen, ok.count > 1 {
                fixed.append("\(field.title) <b>\(Self.format(seen, unit: field.unit))</b>")
            }
        }
        return (columns, fixed)
    }

    /// A value as the page's script formats it, for text written on the server (the facts above the table).
    static func format(_ value: JSONValue, unit: String) -> String {
        guard let number = value.doubleValue else {
            if case .string(let text) = value { return text }
            return value.serialized(pretty: false)
        }
        switch unit {
        case "s": return Format.time(number)
        case "B": return Format.bytes(number)
        case "J": return Format.energy(number)
        case "x": return Format.speedup(number)
        case "%": return Format.percent(number)
        case "FLOP": return Quantity.formatCount(number, "FLOP")
        case "FLOP/s": return Format.rate(number)
        default: return JSONValue.format(number)
        }
    }

    /// The JSON block: the columns (key → title and unit), the columns every point shares, the points, the other
    /// datasets, the table's columns, the waterfalls by point, and the charts.
    func pageData() -> JSONValue {
        // The sections registered the charts and their datasets while the page was built.
        let table = tableColumns()
        var points = rows()
        // The columns some row holds.
        var present = Set<String>()
        for row in points { if case .object(let pairs) = row { for (key, _) in pairs { present.insert(key) } } }
        // A column with the same value in every row is written once (`constants`); the script puts it back in each row.
        var constants: [(String, VL)] = []
        if points.count > 1, case .object(let first) = points[0] {
            for (key, value) in first where key != "index" && key != "name" {
                let same = points.allSatisfy { row in
                    guard case .object(let pairs) = row, let other = pairs.first(where: { $0.0 == key }) else { return false }
                    return other.1.json == value.json
                }
                if same { constants.append((key, value)) }
            }
            let constantKeys = Set(constants.map(\.0))
            points = points.map { row in
                guard case .object(let pairs) = row else { return row }
                return .object(pairs.filter { !constantKeys.contains($0.0) })
            }
        }
        var fields: [(String, VL)] = []
        for column in columns where present.contains(column.key) {
            fields.append((column.key, ["title": .string(column.title), "unit": .string(column.unit)]))
        }
        var datasets: [(String, VL)] = [("points", .list(points))]
        datasets += self.charts.datasets
        let waterfalls = compactWaterfalls()
        let charts: [VL] = charts.list.map { chart in
            var pairs: [(String, VL)] = [("id", .string(chart.id)), ("spec", chart.spec)]
            if !chart.brush.isEmpty {
                pairs.append(("brush", .object(chart.brush.map { ($0.field, .string($0.kind)) })))
            }
            if let control = chart.control { pairs.append(("control", control)) }
            return .object(pairs)
        }
        var data: VL = [
            "fields": .object(fields),
            "constants": .object(constants),
            "datasets": .object(datasets),
            "table": ["columns": .list(table.columns), "limit": .value(.integer(Int64(SweepReport.tableLimit)))],
            "waterfalls": waterfalls.data,
            "charts": .list(charts),
        ]
        if waterfalls.count > 0 { data = data.with(("focus", Self.waterfallSpec(data: "waterfall_focus", faceted: false))) }
        return data.json
    }
}
