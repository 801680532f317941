import Testing
@testable import AttnSim

/// The report's HTML builder: literal text is markup, interpolated strings are escaped, `raw` is the only way in
/// for markup built at run time.
@Suite struct HTMLTests {
    @Test func interpolatedTextIsEscaped() {
        let name = "<b a=\"1\">&'"
        let cell: HTML = "<td class=\"name\">\(name)</td>"
        #expect(cell.rendered == "<td class=\"name\">&lt;b a=&quot;1&quot;&gt;&amp;&#39;</td>")
        let count = 3
        #expect(("<b>\(count)</b>" as HTML).rendered == "<b>3</b>")
    }

    @Test func htmlIsInsertedAndNilAddsNothing() {
        let inner: HTML = "<em>x</em>"
        let none: HTML? = nil
        #expect(("<p>\(inner)\(none)</p>" as HTML).rendered == "<p><em>x</em></p>")
        #expect((HTML.raw("<svg/>") + HTML.text("<")).rendered == "<svg/>&lt;")
        #expect(["a", "<b>"].map(HTML.text).joined(separator: "<br>").rendered == "a<br>&lt;b&gt;")
    }

    @Test func elementsEscapeAttributeValuesAndSkipNil() {
        let row = HTML.element("tr", .element("td", ["data-v": "1\"2", "class": nil], "x"), .element("td", .text("<")))
        #expect(row.rendered == "<tr><td data-v=\"1&quot;2\">x</td><td>&lt;</td></tr>")
    }

    @Test func escapesQuotesFollowedByCombiningMarks() {
        // One Character, two scalars: a quote and U+0301. Escaping by Character would leave the quote.
        #expect(HTML.escape("a\"\u{301}b") == "a&quot;\u{301}b")
        #expect(HTML.escape("<\u{338}") == "&lt;\u{338}")
        #expect(HTML.escape("plain ×") == "plain ×")
    }
}
