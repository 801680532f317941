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
                text.replacingOccurrences(of: JSONValue.string(name).serialized(pretty: false),
                                          with: JSONValue.string("<x-evil q=\"1\">&'" + name).serialized(pretty: false))
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

    @Test func theCheckerFindsBrokenMarkup() {
        #expect(Self.markupProblems("<p>a <b>b</b></p>") == [])
        #expect(Self.markupProblems("<svg><circle r=\"4\"/></svg><input type=\"search\">") == [])
        #expect(Self.markupProblems("<p>1 < 2</p>").count == 1)
        #expect(Self.markupProblems("<p title=\"a\"b\">x</p>").count == 1)
        #expect(Self.markupProblems("<p><b>x</p>").count == 2)
        #expect(Self.markupProblems("<script>if(a<b){}</script>") == [])
    }
}
