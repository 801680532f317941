/// A fragment of HTML that is safe by construction: text and attribute values are escaped
/// as they are added, and markup comes only from string literals in the source, from ``element(_:_:_:)``, or
/// from an explicit ``raw(_:)`` for trusted fragments (the page's inline style sheet and script).
///
/// In an `HTML` literal the literal text is markup and every interpolated value is text: a `String`, or any
/// value by its description, is escaped; an `HTML` is inserted as it is; a nil `HTML?` adds nothing. The literal
/// is a `StaticString`, so a string built at run time can become markup only through ``raw(_:)``.
///
/// ```swift
/// let name = "<b>"
/// let cell: HTML = "<td class=\"name\">\(name)</td>"           // <td class="name">&lt;b&gt;</td>
/// let row = HTML.element("tr", cell, .element("td", ["data-v": "3"], "3"))
/// row.rendered   // <tr><td class="name">&lt;b&gt;</td><td data-v="3">3</td></tr>
/// ```
struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation {
    /// The markup.
    private(set) var rendered: String

    init() { rendered = "" }

    private init(markup: String) { rendered = markup }

    /// Markup written in the source.
    init(stringLiteral markup: StaticString) { rendered = markup.description }

    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.rendered }

    /// Text, escaped.
    static func text(_ text: String) -> HTML { HTML(markup: escape(text)) }

    /// A trusted fragment, inserted as it is: only for markup no data reaches (inline style and script).
    static func raw(_ markup: String) -> HTML { HTML(markup: markup) }

    /// `<tag>content</tag>`.
    static func element(_ tag: StaticString, _ content: HTML...) -> HTML {
        HTML(markup: "<\(tag)>" + content.map(\.rendered).joined() + "</\(tag)>")
    }

    /// `<tag name="value" ...>content</tag>`, the values escaped; an attribute whose value is nil is left out.
    static func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?>, _ content: HTML...) -> HTML {
        var markup = "<\(tag)"
        for (name, value) in attributes {
            if let value { markup += " \(name)=\"\(escape(value))\"" }
        }
        markup += ">"
        for part in content { markup += part.rendered }
        return HTML(markup: markup + "</\(tag)>")
    }

    var isEmpty: Bool { rendered.isEmpty }

    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(markup: lhs.rendered + rhs.rendered) }

    static func += (lhs: inout HTML, rhs: HTML) { lhs.rendered += rhs.rendered }

    /// Escapes text for element content and quoted attribute values (`&`, `<`, `>`, `"`, `'`). Works on Unicode
    /// scalars, so a quote followed by a combining mark is escaped too.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) { rendered.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        /// Markup written in the source.
        mutating func appendLiteral(_ literal: StaticString) { rendered += literal.description }

        mutating func appendInterpolation(_ html: HTML) { rendered += html.rendered }

        mutating func appendInterpolation(_ html: HTML?) { if let html { rendered += html.rendered } }

        mutating func appendInterpolation(_ text: String) { rendered += HTML.escape(text) }

        mutating func appendInterpolation<Value: CustomStringConvertible>(_ value: Value) { rendered += HTML.escape(value.description) }
    }
}

extension Sequence where Element == HTML {
    func joined(separator: HTML = HTML()) -> HTML {
        var out = HTML()
        var first = true
        for part in self {
            if !first { out += separator }
            out += part
            first = false
        }
        return out
    }
}
