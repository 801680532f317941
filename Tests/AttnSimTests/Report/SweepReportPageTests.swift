import Foundation
import Testing
@testable import AttnSim

/// The page of real sweep folders (`attnsim sweep` then `attnsim report`) and of a sweep whose every name is
/// markup: the tags balance, and no string from the data reaches the page unescaped.
///
/// With `ATTNSIM_REPORT_SNAPSHOTS=DIR` set, every page is also written to `DIR/NAME.html`, so a change to the
/// page's code can be held against the bytes it wrote before (`diff -r BEFORE AFTER`).
@Suite(.serialized) struct SweepReportPageTests {
    /// Writes a page to the snapshot folder when one is set.
    static func snapshot(_ name: String, _ html: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["ATTNSIM_REPORT_SNAPSHOTS"], !folder.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try html.write(toFile: folder + "/" + name + ".html", atomically: true, encoding: .utf8)
    }

    /// Runs `attnsim sweep SPEC` and `attnsim report` on its folder; returns the page.
    static func sweepAndReport(_ spec: String, in folder: URL) throws -> String {
        let run = folder.appendingPathComponent("run").path
        let sweep = try CLI.run(["sweep", spec, "--out", run])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let report = try CLI.run(["report", run, "--out", folder.appendingPathComponent("report.html").path])
        #expect(report.status == 0, "\(report.stderr)")
        return try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
    }

    /// Problems with the page's markup: a `<` that opens no tag, an attribute without a quoted value, a closing
    /// tag that does not match, an element left open. `<script>` and `<style>` bodies are skipped.
    static func markupProblems(_ html: String) -> [String] {
        let void: Set<String> = ["meta", "input", "br", "img", "link", "hr"]
        var problems: [String] = []
        var open: [String] = []
        let bytes = Array(html.utf8)
        var i = 0
        func word(_ at: inout Int) -> String {
            let start = at
            while at < bytes.count, bytes[at] == UInt8(ascii: "-") || bytes[at] == UInt8(ascii: ":")
                || (bytes[at] >= 0x30 && bytes[at] <= 0x39) || (bytes[at] | 0x20 >= 0x61 && bytes[at] | 0x20 <= 0x7A) {
                at += 1
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }
        func context(_ at: Int) -> String { String(decoding: bytes[max(0, at - 40)..<min(bytes.count, at + 60)], as: UTF8.self) }
        while i < bytes.count, problems.count < 20 {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            let start = i
            i += 1
            if bytes.count > i + 8, String(decoding: bytes[i..<(i + 8)], as: UTF8.self) == "!DOCTYPE" {
                while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
                continue
            }
            let closing = i < bytes.count && bytes[i] == UInt8(ascii: "/")
            if closing { i += 1 }
            let tag = word(&i).lowercased()
            guard !tag.isEmpty else { problems.append("a stray < at \(context(start))"); continue }
            var selfClosing = false
            while i < bytes.count, bytes[i] != UInt8(ascii: ">") {
                if bytes[i] == UInt8(ascii: " ") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") { selfClosing = true; i += 1; continue }
                let name = word(&i)
                guard !name.isEmpty, !closing else { problems.append("a malformed tag at \(context(start))"); break }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }   // a boolean attribute
                i += 1
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { problems.append("an unquoted value at \(context(start))"); break }
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "<") { i += 1 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { problems.append("an open attribute at \(context(start))"); break }
                i += 1
                if i < bytes.count, bytes[i] != UInt8(ascii: " "), bytes[i] != UInt8(ascii: ">"), bytes[i] != UInt8(ascii: "/") {
                    problems.append("text after an attribute value at \(context(start))")
                    break
                }
            }
            i += 1
            if closing {
                if open.last == tag { open.removeLast() } else { problems.append("</\(tag)> closes <\(open.last ?? "nothing")> at \(context(start))") }
            } else if tag == "script" || tag == "style" {
                let end = Array("</\(tag)>".utf8)
                while i + end.count <= bytes.count, Array(bytes[i..<(i + end.count)]) != end { i += 1 }
                i += end.count
            } else if !selfClosing && !void.contains(tag) {
                open.append(tag)
            }
        }
        if !open.isEmpty { problems.append("left open: \(open)") }
        return problems
    }

