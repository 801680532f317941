import Foundation

/// The page's header: the sweep's name and description, point counts, the axes and their values, and cards for
/// the best points.
extension SweepReportPage {
    func headerSection() -> HTML {
        let header = report.header
        let ok = report.okPoints.count, errors = report.errorPoints.count
        var html: HTML = "<header>\n<h1>\(header.name)</h1>\n"
        if let description = header.description, !description.isEmpty { html += "<p class=\"lead\">\(description)</p>\n" }
        html += "<dl class=\"facts\">"
        var count: HTML = "<b id=\"point-count\">\(report.points.count)</b> points"
        if let declared = header.declaredPoints, declared != report.points.count { count += " of \(declared) (the sweep is incomplete)" }
        html += "<div><dt>points</dt><dd>\(count): <span class=\"ok\">\(ok) ok</span>, "
            + "<span class=\"\(errors > 0 ? "bad" : "ok")\">\(errors) error\(errors == 1 ? "" : "s")</span></dd></div>"
        if let mode = header.mode { html += "<div><dt>mode</dt><dd>\(mode)</dd></div>" }
        if let spec = header.spec { html += "<div><dt>spec</dt><dd><code>\(spec)</code></dd></div>" }
        for (word, values) in [("hardware", distinct(\.hardware)), ("workload", distinct(\.workload))]
        where !values.isEmpty && !uses.contains(where: { $0.name == word && $0.varies }) {
            let more: HTML? = values.count > 12 ? " … (\(values.count) in all)" : nil
            html += "<div><dt>\(word)</dt><dd>\(values.prefix(12).joined(separator: ", "))\(more)</dd></div>"
        }
        html += "</dl>\n"
        if !uses.isEmpty {
            html += "<table class=\"axes\"><thead><tr><th>axis</th><th>values</th></tr></thead><tbody>"
            for use in uses {
                let labels = use.values.map(SweepReport.label)
                let more: HTML? = labels.count > 24 ? " … (\(labels.count) values)" : nil
                let fixed: HTML? = use.varies ? nil : " <span class=\"muted\">(fixed)</span>"
                html += "<tr><td><code>\(use.name)</code></td><td>\(labels.prefix(24).joined(separator: ", "))\(more)\(fixed)</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        html += highlights()
        html += "</header>\n"
        return html
    }

    /// Distinct values of a result field, in point order.
    func distinct(_ field: KeyPath<SweepReport.Result, String>) -> [String] {
        var seen = Set<String>(), values: [String] = []
        for point in report.points { if let value = point.result?[keyPath: field], seen.insert(value).inserted { values.append(value) } }
        return values
    }

    /// Cards for the best points.
    func highlights() -> HTML {
        var cards: [HTML] = []
        let ok = report.okPoints
        // A speedup card only where something is faster than dense (a sweep of dense designs has 1× everywhere).
        if let best = ok.filter({ $0.result?.speedup != nil }).max(by: { ($0.result!.speedup!, -$0.index) < ($1.result!.speedup!, -$1.index) }),
           abs(best.result!.speedup! - 1) > 1e-9 {
            let bound = best.result!.waveBound ?? best.result!.flopBound
            cards.append(card("best predicted speedup", Format.speedup(best.result!.speedup!),
                              name(best) + (bound.map { " · upper bound \(Format.speedup($0))" } ?? "")))
        }
        if let fastest = ok.filter({ $0.result?.time != nil }).min(by: { ($0.result!.time!, $0.index) < ($1.result!.time!, $1.index) }) {
            cards.append(card("fastest predicted time", Format.time(fastest.result!.time!), name(fastest)))
        }
        if let lowest = ok.filter({ $0.result?.energy != nil }).min(by: { ($0.result!.energy!, $0.index) < ($1.result!.energy!, $1.index) }) {
            cards.append(card("lowest energy", Format.energy(lowest.result!.energy!), name(lowest)))
        }
        let front = report.paretoFront
        let withEnergy = ok.filter { ($0.result?.time ?? 0) > 0 && ($0.result?.energy ?? 0) > 0 }.count
        if front.count > 0 && withEnergy >= 2 { cards.append(card("time–energy Pareto front", "\(front.count) point\(front.count == 1 ? "" : "s")", "see Time and energy")) }
        return cards.isEmpty ? HTML() : "<div class=\"cards\">\(cards.joined())</div>\n"
    }

    func card(_ title: String, _ value: String, _ detail: String) -> HTML {
        "<div class=\"card\"><div class=\"muted\">\(title)</div><div class=\"big\">\(value)</div><div class=\"small\">\(detail)</div></div>"
    }
}
