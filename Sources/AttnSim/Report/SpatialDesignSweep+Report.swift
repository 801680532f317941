import Foundation

/// `attnsim spatial-sweep`: a grid of array sides × buffer sizes with the time and what binds at each point.
extension SpatialDesignSweep {
    public func table(workload: String, hardware: String, dataflow: SpatialMapping.Dataflow) -> String {
        let sides = points.map(\.side).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        let buffers = points.map(\.buffer).reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
        var table = TextTable(title: "\(dataflow.rawValue) on \(hardware) resized, \(workload): time per layer "
            + "(C compute-bound, M memory-bound, — does not fit)")
        table.add(["array \\ buffer"] + buffers.map { Quantity.formatNatural($0, .bytes) })
        for side in sides {
            var row = ["\(side)×\(side)"]
            for buffer in buffers {
                guard let point = points.first(where: { $0.side == side && $0.buffer == buffer }),
                      let run = point.evaluation else { row.append("—"); continue }
                row.append("\(Quantity.format(run.time, .time)) \(run.bottleneck == "compute" ? "C" : "M")")
            }
            table.add(row)
        }
        var summary = TextTable()
        for (side, buffer) in minimumBuffers {
            summary.add("\(side)×\(side): smallest compute-bound buffer", buffer.map { Quantity.formatNatural($0, .bytes) } ?? "none swept")
        }
        return table.rendered + summary.rendered
    }

    public var records: [SpatialSweepRecord] {
        points.map { point in
            SpatialSweepRecord(side: point.side, bufferBytes: ByteCount(point.buffer), timeS: point.evaluation.flatMap { finite($0.time) },
                               computeTimeS: point.evaluation.flatMap { finite($0.computeTime) },
                               memoryTimeS: point.evaluation.flatMap { finite($0.memoryTime) }, energyJ: finite(point.energy),
                               bottleneck: point.evaluation?.bottleneck, p1: point.evaluation?.mapping.p1, error: point.problem)
        }
    }

    /// The list `--format json` prints: one object per design.
    public var json: JSONValue { .array(records.map { JSONValue(encoding: $0) }) }

    /// `--format csv`: one row per design.
    public var csv: String { RecordCSV.text(records) }
}
