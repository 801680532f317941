import Foundation
import Yams

/// A design-space sweep (`sweeps/*.yaml`): base hardware and workload files, axes over any field path of either
/// (or over whole files), combined as a grid or zipped, and filters that drop points.
///
/// ```yaml
/// attnsim: 1
/// name: hunyuan-strides
/// hardware: ../hardware/h100-sxm5-80gb.yaml
/// workload: ../workloads/hunyuan-gna-s16x8x8.yaml
/// mode: grid                      # grid (every combination, last axis fastest) | zip (the i-th value of each)
/// axes:
///   - {path: hardware, values: [../hardware/h100-sxm5-80gb.yaml, ../hardware/b200.yaml]}
///   - {path: mask.stride, values: [[1, 1, 1], [16, 8, 8]]}
///   - {path: hardware.memory[0].bandwidth, values: [3 TB/s, 4 TB/s]}
/// filters: ["mask.stride <= mask.window"]
/// ```
/// Paths: `hardware` / `workload` alone swap the file; `hardware.` + a field path patches the hardware file;
/// any other path (optionally prefixed `workload.`) patches the workload file.
public struct SweepSpec: Sendable {
    public enum Mode: String, Sendable, CaseIterable { case grid, zip }

    public enum Target: Sendable, Equatable {
        case hardwareFile
        case workloadFile
        case hardwareField(FieldPath)
        case workloadField(FieldPath)
    }

    /// One axis: a path and its values, or several paths set together (`path: [hardware, kernel.backend]`, each
    /// value a list with one entry per path) — a zipped group inside a grid.
    public struct Axis: @unchecked Sendable {
        /// The paths as written (the axis' columns in results).
        public var names: [String]
        public var targets: [Target]
        /// The values: per value, one YAML node per path (file axes: paths resolved against the spec's folder).
        public var values: [[Node]]
        /// What results and reports show for each value where it differs from what is set (`uniform:` sets a list
        /// with one entry per layer and shows the one value); nil: the values themselves.
        public var shown: [[Node]]? = nil

        /// The node results record for value `index` at path `p`.
        public func shown(_ index: Int, _ p: Int) -> Node { shown?[index][p] ?? values[index][p] }
    }

    public var name: String
    public var description: String?
    /// Base files, resolved against the spec's folder (nil when an axis supplies them).
    public var hardware: String?
    public var workload: String?
    public var mode: Mode
    public var axes: [Axis]
    public var filters: [SweepFilter]
    public var file: String
    /// A fingerprint of the spec's text: a results folder remembers it and refuses another sweep's points.
    public var fingerprint: String

    public static func load(path: String) throws(Diagnostic) -> SweepSpec {
        let root = try SpecDocument.load(path: path)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try decode(root, fingerprint: fingerprint(text))
    }

    public static func parse(text: String, file: String) throws(Diagnostic) -> SweepSpec {
        try decode(try SpecDocument.parse(text: text, file: file), fingerprint: fingerprint(text))
    }

    /// FNV-1a 64 of the text, in hex.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }

