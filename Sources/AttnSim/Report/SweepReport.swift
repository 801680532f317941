import Foundation

/// A sweep's results read back for `attnsim report DIR`: the sweep's header (`sweep.json`), one point per line of
/// `points.jsonl`, and the optional `crosscheck.json`; ``html()`` turns them into one self-contained page.
///
/// ```swift
/// let report = try SweepReport.load(directory: "runs/gna-strides")
/// try report.html().write(toFile: "runs/gna-strides/report.html", atomically: true, encoding: .utf8)
/// ```
///
/// Each point keeps only the numbers the report draws (``Result``), not its whole `simulate --format json`
/// object, so a sweep of many thousands of points (a pruning result lists every layer call) stays small in memory.
/// Reading is O(bytes); the page is built in O(points · log points).
public struct SweepReport: Sendable {
    /// One swept axis and its values as `sweep.json` lists them (`{"name": "mask.stride", "values": [[16, 8, 8], ...]}`).
    public struct Axis: Sendable {
        public var name: String
        public var values: [JSONValue]

        public init(name: String, values: [JSONValue]) {
            self.name = name
            self.values = values
        }
    }

    /// `sweep.json`: what was swept and how.
    public struct Header: Sendable {
        public var name: String
        public var description: String?
        public var spec: String?
        public var mode: String?
        /// The number of points the sweep has in all (`points`); a sweep still running has fewer lines.
        public var declaredPoints: Int?
        public var axes: [Axis]

        public init(name: String, description: String? = nil, spec: String? = nil, mode: String? = nil,
                    declaredPoints: Int? = nil, axes: [Axis] = []) {
            self.name = name
            self.description = description
            self.spec = spec
            self.mode = mode
            self.declaredPoints = declaredPoints
            self.axes = axes
        }
    }

    /// The numbers of one `attnsim simulate --format json` result that the report uses; nil where the result has
    /// `null` (a field no model fills) or lacks the key.
    public struct Result: Sendable {
        public var hardware: String
        public var workload: String
        public var model: String?
        public var denseFLOPs: Double?
        public var effectiveFLOPs: Double?
        /// True for results with a tile analysis (GNA and other masked workloads on GPUs).
        public var hasTiles: Bool
        public var flopBound: Double?
        public var tileBound: Double?
        public var waveBound: Double?
        public var rooflineBound: Double?
        public var time: Double?
        public var denseTime: Double?
        public var speedup: Double?
        public var dramBytes: Double?
        public var denseDRAMBytes: Double?
        /// Busy fraction per unit (`SM`, `HBM`, `pe2d`, ...), in the result's order.
        public var utilization: [Utilization]
        public var energy: Double?
        public var bottleneck: String?
        public var endToEndSpeedup: Double?

        public struct Utilization: Sendable, Equatable {
            public var unit: String
            public var fraction: Double
        }

        /// Reads what it can; a missing or mistyped field is nil rather than an error, so results written by
        /// older or newer attnsim versions still draw.
        public init(json: JSONValue) {
            func number(_ section: String, _ key: String) -> Double? {
                json[section]?[key]?.doubleValue.flatMap { $0.isFinite ? $0 : nil }
            }
            func text(_ value: JSONValue?) -> String? {
                if case .string(let text)? = value { return text }
                return nil
            }
            hardware = text(json["hardware"]) ?? "?"
            workload = text(json["workload"]) ?? "?"
            model = text(json["simulated"]?["model"])
            denseFLOPs = number("flops", "dense")
            effectiveFLOPs = number("flops", "effective")
            flopBound = number("bounds", "flop_speedup")
            tileBound = number("bounds", "tile_speedup")
            waveBound = number("bounds", "wave_speedup")
            rooflineBound = number("pruning", "roofline_speedup")
            hasTiles = tileBound != nil || json["tiles"]?["visited"]?.doubleValue != nil
            time = number("simulated", "time_s")
            denseTime = number("simulated", "dense_time_s")
            speedup = number("simulated", "speedup")
            dramBytes = number("simulated", "dram_bytes")
            denseDRAMBytes = number("simulated", "dense_dram_bytes")
            energy = number("simulated", "energy_j")
            bottleneck = text(json["simulated"]?["bottleneck"])
            endToEndSpeedup = number("end_to_end", "speedup")
            utilization = []
            if case .object(let pairs)? = json["simulated"]?["utilization"] {
                for (unit, value) in pairs {
                    if let fraction = value.doubleValue, fraction.isFinite { utilization.append(Utilization(unit: unit, fraction: fraction)) }
                }
            }
        }

