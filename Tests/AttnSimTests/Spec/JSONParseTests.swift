import Testing
@testable import AttnSim

/// JSON read back: what attnsim writes parses to the same value (key order kept), and errors say where.
@Suite struct JSONParseTests {
    @Test func roundTrip() throws {
        let value = JSONValue.object([
            ("b", .number(1.5)), ("a", .array([.null, .bool(true), .string("x\"y\n\u{1F600}"), .number(-2e-9)])),
            ("c", .object([])), ("d", .array([])),
        ])
        for pretty in [false, true] {
            #expect(try JSONValue.parse(value.serialized(pretty: pretty)) == value)
        }
        #expect(try JSONValue.parse("\"\\u00e9\\ud83d\\ude00\"") == .string("é😀"))
    }

    @Test func errorsSayWhere() {
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue.parse("{\"a\": 1,\n \"b\": }") }
        do {
            _ = try JSONValue.parse("{\"a\": 1,\n \"b\": }")
        } catch {
            #expect(error.line == 2 && error.column == 7)
        }
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue.parse("[1, 2] x") }
    }
}
