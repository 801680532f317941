import Foundation

/// The tables: every ok point (rendered by the page's script from the data block: sortable, filterable by text and by
/// a brush on any chart, at most ``SweepReport/tableLimit`` rows at once) and every error point.
extension SweepReportPage {
    func pointsSection() -> HTML {
        let fixed = tableColumns().fixed
        var html: HTML = "<p class=\"muted\">Click a column header to sort; type to filter; brush a chart (shift-drag on scatter and line "
            + "charts, drag on heatmaps) to keep the points under the brush; click a row for its waterfall. Times, bytes and energies are "
            + "predictions; bounds are upper bounds on the speedup over dense.</p>\n"
        if !fixed.isEmpty { html += "<p>The same for every point: \(fixed.joined(separator: " · ")).</p>\n" }
        html += "<div class=\"tablebar\"><input class=\"filter\" id=\"points-filter\" type=\"search\" placeholder=\"filter rows\" aria-label=\"filter rows\">"
            + " <span id=\"points-status\" class=\"muted\"></span> <button id=\"points-clear\" type=\"button\">clear brushes</button></div>\n"
        html += "<div class=\"scroll\"><table id=\"points-table\"><thead></thead><tbody></tbody></table></div>\n"
        return html
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
