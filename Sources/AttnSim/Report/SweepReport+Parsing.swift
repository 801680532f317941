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
        let data = try SpecDocument.contents(ofFile: path)
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

    /// `value` as a typed record; a field of the wrong shape is a diagnostic naming its path.
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, file: String, line: Int? = nil) throws(Diagnostic) -> T {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch {
            throw Diagnostic(file: file, line: line, path: error.path, message: error.message)
        }
    }

    /// Results of a later schema may have renamed or re-meant keys: refuse them rather than misread them.
    static func checkVersion(_ version: SchemaVersion, file: String, line: Int? = nil) throws(Diagnostic) {
        guard version <= .current else {
            throw Diagnostic(file: file, line: line, path: "schema_version", message: "written by a newer attnsim (schema_version "
                + "\(version)); this one reads up to \(SchemaVersion.current)")
        }
    }

    static func parseHeader(_ text: String, file: String) throws(Diagnostic) -> Header {
        let record = try decode(SweepMetaRecord.self, try json(text, file: file), file: file)
        try checkVersion(record.schemaVersion, file: file)
        var header = Header(name: record.name ?? "sweep", description: record.description, spec: record.spec, mode: record.mode)
        if let points = record.points {
            guard points >= 0 else { throw Diagnostic(file: file, path: "points", message: "expected the number of points, a whole number ≥ 0") }
            header.declaredPoints = points
        }
        header.axes = (record.axes ?? []).map { Axis(name: $0.name, values: $0.values) }
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
        let record = try decode(SweepPointRecord.self, value, file: file, line: line)
        try checkVersion(record.schemaVersion, file: file, line: line)
        var point = Point(index: order, axes: record.axes?.entries.map { (name: $0.key, value: $0.value) } ?? [])
        if let index = record.index {
            guard index >= 0 else {
                throw Diagnostic(file: file, line: line, path: "index", message: "expected the point's index, a whole number ≥ 0")
            }
            point.index = index
        }
        switch record.status {
        case .ok:
            guard let result = record.result else {
                throw Diagnostic(file: file, line: line, path: "result",
                                 message: "status is \"ok\" but result is not an object (expected what attnsim simulate --format json prints)")
            }
            try checkVersion(result.schemaVersion, file: file, line: line)
            point.result = Result(record: result)
        case .error:
            point.error = record.error ?? "error (no message)"
        }
        return point
    }

    /// `crosscheck.json`: the list `attnsim crosscheck --format json` prints, or what `attnsim crosscheck-gpu
    /// --format json` prints (its `configs`).
    static func parseCrossCheck(_ text: String, file: String) throws(Diagnostic) -> [CrossCheckRow] {
        struct Configs: Decodable { var configs: [CrossCheckRecord] }
        let root = try json(text, file: file)
        let records: [CrossCheckRecord]
        switch root {
        case .array: records = try decode([CrossCheckRecord].self, root, file: file)
        case .object: records = try decode(Configs.self, root, file: file).configs
        default:
            throw Diagnostic(file: file, message: "expected the list attnsim crosscheck --format json prints: "
                + "[{\"workload\", \"measured_time_s\", \"predicted_time_s\", \"measured_speedup\", \"predicted_speedup\", \"bound_speedup\"}]")
        }
        var rows: [CrossCheckRow] = []
        for record in records {
            try checkVersion(record.schemaVersion, file: file)
            rows.append(CrossCheckRow(workload: record.workload, measuredTime: record.measuredTimeS, predictedTime: record.predictedTimeS,
                                      measuredSpeedup: record.measuredSpeedup, predictedSpeedup: record.predictedSpeedup,
                                      rooflineSpeedup: record.boundSpeedup, set: record.set))
        }
        return rows
    }
}
