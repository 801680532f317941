/// The mask families attnsim knows, by their `mask.kind`. Adding a family is one file under `Sparsity/Masks/`
/// and one line in `families`.
public enum MaskRegistry {
    /// Every family, in the order error messages list them.
    public static let families: [any Mask.Type] = [
        DenseMask.self,
        CausalMask.self,
        GNAMask.self,
        BlockMask.self,
        SlidingWindowMask.self,
        BlockCausalMask.self,
        AShapeMask.self,
        DocumentMask.self,
        StridedMask.self,
        AllOfMask.self,
        PerHeadMask.self,
        RadialMask.self,
        VerticalSlashMask.self,
    ]

    public static var kinds: [String] { families.map { $0.kind } }

    public static func family(_ kind: String) -> (any Mask.Type)? {
        families.first { $0.kind == kind }
    }

    /// Decodes a workload's `mask:` mapping with the family its `kind` names.
    public static func decode(_ node: SpecNode, problem: Problem, workloadFile: String) throws(Diagnostic) -> any Mask {
        let entries = try node.mappingEntries()
        guard let kindEntry = entries.first(where: { $0.key == "kind" }) else {
            _ = try node.mapping(allowed: ["kind"] + families.flatMap { $0.keys })
                .required("kind", expecting: kinds.joined(separator: ", "))
            throw node.error("missing `kind`")
        }
        let name = try kindEntry.value.string()
        guard let family = family(name) else {
            throw kindEntry.value.error("unknown mask kind \"\(name)\"\(DidYouMean.hint(for: name, among: kinds)); "
                + "expected one of: \(kinds.joined(separator: ", "))")
        }
        let fields: SpecMapping
        do {
            fields = try node.mapping(allowed: ["kind"] + family.keys)
        } catch {
            // A key of other families gets a message saying which families it belongs to.
            if let entry = entries.first(where: { $0.key != "kind" && !family.keys.contains($0.key) }) {
                let owners = families.filter { $0.keys.contains(entry.key) }.map { "`kind: \($0.kind)`" }
                if !owners.isEmpty {
                    let list = owners.count == 1 ? owners[0]
                        : owners.dropLast().joined(separator: ", ") + " or " + owners[owners.count - 1]
                    throw entry.keyNode.error("`\(entry.key)` applies to \(list), not `kind: \(name)`")
                }
            }
            throw error
        }
        return try family.decode(fields, problem: problem, workloadFile: workloadFile)
    }
}
