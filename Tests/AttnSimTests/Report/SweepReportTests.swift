import Foundation
import Testing
@testable import AttnSim

/// `attnsim report`: which sections a sweep's results draw, escaping, determinism, no external references, and
/// bad folders reported as diagnostics. Fixtures follow the sweep runner's schema (`sweep.json`, `points.jsonl`,
/// `crosscheck.json`) with results shaped like `attnsim simulate --format json`.
@Suite struct SweepReportTests {
    // MARK: Fixtures

    /// A GNA result on a GPU (keys as `simulate --format json` prints them).
    static func gnaResult(hardware: String, stride: [Int], speedup: Double, tileBound: Double, waveBound: Double) -> JSONValue {
        let dense = 163_074_539_520_000.0, denseTime = 0.289
        return .object([
            ("hardware", .string(hardware)), ("workload", .string("hunyuan-gna")),
            ("flops", .object([("dense", .number(dense)), ("effective", .number(dense / 11.1))])),
            ("tiles", .object([("q_tiles", .number(900)), ("visited", .number(72900)), ("full", .number(72900)), ("partial", .number(0))])),
            ("bounds", .object([("flop_speedup", .number(11.1)), ("tile_speedup", .number(tileBound)), ("tile_speedup_mean", .number(tileBound)),
                                ("wave_speedup", .number(waveBound)), ("roofline_speedup", .null)])),
            ("simulated", .object([
                ("model", .string("gpu-event")), ("time_s", .number(denseTime / speedup)), ("dense_time_s", .number(denseTime)),
                ("speedup", .number(speedup)), ("dram_bytes", .number(1.1e10 / Double(stride.reduce(1, *)))), ("dense_dram_bytes", .number(1.1e10)),
                ("utilization", .object([("SM", .number(0.63)), ("HBM", .number(0.14))])), ("energy_j", .null),
                ("energy_breakdown_j", .null), ("bottleneck", .string("compute")),
            ])),
            ("pruning", .null), ("end_to_end", .object([("speedup", .number(1 + speedup / 20))])), ("notes", .array([])),
        ])
    }

    /// A spatial-array result with an energy.
    static func spatialResult(side: Int, time: Double, energy: Double) -> JSONValue {
        .object([
            ("hardware", .string("fusemax-cloud")), ("workload", .string("bert-base-16k")),
            ("flops", .object([("dense", .number(5.3e13)), ("effective", .number(5.3e13))])),
            ("tiles", .object([("q_tiles", .null), ("visited", .null)])),
            ("bounds", .object([("flop_speedup", .number(1)), ("tile_speedup", .null), ("wave_speedup", .null)])),
            ("simulated", .object([
                ("model", .string("spatial")), ("time_s", .number(time)), ("dense_time_s", .number(time)), ("speedup", .number(1)),
                ("dram_bytes", .number(1.8e9 * 256 / Double(side))), ("dense_dram_bytes", .number(1.8e9)),
                ("utilization", .object([("pe2d", .number(0.9)), ("pe1d", .number(0.5))])), ("energy_j", .number(energy)),
                ("bottleneck", .string(side > 128 ? "memory" : "compute")),
            ])),
            ("pruning", .null), ("end_to_end", .object([("speedup", .null)])), ("notes", .array([])),
        ])
    }

    static func line(_ index: Int, _ axes: [(String, JSONValue)], result: JSONValue?, error: String? = nil) -> String {
        JSONValue.object([
            ("index", .number(Double(index))), ("axes", .object(axes)), ("status", .string(result == nil ? "error" : "ok")),
            ("error", .string(error)), ("result", result ?? .null),
        ]).serialized(pretty: false)
    }

    static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    static let strides = [[1, 1, 1], [16, 8, 8], [2, 8, 8], [8, 8, 8]]

