import Foundation
import Yams

/// Reads a YAML file into a `SpecNode`, turning every way a file can be unreadable (missing, binary, not
/// UTF-8, empty, a YAML syntax error) into a `Diagnostic` with a position.
public enum SpecDocument {
    /// Loads and parses the file at `path`.
    public static func load(path: String) throws(Diagnostic) -> SpecNode {
        try parse(data: contents(ofFile: path), file: path)
    }

    /// The bytes of the file at `path`, for every loader (YAML, block masks, traces, measurements, sweep folders);
    /// a file that cannot be read is a `Diagnostic` saying why: no such file, a directory, a symbolic-link loop,
    /// no permission.
    /// - Parameter noun: how the message names the file ("the block-mask file").
    public static func contents(ofFile path: String, noun: String = "the file") throws(Diagnostic) -> Data {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw Diagnostic(file: path, message: "cannot open \(noun): it is a directory")
        }
        if let data = FileManager.default.contents(atPath: path) { return data }
        throw Diagnostic(file: path, message: "cannot open \(noun): \(whyUnreadable(path))")
    }

    /// Why `open(2)` refuses `path`, in words (`FileManager` only says that it did).
    static func whyUnreadable(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        let code = errno
        if descriptor >= 0 {
            close(descriptor)
            return "it cannot be read"
        }
        switch code {
        case ENOENT: return "no such file"
        case ELOOP: return "too many levels of symbolic links (a symbolic-link loop)"
        case EACCES: return "permission denied"
        default: return String(cString: strerror(code))
        }
    }

    /// Parses raw bytes; `file` is only used in messages.
    public static func parse(data: Data, file: String) throws(Diagnostic) -> SpecNode {
        let bytes = [UInt8](data)
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = position(ofByte: nul, in: bytes)
            throw Diagnostic(file: file, line: line, column: column,
                             message: "this looks like a binary file (a NUL byte at byte \(nul)); expected a YAML text file")
        }
        if let bad = firstInvalidUTF8(bytes) {
            let (line, column) = position(ofByte: bad, in: bytes)
            throw Diagnostic(file: file, line: line, column: column,
                             message: "the file is not valid UTF-8 text (bad byte 0x\(String(bytes[bad], radix: 16)) at byte \(bad)); expected a YAML text file")
        }
        return try parse(text: String(decoding: bytes, as: UTF8.self), file: file)
    }

    /// Parses YAML text; `file` is only used in messages.
    /// A UTF-8 byte-order mark at the start (some Windows editors write one) is skipped.
    public static func parse(text: String, file: String) throws(Diagnostic) -> SpecNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch let error as YamlError {
            throw diagnostic(from: error, file: file)
        } catch {
            throw Diagnostic(file: file, message: "cannot parse the YAML: \(error)")
        }
        guard let root else {
            throw Diagnostic(file: file, line: 1, column: 1,
                             message: "the file is empty; expected a YAML mapping starting with `attnsim: 1`")
        }
        let node = SpecNode(node: root, path: FieldPath(), file: file)
        guard case .mapping = root else {
            throw node.error("expected a YAML mapping starting with `attnsim: 1`, found \(node.kindDescription)")
        }
        return node
    }

    static func diagnostic(from error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: message)
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: 1, column: 1, message: "cannot read the YAML text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(file: file, line: context.mark.line, column: context.mark.column,
                              message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return Diagnostic(file: file, line: 1, column: 1, message: "cannot parse the YAML: \(error)")
        }
    }

    /// 1-based line and column (in bytes) of byte `offset`.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// Offset of the first byte that does not belong to a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Checks the `attnsim: 1` format-version key of a document's root mapping.
    public static func checkVersion(_ fields: SpecMapping) throws(Diagnostic) {
        let version = try fields.required("attnsim", expecting: "the file format version, `attnsim: 1`")
        guard try version.int() == 1 else {
            throw version.error("unsupported format version; this attnsim reads `attnsim: 1`")
        }
    }
}