        /// Effective FLOPs over DRAM bytes (FLOP/B), for the roofline chart.
        public var arithmeticIntensity: Double? {
            guard let flops = effectiveFLOPs, let bytes = dramBytes, flops > 0, bytes > 0 else { return nil }
            return flops / bytes
        }

        /// Effective FLOPs over the predicted time (FLOP/s).
        public var achievedRate: Double? {
            guard let flops = effectiveFLOPs, let time, flops > 0, time > 0 else { return nil }
            return flops / time
        }
    }

    /// One line of `points.jsonl`.
    public struct Point: Sendable {
        public var index: Int
        /// Axis name → value, in the line's order.
        public var axes: [(name: String, value: JSONValue)]
        /// The message of an error point (`status: "error"`).
        public var error: String?
        /// The result of an `ok` point; nil for error points.
        public var result: Result?

        public init(index: Int, axes: [(name: String, value: JSONValue)], error: String? = nil, result: Result? = nil) {
            self.index = index
            self.axes = axes
            self.error = error
            self.result = result
        }

        /// The value of an axis at this point.
        public func value(of axis: String) -> JSONValue? { axes.first { $0.name == axis }?.value }
    }

    /// One workload of `crosscheck.json` (the list `attnsim crosscheck --format json` prints, or the `configs` of
    /// `crosscheck-gpu --format json`).
    public struct CrossCheckRow: Sendable {
        public var workload: String
        public var measuredTime: Double?
        public var predictedTime: Double?
        public var measuredSpeedup: Double?
        public var predictedSpeedup: Double?
        public var rooflineSpeedup: Double?
        /// `fit`, `held-out` or `all` where the list says.
        public var set: String?

        public init(workload: String, measuredTime: Double? = nil, predictedTime: Double? = nil, measuredSpeedup: Double? = nil,
                    predictedSpeedup: Double? = nil, rooflineSpeedup: Double? = nil, set: String? = nil) {
            self.workload = workload
            self.measuredTime = measuredTime
            self.predictedTime = predictedTime
            self.measuredSpeedup = measuredSpeedup
            self.predictedSpeedup = predictedSpeedup
            self.rooflineSpeedup = rooflineSpeedup
            self.set = set
        }

        /// Predicted over measured speedup, minus one (0.1 = the prediction is 10 % too optimistic).
        public var speedupError: Double? {
            guard let predictedSpeedup, let measuredSpeedup, measuredSpeedup > 0 else { return nil }
            return predictedSpeedup / measuredSpeedup - 1
        }

        /// Predicted over measured time, minus one.
        public var timeError: Double? {
            guard let predictedTime, let measuredTime, measuredTime > 0 else { return nil }
            return predictedTime / measuredTime - 1
        }
    }

    public var header: Header
    /// Points in index order (a repeated index keeps its last line, as a resumed sweep appends).
    public var points: [Point]
    public var crossCheck: [CrossCheckRow]?

    public init(header: Header, points: [Point], crossCheck: [CrossCheckRow]? = nil) {
        self.header = header
        self.points = points
        self.crossCheck = crossCheck
    }

    public var okPoints: [Point] { points.filter { $0.result != nil } }
    public var errorPoints: [Point] { points.filter { $0.result == nil } }
}

// MARK: - Reading a sweep folder

