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
    /// GPU masks whose tiles may be boxes of the token layout (GNA): the best mapping in the flattened 1-D order
    /// against the best with multi-dimensional tiles, the token permutation that gathers each box into one tile.
    public var tokenOrder: TokenOrder?

    /// The token-permutation question: which order turns partial tiles into full ones, and what it gains.
    public struct TokenOrder: Sendable {
        public struct Side: Sendable {
            public var description: String
            public var mapping: SimulationRecord.Mapping
            public var time: Double
            /// Visited and fully attended KV tiles of one head's grid.
            public var visited: Int
            public var full: Int
        }
        /// Tiles of the flattened sequence (`tiling: single_dim`).
        public var flattened: Side
        /// Boxes of the token layout gathered by permutation (`tiling: multi_dim`).
        public var permuted: Side
        /// Time in the 1-D order over time with the permutation.
        public var gain: Double { flattened.time / permuted.time }
    }

    /// The best mapping of each tiling, and its grid; nil when the mask has no multi-dimensional tiles or a tiling has
    /// no legal mapping.
    static func tokenOrder(hardware: HardwareSpec, workload: Workload) -> TokenOrder? {
        guard workload.mask.allowsMultiDimTiling, workload.problem.tokens.count > 1 else { return nil }
        func best(_ tiling: KernelChoice.Tiling) -> TokenOrder.Side? {
            var copy = workload
            var kernel = copy.kernel ?? KernelChoice()
            kernel.tiling = .fixed(tiling)
            if tiling == .single_dim {
                // Only 1-D tile shapes are legal in the flattened order.
                kernel.qTile = kernel.qTile?.value.map { .fixed([$0.reduce(1, *)]) } ?? kernel.qTile
                kernel.kvTile = kernel.kvTile?.value.map { .fixed([$0.reduce(1, *)]) } ?? kernel.kvTile
            }
            copy.kernel = kernel
            guard let ranked = try? GPUEngine.rank(hardware: hardware, workload: copy), let first = ranked.first,
                  let outcome = try? GPUEngine.simulate(hardware: hardware, workload: copy, mapping: first.mapping,
                                                        baseline: nil, trace: false, dense: false) else { return nil }
            let heads = copy.mask.headPatterns
            return TokenOrder.Side(description: first.mapping.description, mapping: SimulationRecord.Mapping(first.mapping),
                                   time: first.cost,
                                   visited: outcome.grid.visited / heads, full: outcome.grid.full / heads)
        }
        guard let flattened = best(.single_dim), let permuted = best(.multi_dim) else { return nil }
        return TokenOrder(flattened: flattened, permuted: permuted)
    }

    /// - Parameter top: how many ranked mappings to keep, the best first (at least one).
    public init(hardware: HardwareSpec, workload: Workload, top: Int = 6) throws(Diagnostic) {
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
            ranked = all.prefix(max(1, top)).map {
                Row(description: $0.mapping.description, time: $0.cost, mapping: SimulationRecord.Mapping($0.mapping),
                    yaml: $0.mapping.yaml)
            }
            denseTime = try GPUEngine.simulate(hardware: hardware, workload: workload, mapping: all[0].mapping).dense.time
            tokenOrder = Self.tokenOrder(hardware: hardware, workload: workload)
        case .spatial:
            guard workload.mask.isDense && workload.pruning == nil else {
                throw Diagnostic(file: workload.file, message: "the spatial mapper models dense attention only so far")
            }
            let all = try SpatialEngine.rank(hardware: hardware, workload: workload)
            searched = all.count
            bestYAMLFile = all[0].mapping.yaml
            ranked = all.prefix(max(1, top)).map {
                let m = $0.mapping
                return Row(description: m.summary,
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
        if let order = tokenOrder {
            func side(_ s: TokenOrder.Side) -> String {
                "\(Quantity.format(s.time, .time)), \(s.visited - s.full) of \(s.visited) visited tiles partially masked per head "
                    + "(\(s.description))"
            }
            table.section("token order: tiles of the flattened sequence " + side(order.flattened))
            table.section("  permuted so each tile is a box of the token grid " + side(order.permuted))
            table.section(String(format: "  the permutation gains %.2f×", order.gain))
        }
        table.section("to pin the best mapping in the workload:")
        table.section("  \(ranked[0].yaml)")
        return table.rendered
    }

    public var record: MapRecord {
        MapRecord(hardware: hardware, workload: workload, searched: searched, denseTimeS: denseTime.flatMap(finite),
                  ranked: ranked.map { .init(mapping: $0.mapping, timeS: $0.time) },
                  tokenOrder: tokenOrder.map { order in
                      func side(_ s: TokenOrder.Side) -> MapRecord.TokenOrder.Side {
                          .init(mapping: s.mapping, timeS: s.time, visited: s.visited, full: s.full)
                      }
                      return MapRecord.TokenOrder(flattened: side(order.flattened), permuted: side(order.permuted), gain: order.gain)
                  })
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per ranked mapping, best first.
    public var csv: String {
        RecordCSV.text(record.ranked)
    }
}
