import ArgumentParser
import AttnSim

/// `N×N×N` lists on the command line (`30x48x80`; `×` is accepted too).
struct Shape: ExpressibleByArgument {
    var values: [Int]

    init?(argument: String) {
        let parts = argument.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "," })
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count, values.count <= 3 else { return nil }
        self.values = values
    }
}

struct GNACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gna",
        abstract: "Tile work and speedup bounds of generalized neighborhood attention (a NATTEN-simulator superset).",
        discussion: """
            Sizes are per axis, written 30x48x80. Counts are per (batch, head) instance. Example:
              attnsim gna --tokens 30x48x80 --window 18x24x24 --stride 16x8x8 --q-tile 4x8x8 --kv-tile 2x8x8
            """)

    @Option(help: "Token layout, 1-D to 3-D (e.g. 30x48x80).") var tokens: Shape
    @Option(help: "Window per axis.") var window: Shape
    @Option(help: "Stride per axis (default 1).") var stride: Shape?
    @Option(help: "Dilation per axis (default 1).") var dilation: Shape?
    @Option(help: "Causal per axis, 1 or 0 (e.g. 1x0x0).") var causal: Shape?
    @Option(name: .customLong("q-tile"), help: "Q tile shape per axis (single_dim: tokens per tile).") var qTile: Shape
    @Option(name: .customLong("kv-tile"), help: "KV tile shape per axis (single_dim: tokens per tile).") var kvTile: Shape
    @Option(name: .customLong("kv-tiling"), help: "static (fixed KV grid) or dynamic (KV tiles from the window start).")
    var kvTiling: KernelChoice.KVTiling = .static
    @Option(help: "multi_dim (N-D tiles, token permutation) or single_dim (runs of the flattened sequence).")
    var tiling: KernelChoice.Tiling = .multi_dim
    @Option(help: "Batch size.") var batch: Int = 1
    @Option(help: "Heads.") var heads: Int = 1
    @Option(name: .customLong("head-dim"), help: "Head dimension (for FLOP counts).") var headDim: Int = 128
    @Option(help: "SMs or cores, for the wave-aware bound (e.g. 132 for an H100 SXM).") var units: Int?
    @Option(name: .customLong("attention-share"), help: "Share of a model step spent in attention, for the end-to-end roll-up.")
    var attentionShare: Double?
    @Option(help: "Total steps of the model (e.g. diffusion steps).") var steps: Int?
    @Option(name: .customLong("dense-steps"), help: "Steps that keep dense attention.") var denseSteps: Int = 0
    @Flag(name: .customLong("sweep-stride"), help: "Sweep strides: per-axis Pareto fronts and their combinations.")
    var sweepStride = false
    @Flag(help: "Also the backward's KV-major tiles (each KV tile with the Q tiles of its inverse neighbourhood) and bounds.")
    var backward = false
    @Option(help: "Output format: table, json or csv (one row).") var format: OutputFormat = .table

    func run() throws {
        var request = GNAReport.Request(tokens: tokens.values, window: window.values, qTile: qTile.values,
                                        kvTile: kvTile.values)
        request.stride = stride?.values
        request.dilation = dilation?.values
        if let flags = causal?.values, let bad = flags.first(where: { $0 != 0 && $0 != 1 }) {
            try fail("--causal \(flags.map(String.init).joined(separator: "x")): \(bad) is not a flag; expected 1 (causal) or 0 per axis, e.g. 1x0x0")
        }
        request.causal = causal?.values.map { $0 != 0 }
        request.tiling = tiling
        request.kvTiling = kvTiling
        request.batch = batch
        request.heads = heads
        request.headDim = headDim
        request.units = units
        request.backward = backward
        if let attentionShare {
            request.model = ModelRollup(attentionShare: attentionShare, totalSteps: steps, denseSteps: steps == nil ? nil : denseSteps)
        }
        if let share = attentionShare, !(share > 0 && share <= 1) {
            try fail("--attention-share \(share): expected a fraction in (0, 1]")
        }
        if let steps, steps < 1 { try fail("--steps \(steps): expected a whole number ≥ 1") }
        if let steps, !(0...steps).contains(denseSteps) { try fail("--dense-steps \(denseSteps): expected 0…\(steps)") }
        if steps == nil && denseSteps != 0 { try fail("--dense-steps needs --steps (the steps it is a part of)") }
        if attentionShare == nil && steps != nil { try fail("--steps needs --attention-share (the end-to-end roll-up)") }
        let report: GNAReport
        do {
            report = try GNAReport(request, sweepStride: sweepStride)
        } catch {
            try fail("--\(error.field): \(error.message)")
        }
        switch format {
        case .json: print(report.json.serialized())
        case .csv: print(report.csv, terminator: "")
        case .table: print(report.table, terminator: "")
        }
    }

    func fail(_ message: String) throws -> Never { throw badFlag("gna", message) }
}

extension KernelChoice.KVTiling: ExpressibleByArgument {}
extension KernelChoice.Tiling: ExpressibleByArgument {}
