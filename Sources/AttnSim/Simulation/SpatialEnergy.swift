/// How register-file accesses (and two quirks of the FuseMax artifact) are charged.
public enum EnergyAccounting: String, Sendable, CaseIterable {
    /// Every access of every PE instance is charged: the physical count.
    case full
    /// The FuseMax artifact's roll-up (validation/fusemax/energy-accounting.md §2): register-file accesses of
    /// one PE only (Timeloop's per-instance lines priced with instance count 1), except the 1D array's shared
    /// register file; and the exps of "+Cascade" are not charged (a misspelt unit name, §5.2). The paper's
    /// "79% of FLAT" is a figure of this accounting; the full count gives ≈86%.
    case artifact
}

/// Energy of a spatial evaluation: its action counts (`SpatialActions`) times the hardware file's per-action
/// energies, by component.
public struct SpatialEnergy: Sendable, Equatable {
    public var accounting: EnergyAccounting
    /// Joules by component, in a fixed order: dram, buffer, register_file, then one entry per operation kind
    /// that occurs (mac, add, mul, max, exp, div, cmp).
    public var components: [(name: String, joules: Double)]
    /// Actions that occur but have no energy in the hardware file (charged nothing).
    public var unpriced: [EnergyAction]

    public var total: Double { components.reduce(0) { $0 + $1.joules } }

    public static func == (a: SpatialEnergy, b: SpatialEnergy) -> Bool {
        a.accounting == b.accounting && a.unpriced == b.unpriced
            && a.components.map(\.name) == b.components.map(\.name) && a.components.map(\.joules) == b.components.map(\.joules)
    }

    /// Prices `actions` with `hardware.energy`; nil when the hardware file gives no energies at all.
    /// A multiply without its own energy is priced as a MAC (the artifact's PEs multiply on the MAC unit).
    public init?(_ actions: SpatialActions, dataflow: SpatialMapping.Dataflow, hardware: HardwareSpec,
                 accounting: EnergyAccounting) {
        let table = hardware.energy
        guard !table.isEmpty else { return nil }
        var unpriced: [EnergyAction] = []
        func price(_ count: Double, _ action: EnergyAction, fallback: EnergyAction? = nil) -> Double {
            guard count != 0 else { return 0 }
            if let joules = table[action] ?? fallback.flatMap({ table[$0] }) { return count * joules }
            if !unpriced.contains(action) { unpriced.append(action) }
            return 0
        }
        var components: [(name: String, joules: Double)] = [
            ("dram", price(actions.dramReads, .dram_read) + price(actions.dramWrites, .dram_write)),
            ("buffer", price(actions.bufferReads, .buffer_read) + price(actions.bufferWrites, .buffer_write)),
        ]
        var registerFile = 0.0
        for file in actions.registerFiles {
            let share = accounting == .artifact ? 1 / file.instances : 1
            registerFile += price(file.reads * share, .rf_read) + price(file.writes * share, .rf_write)
        }
        components.append(("register_file", registerFile))
        var ops = OpCounts()
        for entry in actions.operations { ops += entry.ops }
        if accounting == .artifact && dataflow == .fusemaxCascade { ops.exp = 0 }
        for kind in OpCounts.Kind.allCases where ops[kind] != 0 {
            let action = EnergyAction(rawValue: kind.rawValue)!
            components.append((kind.rawValue, price(ops[kind], action, fallback: kind == .mul ? .mac : nil)))
        }
        self.accounting = accounting
        self.components = components
        self.unpriced = unpriced
    }
}
