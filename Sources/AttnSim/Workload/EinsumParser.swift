/// Recursive-descent parser for the Einsum text form described on ``Einsum``.
///
/// Grammar (one Einsum per string):
///
/// ```
/// einsum    := access '=' reduction? sum END
/// reduction := ('sum' | 'max' | 'min') '_' (rank | '{' rank (',' rank)* '}')
/// sum       := product (('+' | '-') product)*
/// product   := unary (('*' | '/') unary)*
/// unary     := '-' unary | primary
/// primary   := number | 'inf' | access | function '(' sum (',' sum)* ')' | '(' sum ')'
/// access    := Tensor ('[' (index (',' index)*)? ']')?
/// index     := rank ':' rank '=' integer              (the paper's filtered form, m1:m1=0)
///            | term (('+' | '-') term)*               (m, m1+1, 0, M1, m1*M0+m0)
/// term      := factor ('*' factor)*                   factor := rank | Size | integer
/// ```
///
/// After parsing, ``Einsum/validate(einsumIndex:)`` checks the rules that need the whole Einsum.
/// - Complexity: O(n) in the length of the text.
struct EinsumParser {
    private let tokens: [EinsumToken]
    private let einsumIndex: Int
    private var position = 0

    /// The longest Einsum accepted, in tokens (a real one has a few dozen): the parser and every walk over the
    /// expression tree recurse once per nesting level, and a tree is never deeper than its token count, so this
    /// keeps `((((…` and `- - - …` from overflowing the stack.
    static let maxTokens = 1024

    static func parse(_ text: String, einsumIndex: Int = 0) throws(CascadeParseError) -> Einsum {
        let tokens = try EinsumLexer.tokens(of: text, einsumIndex: einsumIndex)
        guard tokens.count <= maxTokens else {
            throw CascadeParseError(einsumIndex: einsumIndex, column: 0,
                                    message: "this Einsum has \(tokens.count) tokens; expected at most \(maxTokens)")
        }
        var parser = EinsumParser(tokens: tokens, einsumIndex: einsumIndex)
        let einsum = try parser.parseEinsum(source: text)
        try einsum.validate(einsumIndex: einsumIndex)
        return einsum
    }

    private init(tokens: [EinsumToken], einsumIndex: Int) {
        self.tokens = tokens
        self.einsumIndex = einsumIndex
    }

    // MARK: - Einsum

    private mutating func parseEinsum(source: String) throws(CascadeParseError) -> Einsum {
        guard case .upper = peek.kind else {
            throw error("expected the output tensor, a name starting with an uppercase letter (as in QK[m,p] = ...), "
                + "but found \(peek.quoted)")
        }
        let output = try parseAccess()
        try expect("=", "after the output tensor \(output.name)")
        let reduction = try parseReduction()
        let expression = try parseSum()
        guard peek.kind == .end else {
            throw error("expected an operator (+ - * /) or the end of the Einsum, but found \(peek.quoted)")
        }
        return Einsum(output: output, reduction: reduction, expression: expression, source: source)
    }

    private mutating func parseReduction() throws(CascadeParseError) -> Einsum.Reduction? {
        guard case .lower(let word) = peek.kind, let op = Einsum.Reduction.Operator(rawValue: word),
              peek(1).kind == .symbol("_") else { return nil }
        let column = peek.column
        position += 2
        var ranks: [String] = []
        var columns: [Int] = []
        if peek.kind == .symbol("{") {
            position += 1
            repeat {
                columns.append(peek.column)
                ranks.append(try parseRankName(context: "in the reduction list"))
            } while accept(",")
            try expect("}", "to close the reduction list")
        } else {
            columns.append(peek.column)
            ranks.append(try parseRankName(context: "after '\(word)_' (as in \(word)_m or \(word)_{m0,m1})"))
        }
        return Einsum.Reduction(op: op, ranks: ranks, column: column, rankColumns: columns)
    }

    // MARK: - Expressions