    /// `{path: pruning.token_keep, uniform: [1.0, 0.8, 0.5]}`: each value set on every layer of the base workload's
    /// pruning schedule (a list of `pruning.layers` copies), and shown as itself in results and reports.
    static func uniformAxis(_ node: SpecNode, name: String, target: Target, grouped: Bool, values: SpecNode?,
                            workload: String?) throws(Diagnostic) -> Axis {
        if let values { throw values.error("give `values` or `uniform`, not both") }
        guard !grouped, case .workloadField = target, name.hasPrefix("pruning.") || name.hasPrefix("workload.pruning.") else {
            throw node.error("`uniform` sets one value on every layer of a per-layer list of the pruning schedule "
                             + "(e.g. path: pruning.token_keep); `\(name)` is not one")
        }
        guard let workload else {
            throw node.error("`uniform` needs the base `workload:` file, whose pruning.layers gives the list's length")
        }
        guard let layers = try Workload.load(path: workload).pruning?.layers else {
            throw node.error("`uniform` needs a pruning schedule in the base workload (\(workload)) for its layer count")
        }
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("expected at least one value") }
        var set: [[Node]] = [], shown: [[Node]] = []
        for item in items {
            guard item.node.scalar != nil else { throw item.error("expected one value (a number), set on every layer") }
            set.append([Node.sequence(Node.Sequence([Node](repeating: item.node, count: layers), .implicit, .flow))])
            shown.append([item.node])
        }
        return Axis(names: [name], targets: [target], values: set, shown: shown)
    }

    static func decode(_ root: SpecNode, fingerprint: String) throws(Diagnostic) -> SweepSpec {
        let fields = try root.mapping(allowed: ["attnsim", "name", "description", "hardware", "workload", "mode", "axes",
                                                "filters"])
        try SpecDocument.checkVersion(fields)
        let file = root.file
        let resolve = { (path: String) in Workload.resolve(path, relativeTo: file) }
        var spec = SweepSpec(name: try fields.required("name").string(),
                             description: try fields.optional("description")?.string(),
                             hardware: try fields.optional("hardware").map { (n) throws(Diagnostic) in resolve(try n.string()) },
                             workload: try fields.optional("workload").map { (n) throws(Diagnostic) in resolve(try n.string()) },
                             mode: try fields.optional("mode")?.choice(Mode.self) ?? .grid, axes: [], filters: [],
                             file: file, fingerprint: fingerprint)
        let axesNode = try fields.required("axes", expecting: "a list of {path, values}")
        let axisNodes = try axesNode.sequence()
        guard !axisNodes.isEmpty else { throw axesNode.error("expected at least one axis") }
        var seen: Set<String> = []
        for item in axisNodes {
            let map = try item.mapping(allowed: ["path", "values", "uniform"])
            let pathNode = try map.required("path", expecting: "a field path such as mask.stride, hardware / workload, "
                + "or a list of paths set together")
            let grouped = pathNode.isSequence
            let pathNodes = grouped ? try pathNode.sequence() : [pathNode]
            guard !pathNodes.isEmpty else { throw pathNode.error("expected at least one path") }
            var names: [String] = [], targets: [Target] = []
            for node in pathNodes {
                let name = try node.string()
                guard seen.insert(name).inserted else { throw node.error("`\(name)` is swept twice") }
                names.append(name)
                targets.append(try target(name, at: node))
            }
            if let uniform = map.optional("uniform") {
                spec.axes.append(try uniformAxis(uniform, name: names[0], target: targets[0], grouped: grouped,
                                                 values: map.optional("values"), workload: spec.workload))
                continue
            }
            let valuesNode = try map.required("values", expecting: "a list of the values the axis takes (or `uniform:`)")
            var values: [[Node]] = []
            for value in try valuesNode.sequence() {
                let parts = grouped ? try value.sequence() : [value]
                guard parts.count == names.count else {
                    throw value.error("expected \(names.count) values, one for each of \(names.joined(separator: ", "))")
                }
                var nodes: [Node] = []
                for (part, target) in zip(parts, targets) {
                    nodes.append(target == .hardwareFile || target == .workloadFile ? Node(resolve(try part.string())) : part.node)
                }
                values.append(nodes)
            }
            guard !values.isEmpty else { throw valuesNode.error("expected at least one value") }
            spec.axes.append(Axis(names: names, targets: targets, values: values))
        }
        if spec.hardware == nil && !spec.axes.contains(where: { $0.targets.contains(.hardwareFile) }) {
            throw root.error("no hardware: give `hardware: FILE` or an axis with `path: hardware`")
        }
        if spec.workload == nil && !spec.axes.contains(where: { $0.targets.contains(.workloadFile) }) {
            throw root.error("no workload: give `workload: FILE` or an axis with `path: workload`")
        }
        if spec.mode == .zip, let first = spec.axes.first,
           let other = spec.axes.first(where: { $0.values.count != first.values.count }) {
            throw axesNode.error("`mode: zip` takes the i-th value of every axis; `\(first.names[0])` has "
                + "\(first.values.count) values but `\(other.names[0])` has \(other.values.count)")
        }
        if spec.mode == .grid {
            let points = spec.axes.reduce(1.0) { $0 * Double($1.values.count) }
            guard points <= Double(maxPoints) else {
                throw axesNode.error("the grid has \(Quantity.formatExactCount(points)) points (the product of the axes' "
                    + "value counts); a sweep takes up to \(Quantity.formatExactCount(Double(maxPoints))) (README.md, \"Limits\"): "
                    + "split it into several specs or sweep fewer values")
            }
        }
        if let filtersNode = fields.optional("filters") {
            for item in try filtersNode.sequence() { spec.filters.append(try SweepFilter.parse(item)) }
        }
        return spec
    }

    /// The most points a grid may have: the runner lists them all before it starts (about 1 KiB each) and writes
    /// one file per point; a million points is days of evaluation even at milliseconds each.
    public static let maxPoints = 1_000_000

    static func target(_ name: String, at node: SpecNode) throws(Diagnostic) -> Target {
        switch name {
        case "hardware": return .hardwareFile
        case "workload": return .workloadFile
        default:
            if name.hasPrefix("hardware.") {
                return .hardwareField(try FieldPath.parse(String(name.dropFirst("hardware.".count)), at: node))
            }
            let field = name.hasPrefix("workload.") ? String(name.dropFirst("workload.".count)) : name
            return .workloadField(try FieldPath.parse(field, at: node))
        }
    }

    /// Points of the sweep before filtering: grid (every combination, last axis fastest) or zip.
    public var combinations: Int {
        switch mode {
        case .grid: return axes.reduce(1) { $0 * $1.values.count }
        case .zip: return axes.first?.values.count ?? 0
        }
    }

    /// The value index of each axis for combination `n`.
    public func choice(_ n: Int) -> [Int] {
        switch mode {
        case .zip: return axes.map { _ in n }
        case .grid:
            var rest = n
            var result = Array(repeating: 0, count: axes.count)
            for a in axes.indices.reversed() {
                result[a] = rest % axes[a].values.count
                rest /= axes[a].values.count
            }
            return result
        }
    }
}

extension FieldPath {
    /// Parses `memory[0].bandwidth`, `mask.stride`, `arrays[1].shape`.
    static func parse(_ text: String, at node: SpecNode) throws(Diagnostic) -> FieldPath {
        var components: [Component] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            guard !key.isEmpty else { throw node.error("`\(text)` is not a field path (an empty name before `.` or `[`)") }
            components.append(.key(String(key)))
            rest = rest.dropFirst(key.count)
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    throw node.error("`\(text)` is not a field path; indexes are written [0], [1], …")
                }
                components.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        return FieldPath(components)
    }
}
