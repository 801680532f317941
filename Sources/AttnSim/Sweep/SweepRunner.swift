import Foundation
import Yams

/// Runs a sweep into a results folder, resumably:
///
/// - `DIR/sweep.json` names the sweep (and its fingerprint: a folder refuses another sweep's points);
/// - `DIR/points/NNNNNNNN.json` holds one point's record, written to a temporary file and renamed, so a point is
///   either complete or absent — a rerun after an interruption (even `kill -9`) evaluates the absent ones only;
/// - when every point of the run (or shard) is there, `DIR/points.jsonl` and `DIR/points.csv` are assembled in
///   point order, so the bytes do not depend on `--jobs` or on interruptions.
///
/// A point's record (`SweepPointRecord`): `{"schema_version", "index", "axes": {path: value}, "status": "ok" |
/// "error", "error", "result"}` with `result` the `attnsim simulate --format json` object (`SimulationRecord`).
/// Points the filters drop are not part of the sweep.
public struct SweepRunner: Sendable {
    public var spec: SweepSpec
    public var output: String
    public var jobs: Int
    /// `--shard I/N`: this run evaluates the points whose index ≡ I (mod N).
    public var shard: (index: Int, count: Int)?

    public init(spec: SweepSpec, output: String, jobs: Int, shard: (index: Int, count: Int)? = nil) {
        self.spec = spec
        self.output = output
        self.jobs = max(1, jobs)
        self.shard = shard
    }

    public struct Summary: Sendable {
        /// Points in the sweep (after filters), in this shard, evaluated now, and failed (recorded with an error).
        public var points: Int
        public var mine: Int
        public var evaluated: Int
        public var failed: Int
    }

    /// A point: its index after filtering and the chosen value of each axis.
    struct Point {
        var index: Int
        var choice: [Int]
    }

    // MARK: Points

    /// The points that survive the filters, numbered in order; a point whose filter cannot be evaluated is kept
    /// (its evaluation records the error).
    func points() throws(Diagnostic) -> [Point] {
        var bases = Bases(spec: spec)
        var kept: [Point] = []
        for n in 0..<spec.combinations {
            let choice = spec.choice(n)
            if !spec.filters.isEmpty {
                let passes: Bool
                do {
                    let (workload, hardware) = try bases.patched(choice)
                    passes = try spec.filters.allSatisfy { (f) throws(SweepPointError) in
                        try f.passes(workload: workload.node, hardware: hardware.node)
                    }
                } catch {
                    passes = true
                }
                if !passes { continue }
            }
            kept.append(Point(index: kept.count, choice: choice))
        }
        return kept
    }

    /// The base documents, loaded once per file, and the point's patched copies.
    struct Bases {
        var spec: SweepSpec
        var documents: [String: Result<SpecNode, Diagnostic>] = [:]

        init(spec: SweepSpec) { self.spec = spec }

        mutating func document(_ path: String) throws(SweepPointError) -> SpecNode {
            if documents[path] == nil {
                do { documents[path] = .success(try SpecDocument.load(path: path)) } catch { documents[path] = .failure(error) }
            }
            switch documents[path]! {
            case .success(let node): return node
            case .failure(let error): throw SweepPointError(error.description)
            }
        }

        mutating func patched(_ choice: [Int]) throws(SweepPointError) -> (workload: SpecNode, hardware: SpecNode) {
            var workloadPath = spec.workload, hardwarePath = spec.hardware
            for (axis, i) in zip(spec.axes, choice) {
                for (target, value) in zip(axis.targets, axis.values[i]) {
                    switch target {
                    case .hardwareFile: hardwarePath = value.scalar?.string
                    case .workloadFile: workloadPath = value.scalar?.string
                    default: break
                    }
                }
            }
            var workload = try document(workloadPath ?? "")
            var hardware = try document(hardwarePath ?? "")
            for (axis, i) in zip(spec.axes, choice) {
                for (target, value) in zip(axis.targets, axis.values[i]) {
                    switch target {
                    case .workloadField(let path):
                        workload = SpecNode(node: try SweepPatch.setting(value, at: path, in: workload.node),
                                            path: FieldPath(), file: workload.file)
                    case .hardwareField(let path):
                        hardware = SpecNode(node: try SweepPatch.setting(value, at: path, in: hardware.node),
                                            path: FieldPath(), file: hardware.file)
                    default: break
                    }
                }
            }
            return (workload, hardware)
        }
    }

