import Yams

/// Setting and reading values at field paths of a YAML document.
enum SweepPatch {
    static func value(at path: FieldPath, in node: Node) -> Node? {
        var current = node
        for component in path.components {
            switch component {
            case .key(let key):
                guard case .mapping(let mapping) = current, let next = mapping[key] else { return nil }
                current = next
            case .index(let index):
                guard case .sequence(let sequence) = current, index < sequence.count else { return nil }
                current = sequence[index]
            }
        }
        return current
    }

    /// `node` with the value at `path` replaced (created, for a missing key of a mapping).
    static func setting(_ value: Node, at path: FieldPath, in node: Node) throws(SweepPointError) -> Node {
        try set(value, path.components[...], in: node, whole: path)
    }

    private static func set(_ value: Node, _ rest: ArraySlice<FieldPath.Component>, in node: Node, whole: FieldPath)
        throws(SweepPointError) -> Node {
        guard let first = rest.first else { return value }
        switch first {
        case .key(let key):
            var mapping: Node.Mapping
            switch node {
            case .mapping(let existing): mapping = existing
            case .scalar(let scalar) where scalar.string.isEmpty: mapping = Node.Mapping([])
            default: throw SweepPointError("`\(whole)`: `\(key)` is set on something that is not a mapping")
            }
            let child = mapping[key] ?? Node.mapping(Node.Mapping([]))
            mapping[key] = try set(value, rest.dropFirst(), in: child, whole: whole)
            return .mapping(mapping)
        case .index(let index):
            guard case .sequence(var sequence) = node, index < sequence.count else {
                throw SweepPointError("`\(whole)`: there is no element [\(index)] to set")
            }
            sequence[index] = try set(value, rest.dropFirst(), in: sequence[index], whole: whole)
            return .sequence(sequence)
        }
    }
}