    /// GNA points over two hardware names, spatial points with energy, one error point, and a cross-check list.
    static func fixture(description: String = "Strides on two GPUs, and a FuseMax array") -> (sweep: String, points: String, crossCheck: String) {
        var lines: [String] = []
        for (h, hardware) in ["h100-sxm5-80gb", "b200"].enumerated() {
            for (s, stride) in strides.enumerated() {
                let product = Double(stride.reduce(1, *))
                let speedup = min(11.1, 1 + product / 60) * (h == 0 ? 1 : 0.9)
                lines.append(line(lines.count, [("hardware", .string(hardware)), ("mask.stride", ints(stride)), ("hardware.arrays[0].shape", .number(0))],
                                  result: gnaResult(hardware: hardware, stride: stride, speedup: speedup, tileBound: speedup * 1.05,
                                                    waveBound: speedup * 1.2 + Double(s) * 0.01)))
            }
        }
        for (side, time, energy) in [(64, 4.0, 900.0), (128, 1.5, 1000.0), (256, 1.0, 1400.0), (512, 1.2, 2000.0)] {
            lines.append(line(lines.count, [("hardware", .string("fusemax-cloud")), ("mask.stride", ints([1, 1, 1])), ("hardware.arrays[0].shape", .number(Double(side)))],
                              result: spatialResult(side: side, time: time, energy: energy)))
        }
        lines.append(line(lines.count, [("hardware", .string("b200")), ("mask.stride", ints([20, 24, 24])), ("hardware.arrays[0].shape", .number(0))],
                          result: nil, error: "workload.yaml:12:9: error: mask.stride: stride 20 on axis 0 is outside 1...18 <&>"))
        let sweep = JSONValue.object([
            ("name", .string("mixed-sweep")), ("description", .string(description)), ("spec", .string("sweeps/mixed.yaml")),
            ("mode", .string("grid")),
            ("axes", .array([
                .object([("name", .string("hardware")), ("values", .array(["h100-sxm5-80gb", "b200", "fusemax-cloud"].map { .string($0) }))]),
                .object([("name", .string("mask.stride")), ("values", .array(strides.map(ints) + [ints([20, 24, 24])]))]),
                .object([("name", .string("hardware.arrays[0].shape")), ("values", .array([0, 64, 128, 256, 512].map { .number(Double($0)) }))]),
            ])),
            ("points", .number(Double(lines.count))),
        ]).serialized()
        let crossCheck = JSONValue.array([
            ("1d-w512", 2e-3, 2.1e-3, 1.9, 1.85, 2.4), ("2d-w64-s8", 1e-3, 0.9e-3, 3.0, 3.3, 3.6), ("3d-causal", 5e-3, 5.5e-3, 1.4, 1.3, 1.2),
        ].map { name, measured, predicted, measuredSpeedup, predictedSpeedup, bound in
            JSONValue.object([
                ("workload", .string(name)), ("measured_time_s", .number(measured)), ("predicted_time_s", .number(predicted)),
                ("measured_speedup", .number(measuredSpeedup)), ("predicted_speedup", .number(predictedSpeedup)),
                ("bound_speedup", .number(bound)), ("set", .string("held-out")),
            ])
        }).serialized()
        return (sweep, lines.joined(separator: "\n") + "\n", crossCheck)
    }

