import Foundation

/// The page `attnsim report` writes: one HTML file with inline CSS, the points and the Vega-Lite specs of its charts
/// as one JSON block, the vendored Vega and Vega-Lite (``VegaLibrary``) and a script that renders them; nothing is
/// fetched from the network. Sections appear only when the sweep has data for them:
///
/// - header: name, description, spec, point and error counts, the axes and their values, the best points (always);
/// - GNA (results with a tile analysis): heatmaps of the predicted speedup over two dimensions (list-valued axes split
///   into components), panels by the rest, the colour switchable to the FLOP, tile and wave-aware upper bounds and to
///   prediction ÷ tile bound; predictions against a chosen bound with y = x; counts above each bound; the best points;
/// - pruning (a swept keep ratio): speedup, time and DRAM traffic against the keep ratio, one line per target;
/// - spatial: time against energy with the Pareto front, and heatmaps of time and energy over array size × buffer;
/// - time: predicted time against a swept hardware resource;
/// - roofline: achieved FLOP/s against FLOP per DRAM byte, with a roof per compute unit and per memory level;
/// - waterfall: the steps from the FLOP bound to the predicted speedup, for the best point of each hardware and for
///   the point clicked;
/// - utilization, cross-check, and the points table (sortable, filterable, filtered by a brush on any chart) and errors.
extension SweepReport {
    /// Rows of the points table the script shows at once (of those that pass the filters).
    public static let tableLimit = 1000
    /// Points in the utilization chart.
    public static let utilizationLimit = 16

    /// What `attnsim report` may choose: the heatmaps' x and y dimensions (`mask.stride[0]`, `hardware`, ...).
    public struct Options: Sendable {
        public var x: String?
        public var y: String?

        public init(x: String? = nil, y: String? = nil) {
            self.x = x
            self.y = y
        }
    }

    /// The whole page. The same report, options and library give the same bytes (no timestamps, no hash-ordered
    /// iteration). An unknown `--x`/`--y` axis is a diagnostic naming the known ones.
    public func html(options: Options = .init(), library: VegaLibrary) throws(Diagnostic) -> String {
        try SweepReportPage(report: self, options: options).rendered(library: library).rendered
    }
}
