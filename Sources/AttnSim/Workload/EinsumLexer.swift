/// A token of the Einsum text form, with the column where it starts.
struct EinsumToken: Equatable {
    enum Kind: Equatable {
        /// An identifier starting with an uppercase letter: a tensor name or a rank size (`QK`, `M0`).
        case upper(String)
        /// An identifier starting with a lowercase letter: a rank, a function, a reduction or `inf`.
        case lower(String)
        case integer(Int)
        case number(Double)
        /// One of `+ - * / ( ) [ ] { } , = : _`.
        case symbol(Character)
        case end
    }

    var kind: Kind
    var column: Int

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .upper(let s), .lower(let s): "'\(s)'"
        case .integer(let n): "'\(n)'"
        case .number(let x): "'\(x)'"
        case .symbol(let c): "'\(c)'"
        case .end: "the end of the Einsum"
        }
    }
}

/// Splits one Einsum's text into tokens. Columns count characters from 0.
///
/// `×`, `÷` and `−` read as `*`, `/` and `-`; `∞` reads as `inf`; `//` starts a comment that runs to the end.
/// - Complexity: O(n) in the length of the text.
enum EinsumLexer {
    static func tokens(of text: String, einsumIndex: Int) throws(CascadeParseError) -> [EinsumToken] {
        let chars = Array(text)
        var tokens: [EinsumToken] = []
        var i = 0
        func isIdentifierTail(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        while i < chars.count {
            let c = chars[i]
            let start = i
            if c.isWhitespace {
                i += 1
            } else if c == "/", i + 1 < chars.count, chars[i + 1] == "/" {
                break
            } else if c.isASCII, c.isLetter {
                while i < chars.count, isIdentifierTail(chars[i]) { i += 1 }
                let word = String(chars[start..<i])
                tokens.append(EinsumToken(kind: c.isUppercase ? .upper(word) : .lower(word), column: start))
            } else if c.isASCII, c.isNumber {
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                var isInteger = true
                if i + 1 < chars.count, chars[i] == ".", chars[i + 1].isASCII, chars[i + 1].isNumber {
                    isInteger = false
                    i += 1
                    while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                }
                let literal = String(chars[start..<i])
                if isInteger, let n = Int(literal) {
                    tokens.append(EinsumToken(kind: .integer(n), column: start))
                } else if let x = Double(literal) {
                    tokens.append(EinsumToken(kind: .number(x), column: start))
                } else {
                    throw CascadeParseError(einsumIndex: einsumIndex, column: start,
                                            message: "malformed number '\(literal)'")
                }
            } else if let symbol = symbol(for: c) {
                tokens.append(EinsumToken(kind: .symbol(symbol), column: start))
                i += 1
            } else if c == "∞" {
                tokens.append(EinsumToken(kind: .lower("inf"), column: start))
                i += 1
            } else {
                throw CascadeParseError(
                    einsumIndex: einsumIndex, column: start,
                    message: "unexpected character '\(c)'; an Einsum uses tensors, ranks, numbers and + - * / ( ) [ ] , = _")
            }
        }
        tokens.append(EinsumToken(kind: .end, column: i))
        return tokens
    }

    private static func symbol(for c: Character) -> Character? {
        switch c {
        case "+", "-", "*", "/", "(", ")", "[", "]", "{", "}", ",", "=", ":", "_": c
        case "×": "*"
        case "÷": "/"
        case "−": "-"
        default: nil
        }
    }
}
