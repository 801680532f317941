import Foundation

/// A block-sparse mask file (`mask: {kind: block, file: …}`): JSON mirroring FlexAttention's `BlockMask`
/// (`full_kv_indices` / `kv_indices`, references.md [FlexAttention]), blocks over the 1-D token order.
///
/// ```json
/// { "attnsim_block_mask": 1, "block_size": [128, 128],
///   "full": [[0, 3, 7], [1, 2]], "partial": [[5], []], "heads": null, "attended_pairs": 123456 }
/// ```
/// `full[q]` lists the KV blocks in which every element of Q block `q` attends, `partial[q]` (optional) those with
/// an element mask inside; a block in neither is skipped. `heads`, when not null, lists `{full, partial}` per head
/// and the top-level lists are absent. `attended_pairs` (optional; a number, or a list with one per head) is the
/// exact count of attended pairs, which the blocks alone do not give when some are partial.
///
/// The reader is a purpose-built byte scanner (not a general JSON tree): a 1M-token causal mask has 33 M block
/// indices, which it reads in about a second into 4 bytes each.
public struct BlockMaskFile: Sendable, Equatable {
    public struct Head: Sendable, Equatable {
        public var full: BlockTable
        public var partial: BlockTable
    }

    public var blockSize: (q: Int, kv: Int)
    /// One entry per head pattern (one when every head shares the mask).
    public var heads: [Head]
    /// Exact attended pairs per head pattern, when the file gives them.
    public var attendedPairs: [Double]?
    public var perHead: Bool

    public static func == (a: BlockMaskFile, b: BlockMaskFile) -> Bool {
        a.blockSize == b.blockSize && a.heads == b.heads && a.attendedPairs == b.attendedPairs && a.perHead == b.perHead
    }

    static let keys = ["attnsim_block_mask", "block_size", "full", "partial", "heads", "attended_pairs"]

