/// A plain two-or-more column text table for terminal output, left-aligned labels, values as given.
public struct TextTable: Sendable {
    public var title: String?
    public var rows: [[String]] = []

    public init(title: String? = nil) { self.title = title }

    public mutating func add(_ cells: String...) { rows.append(cells) }
    public mutating func add(_ cells: [String]) { rows.append(cells) }
    /// A section heading row.
    public mutating func section(_ name: String) { rows.append([name]) }

    /// The table as terminal text; control characters in titles and cells (a name from a file) are escaped.
    public var rendered: String {
        let rows = rows.map { $0.map(\.escapingControlCharacters) }
        let title = title?.escapingControlCharacters
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows where row.count > 1 {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var lines: [String] = []
        if let title { lines.append(title) }
        for row in rows {
            if row.count == 1 { lines.append(row[0]); continue }
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            lines.append("  " + cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
