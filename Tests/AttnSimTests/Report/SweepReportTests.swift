import Foundation
import Testing
@testable import AttnSim

/// `attnsim report`: which sections a sweep's results draw, escaping, determinism, no external references, and
/// bad folders reported as diagnostics. Fixtures follow the sweep runner's schema (`sweep.json`, `points.jsonl`,
/// `crosscheck.json`) with results shaped like `attnsim simulate --format json`.
@Suite struct SweepReportTests {
    // MARK: Fixtures

    /// Stand-ins for the vendored scripts: the page's own parts are what these tests read (the vendored files are
    /// checked against their digests in `vendoredLibraryMatchesItsDigests`).
    static let library = VegaLibrary(scripts: ["/* vega */", "/* vega-lite */"])

    static func page(_ report: SweepReport, _ options: SweepReport.Options = .init()) throws -> String {
        try report.html(options: options, library: library)
    }

    /// The page's JSON block, parsed.
    static func data(_ html: String) throws -> JSONValue {
        let open = "<script type=\"application/json\" id=\"report-data\">"
        let start = try #require(html.range(of: open)).upperBound
        let end = try #require(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        return try JSONValue.parse(String(html[start..<end]))
    }

    /// The charts' specs in page order.
    static func specs(_ html: String) throws -> [JSONValue] {
        guard case .array(let charts)? = try data(html)["charts"] else { return [] }
        return charts.compactMap { $0["spec"] }
    }