    private mutating func parseSum() throws(CascadeParseError) -> EinsumExpr {
        var left = try parseProduct()
        while true {
            if accept("+") {
                left = .binary(.add, left, try parseProduct())
            } else if accept("-") {
                left = .binary(.subtract, left, try parseProduct())
            } else {
                return left
            }
        }
    }

    private mutating func parseProduct() throws(CascadeParseError) -> EinsumExpr {
        var left = try parseUnary()
        while true {
            if accept("*") {
                left = .binary(.multiply, left, try parseUnary())
            } else if accept("/") {
                left = .binary(.divide, left, try parseUnary())
            } else {
                return left
            }
        }
    }

    private mutating func parseUnary() throws(CascadeParseError) -> EinsumExpr {
        accept("-") ? .negate(try parseUnary()) : try parsePrimary()
    }

    private mutating func parsePrimary() throws(CascadeParseError) -> EinsumExpr {
        let token = peek
        switch token.kind {
        case .integer(let n):
            position += 1
            return .number(Double(n))
        case .number(let x):
            position += 1
            return .number(x)
        case .upper:
            return .tensor(try parseAccess())
        case .lower("inf"):
            position += 1
            return .number(.infinity)
        case .lower(let word):
            if Einsum.Reduction.Operator(rawValue: word) != nil, peek(1).kind == .symbol("_") {
                throw error("a reduction such as \(word)_m may only begin the right-hand side "
                    + "(GM[p] = max_m QK[m,p]); it applies to the whole expression")
            }
            guard peek(1).kind == .symbol("(") else {
                throw error("expected a tensor (a name starting with an uppercase letter) but found \(token.quoted); "
                    + "ranks such as m may only appear inside [...]")
            }
            guard let function = EinsumExpr.Function(rawValue: word) else {
                let hint = word == "sum" ? " (a sum is written as a reduction: sum_m ...)" : ""
                throw error("unknown function '\(word)'; expected exp, max or min\(hint)")
            }
            position += 2
            var arguments = [try parseSum()]
            while accept(",") { arguments.append(try parseSum()) }
            try expect(")", "after the arguments of \(word)")
            if function == .exp, arguments.count != 1 {
                throw error("exp takes one argument, not \(arguments.count)", at: token.column)
            }
            if arguments.count < function.minimumArguments {
                throw error("\(word) takes at least \(function.minimumArguments) arguments; "
                    + "for a reduction write \(word)_m ...", at: token.column)
            }
            return .call(function, arguments)
        case .symbol("("):
            position += 1
            let inner = try parseSum()
            try expect(")", "to close '('")
            return inner
        default:
            throw error("expected an operand (a tensor such as QK[m,p], a number, inf, a function call or '(') "
                + "but found \(token.quoted)")
        }
    }

    // MARK: - Tensor accesses and indices

    private mutating func parseAccess() throws(CascadeParseError) -> TensorAccess {
        guard case .upper(let name) = peek.kind else {
            throw error("expected a tensor name but found \(peek.quoted)")
        }
        let column = peek.column
        position += 1
        var indices: [EinsumIndex] = []
        var columns: [Int] = []
        if accept("[") {
            if !accept("]") {
                repeat {
                    columns.append(peek.column)
                    indices.append(try parseIndex())
                } while accept(",")
                try expect("]", "expected ',' or ']' in the index list of \(name)", bare: true)
            }
        }
        return TensorAccess(name: name, indices: indices, column: column, indexColumns: columns)
    }

