import Foundation

/// `attnsim hw show`: the normalized spec (SI values printed back with units) and the derived figures.
extension HardwareSpec {
    public var table: String {
        var table = TextTable(title: "\(name) (\(kind.rawValue))" + (description.map { ": \($0)" } ?? ""))
        table.add("clock", Quantity.format(clock, .frequency))
        if let units { table.add("units", "\(units.count) × \(units.name)") }
        for (dtype, rate) in matrix.sorted(by: { $0.key < $1.key }) {
            table.add("matrix \(dtype.rawValue)", Quantity.format(rate, .flopRate))
        }
        for (dtype, rate) in vector.sorted(by: { $0.key < $1.key }) {
            table.add("vector \(dtype.rawValue)", Quantity.format(rate, .flopRate))
        }
        if let simd {
            table.add("SIMD", "\(Quantity.format(simd.width * 8, .number)) bit, \(Quantity.format(simd.fmaPerCycle, .number)) FMA/cycle")
        }
        if let word { table.add("word", "\(Quantity.format(word * 8, .number)) bit") }
        for array in arrays {
            let shape = array.shape.map(String.init).joined(separator: "×")
            table.add("array \(array.name)", "\(shape) = \(array.lanes) PEs, ops: \(array.ops.map(\.rawValue).joined(separator: ", "))")
        }
        table.section("memory (outer to inner)")
        for level in memory {
            var parts: [String] = []
            if let size = level.size { parts.append(Quantity.formatNatural(size, .bytes)) }
            if let bandwidth = level.bandwidth { parts.append(Quantity.formatNatural(bandwidth, .bandwidth)) }
            if let burst = level.burst { parts.append("burst " + Quantity.formatNatural(burst, .bytes)) }
            if level.perUnit { parts.append("per \(units?.name ?? "unit")") }
            table.add(level.name, parts.joined(separator: ", "))
        }
        if let launchOverhead { table.add("launch overhead", Quantity.format(launchOverhead, .time)) }
        if let eager {
            table.add("eager dispatch", "host \(Quantity.format(eager.op, .time)) per aten operation + "
                      + "\(Quantity.format(eager.kernel, .time)) per kernel; GPU \(Quantity.format(eager.gap, .time)) per kernel")
        }
        if !energy.isEmpty {
            table.section("energy per action")
            for action in EnergyAction.allCases {
                if let joules = energy[action] { table.add(action.rawValue, Quantity.format(joules, .energy)) }
            }
        }
        table.section("derived")
        for dtype in supportedDTypes {
            guard let peak = peakFLOPs(dtype) else { continue }
            var line = Quantity.format(peak, .flopRate)
            if let perUnit = peakFLOPsPerUnit(dtype), let perCycle = flopsPerCyclePerUnit(dtype) {
                let unit = kind == .spatial ? "PE" : (units?.name ?? "unit")
                line += "; per \(unit): \(Quantity.format(perUnit, .flopRate)) = \(String(format: "%.1f", perCycle)) FLOP/cycle"
            }
            if let ridge = ridgePoint(dtype) { line += "; ridge \(String(format: "%.1f", ridge)) FLOP/B" }
            // Spatial arrays have one peak, whatever the element type (one op per PE per cycle).
            table.add(kind == .spatial ? "peak" : "peak \(dtype.rawValue)", line)
            if kind == .spatial { break }
        }
        if !kernels.isEmpty {
            // Each profile as the file gives it (the loader's keys), its sources included.
            table.section("kernel profiles")
            for name in kernels.keys.sorted() {
                for line in kernels[name]!.yaml(name: name, indent: "  ").split(separator: "\n") { table.section(String(line)) }
            }
        }
        if !sources.isEmpty {
            table.section("sources")
            for source in sources { table.section("  - \(source)") }
        }
        return table.rendered
    }

    public var record: HardwareRecord {
        func rates(_ map: [DType: Double]) -> OrderedMap<Double>? {
            map.isEmpty ? nil : OrderedMap(map.sorted { $0.key < $1.key }.map { (key: $0.key.rawValue, value: $0.value) })
        }
        return HardwareRecord(
            name: name, kind: kind.rawValue, description: description, clockHz: clock,
            units: units.map { .init(name: $0.name, count: $0.count) }, matrixFlops: rates(matrix), vectorFlops: rates(vector),
            wordBytes: word, arrays: arrays.isEmpty ? nil : arrays.map { .init(name: $0.name, shape: $0.shape, ops: $0.ops.map(\.rawValue)) },
            memory: memory.map {
                .init(name: $0.name, sizeBytes: ByteCount($0.size), bandwidthBytesPerS: finite($0.bandwidth), perUnit: $0.perUnit,
                      burstBytes: ByteCount($0.burst))
            },
            derived: OrderedMap(supportedDTypes.map { dtype in
                (key: dtype.rawValue, value: .init(peakFlops: finite(peakFLOPs(dtype)), peakFlopsPerUnit: finite(peakFLOPsPerUnit(dtype)),
                                                   flopsPerCyclePerUnit: finite(flopsPerCyclePerUnit(dtype)),
                                                   ridgeFlopPerByte: finite(ridgePoint(dtype))))
            }),
            kernels: kernels.isEmpty ? nil : OrderedMap(kernels.keys.sorted().map { name in
                (key: name, value: Self.kernelRecord(kernels[name]!))
            }),
            sources: sources)
    }

    static func kernelRecord(_ profile: KernelProfile) -> HardwareRecord.Kernel {
        func byHeadDim(_ table: [Int: Double]) -> OrderedMap<Double>? {
            table.isEmpty ? nil : OrderedMap(table.sorted { $0.key < $1.key }.map { (key: String($0.key), value: $0.value) })
        }
        var record = HardwareRecord.Kernel(masks: profile.masks, qTileTokens: profile.qTileTokens,
                                           kvTileTokens: profile.kvTileTokens, efficiency: profile.efficiency,
                                           efficiencyByHeadDim: byHeadDim(profile.efficiencyByHeadDim),
                                           perCTAS: profile.perCTA, hostOverheadS: profile.hostOverhead)
        record.backward = profile.backward.map { backward in
            .init(dq: backward.variants.map(\.rawValue), qTileTokens: backward.qTileTokens, kvTileTokens: backward.kvTileTokens,
                  efficiency: backward.efficiency, efficiencyByHeadDim: byHeadDim(backward.efficiencyByHeadDim),
                  hostOverheadS: backward.hostOverhead, deterministic: backward.deterministic)
        }
        return record
    }

    public var json: JSONValue { JSONValue(encoding: record) }
}
