import Foundation

/// The axes as the points use them: their values, which axes follow which, which name a point, and how a value
/// reads and orders.
extension SweepReport {
    /// An axis as the points use it: its values in the sweep's order (then any others in order of appearance),
    /// and whether it varies across the points.
    public struct AxisUse: Sendable {
        public var name: String
        public var values: [JSONValue]
        public var varies: Bool { values.count > 1 }
    }

    /// Every axis named in `sweep.json` or on a point, with the distinct values the points take.
    public var axisUses: [AxisUse] {
        var names = header.axes.map(\.name)
        for point in points { for axis in point.axes where !names.contains(axis.name) { names.append(axis.name) } }
        return names.map { name in
            var values: [JSONValue] = []
            var seen = Set<String>()
            let declared = header.axes.first { $0.name == name }?.values ?? []
            let present = Set(points.compactMap { $0.value(of: name).map(SweepReport.key) })
            for value in declared where present.contains(SweepReport.key(value)) && seen.insert(SweepReport.key(value)).inserted {
                values.append(value)
            }
            for point in points {
                if let value = point.value(of: name), seen.insert(SweepReport.key(value)).inserted { values.append(value) }
            }
            return AxisUse(name: name, values: values)
        }
    }

    /// Whether every point's value of `axis` fixes its value of `other` (the later paths of a zipped group such as
    /// `[hardware, kernel.backend, kernel.q_tile]` follow the first).
    public func determines(_ axis: String, _ other: String) -> Bool {
        var seen: [String: String] = [:]
        for point in points {
            guard let value = point.value(of: axis), let follower = point.value(of: other) else { continue }
            let key = SweepReport.key(value), followerKey = SweepReport.key(follower)
            if let earlier = seen[key], earlier != followerKey { return false }
            seen[key] = followerKey
        }
        return true
    }

    /// The varying axes that name a point: those no earlier varying axis determines.
    public var namingAxes: [String] {
        var kept: [String] = []
        for use in axisUses where use.varies && !kept.contains(where: { determines($0, use.name) }) { kept.append(use.name) }
        return kept
    }

    /// The axis that swaps the hardware file (`path: hardware`).
    static func isHardwareAxis(_ name: String) -> Bool { SweepAxisPath(name).isHardwareFile }

    /// A value as a legend or point name shows it: a file path on a `hardware` or `workload` axis by its base name.
    static func shortLabel(_ axis: String, _ value: JSONValue) -> String {
        let text = label(value)
        guard SweepAxisPath(axis).isFile, case .string = value, text.contains("/") || text.hasSuffix(".yaml") else { return text }
        var name = text.split(separator: "/").last.map(String.init) ?? text
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return name
    }

    /// An axis that resizes a spatial design: `hardware.arrays[i].shape` or `hardware.memory[i].size`.
    static func isSpatialAxis(_ name: String) -> Bool { SweepAxisPath(name).resizesSpatialDesign }

    /// A stable identity for a value (compact JSON).
    static func key(_ value: JSONValue) -> String { value.serialized(pretty: false) }

    /// A value as a reader writes it: lists of numbers as `16×8×8`, numbers in their shortest form.
    public static func label(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONValue.format(number)
        case .integer(let number): return String(number)
        case .string(let text): return text
        case .array(let items):
            if items.allSatisfy({ if case .number = $0 { return true } else { return false } }), !items.isEmpty {
                return items.map(label).joined(separator: "×")
            }
            return "[" + items.map(label).joined(separator: ", ") + "]"
        case .object: return value.serialized(pretty: false)
        }
    }

    /// A number to order an axis's values by: the number, the product of a list of numbers, or text with a unit
    /// read in the axis's dimension (a memory size in bytes, a bandwidth, a clock); on an axis whose field is not
    /// known, text that reads as a size in bytes.
    static func orderValue(_ value: JSONValue, axis: SweepAxisPath? = nil) -> Double? {
        switch value {
        case .number(let number): return number
        case .integer(let number): return Double(number)
        case .array(let items) where !items.isEmpty:
            var product = 1.0
            for item in items {
                guard let factor = orderValue(item, axis: axis) else { return nil }
                product *= factor
            }
            return product
        case .string(let text): return try? Quantity.parse(text, as: axis?.dimension ?? .bytes)
        default: return nil
        }
    }

    /// The values in increasing order when every one has an order value (ties keep their order), else as given.
    static func ordered(_ values: [JSONValue], axis: SweepAxisPath? = nil) -> [JSONValue] {
        let keys = values.map { orderValue($0, axis: axis) }
        guard keys.allSatisfy({ $0 != nil }) else { return values }
        return values.indices.sorted { (keys[$0]!, $0) < (keys[$1]!, $1) }.map { values[$0] }
    }
}