    /// Reads and checks the file for `qBlocks` Q blocks and `kvBlocks` KV blocks (computed by the caller from the
    /// problem and the file's block size, via `expect`).
    /// - Parameter expect: given the block size, the number of Q and KV blocks the problem has.
    public static func load(path: String, expect: ((q: Int, kv: Int)) throws(Diagnostic) -> (q: Int, kv: Int))
        throws(Diagnostic) -> BlockMaskFile {
        let data = try SpecDocument.contents(ofFile: path, noun: "the block-mask file")
        let outcome: Result<BlockMaskFile, Diagnostic> = data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self), file: path)
            do throws(Diagnostic) { return .success(try reader.document(expect: expect)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Parses file text (tests, tools); `file` names it in messages.
    public static func parse(text: String, file: String,
                             expect: ((q: Int, kv: Int)) throws(Diagnostic) -> (q: Int, kv: Int)) throws(Diagnostic)
        -> BlockMaskFile {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(Diagnostic) -> BlockMaskFile in
            var reader = Reader(bytes: UnsafeBufferPointer(buffer), file: file)
            return try reader.document(expect: expect)
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: String
        var position = 0
        var path = ""

        init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
            self.bytes = bytes
            self.file = file
            // A UTF-8 byte-order mark is allowed and skipped.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        }

        func error(_ message: String, at offset: Int? = nil) -> Diagnostic {
            let end = min(offset ?? position, bytes.count)
            var line = 1, column = 1
            for index in 0..<end {
                if bytes[index] == 0x0A { line += 1; column = 1 } else if bytes[index] & 0xC0 != 0x80 { column += 1 }
            }
            return Diagnostic(file: file, line: line, column: column, path: path, message: message)
        }

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(Diagnostic) {
            skipSpace()
            guard peek == byte else { throw error("expected \(what()), found \(found)") }
            position += 1
        }

        var found: String {
            guard let byte = peek else { return "the end of the file" }
            if byte >= 0x20 && byte < 0x7F { return "`\(Character(UnicodeScalar(byte)))`" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        /// Consumes `,` (true) or the closing byte (false).
        /// (`what` is built only for the message: this runs once per index of a file of millions.)
        mutating func next(closing: UInt8, _ what: @autoclosure () -> String) throws(Diagnostic) -> Bool {
            skipSpace()
            if peek == 0x2C { position += 1; return true }
            if peek == closing { position += 1; return false }
            throw error("expected `,` or \(what()), found \(found)")
        }

        mutating func string() throws(Diagnostic) -> String {
            try expect(0x22, "a quoted key")
            let start = position
            while position < bytes.count, bytes[position] != 0x22 {
                if bytes[position] == 0x5C { position += 1 }
                position += 1
            }
            guard position < bytes.count else { throw error("unterminated string", at: start) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            position += 1
            return text
        }

        mutating func isNull() -> Bool {
            skipSpace()
            if position + 4 <= bytes.count, bytes[position] == 0x6E, bytes[position + 1] == 0x75,
               bytes[position + 2] == 0x6C, bytes[position + 3] == 0x6C {
                position += 4
                return true
            }
            return false
        }

        /// A non-negative integer (no sign, fraction or exponent), below 2^31.
        mutating func index() throws(Diagnostic) -> Int {
            skipSpace()
            let start = position
            var value = 0
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                value = value * 10 + Int(bytes[position] - 0x30)
                position += 1
                if value >= 1 << 31 { throw error("the number is too large; expected a block index below 2^31", at: start) }
            }
            guard position > start else { throw error("expected a non-negative integer, found \(found)") }
            if let byte = peek, byte == 0x2E || byte == 0x65 || byte == 0x45 {
                throw error("expected an integer, found a fraction or exponent", at: start)
            }
            return value
        }

        mutating func number() throws(Diagnostic) -> Double {
            skipSpace()
            let start = position
            while position < bytes.count, let byte = peek,
                  (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x2B || byte == 0x2D {
                position += 1
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let value = Double(text), value.isFinite, value >= 0 else {
                throw error("expected a non-negative number, found \(text.isEmpty ? found : text)", at: start)
            }
            return value
        }

        /// `[[i, …], …]`: one sorted, duplicate-free list per Q block, each index below `limit`.
        mutating func table(rows: Int, limit: Int) throws(Diagnostic) -> BlockTable {
            var table = BlockTable(offsets: [0], indices: [])
            table.offsets.reserveCapacity(rows + 1)
            try expect(0x5B, "`[`, a list with one list of KV block indices per Q block")
            skipSpace()
            if peek == 0x5D { position += 1 } else {
                repeat {
                    let q = table.rows
                    let rowStart = position
                    guard q < rows else {
                        throw error("more than \(rows) lists: the problem has \(rows) Q blocks", at: rowStart)
                    }
                    try expect(0x5B, "`[`, the list of KV blocks of Q block \(q)")
                    let first = table.indices.count
                    var previous = -1
                    var ascending = true
                    skipSpace()
                    if peek == 0x5D { position += 1 } else {
                        repeat {
                            let at = position
                            let k = try index()
                            guard k < limit else {
                                throw error("Q block \(q): KV block \(k) is out of range; the problem has \(limit) KV blocks (0…\(limit - 1))", at: at)
                            }
                            if k <= previous { ascending = false }
                            previous = k
                            table.indices.append(Int32(k))
                        } while try next(closing: 0x5D, "`]` closing the list of Q block \(q)")
                    }
                    if !ascending {
                        // Unsorted or repeated: sort the row, then a repeat shows as two equal neighbours.
                        let row = table.indices[first...].sorted()
                        table.indices.replaceSubrange(first..., with: row)
                        for i in (first + 1)..<table.indices.count where table.indices[i] == table.indices[i - 1] {
                            throw error("Q block \(q) lists KV block \(table.indices[i]) twice", at: rowStart)
                        }
                    }
                    table.offsets.append(table.indices.count)
                } while try next(closing: 0x5D, "`]` closing the list of Q blocks")
            }
            guard table.rows == rows else {
                throw error("\(table.rows) list(s), but the problem has \(rows) Q blocks: expected one list per Q block")
            }
            return table
        }

        mutating func head(blocks: (q: Int, kv: Int), at start: Int) throws(Diagnostic) -> Head {
            var full: BlockTable?
            var partial: BlockTable?
            let base = path
            try expect(0x7B, "`{`, an object with `full` and `partial`")
            skipSpace()
            if peek != 0x7D {
                repeat {
                    let keyAt = position
                    let key = try string()
                    try expect(0x3A, "`:`")
                    path = base.isEmpty ? key : "\(base).\(key)"
                    switch key {
                    case "full": full = try table(rows: blocks.q, limit: blocks.kv)
                    case "partial": partial = isNull() ? nil : try table(rows: blocks.q, limit: blocks.kv)
                    default:
                        throw error("unknown key `\(key)`\(DidYouMean.hint(for: key, among: ["full", "partial"])); "
                            + "expected full, partial", at: keyAt)
                    }
                    path = base
                } while try next(closing: 0x7D, "`}`")
            } else { position += 1 }
            guard let full else { throw error("missing required key `full` (one list of KV blocks per Q block)", at: start) }
            let head = Head(full: full, partial: partial ?? BlockTable(offsets: Array(repeating: 0, count: blocks.q + 1)))
            try Self.checkDisjoint(head, error: { (q, k) in error("Q block \(q) lists KV block \(k) in both `full` and `partial`", at: start) })
            return head
        }

        static func checkDisjoint(_ head: Head, error: (Int, Int32) -> Diagnostic) throws(Diagnostic) {
            for q in 0..<head.full.rows {
                var i = head.full.offsets[q], j = head.partial.offsets[q]
                let iEnd = head.full.offsets[q + 1], jEnd = head.partial.offsets[q + 1]
                while i < iEnd && j < jEnd {
                    let a = head.full.indices[i], b = head.partial.indices[j]
                    if a == b { throw error(q, a) }
                    if a < b { i += 1 } else { j += 1 }
                }
            }
        }

        mutating func document(expect: ((q: Int, kv: Int)) throws(Diagnostic) -> (q: Int, kv: Int))
            throws(Diagnostic) -> BlockMaskFile {
            try self.expect(0x7B, "`{`: a block-mask file is a JSON object")
            var version: Int?
            var blockSize: (q: Int, kv: Int)?
            var blocks: (q: Int, kv: Int)?
            var top = Head(full: BlockTable(), partial: BlockTable())
            var sawFull = false, sawPartial = false
            var heads: [Head]?
            var pairs: [Double]?
            let start = position
            skipSpace()
            if peek != 0x7D {
                repeat {
                    let keyAt = position
                    let key = try string()
                    try self.expect(0x3A, "`:`")
                    path = key
                    if key != "attnsim_block_mask" && key != "block_size" && key != "attended_pairs" && blocks == nil
                        && BlockMaskFile.keys.contains(key) {
                        throw error("`attnsim_block_mask` and `block_size` must come before `\(key)`", at: keyAt)
                    }
                    switch key {
                    case "attnsim_block_mask":
                        let at = position
                        version = try index()
                        guard version == 1 else { throw error("unsupported version \(version!); expected 1", at: at) }
                    case "block_size":
                        let at = position
                        skipSpace()
                        if peek == 0x5B {
                            position += 1
                            let q = try index()
                            guard try next(closing: 0x5D, "`]`") else { throw error("expected two sizes [q, kv]", at: at) }
                            let kv = try index()
                            guard try !next(closing: 0x5D, "`]`") else { throw error("expected two sizes [q, kv]", at: at) }
                            blockSize = (q, kv)
                        } else {
                            let size = try index()
                            blockSize = (size, size)
                        }
                        guard let size = blockSize, size.q >= 1, size.kv >= 1 else {
                            throw error("block sizes must be at least 1 token", at: at)
                        }
                        do { blocks = try expect(size) } catch { throw self.error(error.message, at: at) }
                    case "full":
                        top.full = try table(rows: blocks!.q, limit: blocks!.kv)
                        sawFull = true
                    case "partial":
                        if !isNull() { top.partial = try table(rows: blocks!.q, limit: blocks!.kv); sawPartial = true }
                    case "heads":
                        guard !isNull() else { break }
                        var list: [Head] = []
                        try self.expect(0x5B, "`[`, one `{full, partial}` object per head, or null")
                        repeat {
                            path = "heads[\(list.count)]"
                            let at = position
                            list.append(try head(blocks: blocks!, at: at))
                        } while try next(closing: 0x5D, "`]` closing `heads`")
                        heads = list
                    case "attended_pairs":
                        skipSpace()
                        if isNull() { break }
                        if peek == 0x5B {
                            position += 1
                            var list: [Double] = []
                            repeat { list.append(try number()) } while try next(closing: 0x5D, "`]`")
                            pairs = list
                        } else {
                            pairs = [try number()]
                        }
                    default:
                        throw error("unknown key `\(key)`\(DidYouMean.hint(for: key, among: BlockMaskFile.keys)); "
                            + "expected one of: \(BlockMaskFile.keys.joined(separator: ", "))", at: keyAt)
                    }
                    path = ""
                } while try next(closing: 0x7D, "`}` closing the document")
            } else { position += 1 }
            skipSpace()
            guard position == bytes.count else { throw error("unexpected text after the JSON object") }
            guard version != nil else { throw error("missing required key `attnsim_block_mask` (the format version, 1)", at: start) }
            guard let blockSize, blocks != nil else { throw error("missing required key `block_size` ([q, kv] tokens)", at: start) }
            var result: [Head]
            if let heads {
                guard !sawFull && !sawPartial else {
                    throw error("give either top-level `full`/`partial` or `heads`, not both", at: start)
                }
                guard !heads.isEmpty else { throw error("`heads` is an empty list", at: start) }
                result = heads
            } else {
                guard sawFull else { throw error("missing required key `full` (one list of KV blocks per Q block)", at: start) }
                if !sawPartial { top.partial = BlockTable(offsets: Array(repeating: 0, count: blocks!.q + 1)) }
                try Self.checkDisjoint(top, error: { (q, k) in error("Q block \(q) lists KV block \(k) in both `full` and `partial`", at: start) })
                result = [top]
            }
            if let pairs, pairs.count != result.count {
                throw error("`attended_pairs` has \(pairs.count) value(s) but the mask has \(result.count) head pattern(s)", at: start)
            }
            // A pattern attends no more pairs than its listed blocks hold.
            let area = Double(blockSize.q) * Double(blockSize.kv)
            for (head, (count, pattern)) in zip(pairs ?? [], result).enumerated()
            where count > Double(pattern.full.count + pattern.partial.count) * area {
                throw error("`attended_pairs` of head pattern \(head) is \(JSONValue.format(count)), more than the "
                    + "\(JSONValue.format(Double(pattern.full.count + pattern.partial.count) * area)) pairs its full and partial "
                    + "blocks hold", at: start)
            }
            return BlockMaskFile(blockSize: blockSize, heads: result, attendedPairs: pairs, perHead: heads != nil)
        }
    }
}