    private mutating func parseIndex() throws(CascadeParseError) -> EinsumIndex {
        if case .lower(let rank) = peek.kind, peek(1).kind == .symbol(":") {
            _ = try parseRankName(context: "")
            position += 1
            let filterColumn = peek.column
            let filtered = try parseRankName(context: "after ':' (as in m1:m1=0)")
            guard filtered == rank else {
                throw error("expected '\(rank)' after ':' (the filtered rank, as in \(rank):\(rank)=0)",
                            at: filterColumn)
            }
            try expect("=", "in the filter \(rank):\(rank)=...")
            guard case .integer(let value) = peek.kind else {
                throw error("expected an integer position after '\(rank):\(rank)=' but found \(peek.quoted)")
            }
            position += 1
            return .pinned(rank, at: value)
        }

        let start = peek.column
        var terms: [EinsumIndex.Term] = []
        var offset = 0
        var endpoint: String?
        var termCount = 0
        var negative = false
        repeat {
            let termColumn = peek.column
            var rank: String?
            var stride: [String] = []
            var product = 1
            var sizeOnly: String?
            repeat {
                let factorColumn = peek.column
                switch peek.kind {
                case .lower:
                    if rank != nil {
                        throw error("an index term may contain only one rank (as in m1*M0+m0)")
                    }
                    rank = try parseRankName(context: "")
                case .upper(let size):
                    position += 1
                    stride.append(size)
                    sizeOnly = size
                case .integer(let n):
                    position += 1
                    stride.append(String(n))
                    product *= n
                default:
                    throw error("expected an index (a rank such as m, a constant such as 0, an endpoint such as M1, "
                        + "or m1*M0+m0) but found \(peek.quoted)", at: factorColumn)
                }
            } while accept("*")
            termCount += 1
            if let rank {
                if negative {
                    throw error("a rank cannot be subtracted in an index", at: termColumn)
                }
                terms.append(EinsumIndex.Term(rank: rank, stride: stride))
            } else if stride.allSatisfy({ Int($0) != nil }) {
                offset += negative ? -product : product
            } else if let size = sizeOnly, stride.count == 1, !negative {
                endpoint = size
            } else {
                throw error("a size such as M0 may only multiply a rank (as in m1*M0+m0) or stand alone as an endpoint "
                    + "(as in RD[M1,p])", at: termColumn)
            }
            if accept("+") {
                negative = false
            } else if accept("-") {
                negative = true
            } else {
                break
            }
        } while true

        if let endpoint {
            guard termCount == 1 else {
                throw error("an endpoint such as \(endpoint) must stand alone in its index", at: start)
            }
            return .endpoint(endpoint.lowercased())
        }
        if terms.isEmpty {
            guard offset >= 0 else { throw error("an index position cannot be negative", at: start) }
            return .constant(offset)
        }
        if terms.count == 1, terms[0].stride.isEmpty {
            return offset == 0 ? .rank(terms[0].rank) : .shifted(terms[0].rank, by: offset)
        }
        return .affine(terms, offset: offset)
    }

    /// Consumes a rank name: lowercase letters followed by digits (`m`, `m0`, `p2`).
    private mutating func parseRankName(context: String) throws(CascadeParseError) -> String {
        guard case .lower(let name) = peek.kind else {
            throw error("expected a rank (a lowercase name such as m or m0) \(context) but found \(peek.quoted)")
        }
        let letters = name.prefix { $0.isLetter }
        guard name.dropFirst(letters.count).allSatisfy(\.isNumber) else {
            throw error("'\(name)' is not a rank name; ranks are lowercase letters followed by digits (m, m0, p2)")
        }
        position += 1
        return name
    }

    // MARK: - Token helpers

    private var peek: EinsumToken { tokens[min(position, tokens.count - 1)] }

    private func peek(_ ahead: Int) -> EinsumToken { tokens[min(position + ahead, tokens.count - 1)] }

    @discardableResult
    private mutating func accept(_ symbol: Character) -> Bool {
        guard peek.kind == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ symbol: Character, _ context: String, bare: Bool = false) throws(CascadeParseError) {
        guard accept(symbol) else {
            let what = bare ? context : "expected '\(symbol)' \(context)"
            throw error("\(what), but found \(peek.quoted)")
        }
    }

    private func error(_ message: String, at column: Int? = nil) -> CascadeParseError {
        CascadeParseError(einsumIndex: einsumIndex, column: column ?? peek.column, message: message)
    }
}
