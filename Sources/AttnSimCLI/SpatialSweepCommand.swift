import ArgumentParser
import AttnSim

struct SpatialSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spatial-sweep",
        abstract: "Sweep a spatial accelerator's array side and global buffer for one workload and dataflow.")

    @Argument(help: "Spatial hardware file (the starting design).") var hardware: String
    @Argument(help: "Workload file.") var workload: String
    @Option(help: "Dataflow: fusemax, fusemax-arch, fusemax-cascade, flat or unfused.") var dataflow: String = "fusemax"
    @Option(help: "2D array sides, comma-separated (the 1D array scales with them).") var sides: String = "16,32,64,128,256,512"
    @Option(help: "Global buffer sizes, comma-separated, with units.")
    var buffers: String = "16 KiB,32 KiB,64 KiB,128 KiB,256 KiB,512 KiB,1 MiB,2 MiB,16 MiB"
    @Option(help: "Output format: table, json or csv (one row per design).") var format: OutputFormat = .table

    func run() throws {
        guard let flow = SpatialMapping.Dataflow(rawValue: dataflow) else {
            printError("attnsim spatial-sweep: error: --dataflow \(dataflow): expected one of "
                + SpatialMapping.Dataflow.allCases.map(\.rawValue).joined(separator: ", "))
            throw ExitCode(2)
        }
        let sideValues = sides.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let sideRange = SpatialDesignSweep.sides
        guard !sideValues.isEmpty, sideValues.allSatisfy({ sideRange.contains($0 ?? 0) }) else {
            printError("attnsim spatial-sweep: error: --sides \(sides): expected whole numbers from \(sideRange.lowerBound) "
                + "to \(sideRange.upperBound) (PEs per side, as in a hardware file), comma-separated")
            throw ExitCode(2)
        }
        var bufferValues: [Double] = []
        let bufferRange = SpatialDesignSweep.buffers
        for text in buffers.split(separator: ",") {
            let value: Double
            do {
                value = try Quantity.parse(String(text), as: .bytes)
            } catch {
                printError("attnsim spatial-sweep: error: --buffers \"\(text)\": \(error.message)")
                throw ExitCode(2)
            }
            guard bufferRange.contains(value) else {
                printError("attnsim spatial-sweep: error: --buffers \"\(text)\": expected "
                    + "\(Quantity.format(bufferRange.lowerBound, .bytes)) to \(Quantity.format(bufferRange.upperBound, .bytes))")
                throw ExitCode(2)
            }
            bufferValues.append(value)
        }
        let (sweep, hw, wl) = try reportingDiagnostics { () throws(Diagnostic) in
            let hw = try HardwareSpec.load(path: hardware)
            let wl = try Workload.load(path: workload)
            return (try SpatialDesignSweep(hardware: hw, workload: wl, dataflow: flow, sides: sideValues.compactMap { $0 },
                                           buffers: bufferValues), hw, wl)
        }
        switch format {
        case .json: print(sweep.json.serialized())
        case .csv: print(sweep.csv, terminator: "")
        case .table: print(sweep.table(workload: wl.name, hardware: hw.name, dataflow: flow), terminator: "")
        }
    }
}