extension SweepReport {
    /// Reads `DIR/sweep.json`, `DIR/points.jsonl` and, when present, `DIR/crosscheck.json`.
    public static func load(directory: String) throws(Diagnostic) -> SweepReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Diagnostic(file: directory, message: "no such folder; expected a sweep's output folder (attnsim sweep SPEC --out DIR)")
        }
        let sweepFile = join(directory, "sweep.json")
        let pointsFile = join(directory, "points.jsonl")
        let crossCheckFile = join(directory, "crosscheck.json")
        let crossCheckText = FileManager.default.fileExists(atPath: crossCheckFile) ? try read(crossCheckFile) : nil
        return try parse(sweep: try read(sweepFile), points: try read(pointsFile), crossCheck: crossCheckText, directory: directory)
    }

    /// Parses the three files' texts; `directory` only names them in diagnostics.
    public static func parse(sweep: String, points: String, crossCheck: String?, directory: String = ".") throws(Diagnostic) -> SweepReport {
        let header = try parseHeader(sweep, file: join(directory, "sweep.json"))
        let parsedPoints = try parsePoints(points, file: join(directory, "points.jsonl"))
        let rows = try crossCheck.map { text throws(Diagnostic) in try parseCrossCheck(text, file: join(directory, "crosscheck.json")) }
        return SweepReport(header: header, points: parsedPoints, crossCheck: rows)
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func read(_ path: String) throws(Diagnostic) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Diagnostic(file: path, message: "missing; a sweep folder holds sweep.json and points.jsonl (written by attnsim sweep)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw Diagnostic(file: path, message: "cannot be read") }
        return String(decoding: data, as: UTF8.self)
    }

    static func json(_ text: String, file: String, line: Int? = nil) throws(Diagnostic) -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            // A line of a JSON Lines file is parsed alone: its own line 1 is the file's line `line`.
            throw Diagnostic(file: file, line: line.map { $0 + error.line - 1 } ?? error.line, column: error.column,
                             message: "not valid JSON: \(error.message)")
        }
    }

    static func parseHeader(_ text: String, file: String) throws(Diagnostic) -> Header {
        let root = try json(text, file: file)
        guard case .object = root else {
            throw Diagnostic(file: file, message: "expected an object {\"name\", \"description\", \"spec\", \"axes\", \"mode\", \"points\"}")
        }
        func string(_ key: String) throws(Diagnostic) -> String? {
            switch root[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw Diagnostic(file: file, path: key, message: "expected a string")
            }
        }
        var header = Header(name: try string("name") ?? "sweep", description: try string("description"), spec: try string("spec"),
                            mode: try string("mode"))
        switch root["points"] {
        case nil, .null?: break
        case .number(let count)? where count >= 0 && count == count.rounded(): header.declaredPoints = Int(count)
        default: throw Diagnostic(file: file, path: "points", message: "expected the number of points, a whole number")
        }
        switch root["axes"] {
        case nil, .null?: break
        case .array(let items)?:
            for (position, item) in items.enumerated() {
                guard case .string(let name)? = item["name"] else {
                    throw Diagnostic(file: file, path: "axes[\(position)].name", message: "expected the axis name, a string such as \"mask.stride\"")
                }
                guard case .array(let values)? = item["values"] else {
                    throw Diagnostic(file: file, path: "axes[\(position)].values", message: "expected the list of the axis's values")
                }
                header.axes.append(Axis(name: name, values: values))
            }
        default: throw Diagnostic(file: file, path: "axes", message: "expected a list of {\"name\", \"values\"}")
        }
        return header
    }

    static func parsePoints(_ text: String, file: String) throws(Diagnostic) -> [Point] {
        var points: [Point] = []
        var position: [Int: Int] = [:]   // index → place in `points`
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let point = try parsePoint(try json(String(line), file: file, line: lineNumber), file: file, line: lineNumber,
                                       order: points.count)
            if let earlier = position[point.index] {
                points[earlier] = point
            } else {
                position[point.index] = points.count
                points.append(point)
            }
        }
        guard !points.isEmpty else { throw Diagnostic(file: file, message: "holds no points; expected one JSON object per line") }
        return points.sorted { $0.index < $1.index }
    }

    static func parsePoint(_ value: JSONValue, file: String, line: Int, order: Int) throws(Diagnostic) -> Point {
        guard case .object = value else {
            throw Diagnostic(file: file, line: line, message: "expected one object per line: {\"index\", \"axes\", \"status\", \"error\", \"result\"}")
        }
        var point = Point(index: order, axes: [])
        switch value["index"] {
        case nil: break
        case .number(let index)? where index >= 0 && index == index.rounded() && index < 1e15: point.index = Int(index)
        default: throw Diagnostic(file: file, line: line, path: "index", message: "expected the point's index, a whole number ≥ 0")
        }
        switch value["axes"] {
        case nil, .null?: break
        case .object(let pairs)?: point.axes = pairs.map { (name: $0.0, value: $0.1) }
        default: throw Diagnostic(file: file, line: line, path: "axes", message: "expected an object of axis name → value")
        }
        switch value["status"] {
        case .string("ok")?:
            guard let result = value["result"], case .object = result else {
                throw Diagnostic(file: file, line: line, path: "result",
                                 message: "status is \"ok\" but result is not an object (expected what attnsim simulate --format json prints)")
            }
            point.result = Result(json: result)
        case .string("error")?:
            if case .string(let message)? = value["error"] { point.error = message } else { point.error = "error (no message)" }
        default:
            throw Diagnostic(file: file, line: line, path: "status", message: "expected \"ok\" or \"error\"")
        }
        return point
    }

    static func parseCrossCheck(_ text: String, file: String) throws(Diagnostic) -> [CrossCheckRow] {
        let root = try json(text, file: file)
        let items: [JSONValue]
        switch root {
        case .array(let list): items = list
        case .object where root["configs"] != nil:
            guard case .array(let list)? = root["configs"] else {
                throw Diagnostic(file: file, path: "configs", message: "expected a list of cross-checked workloads")
            }
            items = list
        default:
            throw Diagnostic(file: file, message: "expected the list attnsim crosscheck --format json prints: "
                + "[{\"workload\", \"measured_time_s\", \"predicted_time_s\", \"measured_speedup\", \"predicted_speedup\", \"bound_speedup\"}]")
        }
        var rows: [CrossCheckRow] = []
        for (position, item) in items.enumerated() {
            guard case .object = item else { throw Diagnostic(file: file, path: "[\(position)]", message: "expected an object per workload") }
            func number(_ key: String) -> Double? { item[key]?.doubleValue.flatMap { $0.isFinite ? $0 : nil } }
            var name = "#\(position)"
            if case .string(let text)? = item["workload"] { name = text } else if case .string(let text)? = item["id"] { name = text }
            var set: String?
            if case .string(let text)? = item["set"] { set = text }
            rows.append(CrossCheckRow(workload: name, measuredTime: number("measured_time_s"), predictedTime: number("predicted_time_s"),
                                      measuredSpeedup: number("measured_speedup"), predictedSpeedup: number("predicted_speedup"),
                                      rooflineSpeedup: number("bound_speedup"), set: set))
        }
        return rows
    }
}

