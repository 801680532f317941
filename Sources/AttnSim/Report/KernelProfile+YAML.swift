import Foundation

/// A kernel profile written back as the `kernels:` entry of a hardware file (`attnsim fit-gpu`), in the keys the
/// loader reads (`HardwareSpec.kernelKeys`); loading the text gives the same profile to the printed precision.
extension KernelProfile {
    public func yaml(name: String, indent: String = "  ") -> String {
        let inner = indent + "  "
        var lines = ["\(indent)\(name):"]
        func add(_ key: String, _ value: String) { lines.append("\(inner)\(key): \(value)") }
        func number(_ x: Double) -> String { String(format: "%.4g", x) }
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        if let masks { add("masks", "[" + masks.joined(separator: ", ") + "]") }
        if let qTileTokens { add("q_tile_tokens", "\(qTileTokens)") }
        if let kvTileTokens { add("kv_tile_tokens", "\(kvTileTokens)") }
        if !tileShapes.isEmpty {
            lines.append("\(inner)tile_shapes:")
            for pair in tileShapes {
                let list = { (v: [Int]) in "[" + v.map(String.init).joined(separator: ", ") + "]" }
                lines.append("\(inner)  - {q: \(list(pair.q)), kv: \(list(pair.kv))}")
            }
        }
        if let efficiency { add("efficiency", number(efficiency)) }
        if !efficiencyByHeadDim.isEmpty {
            add("efficiency_by_head_dim", "{" + efficiencyByHeadDim.sorted { $0.key < $1.key }
                .map { "\($0.key): \(number($0.value))" }.joined(separator: ", ") + "}")
        }
        if let cost = maskCost {
            add("mask_cost", "{base: \(number(cost.base)), simple: \(number(cost.simple)), division: \(number(cost.division)), "
                + "division_tensor: \(number(cost.divisionTensor)), load: \(number(cost.load))"
                + (cost.perElementDivision == 1 ? "" : ", per_element_division: \(number(cost.perElementDivision))")
                + (cost.perElementLoad == 1 ? "" : ", per_element_load: \(number(cost.perElementLoad))") + "}")
        }
        if !maskCostByHeadDim.isEmpty {
            add("mask_cost_by_head_dim", "{" + maskCostByHeadDim.sorted { $0.key < $1.key }
                .map { "\($0.key): \(number($0.value))" }.joined(separator: ", ") + "}")
        }
        if let maskedTileCost { add("masked_tile_cost", number(maskedTileCost)) }
        if let maskedTileCostPerAxis { add("masked_tile_cost_per_axis", number(maskedTileCostPerAxis)) }
        if let maskScope { add("mask_scope", maskScope.rawValue) }
        if let perCTA { add("per_cta", number(perCTA * 1e6) + " us") }
        if let skippedTile { add("skipped_tile", number(skippedTile * 1e9) + " ns") }
        if let hostOverhead { add("host_overhead", number(hostOverhead * 1e6) + " us") }
        if let maskBuild {
            add("mask_build", "{fixed: \(number(maskBuild.fixed * 1e3)) ms, per_element: \(number(maskBuild.perElement * 1e12)) ps, "
                + "cycle_scale: \(number(maskBuild.cycleScale))}")
        }
        if let stages { add("stages", "\(stages)") }
        if let persistent { add("persistent", persistent ? "true" : "false") }
        if let memoryEfficiency { add("memory_efficiency", number(memoryEfficiency)) }
        if let perCall { add("per_call", number(perCall * 1e6) + " us") }
        if let splitKV { add("split_kv", splitKV ? "true" : "false") }
        let spreadYAML = { (spread: HeldOutSpread) in
            "{time: [\(number(spread.time.lowerBound)), \(number(spread.time.upperBound))], "
                + "speedup: [\(number(spread.speedup.lowerBound)), \(number(spread.speedup.upperBound))], configs: \(spread.configs)}"
        }
        if let heldOut { add("held_out", spreadYAML(heldOut)) }
        if !heldOutByFamily.isEmpty {
            add("held_out_by_family", "{" + heldOutByFamily.sorted { $0.key < $1.key }
                .map { "\($0.key): \(spreadYAML($0.value))" }.joined(separator: ", ") + "}")
        }
        if let backward {
            lines.append("\(inner)backward:")
            let deeper = inner + "  "
            func put(_ key: String, _ value: String) { lines.append("\(deeper)\(key): \(value)") }
            put("dq", backward.variants.count > 1
                ? "[" + backward.variants.map(\.rawValue).joined(separator: ", ") + "]" : backward.dq.rawValue)
            if let q = backward.qTileTokens { put("q_tile_tokens", "\(q)") }
            if let kv = backward.kvTileTokens { put("kv_tile_tokens", "\(kv)") }
            if let efficiency = backward.efficiency { put("efficiency", number(efficiency)) }
            if !backward.efficiencyByHeadDim.isEmpty {
                put("efficiency_by_head_dim", "{" + backward.efficiencyByHeadDim.sorted { $0.key < $1.key }
                    .map { "\($0.key): \(number($0.value))" }.joined(separator: ", ") + "}")
            }
            if !backward.maskCostByHeadDim.isEmpty {
                put("mask_cost_by_head_dim", "{" + backward.maskCostByHeadDim.sorted { $0.key < $1.key }
                    .map { "\($0.key): \(number($0.value))" }.joined(separator: ", ") + "}")
            }
            if let perCTA = backward.perCTA { put("per_cta", number(perCTA * 1e6) + " us") }
            if let host = backward.hostOverhead { put("host_overhead", number(host * 1e6) + " us") }
            if let stages = backward.stages { put("stages", "\(stages)") }
            if !backward.preprocess { put("preprocess", "false") }
            if backward.deterministic { put("deterministic", "true") }
            if let heldOut = backward.heldOut { put("held_out", spreadYAML(heldOut)) }
            if !backward.sources.isEmpty {
                lines.append("\(deeper)sources:")
                lines += backward.sources.map { "\(deeper)  - \(quoted($0))" }
            }
        }
        if !sources.isEmpty {
            lines.append("\(inner)sources:")
            lines += sources.map { "\(inner)  - \(quoted($0))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension HardwareSpec {
    /// `text` (a hardware file) with its `name:` set to `name` and the `kernels:` entries of `profiles` replaced by
    /// theirs (added where the file has none): the file's other lines, comments and sources stay as they are.
    public static func replacingProfiles(in text: String, name: String, profiles: [String: KernelProfile]) -> String {
        var lines = text.components(separatedBy: "\n")
        if let index = lines.firstIndex(where: { $0.hasPrefix("name:") }) { lines[index] = "name: \(name)" }
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isContent(_ line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        for (backend, profile) in profiles.sorted(by: { $0.key < $1.key }) {
            let block = profile.yaml(name: backend).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                .dropLast()
            guard let kernels = lines.firstIndex(where: { $0.hasPrefix("kernels:") }) else {
                lines += ["kernels:"] + block
                continue
            }
            var end = kernels + 1
            while end < lines.count, !isContent(lines[end]) || indentation(lines[end]) > 0 { end += 1 }
            if let start = (kernels + 1..<end).first(where: {
                indentation(lines[$0]) == 2 && lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(backend + ":")
            }) {
                var stop = start + 1
                while stop < end, !isContent(lines[stop]) || indentation(lines[stop]) > 2 { stop += 1 }
                lines.replaceSubrange(start..<stop, with: block)
            } else {
                lines.insert(contentsOf: block, at: kernels + 1)
            }
        }
        return lines.joined(separator: "\n")
    }
}