    /// Every string value in a JSON value (to find a field or a mark anywhere in a spec).
    static func strings(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.flatMap(strings)
        case .object(let pairs): return pairs.flatMap { [$0.0] + strings($0.1) }
        default: return []
        }
    }

    /// Item `i` of a JSON array.
    static func item(_ value: JSONValue?, _ i: Int) -> JSONValue? {
        guard case .array(let items)? = value, i < items.count else { return nil }
        return items[i]
    }

    /// The rows of a dataset (the points with the columns they all share put back, as the page's script does).
    static func rows(_ html: String, _ name: String) throws -> [JSONValue] {
        let data = try data(html)
        guard case .array(let rows)? = data["datasets"]?[name] else { return [] }
        guard name == "points", case .object(let shared)? = data["constants"] else { return rows }
        return rows.map { row in
            guard case .object(let pairs) = row else { return row }
            return .object(pairs + shared)
        }
    }

    /// A GNA result on a GPU (keys as `simulate --format json` prints them).
    static func gnaResult(hardware: String, stride: [Int], speedup: Double, tileBound: Double, waveBound: Double) -> JSONValue {
        let dense = 163_074_539_520_000.0, denseTime = 0.289
        // H100 results carry roofs and a waterfall (FLOP bound 11.1 → × 0.5 → × (speedup / 5.55)); B200 results predate them.
        let roofs: JSONValue = hardware == "h100-sxm5-80gb" ? .object([
            ("compute", .array([.object([("unit", .string("SM")), ("flops_per_s", .number(1e15))])])),
            ("memory", .array([.object([("level", .string("HBM")), ("bytes_per_s", .number(2e12))])])),
        ]) : .null
        let steps: [(name: String, label: String, factor: Double, time: Double, speedup: Double)] = [
            ("flop_bound", "FLOP-wise bound", 1, 0, 11.1), ("tile_quantisation", "tile quantisation", 0.5, 1e-3, 5.55),
            ("end_to_end", "prediction", speedup / 5.55, 2e-3, speedup),
        ]
        let waterfall: JSONValue = hardware != "h100-sxm5-80gb" ? .null : .object([("steps", .array(steps.map { step in
            JSONValue.object([("name", .string(step.name)), ("label", .string(step.label)), ("factor", .number(step.factor)),
                              ("time_s", .number(step.time)), ("speedup", .number(step.speedup)), ("modelled", .bool(true))])
        }))])
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
                ("energy_breakdown_j", .null), ("bottleneck", .string("compute")), ("roofs", roofs), ("waterfall", waterfall),
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
        #expect(report.spatialAxes == ["hardware.arrays[0].shape"])
        let html = try Self.page(report)
        for id in ["gna", "spatial", "roofline", "waterfall", "utilization", "crosscheck", "points", "errors"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.contains("<b id=\"point-count\">13</b> points"))
        #expect(html.contains("12 ok") && html.contains("1 error<"))
        #expect(html.contains("<em>prediction</em>") && html.contains("<em>upper bounds</em>"))
        #expect(html.contains("Pareto front"))
        #expect(html.contains("id=\"points-table\"") && html.contains("data-ready"))
        // The SVG drawing is gone: every chart is a Vega-Lite spec rendered in the page.
        #expect(!html.contains("<svg") && !html.contains("<polyline"))
        // One figure per spec, and the clicked point's waterfall (its spec is the data's `focus`).
        #expect(try Self.specs(html).count + 1 == html.components(separatedBy: "class=\"vega\" id=\"chart-").count - 1)
    }

    @Test func theDataBlockHoldsEveryOkPoint() throws {
        let report = try Self.report()
        let rows = try Self.rows(try Self.page(report), "points")
        #expect(rows.map { $0["index"]?.doubleValue } == (0..<12).map { Double($0) })
        // The fixture's GNA speedups: min(11.1, 1 + product / 60) × (1 on H100, 0.9 on B200), in fixture order.
        for (h, hardware) in ["h100-sxm5-80gb", "b200"].enumerated() {
            for (s, stride) in Self.strides.enumerated() {
                let row = rows[h * Self.strides.count + s]
                let expected = min(11.1, 1 + Double(stride.reduce(1, *)) / 60) * (h == 0 ? 1 : 0.9)
                #expect(abs((row["speedup"]?.doubleValue ?? 0) - expected) < 1e-12)
                #expect(row["ax_hardware"] == .string(hardware))
                #expect(row["ax_mask_stride"] == .string(stride.map(String.init).joined(separator: "×")))
                #expect(row["ax_mask_stride_0"]?.doubleValue == Double(stride[0]))
                #expect(row["ax_mask_stride_2"]?.doubleValue == Double(stride[2]))
            }
        }
        // Spatial points: time and energy as written.
        #expect(rows[8]["time_s"]?.doubleValue == 4 && rows[8]["energy_j"]?.doubleValue == 900)
    }

    @Test func gnaHeatmapsDrawThePredictionAndEveryBound() throws {
        let html = try Self.page(try Self.report())
        let specs = try Self.specs(html)
        let heatmap = try #require(specs.first { $0["spec"]?["mark"]?["type"] == .string("rect") })
        // x and y: the two stride components with the most values; the rest (hardware, stride[0]...) split panels.
        #expect(heatmap["spec"]?["encoding"]?["x"]?["field"] == .string("ax_mask_stride_0"))
        #expect(heatmap["spec"]?["encoding"]?["y"]?["field"] == .string("ax_mask_stride_1"))
        #expect(heatmap["facet"]?["field"] == .string("panel"))
        #expect(heatmap["spec"]?["encoding"]?["color"]?["field"] == .string("speedup"))
        guard case .array(let charts)? = try Self.data(html)["charts"],
              let chart = charts.first(where: { $0["spec"] == heatmap }),
              case .array(let choices)? = chart["control"]?["choices"] else { Issue.record("no colour control"); return }
        #expect(choices.compactMap { $0["set"]?["field"] } == ["speedup", "flop_bound", "tile_bound", "wave_bound", "pred_over_tile"].map(JSONValue.string))
        // The bound scatter: predictions against a bound, with y = x drawn.
        let scatter = try #require(specs.first { Self.strings($0).contains("wave_bound") && $0["layer"] != nil })
        guard case .array(let line)? = Self.item(scatter["layer"], 1)?["data"]?["values"] else { Issue.record("no y = x"); return }
        #expect(line.allSatisfy { $0["b"] == $0["p"] })
        // Counts above each bound: the fixture's tile bounds are 1.05 × the prediction, wave bounds 1.2 × + 0.01·s.
        #expect(html.contains("tile bound (NATTEN) <b class=\"muted\">0</b> of 8") && html.contains("wave-aware bound <b class=\"muted\">0</b> of 8"))
    }

    @Test func heatmapAxesCanBeChosen() throws {
        let report = try Self.report()
        let html = try Self.page(report, .init(x: "hardware", y: "mask.stride[2]"))
        let heatmap = try #require(try Self.specs(html).first { $0["spec"]?["mark"]?["type"] == .string("rect") })
        #expect(heatmap["spec"]?["encoding"]?["x"]?["field"] == .string("ax_hardware"))
        #expect(heatmap["spec"]?["encoding"]?["y"]?["field"] == .string("ax_mask_stride_2"))
        do {
            _ = try Self.page(report, .init(x: "mask.strid[0]"))
            Issue.record("an unknown axis was taken")
        } catch let error as Diagnostic {
            #expect(error.file == "--x" && error.message.contains("no axis \"mask.strid[0]\"") && error.message.contains("mask.stride[0]")
                    && error.message.contains("hardware"))
        }
        #expect(throws: Diagnostic.self) { _ = try Self.page(report, .init(x: "hardware", y: "hardware")) }
    }

    @Test func rooflineDrawsARoofPerUnitAndLevel() throws {
        let html = try Self.page(try Self.report())
        let roofs = try Self.rows(html, "roofs")
        // H100: SM at 1e15 FLOP/s and HBM at 2e12 B/s meet at 500 FLOP/B; B200 results carry none.
        let memory = roofs.filter { $0["kind"] == .string("memory roof") }, compute = roofs.filter { $0["kind"] == .string("compute roof") }
        #expect(memory.count == 2 && compute.count == 2)
        for end in memory { #expect(abs(end["y"]!.doubleValue! - 2e12 * end["x"]!.doubleValue!) < 1) }
        #expect(abs(memory[1]["x"]!.doubleValue! - 500) < 1e-9 && abs(compute[0]["x"]!.doubleValue! - 500) < 1e-9)
        #expect(compute.allSatisfy { $0["y"]?.doubleValue == 1e15 })
        #expect(html.contains("8 points' results carry no roofs"))
        // Without roofs anywhere, none is drawn, and the caption says why.
        let files = Self.fixture()
        let bare = files.points.split(separator: "\n").filter { !$0.contains("h100-sxm5-80gb\",\"workload") }.joined(separator: "\n")
        let page = try Self.page(try SweepReport.parse(sweep: files.sweep, points: bare, crossCheck: nil))
        #expect(try Self.rows(page, "roofs").isEmpty && page.contains("No roof is drawn"))
    }

    @Test func waterfallBarsRunFromEachSpeedupToTheNext() throws {
        let html = try Self.page(try Self.report())
        let best = try Self.rows(html, "waterfall_best")
        // The best H100 point (16×8×8: min(11.1, 1 + 1024/60) = 11.1); B200 has no waterfall.
        #expect(Set(best.compactMap { $0["index"]?.doubleValue }) == [1])
        #expect(best.map { $0["start"]?.doubleValue } == [0, 11.1, 0])
        #expect(best.map { $0["end"]?.doubleValue } == [11.1, 5.55, 11.1])
        #expect(best.map { $0["kind"] } == ["total", "lowers", "total"].map(JSONValue.string))
        // Every H100 point's waterfall is there for the clicked point; none for B200's.
        guard case .object(let all)? = try Self.data(html)["waterfalls"]?["points"] else { Issue.record("no waterfalls"); return }
        #expect(all.map(\.0) == ["0", "1", "2", "3"])
        // Point 0 (1×1×1: speedup 1 + 1/60): [step, speedup after it, time it adds, detail] per step, to 5 digits.
        let first = try #require(all.first?.1)
        #expect(Self.item(first, 1) == .array([.number(1), .number(5.55), .number(1e-3), .number(-1)]))
        #expect(Self.item(first, 2)?.serialized(pretty: false) == "[2,1.0167,0.002,-1]")
        #expect(try Self.data(html)["focus"]?["layer"] != nil)
    }

    @Test func skipsSectionsWithoutData() throws {
        let files = Self.fixture()
        let gnaOnly = files.points.split(separator: "\n").filter { $0.contains("gpu-event") }.joined(separator: "\n")
        let html = try Self.page(try SweepReport.parse(sweep: files.sweep, points: gnaOnly, crossCheck: nil))
        #expect(html.contains("<section id=\"gna\">"))
        for id in ["spatial", "crosscheck", "errors", "pruning", "time"] {
            #expect(!html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(!html.contains("Pareto"))
    }

    @Test func paretoFrontKeepsUnbeatenPoints() throws {
        let report = try Self.report()
        // (time, energy): (4, 900), (1.5, 1000), (1, 1400), (1.2, 2000): the last is beaten by (1, 1400).
        #expect(report.paretoFront.map { $0.result!.time! } == [1.0, 1.5, 4.0])
        // The data marks the same points, checked by brute force: no other point is both faster and lower in energy.
        let rows = try Self.rows(try Self.page(report), "points").filter { $0["energy_j"] != nil }
        for row in rows {
            let (t, e) = (row["time_s"]!.doubleValue!, row["energy_j"]!.doubleValue!)
            let beaten = rows.contains { other in
                let (u, f) = (other["time_s"]!.doubleValue!, other["energy_j"]!.doubleValue!)
                return u <= t && f <= e && (u < t || f < e)
            }
            #expect((row["pareto"] == .bool(true)) == !beaten, "\(t) s, \(e) J")
        }
        let scatter = try #require(try Self.specs(try Self.page(report)).first { Self.strings($0).contains("datum.pareto") })
        #expect(Self.item(scatter["layer"], 1)?["mark"]?["interpolate"] == .string("step-after"))
    }

    /// A keep-ratio sweep: SpAtten and H100 at token keep 1, 0.8, 0.5 and 0.2.
    static func keepSweep() -> String {
        var lines: [String] = []
        for hardware in ["spatten", "h100"] {
            for keep in [1.0, 0.8, 0.5, 0.2] {
                var result = Self.spatialResult(side: 64, time: keep * 1e-3, energy: 1)
                if case .object(var pairs) = result {
                    pairs = pairs.filter { $0.0 != "hardware" && $0.0 != "pruning" }
                    pairs.append(("hardware", .string(hardware)))
                    pairs.append(("pruning", .object([("model", .string("spatten-pipeline")), ("roofline_speedup", .number(1 / keep)),
                                                      ("layers", .array([]))])))
                    result = .object(pairs)
                }
                lines.append(Self.line(lines.count, [("hardware", .string(hardware)), ("pruning.token_keep", .number(keep))], result: result))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func pruningSweepsDrawSpeedupTimeAndTrafficAgainstTheKeepRatio() throws {
        let report = try SweepReport.parse(sweep: "{\"name\": \"keep\"}", points: Self.keepSweep(), crossCheck: nil)
        #expect(report.keepAxis == "pruning.token_keep" && report.hasPruning)
        let html = try Self.page(report)
        #expect(html.contains("<section id=\"pruning\">"))
        let lineCharts = try Self.specs(html).filter { $0["encoding"]?["x"]?["field"] == .string("ax_pruning_token_keep") }
        #expect(lineCharts.compactMap { $0["encoding"]?["y"]?["field"] } == ["speedup", "time_s", "dram_bytes"].map(JSONValue.string))
        #expect(lineCharts.allSatisfy { $0["encoding"]?["color"]?["field"] == .string("hardware") })
        // The keep ratio is its value (0.8), not a list.
        #expect(try Self.rows(html, "points").map { $0["ax_pruning_token_keep"]?.doubleValue } == [1, 0.8, 0.5, 0.2, 1, 0.8, 0.5, 0.2])
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

    @Test func spatialHeatmapsPutArraySizeAndBufferOnTheAxes() throws {
        // 3 array sides × 5 buffers × 2 dataflows: the heatmap puts side and buffer on x and y, the dataflow in panels.
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
        let html = try Self.page(report)
        let heatmap = try #require(try Self.specs(html).first { $0["spec"]?["mark"]?["type"] == .string("rect") })
        #expect(heatmap["spec"]?["encoding"]?["x"]?["field"] == .string("ax_hardware_arrays_0__shape"))
        #expect(heatmap["spec"]?["encoding"]?["x"]?["sort"] == .array(["64×64", "128×128", "256×256"].map(JSONValue.string)))
        #expect(heatmap["spec"]?["encoding"]?["y"]?["field"] == .string("ax_hardware_memory_1__size"))
        #expect(Set(try Self.rows(html, "points").compactMap { $0["panel"]?.serialized(pretty: false) }) == ["\"fusemax\"", "\"flat\""])
        #expect(html.contains("<section id=\"time\">"))
    }

    // MARK: Output properties

    @Test func escapesStringsFromTheData() throws {
        let html = try Self.page(try Self.report(description: "<script>alert(\"x\")</script> & 'more'"))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;"))
        #expect(html.contains("1...18 &lt;&amp;&gt;"))
        #expect(!html.contains("<&>"))
        // In the JSON block no `<` is left to close the script; the strings read back as written.
        let data = try Self.data(html)
        #expect(!data.serialized(pretty: false).isEmpty)
        let hostile = try Self.page(try SweepReport.parse(sweep: "{\"name\": \"x\"}", points: ["</script><b>", "<!--"].enumerated().map {
            Self.line($0.offset, [("note", .string($0.element))], result: Self.spatialResult(side: 64, time: 1, energy: 1))
        }.joined(separator: "\n"), crossCheck: nil))
        #expect(try Self.rows(hostile, "points").first?["ax_note"] == .string("</script><b>"))
        #expect(hostile.components(separatedBy: "</script>").count - 1 == hostile.components(separatedBy: "<script").count - 1)
    }

    @Test func isDeterministic() throws {
        let files = Self.fixture()
        let first = try Self.page(try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: files.crossCheck))
        let second = try Self.page(try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: files.crossCheck))
        #expect(first == second)
    }

    @Test func hasNoExternalReferences() throws {
        let html = try Self.page(try Self.report())
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link") && !html.contains("<script src") && !html.contains("@import") && !html.contains("url("))
        #expect(!html.contains("<img") && !html.contains("<iframe"))
        // The data block, the two library scripts and the page's script.
        #expect(html.components(separatedBy: "<script").count - 1 == 4)
        #expect(html.contains("<script>/* vega */</script>") && html.contains("<script>/* vega-lite */</script>"))
    }

    @Test func largeSweepsStaySmall() throws {
        // 2 × 1500 strides: every point is in the data; the script shows the table 1000 rows at a time.
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
        let html = try Self.page(report)
        #expect(try Self.rows(html, "points").count == 3000)
        #expect(try Self.data(html)["table"]?["limit"]?.doubleValue == Double(SweepReport.tableLimit))
        // 30 × 50 cells, panels by hardware (2) — stride[2] is fixed, so it is no dimension.
        #expect(Set(try Self.rows(html, "points").compactMap { $0["panel"]?.serialized(pretty: false) }).count == 2)
        #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
    }

    @Test func readsCrossCheckGPUConfigs() throws {
        let files = Self.fixture()
        let gpu = "{\"device\": \"H100\", \"configs\": [{\"id\": \"w64-s8\", \"measured_speedup\": 2.0, \"predicted_speedup\": 2.2,"
            + " \"bound_speedup\": 1.9, \"measured_time_s\": 0.001, \"predicted_time_s\": 0.0011}]}"
        let report = try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: gpu)
        #expect(report.crossCheck?.first?.workload == "w64-s8")
        #expect(abs((report.crossCheck?.first?.speedupError ?? 0) - 0.1) < 1e-12)
        let html = try Self.page(report)
        #expect(html.contains("<section id=\"crosscheck\">"))
        #expect(html.contains("1 upper bound sits below its measurement"))
        let rows = try Self.rows(html, "crosscheck")
        #expect(rows.count == 1 && abs((rows[0]["speedup_error"]?.doubleValue ?? 0) - 0.1) < 1e-12)
    }

    // MARK: The library

    @Test func vendoredLibraryMatchesItsDigests() throws {
        // The digests the vendor README pins, recomputed by sha256sum (an independent implementation).
        let readme = try String(contentsOfFile: Repo.path("vendor/vega/README.md"), encoding: .utf8)
        for file in VegaLibrary.files {
            let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `\(file)`") })
            let pinned = try #require(line.split(separator: "`").dropFirst(3).first).description
            let output = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", Repo.path("vendor/vega/" + file)]).output
            #expect(output.hasPrefix(pinned + " "), "\(file)")
        }
        let library = try VegaLibrary.load(folder: Repo.path("vendor/vega"))
        #expect(library.scripts[0].contains("5.21.0") && library.scripts[1].contains("4.17.0"))
        for licence in ["LICENSE-vega", "LICENSE-vega-lite"] {
            #expect(try String(contentsOfFile: Repo.path("vendor/vega/" + licence), encoding: .utf8).contains("University of Washington Interactive Data Lab"))
        }
    }

    @Test func aMissingLibraryIsADiagnostic() throws {
        let empty = try Self.folder(nil)
        do {
            _ = try VegaLibrary.load(folder: empty)
            Issue.record("an empty folder gave a library")
        } catch {
            #expect(error.file == empty + "/vega-5.21.0.js" && error.message.contains("missing"))
        }
    }

    /// The built `attnsim` with its library hidden (`ATTNSIM_VEGA_DIR` naming an empty folder) exits 2 and names the
    /// missing file; no crash.
    @Test func theCommandWithoutItsLibraryExitsWithAnError() throws {
        let binary = try #require(Bundle.main.executableURL).deletingLastPathComponent().appendingPathComponent("attnsim")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no built attnsim next to the tests")
        let directory = try Self.folder(Self.fixture())
        let empty = try Self.folder(nil)
        let run = try runProcess(binary, ["report", directory], environment: ["ATTNSIM_VEGA_DIR": empty])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("vega-5.21.0.js") && run.output.contains("missing"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/report.html"))
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

    @Test func malformedRoofsNameTheirField() throws {
        let files = Self.fixture()
        let bad = files.points.replacingOccurrences(of: "\"flops_per_s\":", with: "\"flops_per_s\":\"fast\",\"x\":")
        #expect(bad != files.points)
        do {
            _ = try SweepReport.parse(sweep: files.sweep, points: bad, crossCheck: nil)
            Issue.record("a roof of the wrong type parsed")
        } catch {
            #expect(error.line == 1 && error.path.hasPrefix("result.simulated.roofs.compute[0].flops_per_s"), "\(error)")
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
        let axis = try CLI.run(["report", directory, "--x", "nope"])
        #expect(axis.status != 0 && axis.stderr.contains("no axis \"nope\"") && axis.stderr.contains("mask.stride[0]"))
    }
}
