import Foundation

/// A per-request pruning trace in the format SpAtten released with its hardware (references.md [SpAtten-traces];
/// `data/spatten-traces/README.md`): one row per (generation step, layer, head) with the keys and
/// values fetched, their bit widths and whether the key LSBs were refetched. Pruned heads have no row.
///
/// ```text
/// iteration_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit,...
/// 0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1
/// ```
/// Bits of -1 mean unquantized (the workload's dtype). A last row holding only a config name is kept as `config`.
public struct PruningTrace: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var step: Int
        public var layer: Int
        public var head: Int
        public var headDim: Int
        /// Tokens in the context (L).
        public var context: Int
        public var keys: Int
        /// nil: unquantized.
        public var keyBits: Int?
        public var refetched: Bool
        /// LSB bits added on a refetch.
        public var lsbBits: Int
        public var values: Int
        public var valueBits: Int?
        /// The cascade top-k that follows this request (the next layer's kept count), if any.
        public var topK: Int?
    }

    public var rows: [Row]
    /// The configuration name in the trace's last line, if present.
    public var config: String?
    public var file: String

    static let columns = ["iteration_id", "layer_id", "head_id", "embedding_length_D", "sentence_length_L",
                          "key_fetch_num", "quant_key_bit", "quant_query_bit", "auto_requant_thres", "if_requant",
                          "auto_requant_incre", "value_fetch_num", "quant_value_bit", "if_accumulate_importance",
                          "if_rescale_previous_importance", "if_topk", "topk"]

    public static func load(path: String) throws(Diagnostic) -> PruningTrace {
        let data = try SpecDocument.contents(ofFile: path, noun: "the trace file")
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostic(file: path, message: "the trace is not UTF-8 text (expected a CSV file)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(Diagnostic) -> PruningTrace {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw Diagnostic(file: file, message: "the trace is empty") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() { index[name] = i }
        for column in columns where index[column] == nil {
            throw Diagnostic(file: file, line: 1, column: 1, path: column,
                             message: "missing column; a SpAtten trace has the columns \(columns.joined(separator: ","))")
        }
        var rows: [Row] = []
        var config: String?
        for (number, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            let lineNumber = number + 1
            if fields.dropFirst().allSatisfy(\.isEmpty) {
                // The footer: a configuration name and empty fields.
                if config == nil, !(fields.first ?? "").isEmpty, number == lines.count - 1 {
                    config = fields[0]
                    continue
                }
                throw Diagnostic(file: file, line: lineNumber, column: 1, message: "empty row")
            }
            guard fields.count == names.count else {
                throw Diagnostic(file: file, line: lineNumber, column: 1,
                                 message: "expected \(names.count) fields like the header, found \(fields.count)")
            }
            func column(of name: String) -> Int {
                fields[..<index[name]!].reduce(1) { $0 + $1.count + 1 }
            }
            func int(_ name: String, atLeast minimum: Int) throws(Diagnostic) -> Int {
                let text = fields[index[name]!]
                // D is written as 64.0 in the released traces.
                let value = Int(text) ?? Double(text).flatMap { $0 == $0.rounded() && abs($0) < 1e9 ? Int($0) : nil }
                guard let value, value >= minimum else {
                    throw Diagnostic(file: file, line: lineNumber, column: column(of: name), path: name,
                                     message: "expected an integer ≥ \(minimum), found \"\(text)\"")
                }
                return value
            }
            func bits(_ name: String) throws(Diagnostic) -> Int? {
                let value = try int(name, atLeast: -1)
                guard value != 0, value <= 32 else {
                    throw Diagnostic(file: file, line: lineNumber, column: column(of: name), path: name,
                                     message: "expected a bit width from 1 to 32, or -1 for unquantized, found \(value)")
                }
                return value < 0 ? nil : value
            }
            func bool(_ name: String) throws(Diagnostic) -> Bool {
                switch fields[index[name]!] {
                case "True", "true", "1": return true
                case "False", "false", "0": return false
                case let other:
                    throw Diagnostic(file: file, line: lineNumber, column: column(of: name), path: name,
                                     message: "expected True or False, found \"\(other)\"")
                }
            }
            let context = try int("sentence_length_L", atLeast: 1)
            let keys = try int("key_fetch_num", atLeast: 0)
            let values = try int("value_fetch_num", atLeast: 0)
            guard keys <= context else {
                throw Diagnostic(file: file, line: lineNumber, column: column(of: "key_fetch_num"), path: "key_fetch_num",
                                 message: "\(keys) keys fetched but the context has \(context) tokens")
            }
            let refetched = try bool("if_requant")
            let row = Row(step: try int("iteration_id", atLeast: 0), layer: try int("layer_id", atLeast: 0),
                          head: try int("head_id", atLeast: 0), headDim: try int("embedding_length_D", atLeast: 1),
                          context: context, keys: keys, keyBits: try bits("quant_key_bit"), refetched: refetched,
                          lsbBits: refetched ? try int("auto_requant_incre", atLeast: 1) : 0,
                          values: min(values, keys), valueBits: try bits("quant_value_bit"),
                          topK: try bool("if_topk") ? try int("topk", atLeast: 0) : nil)
            rows.append(row)
        }
        guard !rows.isEmpty else { throw Diagnostic(file: file, message: "the trace has a header but no rows") }
        return PruningTrace(rows: rows, config: config, file: file)
    }
}