    /// The axis values of a point, as JSON.
    func axesJSON(_ choice: [Int]) -> OrderedMap<JSONValue> {
        OrderedMap(zip(spec.axes, choice).flatMap { axis, i in
            axis.names.indices.map { p in (key: axis.names[p], value: Self.json(axis.shown(i, p), axis.targets[p])) }
        })
    }

    /// An axis value as JSON; files are named by their base name (stable across machines and folders).
    static func json(_ node: Node, _ target: SweepSpec.Target) -> JSONValue {
        let value = json(node)
        if target == .hardwareFile || target == .workloadFile, case .string(let path) = value {
            return .string(((path as NSString).lastPathComponent as NSString).deletingPathExtension)
        }
        return value
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            if scalar.style == .plain {
                if let number = Double(text), !text.isEmpty { return .number(number) }
                if text == "true" || text == "false" { return .bool(text == "true") }
            }
            return .string(text)
        case .sequence(let sequence): return .array(sequence.map(json))
        case .mapping(let mapping): return .object(mapping.map { ($0.key.scalar?.string ?? "", json($0.value)) })
        case .alias: return .null
        }
    }

    /// One point's record.
    func evaluate(_ point: Point, bases: inout Bases) -> SweepPointRecord {
        var record = SweepPointRecord(index: point.index, axes: axesJSON(point.choice), status: .ok)
        do {
            let (workloadNode, hardwareNode) = try bases.patched(point.choice)
            let hardware = try HardwareSpec.decode(hardwareNode)
            let workload = try Workload.decode(workloadNode)
            record.result = try Simulator.run(hardware: hardware, workload: workload).record
        } catch let failure as SweepPointError {
            (record.status, record.error) = (.error, failure.message)
        } catch let diagnostic as Diagnostic {
            (record.status, record.error) = (.error, diagnostic.description)
        } catch {
            (record.status, record.error) = (.error, "\(error)")
        }
        return record
    }

    // MARK: Running

    var pointsFolder: String { output + "/points" }

    static func pointFile(_ folder: String, _ index: Int) -> String {
        folder + "/" + String(format: "%08d.json", index)
    }

    /// The meta file's JSON (the same for every shard of a sweep, so merged output matches a single run's).
    func meta(points: Int) -> SweepMetaRecord {
        SweepMetaRecord(name: spec.name, description: spec.description, spec: (spec.file as NSString).lastPathComponent,
                        fingerprint: spec.fingerprint, mode: spec.mode.rawValue,
                        axes: spec.axes.flatMap { axis in
                            axis.names.indices.map { p in
                                SweepMetaRecord.Axis(name: axis.names[p], values: axis.values.indices.map {
                                    Self.json(axis.shown($0, p), axis.targets[p])
                                })
                            }
                        },
                        points: points)
    }

    public func run(progress: SweepProgress? = nil) throws(Diagnostic) -> Summary {
        let all = try points()
        let mine = all.filter { shard == nil || $0.index % shard!.count == shard!.index }
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: pointsFolder, withIntermediateDirectories: true)
        } catch {
            throw Diagnostic(file: output, message: "cannot create the results folder: \(error.localizedDescription)")
        }
        // The folder belongs to one sweep: refuse to mix another sweep's points in.
        let metaFile = output + "/sweep.json"
        let metaRecord = meta(points: all.count)
        let meta = JSONValue(encoding: metaRecord).serialized() + "\n"
        if let existing = try? String(contentsOfFile: metaFile, encoding: .utf8), existing != meta {
            throw Diagnostic(file: metaFile, message: "this folder holds results of another sweep (or of an edited spec); "
                + "use a new --out folder or delete this one")
        }
        try Self.writeAtomically(meta, to: metaFile)
        try claimShard()
        // Leftovers of an interrupted write.
        for name in (try? fm.contentsOfDirectory(atPath: pointsFolder)) ?? [] where name.hasSuffix(".tmp") {
            try? fm.removeItem(atPath: pointsFolder + "/" + name)
        }
        let todo = mine.filter { !fm.fileExists(atPath: Self.pointFile(pointsFolder, $0.index)) }
        progress?.start(total: mine.count, done: mine.count - todo.count)
        let state = RunState(todo: todo)
        let folder = pointsFolder
        let runner = self
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, todo.count))) { _ in
            var bases = Bases(spec: runner.spec)
            while let point = state.next() {
                let record = runner.evaluate(point, bases: &bases)
                do throws(Diagnostic) {
                    try Self.writeAtomically(JSONValue(encoding: record).serialized(pretty: false) + "\n",
                                             to: Self.pointFile(folder, point.index))
                    state.finished(failed: record.status == .error)
                } catch {
                    state.fail(error)
                }
                progress?.advance()
            }
        }
        progress?.finish()
        if let error = state.error { throw error }
        try Self.assemble(mine.map(\.index), folders: [pointsFolder], meta: metaRecord, into: output)
        return Summary(points: all.count, mine: mine.count, evaluated: todo.count, failed: state.failed)
    }

    /// `DIR/shard` records which shard a folder holds (`2/4`, or `all`): the meta file is the same for every shard, so
    /// without it a folder could take a second shard's points and assemble a mix.
    func claimShard() throws(Diagnostic) {
        let file = output + "/shard"
        let mine = shard.map { "\($0.index)/\($0.count)" } ?? "all"
        if let recorded = try? String(contentsOfFile: file, encoding: .utf8),
           recorded.trimmingCharacters(in: .whitespacesAndNewlines) != mine {
            let theirs = recorded.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Diagnostic(file: output, message: "this folder holds \(theirs == "all" ? "the whole sweep" : "shard \(theirs)"), "
                + "not \(shard == nil ? "the whole sweep" : "shard \(mine)"); give each shard its own --out folder "
                + "(then `attnsim merge` them)")
        }
        try Self.writeAtomically(mine + "\n", to: file)
    }

    /// Work handed out to the workers, and what came back.
    final class RunState: @unchecked Sendable {
        private var todo: [Point]
        private var position = 0
        private let lock = NSLock()
        private(set) var failed = 0
        private(set) var error: Diagnostic?

        init(todo: [Point]) { self.todo = todo }

        func next() -> Point? {
            lock.lock()
            defer { lock.unlock() }
            guard error == nil, position < todo.count else { return nil }
            position += 1
            return todo[position - 1]
        }

        func finished(failed: Bool) {
            lock.lock()
            if failed { self.failed += 1 }
            lock.unlock()
        }

        func fail(_ error: Diagnostic) {
            lock.lock()
            if self.error == nil { self.error = error }
            lock.unlock()
        }
    }

    static func writeAtomically(_ text: String, to path: String) throws(Diagnostic) {
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Diagnostic(file: path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Writes `points.jsonl` and `points.csv` from the point files of `indices` (each found in one of `folders`).
    /// The CSV's columns are fixed by the sweep: `schema_version`, `index`, one `axes.PATH` per axis of `meta`,
    /// `status`, `error`, then every column of `SimulationRecord` under `result.`.
    static func assemble(_ indices: [Int], folders: [String], meta: SweepMetaRecord, into output: String) throws(Diagnostic) {
        var lines: [String] = []
        var records: [JSONValue] = []
        for index in indices {
            guard let file = folders.map({ pointFile($0, index) }).first(where: { FileManager.default.fileExists(atPath: $0) }),
                  let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Diagnostic(file: output, message: "point \(index) is missing; rerun the sweep to finish it")
            }
            let line = text.trimmingCharacters(in: .newlines)
            let parsed: JSONValue
            do {
                parsed = try JSONValue.parse(line)
            } catch {
                throw Diagnostic(file: file, line: error.line, column: error.column, message: "corrupt point file: \(error.message)")
            }
            do {
                // Typed: a point file of another schema, or a corrupt one, is an error here rather than a bad CSV row.
                records.append(JSONValue(encoding: try JSONValueDecoder().decode(SweepPointRecord.self, from: parsed)))
            } catch {
                throw Diagnostic(file: file, path: error.path, message: "corrupt point file: \(error.message)")
            }
            lines.append(line)
        }
        try writeAtomically(lines.map { $0 + "\n" }.joined(), to: output + "/points.jsonl")
        try writeAtomically(Flatten.csv(records, columns: csvColumns(meta)), to: output + "/points.csv")
    }

    /// The columns of `points.csv` for a sweep.
    public static func csvColumns(_ meta: SweepMetaRecord) -> [[String]] {
        let point = Flatten.columns(of: SweepPointRecord.self)
        let axes = (meta.axes ?? []).map { ["axes", $0.name] }
        var columns: [[String]] = []
        for column in point {
            if column == ["axes"] { columns += axes } else { columns.append(column) }
        }
        return columns
    }

    /// Combines shard folders of one sweep into `output`: every point exactly once, else an error naming what is
    /// missing or repeated.
    public static func merge(_ folders: [String], into output: String) throws(Diagnostic) -> Int {
        var meta: String?
        var metaRecord: SweepMetaRecord?
        var owner: [Int: String] = [:]
        for folder in folders {
            let metaFile = folder + "/sweep.json"
            guard let text = try? String(contentsOfFile: metaFile, encoding: .utf8) else {
                throw Diagnostic(file: metaFile, message: "not a sweep results folder (no sweep.json)")
            }
            if let meta, meta != text {
                throw Diagnostic(file: metaFile, message: "this folder holds another sweep than \(folders[0])")
            }
            if meta == nil {
                do {
                    metaRecord = try JSONValueDecoder().decode(SweepMetaRecord.self, from: try JSONValue.parse(text))
                } catch let error as JSONValue.ParseError {
                    throw Diagnostic(file: metaFile, line: error.line, column: error.column, message: "not valid JSON: \(error.message)")
                } catch let error as JSONValueDecoder.Failure {
                    throw Diagnostic(file: metaFile, path: error.path, message: error.message)
                } catch {
                    throw Diagnostic(file: metaFile, message: "\(error)")
                }
            }
            meta = text
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/points")) ?? []
            where name.hasSuffix(".json") {
                guard let index = Int(name.dropLast(5)) else { continue }
                if let other = owner[index] {
                    throw Diagnostic(file: folder, message: "point \(index) is in both \(other) and \(folder)")
                }
                owner[index] = folder
            }
        }
        guard let meta, let metaRecord else { throw Diagnostic(file: output, message: "no shard folders given") }
        guard let total = metaRecord.points, total >= 0 else {
            throw Diagnostic(file: folders[0] + "/sweep.json", path: "points", message: "expected the number of points, a whole number ≥ 0")
        }
        let missing = (0..<total).filter { owner[$0] == nil }
        guard missing.isEmpty else {
            throw Diagnostic(file: output, message: "\(missing.count) of \(total) points are in no shard (first: "
                + missing.prefix(5).map(String.init).joined(separator: ", ") + "); run the missing shards")
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw Diagnostic(file: output, message: "cannot create the folder: \(error.localizedDescription)")
        }
        try writeAtomically(meta, to: output + "/sweep.json")
        // Each point from the one shard that has it (checked above: exactly one).
        try assemble(Array(0..<total), folders: folders.map { $0 + "/points" }, meta: metaRecord, into: output)
        return total
    }
}
