import Foundation
import Testing

/// The layer order docs/architecture.md declares holds: no folder of Sources/AttnSim names a type declared at the
/// top level of a folder in a later layer (comments and string literals ignored).
struct LayerTests {
    static func layers() throws -> [[String]] {
        let text = try String(contentsOfFile: Repo.path("docs/architecture.md"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Layers, lowest first: ") })
        return line.dropFirst("Layers, lowest first: ".count).split(separator: ",").map {
            $0.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Source text without comments and string literals.
    static func code(_ source: String) -> String {
        var text = source.replacingOccurrences(of: #"/\*[\s\S]*?\*/"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\"\"\"[\s\S]*?\"\"\""#, with: "\"\"", options: .regularExpression)
        text = text.replacingOccurrences(of: #""(?:\\.|[^"\\\n])*""#, with: "\"\"", options: .regularExpression)
        return text.replacingOccurrences(of: #"//[^\n]*"#, with: "", options: .regularExpression)
    }

    @Test func noFolderNamesALaterLayer() throws {
        let order = try Self.layers()
        var level: [String: Int] = [:]
        for (index, group) in order.enumerated() { for folder in group { level[folder] = index } }
        let root = Repo.root.appendingPathComponent("Sources/AttnSim")
        var sources: [(folder: String, file: String, code: String)] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let parts = relative.split(separator: "/")
            let folder = parts.count > 1 ? String(parts[0]) : "."
            let source = try String(contentsOfFile: root.appendingPathComponent(relative).path, encoding: .utf8)
            sources.append((folder, relative, Self.code(source)))
        }
        for source in sources where source.folder != "." {
            #expect(level[source.folder] != nil, "folder \(source.folder) is not placed in docs/architecture.md's layer line")
        }
        // Top-level declarations only (unindented): nested types such as `Point` belong to their parent.
        let declaration = try Regex(#"(?m)^(?:(?:public|internal|package|fileprivate|private|final|indirect)\s+)*(?:struct|enum|class|protocol|actor|typealias)\s+([A-Z]\w*)"#)
        var owner: [String: String] = [:]
        for source in sources {
            for match in source.code.matches(of: declaration) {
                if let name = match.output[1].substring { owner[String(name), default: source.folder] = owner[String(name)] ?? source.folder }
            }
        }
        let word = try Regex(#"\b[A-Z]\w*\b"#)
        var backEdges: [String] = []
        for source in sources {
            guard let mine = level[source.folder] else { continue }
            for match in source.code.matches(of: word) {
                let name = String(source.code[match.range])
                if let other = owner[name], let theirs = level[other], theirs > mine {
                    backEdges.append("\(source.file) names \(name) (\(other))")
                }
            }
        }
        #expect(backEdges.isEmpty, "\(Set(backEdges).sorted().prefix(20).joined(separator: "\n"))")
    }
}
