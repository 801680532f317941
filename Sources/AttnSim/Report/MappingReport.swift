import Foundation

/// `attnsim map`: the mapper's ranking for a (hardware, workload) pair — the best mapping, its runners-up, the
/// size of the space searched, and the `kernel:` block that pins the winner in a workload file. GPUs rank kernel
/// mappings (backend, tiles, scheduling); spatial arrays rank dataflows.
public struct MappingReport: Sendable {
    public struct Row: Sendable {
        public var description: String
        public var time: Double
        public var mapping: SimulationRecord.Mapping
        public var yaml: String
    }

    public var hardware: String
    public var workload: String
    public var searched: Int
    public var ranked: [Row]
    public var denseTime: Double?
    /// The best mapping as a mapping file (spatial hardware), for `--write-mapping`.
    public var bestYAMLFile: String?

    public init(hardware: HardwareSpec, workload: Workload, top: Int = 5) throws(Diagnostic) {
        self.hardware = hardware.name
        self.workload = workload.name
        switch hardware.kind {
        case .gpu:
            guard !hardware.kernels.isEmpty else {
                throw Diagnostic(file: hardware.file, path: "kernels",
                                 message: "`attnsim map` searches GPU kernel mappings; this file has no `kernels:` profiles")
            }
            guard GPUEngine.supports(hardware: hardware, workload: workload) == .yes else {
                throw Diagnostic(file: workload.file, message: "the GPU mapper does not model pruning schedules yet")
            }
            let all = try GPUEngine.rank(hardware: hardware, workload: workload)
            searched = all.count
            ranked = all.prefix(top + 1).map {
                Row(description: $0.mapping.description, time: $0.cost, mapping: SimulationRecord.Mapping($0.mapping),
                    yaml: $0.mapping.yaml)
            }
            denseTime = try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: all[0].mapping).dense.time
        case .spatial:
            guard workload.mask.isDense && workload.pruning == nil else {
                throw Diagnostic(file: workload.file, message: "the spatial mapper models dense attention only so far")
            }
            let all = try SpatialEngine.rank(hardware: hardware, workload: workload)
            searched = all.count
            bestYAMLFile = all[0].mapping.yaml
            ranked = all.prefix(top + 1).map {
                let m = $0.mapping
                return Row(description: "\(m.dataflow.rawValue) (\(m.cascade)); M0 = P0 = \(m.tile), P1 = \(m.p1), P2 = \(m.p2)",
                           time: $0.cost, mapping: SimulationRecord.Mapping(m), yaml: "kernel: {backend: \(m.dataflow.rawValue)}")
            }
        case .cpu:
            throw Diagnostic(file: hardware.file, path: "kind", message: "`attnsim map` has no CPU mapper yet")
        }
    }

    public var table: String {
        var table = TextTable(title: "attnsim map: \(workload) on \(hardware) — \(searched) mappings searched, by simulated time")
        table.add("rank", "mapping", "time", "vs best")
        for (index, entry) in ranked.enumerated() {
            table.add(index == 0 ? "best" : "\(index + 1)", entry.description, Quantity.format(entry.time, .time),
                      String(format: "%.2f×", entry.time / ranked[0].time))
        }
        if let denseTime {
            table.section("dense baseline with the best backend and tiles: \(Quantity.format(denseTime, .time))")
        }
        table.section("to pin the best mapping in the workload:")
        table.section("  \(ranked[0].yaml)")
        return table.rendered
    }

    public var record: MapRecord {
        MapRecord(hardware: hardware, workload: workload, searched: searched, denseTimeS: denseTime.flatMap(finite),
                  ranked: ranked.map { .init(mapping: $0.mapping, timeS: $0.time) })
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per ranked mapping, best first.
    public var csv: String {
        RecordCSV.text(record.ranked)
    }
}
