/// An error in a user's file, with everything needed to find and fix it.
///
/// ```
/// hardware/h100.yaml:12:16: error: memory[0].bandwidth: unknown unit "TB/sec"; expected ... such as "3.35 TB/s"
/// ```
///
/// Every loader in attnsim reports bad input through this one type, so the CLI can print it the same way
/// everywhere and exit with status 2 (bad input) instead of crashing.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in, as the user named it.
    public var file: String
    /// 1-based line, or nil when the problem concerns the whole file (unreadable, empty).
    public var line: Int?
    /// 1-based column (counted in Unicode scalars, as libyaml does).
    public var column: Int?
    /// The field path, e.g. `memory[0].bandwidth`; empty for the document itself.
    public var path: String
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, path: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: error: path: message`, the form compilers use, so editors can jump to it.
    public var description: String {
        var location = file
        if let line { location += ":\(line):\(column ?? 1)" }
        let field = path.isEmpty ? "" : "\(path): "
        return "\(location): error: \(field)\(message)"
    }
}

/// A path to a field inside a YAML document, printed as `memory[0].bandwidth`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public func appending(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }
    public func appending(_ index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
