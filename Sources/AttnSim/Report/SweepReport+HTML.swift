import Foundation

/// The page `attnsim report` writes: one HTML file with inline CSS, SVG and a little JavaScript (sortable tables),
/// nothing fetched from the network. Sections appear only when the sweep has data for them:
///
/// - header: name, description, spec, point and error counts, the axes and their values, the best points (always);
/// - GNA: predicted speedup against the swept stride/window axis, one series per hardware, with the FLOP,
///   tile (NATTEN) and wave-aware upper bounds (results with a tile analysis); past
///   ``SweepReportPage/lineChartLimit`` values, predictions against the axis's product and against each point's
///   bound, and the best points per hardware;
/// - spatial: time against energy with the Pareto front, and time and energy against each array-size or
///   buffer-size axis (results with an energy, or axes that resize a spatial design);
/// - roofline: achieved FLOP/s against arithmetic intensity (results with FLOPs, DRAM bytes and a time);
/// - utilization: per-unit busy fractions of the points with the best predicted speedup;
/// - cross-check: predicted against measured speedup and the error histograms (`crosscheck.json`);
/// - tables: every point (sortable, filterable, capped at ``tableLimit`` rows) and every error point.
///
/// ``SweepReportPage`` builds it, one file per section; every string from the data goes through ``HTML``, which
/// escapes it. Building the page is O(points · axes²) (finding which axes follow which) plus
/// O(points · log points) for sorting.
extension SweepReport {
    /// Rows of the points table; a larger sweep lists its best points (highest predicted speedup, then shortest time)
    /// and says where the rest are.
    public static let tableLimit = 1000
    /// Markers per scatter chart: markers that would overlap are drawn once, and past this many positions an even
    /// subsample is drawn (always with the whole Pareto front).
    public static let markerLimit = 2500
    /// Points in the utilization chart.
    public static let utilizationLimit = 16

    /// The whole page. The same report gives the same bytes (no timestamps, no hash-ordered iteration).
    public func html() -> String {
        SweepReportPage(report: self).rendered().rendered
    }
}
