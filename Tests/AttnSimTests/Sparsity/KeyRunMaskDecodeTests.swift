import Testing
@testable import AttnSim

/// Loading the 1-D families' `mask:` keys: the README's examples load; bad values are diagnostics naming file, line,
/// column, field and what was expected (columns counted by hand in the `mask:` line, line 4 of each text).
@Suite struct KeyRunMaskDecodeTests {
    static func workload(_ mask: String, tokens: String = "16384", kvTokens: String? = nil) -> String {
        """
        attnsim: 1
        name: t
        problem: {batch: 1, heads: 2, head_dim: 64, tokens: \(tokens)\(kvTokens.map { ", kv_tokens: \($0)" } ?? ""), dtype: bf16}
        mask: \(mask)
        """
    }

    func error(_ mask: String, tokens: String = "16384", kvTokens: String? = nil) throws -> Diagnostic {
        do {
            _ = try Workload.parse(text: Self.workload(mask, tokens: tokens, kvTokens: kvTokens), file: "wl.yaml")
        } catch {
            return error
        }
        Issue.record("\(mask) loaded")
        throw Diagnostic(file: "wl.yaml", message: "loaded")
    }

    /// README.md, "1-D masks", line for line.
    @Test func designExamplesLoad() throws {
        func load(_ mask: String) throws -> any Mask { try Workload.parse(text: Self.workload(mask), file: "wl.yaml").mask }
        #expect(try load("{kind: sliding_window, window: 4096}") as? SlidingWindowMask
            == SlidingWindowMask(queries: 16384, keys: 16384, window: 4096, causal: true))
        #expect(try load("{kind: sliding_window, window: 4097, causal: false}") as? SlidingWindowMask
            == SlidingWindowMask(queries: 16384, keys: 16384, window: 4097, causal: false))
        #expect(try load("{kind: block_causal, block: 1560}") as? BlockCausalMask
            == BlockCausalMask(queries: 16384, keys: 16384, block: 1560))
        #expect(try load("{kind: block_causal, block: 1560, window: 3}") as? BlockCausalMask
            == BlockCausalMask(queries: 16384, keys: 16384, block: 1560, window: 3))
        #expect(try load("{kind: a_shape, sink: 64, window: 4096}") as? AShapeMask
            == AShapeMask(queries: 16384, keys: 16384, sink: 64, window: 4096))
        let document = try load("{kind: document, lengths: [4096, 8192, 4096], causal: true}") as? DocumentMask
        #expect(document?.lengths == [4096, 8192, 4096] && document?.causal == true)
    }

    /// A multi-axis layout is the row-major flattened sequence, as for `causal` and `block` masks.
    @Test func multiAxisTokensAreFlattened() throws {
        let text = Self.workload("{kind: document, lengths: [512, 512], causal: false}", tokens: "[16, 64]")
        let mask = try #require(try Workload.parse(text: text, file: "wl.yaml").mask as? DocumentMask)
        #expect(mask.queries == 1024 && mask.keys == 1024)
    }

    @Test func windowBelowOne() throws {
        let e = try error("{kind: sliding_window, window: 0}")
        #expect((e.file, e.line, e.column, e.path) == ("wl.yaml", 4, 38, "mask.window"))
        #expect(e.message == "expected a whole number ≥ 1, found 0")
    }

    @Test func blockBelowOne() throws {
        let e = try error("{kind: block_causal, block: -3}")
        #expect((e.line, e.column, e.path) == (4, 35, "mask.block"))
        #expect(e.message.contains("≥ 1"))
    }

    @Test func lengthsMustCoverTheSequence() throws {
        let e = try error("{kind: document, lengths: [100, 200]}", tokens: "1024")
        #expect((e.line, e.column, e.path) == (4, 33, "mask.lengths"))
        #expect(e.message == "the 2 document length(s) sum to 300 tokens; expected tokens (1024), the sequence the documents split")
        let kv = try error("{kind: document, lengths: [1024]}", tokens: "1024", kvTokens: "2048")
        #expect(kv.message.contains("expected kv_tokens (2048)"))
    }

    @Test func unknownKeyGetsDidYouMean() throws {
        let e = try error("{kind: a_shape, sink: 4, windw: 8}")
        #expect((e.line, e.column, e.path) == (4, 32, "mask.windw"))
        #expect(e.message.hasPrefix("unknown key `windw` (did you mean `window`?)"))
    }

    /// A key several other families take names them all.
    @Test func keyOfOtherFamilies() throws {
        let e = try error("{kind: document, lengths: [16384], window: 3}")
        #expect((e.line, e.column) == (4, 42))
        #expect(e.message == "`window` applies to `kind: gna`, `kind: sliding_window`, `kind: block_causal` or "
            + "`kind: a_shape`, not `kind: document`")
    }

    @Test func missingWindow() throws {
        let e = try error("{kind: sliding_window}")
        #expect((e.line, e.column, e.path) == (4, 7, "mask.window"))
        #expect(e.message.hasPrefix("missing required key `window`"))
    }

    /// Queries are aligned to the last keys, so there must be at least as many keys.
    @Test func fewerKeysThanQueries() throws {
        let e = try error("{kind: a_shape, sink: 4, window: 8}", tokens: "1024", kvTokens: "512")
        #expect(e.line == 4 && e.path == "mask")
        #expect(e.message.hasPrefix("`kind: a_shape` needs kv_tokens ≥ tokens"))
    }
}