// MARK: - What the report draws

extension SweepReport {
    /// An axis as the points use it: its values in the sweep's order (then any others in order of appearance),
    /// and whether it varies across the points.
    public struct AxisUse: Sendable {
        public var name: String
        public var values: [JSONValue]
        public var varies: Bool { values.count > 1 }
    }

    /// Every axis named in `sweep.json` or on a point, with the distinct values the points take.
    public var axisUses: [AxisUse] {
        var names = header.axes.map(\.name)
        for point in points { for axis in point.axes where !names.contains(axis.name) { names.append(axis.name) } }
        return names.map { name in
            var values: [JSONValue] = []
            var seen = Set<String>()
            let declared = header.axes.first { $0.name == name }?.values ?? []
            let present = Set(points.compactMap { $0.value(of: name).map(SweepReport.key) })
            for value in declared where present.contains(SweepReport.key(value)) && seen.insert(SweepReport.key(value)).inserted {
                values.append(value)
            }
            for point in points {
                if let value = point.value(of: name), seen.insert(SweepReport.key(value)).inserted { values.append(value) }
            }
            return AxisUse(name: name, values: values)
        }
    }

    /// The GNA section draws when a result has a tile analysis.
    public var hasGNA: Bool { points.contains { $0.result?.hasTiles == true } }

    /// The spatial section draws when a result has an energy, or an axis resizes an array or a buffer.
    public var hasSpatial: Bool {
        points.contains { $0.result?.energy != nil } || axisUses.contains { $0.varies && SweepReport.isSpatialAxis($0.name) }
    }

    /// The roofline draws the points with both FLOPs, DRAM bytes and a time.
    public var hasRoofline: Bool { points.contains { $0.result?.arithmeticIntensity != nil && $0.result?.achievedRate != nil } }

    public var hasUtilization: Bool { points.contains { !($0.result?.utilization.isEmpty ?? true) } }

