import Foundation
import Testing
@testable import AttnSim
@testable import AttnSimKernels

/// The result schema: docs/schema/result.schema.json against what `simulate --format json` prints for every shipped
/// workload on every hardware preset, against `SimulationRecord`'s keys, and the validator against known-bad input.
@Suite struct ResultSchemaTests {
    static let schema: JSONValue = {
        let text = (try? String(contentsOfFile: Repo.path("docs/schema/result.schema.json"), encoding: .utf8)) ?? "null"
        return (try? JSONValue.parse(text)) ?? .null
    }()

    static let hardware: [HardwareSpec] = Repo.files(in: "hardware", withExtension: "yaml").compactMap { try? HardwareSpec.load(path: $0) }

    /// Every workload file under workloads/ (its subfolders too).
    static let workloads: [String] = {
        let root = Repo.root.appendingPathComponent("workloads")
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".yaml") { files.append("workloads/" + relative) }
        }
        return files.sorted()
    }()

    @Test func schemaLoadsAndUsesOnlyTheValidatedKeywords() throws {
        guard case .object = Self.schema else { Issue.record("docs/schema/result.schema.json does not parse"); return }
        #expect(Self.schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        // The validator reports unknown keywords as problems; an empty object passes every rule it knows.
        #expect(JSONSchemaValidator(schema: Self.schema).problems(.object([])).allSatisfy { $0.contains("missing") })
        #expect(Self.hardware.count == Repo.files(in: "hardware", withExtension: "yaml").count)
        #expect(Self.workloads.count >= 40)
    }

    /// `simulate --format json` for each workload on every preset it runs on (pairs that are errors are skipped).
    @Test(arguments: workloads)
    func everyWorkloadOnEveryPresetMatchesTheSchema(_ file: String) throws {
        let workload = try Workload.load(path: Repo.path(file))
        let validator = JSONSchemaValidator(schema: Self.schema)
        var ran = 0
        for hardware in Self.hardware {
            guard let result = try? Simulator.run(hardware: hardware, workload: workload) else { continue }
            ran += 1
            // What the command prints, read back as a reader would.
            let printed = try JSONValue.parse(result.json.serialized())
            let problems = validator.problems(printed)
            #expect(problems.isEmpty, "\(file) on \(hardware.name): \(problems.prefix(5).joined(separator: "; "))")
            guard case .object(let pairs) = printed else { continue }
            #expect(pairs.first?.0 == "schema_version")
            // The typed record reads back what was written.
            let record = try JSONValueDecoder().decode(SimulationRecord.self, from: printed)
            #expect(record == result.record, "\(file) on \(hardware.name)")
        }
        #expect(ran > 0, "\(file) runs on no preset")
    }

    /// The command prints exactly the record the tests above validate.
    @Test func commandPrintsTheRecord() throws {
        let output = try CLI.run(["simulate", "hardware/b200.yaml", "workloads/hunyuan-gna-s16x8x8.yaml", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let result = try Simulator.run(hardware: HardwareSpec.load(path: Repo.path("hardware/b200.yaml")),
                                       workload: Workload.load(path: Repo.path("workloads/hunyuan-gna-s16x8x8.yaml")))
        #expect(output.stdout == result.json.serialized() + "\n")
        #expect(JSONSchemaValidator(schema: Self.schema).problems(try JSONValue.parse(output.stdout)).isEmpty)
    }

    /// The schema lists exactly the record's keys, in the order the record writes them.
    @Test func schemaListsEveryKeyOfTheRecordInOrder() {
        let schemaPaths = JSONSchemaValidator.leafPaths(Self.schema)
        let recordPaths = Flatten.columns(of: SimulationRecord.self)
        #expect(schemaPaths == recordPaths, "schema only: \(Set(schemaPaths).subtracting(recordPaths)); record only: \(Set(recordPaths).subtracting(schemaPaths))")
    }

    /// The enums the schema lists are the types' cases.
    @Test func schemaEnumsAreTheTypesCases() throws {
        let properties = Self.schema["properties"]
        func values(_ rule: JSONValue?) -> [String] {
            guard case .array(let items)? = rule?["enum"] else { return [] }
            return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        }
        let simulated = properties?["simulated"]?["properties"]
        #expect(values(simulated?["model"]) == ModelName.allCases.map(\.rawValue))
        #expect(values(properties?["pruning"]?["properties"]?["model"]) == ModelName.allCases.map(\.rawValue))
        #expect(values(simulated?["energy_accounting"]) == EnergyAccounting.allCases.map(\.rawValue))
        let mapping = simulated?["mapping"]?["properties"]
        #expect(values(mapping?["dataflow"]) == SpatialMapping.Dataflow.allCases.map(\.rawValue))
        #expect(values(mapping?["tiling"]) == KernelChoice.Tiling.allCases.map(\.rawValue))
        #expect(values(mapping?["kv_tiling"]) == KernelChoice.KVTiling.allCases.map(\.rawValue))
        #expect(values(properties?["tiles"]?["properties"]?["tiling"]) == KernelChoice.Tiling.allCases.map(\.rawValue))
    }

    /// The validator catches each kind of violation it claims to check.
    @Test func validatorRejectsWhatItShould() throws {
        let schema = try JSONValue.parse(#"""
            {"type": "object", "required": ["a", "b"], "additionalProperties": false,
             "properties": {"a": {"type": ["integer", "null"], "minimum": 0}, "b": {"type": "string", "enum": ["x", "y"]},
                            "c": {"type": "array", "items": {"type": "number"}}, "d": {"type": "object", "additionalProperties": {"type": "number"}}}}
            """#)
        let validator = JSONSchemaValidator(schema: schema)
        func problems(_ text: String) throws -> [String] { validator.problems(try JSONValue.parse(text)) }
        #expect(try problems(#"{"a": 1, "b": "x", "c": [1.5, 2], "d": {"SM": 0.5}}"#).isEmpty)
        #expect(try problems(#"{"a": null, "b": "y"}"#).isEmpty)
        #expect(try problems(#"{"a": 1.5, "b": "x"}"#).count == 1)          // not an integer
        #expect(try problems(#"{"a": -1, "b": "x"}"#).count == 1)           // below the minimum
        #expect(try problems(#"{"a": 1}"#) == ["$: missing b"])
        #expect(try problems(#"{"a": 1, "b": "z"}"#).count == 1)            // not in the enum
        #expect(try problems(#"{"a": 1, "b": "x", "e": 0}"#) == ["$: key e is not in the schema"])
        #expect(try problems(#"{"a": 1, "b": "x", "c": ["no"]}"#).count == 1)
        #expect(try problems(#"{"a": 1, "b": "x", "d": {"SM": "busy"}}"#).count == 1)
        #expect(JSONSchemaValidator(schema: try JSONValue.parse(#"{"const": 1}"#)).problems(.number(1)) == ["$: unsupported keyword const"])
    }

    /// Byte counts are whole numbers, rounded to the nearest byte (a pruned decode counts fractional bytes).
    @Test func byteCountsAreWholeNumbers() throws {
        let result = try Simulator.run(hardware: HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml")),
                                       workload: Workload.load(path: Repo.path("workloads/gpt2-small-decode-pruned.yaml")))
        let pruning = try #require(result.pruning)
        let record = result.record
        #expect(record.pruning?.kvBytes?.value == Int64(pruning.cost.kvBytes.rounded(.toNearestOrAwayFromZero)))
        #expect(record.simulated.dramBytes?.value == result.simulated.dramBytes.map { Int64($0.rounded(.toNearestOrAwayFromZero)) })
        let text = result.json.serialized()
        for line in text.split(separator: "\n") where line.contains("_bytes\": ") && !line.contains("null") {
            let number = line.split(separator: ":")[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            #expect(Int64(number) != nil, "\(line)")
        }
        // Version 0 files wrote the fraction: reading one rounds it.
        #expect(try JSONValueDecoder().decode(ByteCount.self, from: .number(463391.75)) == ByteCount(463392))
    }
}

/// CSV from the record types: the same columns whatever a row fills, the documented list and map encodings.
@Suite struct RecordCSVTests {
    /// RFC 4180 rows.
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = text.makeIterator()
        var pending: Character?
        while let c = pending ?? characters.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    @Test func simulateCSVHasTheSameColumnsForEveryKindOfResult() throws {
        let pairs = [("hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml"),
                     ("hardware/fusemax-cloud.yaml", "workloads/fusemax/bert-base-1k.yaml"),
                     ("hardware/spatten.yaml", "workloads/spatten/gpt2-small-decode.yaml"),
                     ("hardware/b200.yaml", "workloads/hunyuan-gna-s16x8x8.yaml")]
        var headers: [[String]] = []
        for (hardware, workload) in pairs {
            let result = try Simulator.run(hardware: HardwareSpec.load(path: Repo.path(hardware)), workload: Workload.load(path: Repo.path(workload)))
            let rows = Self.rows(result.csv)
            #expect(rows.count == 2 && rows[0].count == rows[1].count, "\(workload)")
            headers.append(rows[0])
        }
        #expect(Set(headers.map { $0.joined(separator: ",") }).count == 1)
        #expect(headers[0] == Flatten.columns(of: SimulationRecord.self).map(Flatten.name))
        #expect(headers[0].first == "schema_version")
        #expect(headers[0].contains("simulated.utilization") && headers[0].contains("simulated.mapping.dataflow"))
    }

    @Test func listsAndMapsAreOneCell() {
        let row = JSONValue.object([
            ("tile", .array([.number(2), .number(8), .number(8)])),
            ("utilization", .object([("SM", .number(0.5)), ("HBM", .number(0.25))])),
            ("notes", .array([.string("a; b"), .string("x=1, y\\z")])),
            ("missing", .null),
        ])
        let text = Flatten.csv([row], columns: [["tile"], ["utilization"], ["notes"], ["missing"], ["absent"]])
        #expect(text == "tile,utilization,notes,missing,absent\n2;8;8,SM=0.5;HBM=0.25,\"a\\; b;x\\=1, y\\\\z\",,\n")
    }

    /// Every command with `--format csv` writes CSV led by `schema_version`; `hw show` refuses csv when parsing.
    @Test func commandsWriteCSVOrRefuseIt() throws {
        let refused = try CLI.run(["hw", "show", "hardware/b200.yaml", "--format", "csv"])
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("'table'") && refused.stderr.contains("'json'"))
        for arguments in [
            ["simulate", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml"],
            ["gna", "--tokens", "30x48x80", "--window", "18x24x24", "--q-tile", "4x8x8", "--kv-tile", "2x8x8"],
            ["map", "hardware/h100-sxm5-80gb.yaml", "workloads/bert-base-1k.yaml", "--top", "2"],
            ["cascade", "workloads/bert-base-1k.yaml"],
            ["spatial-sweep", "hardware/fusemax-cloud.yaml", "workloads/fusemax/bert-base-1k.yaml", "--sides", "16,64", "--buffers", "1 KiB,1 MiB"],
            ["crosscheck-gpu", "hardware/h100-sxm5-80gb.yaml", "validation/gpu/h100-sdpa-decode.json"],
        ] {
            let output = try CLI.run(arguments + ["--format", "csv"])
            #expect(output.status == 0, "\(arguments[0]): \(output.stderr)")
            let rows = Self.rows(output.stdout)
            #expect(rows.count >= 2, "\(arguments[0])")
            #expect(rows.first?.first == "schema_version", "\(arguments[0])")
            #expect(rows.allSatisfy { $0.count == rows[0].count }, "\(arguments[0])")
        }
    }
}

/// `crosscheck` (CPU kernels) and `crosscheck-gpu` (GPU runs, decode calls) write rows with the same keys.
@Suite struct CrossCheckShapeTests {
    static func keys(_ value: JSONValue) -> [String] {
        guard case .object(let pairs) = value else { return [] }
        return pairs.map(\.0)
    }

    @Test func cpuAndGPURowsHaveTheSameKeys() throws {
        let cpuRow = CPUCrossCheck.Row(workload: "w", training: false, measuredDense: 2, measuredSparse: 1, predictedDense: 2.2,
                                       predictedSparse: 1.1, bound: nil, model: "cpu-event")
        guard case .array(let cpu) = CPUCrossCheckReport(hardware: "host", threads: 2, rows: [cpuRow]).json else {
            Issue.record("crosscheck prints a list"); return
        }
        let h100 = try HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
        let check = try GPUCrossCheck(path: Repo.path("validation/gpu/h100-flex-gna.json"))
        let gpu = GPUCrossCheckReport(device: check.device, backend: "flex", rows: try check.rows(hardware: h100, backend: "flex"))
        let decode = try GPUDecodeCrossCheck(path: Repo.path("validation/gpu/h100-sdpa-decode.json"))
        let decodeReport = GPUDecodeCrossCheckReport(device: decode.device, rows: try decode.rows(hardware: h100))
        let gpuRows = try #require(JSONValue(encoding: gpu.record)["configs"])
        let decodeRows = try #require(JSONValue(encoding: decodeReport.record)["configs"])
        guard case .array(let g) = gpuRows, case .array(let d) = decodeRows, !g.isEmpty, !d.isEmpty else {
            Issue.record("no configs"); return
        }
        let expected = ["schema_version", "workload", "pass", "measured_time_s", "predicted_time_s", "measured_speedup",
                        "predicted_speedup", "bound_speedup", "measured_dense_time_s", "predicted_dense_time_s",
                        "measured_backward_time_s", "predicted_backward_time_s", "speedup_error", "time_error", "set",
                        "model", "kept"]
        #expect(Self.keys(cpu[0]) == expected)
        #expect(Self.keys(g[0]) == expected)
        #expect(Self.keys(d[0]) == expected)
        #expect(g[0]["model"] == .string("gpu-event") && d[0]["model"] == .string("gpu-decode"))
        #expect(gpu.csv.split(separator: "\n").first == decodeReport.csv.split(separator: "\n").first)
        #expect(gpu.csv.split(separator: "\n").first == CPUCrossCheckReport(hardware: "host", threads: 2, rows: [cpuRow]).csv.split(separator: "\n").first)
    }

    /// What crosscheck-gpu writes, `attnsim report` reads (and version 0 rows that named the config `id`).
    @Test func reportReadsBothShapes() throws {
        let row = CrossCheckRecord(workload: "w64-s8", measuredTimeS: 1e-3, predictedTimeS: 1.1e-3, measuredSpeedup: 2, predictedSpeedup: 2.2,
                                   boundSpeedup: 3, measuredDenseTimeS: nil, predictedDenseTimeS: nil, speedupError: 0.1, timeError: 0.1,
                                   set: "held-out", model: "gpu-event")
        let written = JSONValue(encoding: GPUCrossCheckRecord(device: "H100", backend: "flex", medianAbsSpeedupErrorHeldOut: 0.1,
                                                              medianAbsTimeErrorHeldOut: 0.1, waveBoundViolations: 0, configs: [row]))
        let rows = try SweepReport.parseCrossCheck(written.serialized(), file: "crosscheck.json")
        #expect(rows.first?.workload == "w64-s8" && rows.first?.rooflineSpeedup == 3)
        let old = try SweepReport.parseCrossCheck(#"{"configs": [{"id": "old", "measured_speedup": 2}]}"#, file: "crosscheck.json")
        #expect(old.first?.workload == "old")
    }
}

/// Typed records read back, refuse later schemas, and name the field that is wrong.
@Suite struct RecordReadingTests {
    @Test func pointsOfALaterSchemaAreRefused() throws {
        let line = #"{"schema_version": 2, "index": 0, "axes": {}, "status": "error", "error": "x", "result": null}"#
        do {
            _ = try SweepReport.parse(sweep: #"{"name": "x"}"#, points: line, crossCheck: nil)
            Issue.record("a schema 2 point was read")
        } catch {
            #expect(error.path == "schema_version" && error.line == 1)
        }
    }

    @Test func wrongFieldsAreNamed() throws {
        let line = #"{"index": 0, "status": "ok", "result": {"hardware": "h", "workload": "w", "flops": {"dense": "many"}}}"#
        do {
            _ = try SweepReport.parse(sweep: #"{"name": "x"}"#, points: line, crossCheck: nil)
            Issue.record("a mistyped result was read")
        } catch {
            #expect(error.path == "result.flops.dense" && error.message == "expected a number, found a string")
        }
    }

    @Test func keyOrderIsDeclarationOrder() {
        let record = GNARecord(problem: .init(tokens: [8], window: [3], stride: [1], dilation: [1], causal: [false], batch: 1, heads: 1, headDim: 64),
                               flops: .init(dense: 1, effective: nil), tiles: .init(), bounds: .init(),
                               blockSparse: .init(exact: true, kernelFastPath: false), endToEnd: .init())
        guard case .object(let pairs) = JSONValue(encoding: record) else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["schema_version", "problem", "flops", "tiles", "bounds", "block_sparse", "end_to_end"])
        #expect(JSONValue(encoding: record)["tiles"]?["q_tiles"] == .null)       // nil optional: null
        #expect(JSONValue(encoding: record)["tiles"]?["head_patterns"] == nil)   // @OmittedWhenNil: absent
    }
}

/// Sweep axis paths are read whole, never by parts of their names.
@Suite struct SweepAxisPathTests {
    @Test func knownPathsAndTheirUnits() {
        #expect(SweepAxisPath("hardware").isHardwareFile && SweepAxisPath("workload").isFile)
        #expect(SweepAxisPath("mask.stride").field == .stride && SweepAxisPath("workload.mask.stride").field == .stride)
        #expect(SweepAxisPath("hardware.memory[1].size").field == .memorySize(1))
        #expect(SweepAxisPath("hardware.memory[1].size").dimension == .bytes)
        #expect(SweepAxisPath("hardware.memory[0].bandwidth").dimension == .bandwidth)
        #expect(SweepAxisPath("hardware.arrays[0].shape").resizesSpatialDesign)
        #expect(SweepAxisPath("hardware.clock").dimension == .frequency)
        #expect(SweepAxisPath("hardware.memory[1].size").label == "memory level 1 size (bytes)")
        #expect(SweepAxisPath("problem.kv_heads").label == "K/V heads")
        #expect(SweepAxisPath("workload.kernel.kv_splits").field == .kvSplits)
    }

    @Test func otherPathsAreNotGuessed() {
        for name in ["spatial.side", "my.stride.thing", "hw", "hardware.buffer_size", "mask.strides", "hardware.memory[x].size"] {
            #expect(SweepAxisPath(name).field == .other, "\(name)")
            #expect(SweepAxisPath(name).label == name)
            #expect(!SweepAxisPath(name).resizesSpatialDesign && SweepAxisPath(name).gnaPreference == nil)
        }
        // A memory size given as text orders by bytes; a bandwidth axis by bandwidth.
        let sizes: [JSONValue] = ["1 MiB", "64 KiB"].map { .string($0) }
        #expect(SweepReport.ordered(sizes, axis: SweepAxisPath("hardware.memory[1].size")).map(SweepReport.label) == ["64 KiB", "1 MiB"])
        let rates: [JSONValue] = ["4 TB/s", "3 TB/s"].map { .string($0) }
        #expect(SweepReport.ordered(rates, axis: SweepAxisPath("hardware.memory[0].bandwidth")).map(SweepReport.label) == ["3 TB/s", "4 TB/s"])
    }
}
