import Foundation

/// The tables: every ok point (sortable, filterable, capped at ``SweepReport/tableLimit`` rows) and every error point.
extension SweepReportPage {
    /// A result column of the points table: its title, the text a reader sees, and the cell.
    struct Column {
        var title: String
        var text: (SweepReport.Result) -> String?
        var cell: (SweepReport.Result) -> HTML
    }

    func pointsSection() -> HTML {
        let ok = report.okPoints
        func numeric(_ title: String, _ value: @escaping (SweepReport.Result) -> Double?, _ format: @escaping (Double) -> String) -> Column {
            Column(title: title, text: { value($0).map(format) }, cell: { numberCell(value($0), format) })
        }
        func text(_ title: String, _ value: @escaping (SweepReport.Result) -> String?) -> Column {
            Column(title: title, text: value, cell: { textCell(value($0)) })
        }
        // The result's hardware and workload names, unless an axis already says them.
        var columns: [Column] = []
        if !varying.contains(where: SweepReport.isHardwareAxis) { columns.append(text("hardware") { $0.hardware }) }
        if !varying.contains("workload") { columns.append(text("workload") { $0.workload }) }
        columns += [
            text("model") { $0.model },
            numeric("time", \.time, Format.time),
            numeric("dense time", \.denseTime, Format.time),
            numeric("speedup (predicted)", \.speedup, Format.speedup),
            numeric("FLOP bound", \.flopBound, Format.speedup),
            numeric("tile bound (NATTEN)", \.tileBound, Format.speedup),
            numeric("wave-aware bound", \.waveBound, Format.speedup),
            numeric("roofline ratio", \.rooflineBound, Format.speedup),
            numeric("end-to-end speedup", \.endToEndSpeedup, Format.speedup),
            numeric("effective FLOPs", \.effectiveFLOPs, { Quantity.formatCount($0, "FLOP") }),
            numeric("DRAM", \.dramBytes, Format.bytes),
            numeric("energy", \.energy, Format.energy),
            text("bottleneck") { $0.bottleneck },
            numeric("peak utilization", { $0.utilization.map(\.fraction).max() }, Format.percent),
        ]
        // Columns without data are left out; columns with one value for every point are stated once above the table.
        var fixed: [HTML] = []
        columns = columns.filter { column in
            var seen: String?
            var varies = false
            for point in ok {
                let text = column.text(point.result!) ?? "—"
                if seen == nil { seen = text } else if seen != text { varies = true; break }
            }
            if !varies, let seen, seen != "—", ok.count > 1 { fixed.append("\(column.title) <b>\(seen)</b>") }
            return varies || (ok.count == 1 && seen != "—")
        }
        // A large sweep lists its best points: highest predicted speedup, then shortest time.
        let shown = ok.count <= SweepReport.tableLimit ? ok : Array(ok.sorted { a, b in
            let sa = a.result!.speedup ?? -1, sb = b.result!.speedup ?? -1
            if sa != sb { return sa > sb }
            let ta = a.result!.time ?? .infinity, tb = b.result!.time ?? .infinity
            return ta != tb ? ta < tb : a.index < b.index
        }.prefix(SweepReport.tableLimit))
        var html: HTML = "<p class=\"muted\">Click a column header to sort; type to filter. Times, bytes and energies are predictions; "
            + "bounds are upper bounds on the speedup over dense.</p>\n"
        if ok.count > shown.count {
            html += "<p class=\"note\">Showing the \(shown.count) points with the highest predicted speedup (then the shortest time) "
                + "of \(ok.count) ok points; every point is in points.jsonl and points.csv.</p>\n"
        }
        if !fixed.isEmpty { html += "<p>The same for every point: \(fixed.joined(separator: " · ")).</p>\n" }
        html += "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-table=\"points-table\" aria-label=\"filter rows\">\n"
        html += "<div class=\"scroll\"><table class=\"sortable\" id=\"points-table\"><thead><tr>"
            + "\(headerCells(["#"] + varying + columns.map(\.title)))</tr></thead><tbody>\n"
        for point in shown {
            html += "<tr>\(indexCell(point))\(axisCells(point))\(columns.map { $0.cell(point.result!) }.joined())</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    func errorsSection() -> HTML {
        let errors = report.errorPoints
        let shown = errors.prefix(SweepReport.tableLimit)
        let listed: HTML? = errors.count > shown.count ? "; the first \(shown.count) are listed" : nil
        var html: HTML = "<p>\(errors.count) point\(errors.count == 1 ? "" : "s") failed\(listed).</p>\n"
        html += "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>#</th>\(headerCells(varying))<th>error</th></tr></thead><tbody>\n"
        for point in shown {
            html += "<tr>\(indexCell(point))\(axisCells(point))\(HTML.element("td", ["class": "error"], .text(point.error ?? "error")))</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }
}
