/// The Chrome trace event format (JSON object form) that Perfetto and chrome://tracing open: one track per SM
/// (a thread per resident CTA slot of that SM), one complete ("X") slice per CTA, times in microseconds. The first
/// key is attnsim's `schema_version` (trace viewers skip keys they do not know).
public enum ChromeTrace {
    public static func json(_ simulation: GPUSimulation, hardware: String, workload: String) -> JSONValue {
        var events: [JSONValue] = [
            .object([("name", .string("process_name")), ("ph", .string("M")), ("pid", .number(0)),
                     ("args", .object([("name", .string("\(workload) on \(hardware)"))]))]),
        ]
        let slotsPerSM = simulation.ctasPerSM
        for sm in 0..<(simulation.slots / max(1, slotsPerSM)) {
            for slot in 0..<slotsPerSM {
                let tid = sm * slotsPerSM + slot
                let name = slotsPerSM == 1 ? "SM \(sm)" : "SM \(sm) slot \(slot)"
                events.append(.object([("name", .string("thread_name")), ("ph", .string("M")), ("pid", .number(0)),
                                       ("tid", .number(Double(tid))), ("args", .object([("name", .string(name))]))]))
                events.append(.object([("name", .string("thread_sort_index")), ("ph", .string("M")),
                                       ("pid", .number(0)), ("tid", .number(Double(tid))),
                                       ("args", .object([("sort_index", .number(Double(tid)))]))]))
            }
        }
        for slice in simulation.trace {
            events.append(.object([
                ("name", .string("h\(slice.instance) q\(slice.qTile)")),
                ("cat", .string("cta")),
                ("ph", .string("X")),
                ("pid", .number(0)),
                ("tid", .number(Double(slice.sm * slotsPerSM + slice.slot))),
                ("ts", .number(slice.start * 1e6)),
                ("dur", .number(slice.duration * 1e6)),
                ("args", .object([("visited", .number(Double(slice.visited))), ("full", .number(Double(slice.full))),
                                  ("partial", .number(Double(slice.visited - slice.full)))])),
            ]))
        }
        return .object([("schema_version", JSONValue(encoding: SchemaVersion.current)), ("traceEvents", .array(events)),
                        ("displayTimeUnit", .string("ns"))])
    }
}