    /// The axis the GNA chart puts on x: a varying stride, window or token axis, else any other varying axis
    /// except the hardware (which names the series).
    public var gnaAxis: String? {
        let candidates = axisUses.filter { $0.varies && !SweepReport.isHardwareAxis($0.name) }.map(\.name)
        for word in ["stride", "window", "tokens", "dilation"] {
            if let name = candidates.first(where: { $0.lowercased().contains(word) }) { return name }
        }
        return candidates.first { $0 != "workload" } ?? candidates.first
    }

    /// Axes that resize a spatial design (`hardware.arrays[0].shape`, `hardware.memory[1].size`, ...).
    public var spatialAxes: [String] {
        namingAxes.filter(SweepReport.isSpatialAxis)
    }

    /// Whether every point's value of `axis` fixes its value of `other` (the later paths of a zipped group such as
    /// `[hardware, kernel.backend, kernel.q_tile]` follow the first).
    public func determines(_ axis: String, _ other: String) -> Bool {
        var seen: [String: String] = [:]
        for point in points {
            guard let value = point.value(of: axis), let follower = point.value(of: other) else { continue }
            let key = SweepReport.key(value), followerKey = SweepReport.key(follower)
            if let earlier = seen[key], earlier != followerKey { return false }
            seen[key] = followerKey
        }
        return true
    }

    /// The varying axes that name a point: those no earlier varying axis determines.
    public var namingAxes: [String] {
        var kept: [String] = []
        for use in axisUses where use.varies && !kept.contains(where: { determines($0, use.name) }) { kept.append(use.name) }
        return kept
    }

    static func isHardwareAxis(_ name: String) -> Bool { name == "hardware" || name == "hw" }

    /// A value as a legend or point name shows it: a file path on a `hardware` or `workload` axis by its base name.
    static func shortLabel(_ axis: String, _ value: JSONValue) -> String {
        let text = label(value)
        guard isHardwareAxis(axis) || axis == "workload", case .string = value, text.contains("/") || text.hasSuffix(".yaml") else { return text }
        var name = text.split(separator: "/").last.map(String.init) ?? text
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return name
    }

    static func isSpatialAxis(_ name: String) -> Bool {
        let lower = name.lowercased()
        return (lower.contains("arrays") && lower.contains("shape")) || (lower.contains("memory") && lower.contains("size"))
            || lower.contains("buffer") || lower.hasSuffix("side")
    }

    /// The points on the time–energy Pareto front (no other point is both faster and lower in energy), fastest first.
    public var paretoFront: [Point] {
        let candidates = points.filter { ($0.result?.time ?? 0) > 0 && ($0.result?.energy ?? 0) > 0 }
            .sorted { ($0.result!.time!, $0.result!.energy!, $0.index) < ($1.result!.time!, $1.result!.energy!, $1.index) }
        var front: [Point] = []
        var lowest = Double.infinity
        for point in candidates where point.result!.energy! < lowest {
            front.append(point)
            lowest = point.result!.energy!
        }
        return front
    }

    /// A stable identity for a value (compact JSON).
    static func key(_ value: JSONValue) -> String { value.serialized(pretty: false) }

    /// A value as a reader writes it: lists of numbers as `16×8×8`, numbers in their shortest form.
    public static func label(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONValue.format(number)
        case .string(let text): return text
        case .array(let items):
            if items.allSatisfy({ if case .number = $0 { return true } else { return false } }), !items.isEmpty {
                return items.map(label).joined(separator: "×")
            }
            return "[" + items.map(label).joined(separator: ", ") + "]"
        case .object: return value.serialized(pretty: false)
        }
    }

    /// A number to order an axis's values by: the number, the product of a list of numbers, or a size with units.
    static func orderValue(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): return number
        case .array(let items) where !items.isEmpty:
            var product = 1.0
            for item in items {
                guard let factor = orderValue(item) else { return nil }
                product *= factor
            }
            return product
        case .string(let text): return try? Quantity.parse(text, as: .bytes)
        default: return nil
        }
    }

    /// The values in increasing order when every one has an order value (ties keep their order), else as given.
    static func ordered(_ values: [JSONValue]) -> [JSONValue] {
        let keys = values.map(orderValue)
        guard keys.allSatisfy({ $0 != nil }) else { return values }
        return values.indices.sorted { (keys[$0]!, $0) < (keys[$1]!, $1) }.map { values[$0] }
    }
}