    static func report(description: String = "Strides on two GPUs, and a FuseMax array", crossCheck: Bool = true) throws -> SweepReport {
        let files = fixture(description: description)
        return try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: crossCheck ? files.crossCheck : nil)
    }

    /// Writes the fixture into a fresh folder.
    static func folder(_ files: (sweep: String, points: String, crossCheck: String)?, crossCheck: Bool = true) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let files {
            try files.sweep.write(toFile: directory + "/sweep.json", atomically: true, encoding: .utf8)
            try files.points.write(toFile: directory + "/points.jsonl", atomically: true, encoding: .utf8)
            if crossCheck { try files.crossCheck.write(toFile: directory + "/crosscheck.json", atomically: true, encoding: .utf8) }
        }
        return directory
    }

    // MARK: Sections

    @Test func drawsTheSectionsTheDataHas() throws {
        let report = try Self.report()
        #expect(report.points.count == 13 && report.errorPoints.count == 1)
        #expect(report.hasGNA && report.hasSpatial && report.hasRoofline && report.hasUtilization)
        #expect(report.gnaAxis == "mask.stride")
        #expect(report.spatialAxes == ["hardware.arrays[0].shape"])
        let html = report.html()
        for id in ["gna", "spatial", "roofline", "utilization", "crosscheck", "points", "errors"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.contains("<b id=\"point-count\">13</b> points"))
        #expect(html.contains("12 ok") && html.contains("1 error<"))
        // Bounds and predictions are labelled as such; list values read as 16×8×8.
        #expect(html.contains("FLOP bound (upper bound)") && html.contains("tile bound, NATTEN (upper bound)"))
        #expect(html.contains("<em>predictions</em>"))
        #expect(html.contains("16×8×8"))
        #expect(html.contains("No roof is drawn"))
        #expect(html.contains("Pareto front"))
        #expect(html.contains("table class=\"sortable\" id=\"points-table\""))
        #expect(html.contains("data-ready"))
    }

    @Test func skipsSectionsWithoutData() throws {
        let files = Self.fixture()
        let gnaOnly = files.points.split(separator: "\n").filter { $0.contains("gpu-event") }.joined(separator: "\n")
        let html = try SweepReport.parse(sweep: files.sweep, points: gnaOnly, crossCheck: nil).html()
        #expect(html.contains("<section id=\"gna\">"))
        for id in ["spatial", "crosscheck", "errors"] { #expect(!html.contains("<section id=\"\(id)\">"), "section \(id)") }
        #expect(!html.contains("Pareto"))
    }

    @Test func paretoFrontKeepsUnbeatenPoints() throws {
        let report = try Self.report()
        // (time, energy): (4, 900), (1.5, 1000), (1, 1400), (1.2, 2000): the last is beaten by (1, 1400).
        #expect(report.paretoFront.map { $0.result!.time! } == [1.0, 1.5, 4.0])
    }

    @Test func labelsAndOrdersAxisValues() {
        let strides = SweepReportTests.strides.map(SweepReportTests.ints)
        #expect(SweepReport.label(strides[1]) == "16×8×8")
        #expect(SweepReport.ordered(strides).map(SweepReport.label) == ["1×1×1", "2×8×8", "8×8×8", "16×8×8"])
        #expect(SweepReport.ordered(["1 MiB", "64 KiB", "256 KiB"].map { .string($0) }).map(SweepReport.label) == ["64 KiB", "256 KiB", "1 MiB"])
        #expect(SweepReport.ordered(["b", "a"].map { .string($0) }).map(SweepReport.label) == ["b", "a"])
        #expect(SweepReport.shortLabel("hardware", .string("../hardware/h100-sxm5-80gb.yaml")) == "h100-sxm5-80gb")
    }

    @Test func namesPointsByIndependentAxes() throws {
        // A zipped group (hardware with its kernel backend) names points by its first path only.
        let lines = (0..<4).map { index in
            Self.line(index, [("hardware", .string(index < 2 ? "h100" : "b200")), ("kernel.backend", .string(index < 2 ? "fna-hopper" : "fna-blackwell")),
                              ("mask.stride", Self.ints(Self.strides[index % 2]))],
                      result: Self.gnaResult(hardware: index < 2 ? "h100" : "b200", stride: Self.strides[index % 2], speedup: 2, tileBound: 3, waveBound: 4))
        }
        let report = try SweepReport.parse(sweep: "{\"name\": \"zipped\"}", points: lines.joined(separator: "\n"), crossCheck: nil)
        #expect(report.determines("hardware", "kernel.backend") && !report.determines("hardware", "mask.stride"))
        #expect(report.namingAxes == ["hardware", "mask.stride"])
    }

    @Test func spatialChartsSummarizeManyCombinations() throws {
        // 3 array sides × 5 buffers × 2 dataflows: against the side, 10 combinations of the other axes are too many
        // lines, so each dataflow gets the lowest value over the buffers and a band.
        var lines: [String] = []
        for side in [64, 128, 256] {
            for buffer in ["64 KiB", "256 KiB", "1 MiB", "4 MiB", "16 MiB"] {
                for flow in ["fusemax", "flat"] {
                    let time = 100.0 / Double(side) * (flow == "flat" ? 2 : 1)
                    lines.append(Self.line(lines.count, [("hardware.arrays[0].shape", Self.ints([side, side])),
                                                         ("hardware.memory[1].size", .string(buffer)), ("kernel.backend", .string(flow))],
                                           result: Self.spatialResult(side: side, time: time, energy: 2e5 + Double(lines.count))))
                }
            }
        }
        let report = try SweepReport.parse(sweep: "{\"name\": \"design space\"}", points: lines.joined(separator: "\n"), crossCheck: nil)
        #expect(report.spatialAxes == ["hardware.arrays[0].shape", "hardware.memory[1].size"])
        let html = report.html()
        #expect(html.contains("one line per value of <code>kernel.backend</code>: the line is the lowest over "
            + "<code>hardware.memory[1].size</code>, the band spans lowest to highest"))
        #expect(html.contains("200 kJ"))
    }

    // MARK: Output properties

    @Test func escapesStringsFromTheData() throws {
        let html = try Self.report(description: "<script>alert(\"x\")</script> & 'more'").html()
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;"))
        #expect(html.contains("1...18 &lt;&amp;&gt;"))
        #expect(!html.contains("<&>"))
    }

    @Test func isDeterministic() throws {
        let files = Self.fixture()
        let first = try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: files.crossCheck).html()
        let second = try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: files.crossCheck).html()
        #expect(first == second)
    }

    @Test func hasNoExternalReferences() throws {
        let html = try Self.report().html()
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
        #expect(!html.contains("<link") && !html.contains("<script src") && !html.contains("@import") && !html.contains("url("))
        #expect(!html.contains("<img") && !html.contains("<iframe"))
        #expect(html.components(separatedBy: "<script>").count == 2)
    }

    @Test func largeSweepsStaySmall() throws {
        // 2 × 1500 strides: the chart plots predictions against the bound, the table lists the best 1000.
        var lines: [String] = []
        for hardware in ["h100", "b200"] {
            for a in 1...30 {
                for b in 1...50 {
                    let stride = [a, b, 8]
                    let speedup = 1 + Double(a * b % 97) / 10
                    lines.append(Self.line(lines.count, [("hardware", .string(hardware)), ("mask.stride", Self.ints(stride))],
                                           result: Self.gnaResult(hardware: hardware, stride: stride, speedup: speedup, tileBound: speedup + 1,
                                                                  waveBound: speedup + 2)))
                }
            }
        }
        let report = try SweepReport.parse(sweep: "{\"name\": \"big\", \"points\": 3000}", points: lines.joined(separator: "\n"), crossCheck: nil)
        let html = report.html()
        #expect(html.contains("Predicted speedup against the wave-aware bound"))
        #expect(html.contains("Showing the \(SweepReport.tableLimit) points with the highest predicted speedup"))
        #expect(html.components(separatedBy: "<tr>").count - 1 <= SweepReport.tableLimit + 40)
        #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
    }

    @Test func readsCrossCheckGPUConfigs() throws {
        let files = Self.fixture()
        let gpu = "{\"device\": \"H100\", \"configs\": [{\"id\": \"w64-s8\", \"measured_speedup\": 2.0, \"predicted_speedup\": 2.2,"
            + " \"bound_speedup\": 1.9, \"measured_time_s\": 0.001, \"predicted_time_s\": 0.0011}]}"
        let report = try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: gpu)
        #expect(report.crossCheck?.first?.workload == "w64-s8")
        #expect(abs((report.crossCheck?.first?.speedupError ?? 0) - 0.1) < 1e-12)
        let html = report.html()
        #expect(html.contains("<section id=\"crosscheck\">"))
        #expect(html.contains("upper bound below a measured speedup: <b class=\"bad\">1</b>"))
    }

    // MARK: Bad input

    @Test func badFoldersAreDiagnostics() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("attnsim-no-such-\(UUID().uuidString)").path
        #expect(throws: Diagnostic(file: missing, message: "no such folder; expected a sweep's output folder (attnsim sweep SPEC --out DIR)")) {
            _ = try SweepReport.load(directory: missing)
        }
        let empty = try Self.folder(nil)
        try Self.fixture().sweep.write(toFile: empty + "/sweep.json", atomically: true, encoding: .utf8)
        do {
            _ = try SweepReport.load(directory: empty)
            Issue.record("a folder without points.jsonl loaded")
        } catch {
            #expect(error.file == empty + "/points.jsonl")
        }
    }

    @Test func malformedLinesNameTheirLine() throws {
        let files = Self.fixture()
        var lines = files.points.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = "{\"index\": 2, \"status\": \"ok\", \"result\": {\"hardware\": }"
        do {
            _ = try SweepReport.parse(sweep: files.sweep, points: lines.joined(separator: "\n"), crossCheck: nil, directory: "runs/x")
            Issue.record("a malformed line parsed")
        } catch {
            #expect(error.file == "runs/x/points.jsonl" && error.line == 3 && error.column == 53)
        }
        lines[2] = "{\"index\": 2, \"status\": \"done\"}"
        do {
            _ = try SweepReport.parse(sweep: files.sweep, points: lines.joined(separator: "\n"), crossCheck: nil)
            Issue.record("an unknown status parsed")
        } catch {
            #expect(error.line == 3 && error.path == "status")
        }
        do {
            _ = try SweepReport.parse(sweep: "{\"name\": \"x\", \"axes\": [{\"values\": []}]}", points: files.points, crossCheck: nil)
            Issue.record("an axis without a name parsed")
        } catch {
            #expect(error.file == "./sweep.json" && error.path == "axes[0].name")
        }
    }

    // MARK: The command

    @Test func commandWritesTheSameBytesTwice() throws {
        let directory = try Self.folder(Self.fixture())
        let first = try CLI.run(["report", directory])
        #expect(first.status == 0, "\(first.stderr)")
        let written = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        let second = try CLI.run(["report", directory, "--out", directory + "/again.html"])
        #expect(second.status == 0, "\(second.stderr)")
        // Separate processes: a hash-ordered iteration anywhere would change the bytes.
        #expect(try String(contentsOfFile: directory + "/again.html", encoding: .utf8) == written)
        let bad = try CLI.run(["report", directory + "/nope"])
        #expect(bad.status == 2 && bad.stderr.contains("no such folder"))
    }
}
