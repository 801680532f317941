import Foundation

/// `attnsim map`: the mapper's ranking for a (hardware, workload) pair — the best mapping, its runners-up, the
/// size of the space searched, and the `kernel:` block that pins the winner in a workload file.
public struct MappingReport: Sendable {
    public var hardware: String
    public var workload: String
    public var searched: Int
    public var ranked: [RankedMapping<GPUMapping>]
    public var denseTime: Double

    public init(hardware: HardwareSpec, workload: Workload, top: Int = 5) throws(Diagnostic) {
        guard hardware.kind == .gpu, !hardware.kernels.isEmpty else {
            throw Diagnostic(file: hardware.file, path: "kernels",
                             message: "`attnsim map` searches GPU kernel mappings; this file has no `kernels:` profiles")
        }
        guard GPUEngine.supports(workload) else {
            throw Diagnostic(file: workload.file, message: "the GPU mapper does not model pruning schedules or block masks yet")
        }
        let all = try GPUEngine.rank(hardware: hardware, workload: workload)
        self.hardware = hardware.name
        self.workload = workload.name
        searched = all.count
        ranked = Array(all.prefix(top + 1))
        denseTime = try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: all[0].mapping).dense.time
    }

    public var table: String {
        var table = TextTable(title: "attnsim map: \(workload) on \(hardware) — \(searched) mappings searched, by simulated time")
        table.add("rank", "mapping", "time", "vs best")
        for (index, entry) in ranked.enumerated() {
            table.add(index == 0 ? "best" : "\(index + 1)", entry.mapping.description, Quantity.format(entry.cost, .time),
                      String(format: "%.2f×", entry.cost / ranked[0].cost))
        }
        table.section("dense baseline with the best backend and tiles: \(Quantity.format(denseTime, .time))")
        table.section("to pin the best mapping in the workload:")
        table.section("  \(ranked[0].mapping.yaml)")
        return table.rendered
    }

    public var json: JSONValue {
        .object([
            ("hardware", .string(hardware)), ("workload", .string(workload)),
            ("searched", .number(Double(searched))),
            ("dense_time_s", .number(denseTime)),
            ("ranked", .array(ranked.map { .object([("mapping", SimulationResult.json($0.mapping)), ("time_s", .number($0.cost))]) })),
        ])
    }
}