    @Test func realSweepsGiveWellFormedPages() throws {
        let dir = try SweepTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A GNA sweep (3 Q tiles × 40 strides, some invalid), a spatial design space and a pruning sweep.
        let gnaFolder = dir.appendingPathComponent("gna")
        try FileManager.default.createDirectory(at: gnaFolder, withIntermediateDirectories: true)
        let pages = [
            ("small-gna", try Self.sweepAndReport(try SweepTests.spec(in: gnaFolder), in: gnaFolder)),
            ("fusemax-array-buffer", try Self.sweepAndReport(Repo.path("sweeps/fusemax-array-buffer-256k.yaml"),
                                                             in: dir.appendingPathComponent("fusemax"))),
            ("spatten-keep-targets", try Self.sweepAndReport(Repo.path("sweeps/spatten-keep-targets.yaml"),
                                                             in: dir.appendingPathComponent("spatten"))),
        ]
        for (name, html) in pages {
            #expect(Self.markupProblems(html) == [], "\(name)")
            #expect(html.contains("<section id=\"points\">"), "\(name)")
            try Self.snapshot(name, html)
        }
        #expect(pages[0].1.contains("<section id=\"gna\">") && pages[0].1.contains("<section id=\"errors\">"))
        #expect(pages[1].1.contains("<section id=\"spatial\">") && pages[1].1.contains("Pareto-optimal points"))
        // A sweep of hardware resources (array shape, buffer size) also plots time against the resource.
        #expect(pages[1].1.contains("<section id=\"time\">") && !pages[0].1.contains("<section id=\"time\">"))
        // The keep-ratio sweep draws its pruning charts; the pages inline the vendored library.
        #expect(pages[2].1.contains("<section id=\"pruning\">") && !pages[0].1.contains("<section id=\"pruning\">"))
        #expect(pages.allSatisfy { $0.1.contains("vegaLite") && $0.1.contains("\"datasets\":{\"points\":") })
    }

    /// Every name in the mixed fixture (sweep, spec, mode, axes, hardware, workloads, models, bottlenecks, units,
    /// cross-check rows) replaced by markup (the axis paths then read as unknown paths, labelled by their text).
    static func hostileFiles() -> (sweep: String, points: String, crossCheck: String) {
        let files = SweepReportTests.fixture(description: "<x-evil>description</x-evil>")
        let names = ["h100-sxm5-80gb", "b200", "fusemax-cloud", "hunyuan-gna", "bert-base-16k", "mask.stride", "hardware.arrays[0].shape",
                     "mixed-sweep", "sweeps/mixed.yaml", "grid", "gpu-event", "spatial", "compute", "memory", "SM", "HBM",
                     "pe2d", "pe1d", "held-out", "1d-w512", "2d-w64-s8", "3d-causal"]
        func hostile(_ text: String) -> String {
            names.reduce(text) { text, name in
                // String values only (not a key such as the roofs' "compute"); the replacement is a regular expression template.
                text.replacingOccurrences(of: NSRegularExpression.escapedPattern(for: JSONValue.string(name).serialized(pretty: false)) + "(?!:)",
                                          with: NSRegularExpression.escapedTemplate(for: JSONValue.string("<x-evil q=\"1\">&'" + name).serialized(pretty: false)),
                                          options: .regularExpression)
            }
        }
        return (hostile(files.sweep), hostile(files.points), hostile(files.crossCheck))
    }

