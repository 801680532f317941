import Foundation

/// Reading a sweep folder: `sweep.json`, `points.jsonl` and the optional `crosscheck.json`, with a diagnostic
/// that names the file, line and field of anything malformed.
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