    @Test func markupInTheDataIsEscapedEverywhere() throws {
        let files = Self.hostileFiles()
        let report = try SweepReport.parse(sweep: files.sweep, points: files.points, crossCheck: files.crossCheck)
        #expect(report.hasGNA && report.hasSpatial && report.hasRoofline && report.hasUtilization)
        let html = try SweepReportTests.page(report)
        for id in ["gna", "spatial", "roofline", "waterfall", "utilization", "crosscheck", "points", "errors"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(!html.contains("<x-evil"))
        #expect(html.contains("&lt;x-evil q=&quot;1&quot;&gt;&amp;&#39;mask.stride"))
        #expect(Self.markupProblems(html) == [])
        try Self.snapshot("hostile", html)
    }

    /// In headless Chromium: a shift-drag across the keep-ratio chart filters the points table to the points under
    /// the brush, and clicking a row marks it (the page's script, Vega's brush signal and the table together).
    @Test(.enabled(if: SweepTests.hasChromium, "Chromium is not installed")) func brushingAChartFiltersThePointsTable() throws {
        let dir = try SweepTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{\"name\": \"keep\"}".write(to: dir.appendingPathComponent("sweep.json"), atomically: true, encoding: .utf8)
        try SweepReportTests.keepSweep().write(to: dir.appendingPathComponent("points.jsonl"), atomically: true, encoding: .utf8)
        let page = dir.appendingPathComponent("report.html")
        let run = try CLI.run(["report", dir.path, "--out", page.path])
        #expect(run.status == 0, "\(run.stderr)")
        // Once the page is ready: hover, press shift and drag from x = 90 to x = 260 px on the first chart (the
        // speedup against the keep ratio, 420 px wide, x reversed: 1 … 0.2), then record the table's status.
        let probe = """
            <script>(function wait(){if(document.body.getAttribute('data-ready')!=='1'){setTimeout(wait,50);return;}
            var canvas=document.querySelector('#chart-1 canvas'),r=canvas.getBoundingClientRect();
            function ev(type,x,y,target){(target||canvas).dispatchEvent(new MouseEvent(type,{bubbles:true,cancelable:true,
            clientX:r.left+x,clientY:r.top+y,shiftKey:true,view:window}));}
            var before=document.getElementById('points-status').textContent;
            ev('mousemove',90,60);ev('mousedown',90,60);ev('mousemove',200,150,window);ev('mousemove',260,200,window);ev('mouseup',260,200,window);
            setTimeout(function(){document.querySelector('#points-table tbody tr').click();
            document.body.setAttribute('data-probe',before+' | '+document.getElementById('points-status').textContent+' | '
            +document.querySelectorAll('#points-table tbody tr').length+' | '+document.querySelectorAll('#points-table tr.focus').length);},500);})();
            </script></body>
            """
        let html = try String(contentsOf: page, encoding: .utf8).replacingOccurrences(of: "</body>", with: probe)
        try html.write(to: page, atomically: true, encoding: .utf8)
        let browser = try #require(["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        let dom = try runProcess(URL(fileURLWithPath: browser), ["--headless", "--disable-gpu", "--no-sandbox",
                                 "--user-data-dir=" + dir.path + "/profile", "--virtual-time-budget=8000", "--dump-dom",
                                 page.absoluteString]).output
        let probed = try #require(dom.range(of: "data-probe=\"").map { dom[$0.upperBound...].prefix { $0 != "\"" } })
        let parts = probed.components(separatedBy: " | ")
        #expect(parts.count == 4, "\(probed)")
        guard parts.count == 4 else { return }
        // Before: every point; after: the points whose keep ratio is under the brush (some, not all), each a row.
        #expect(parts[0] == "8 of 8 points")
        let kept = Int(parts[1].prefix { $0.isNumber }) ?? -1
        #expect(kept > 0 && kept < 8 && parts[1].hasSuffix("brushed"), "\(parts[1])")
        #expect(parts[2] == String(kept) && parts[3] == "1")
    }

    @Test func theCheckerFindsBrokenMarkup() {
        #expect(Self.markupProblems("<p>a <b>b</b></p>") == [])
        #expect(Self.markupProblems("<svg><circle r=\"4\"/></svg><input type=\"search\">") == [])
        #expect(Self.markupProblems("<p>1 < 2</p>").count == 1)
        #expect(Self.markupProblems("<p title=\"a\"b\">x</p>").count == 1)
        #expect(Self.markupProblems("<p><b>x</p>").count == 2)
        #expect(Self.markupProblems("<script>if(a<b){}</script>") == [])
    }
}
