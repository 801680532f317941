/// The roofs and the speedup waterfall of a result (`simulated.roofs`, `simulated.waterfall`), as the typed record
/// reads them: nil in results written before they were recorded (the roofline then draws no roof, no waterfall is
/// drawn).
extension SweepReport {
    /// One roof per compute unit (`flops_per_s`) and per memory level (`bytes_per_s`).
    public typealias Roofs = SimulationRecord.Simulated.Roofs
    /// One step from the FLOP-wise bound to the predicted speedup: its factor multiplies the speedup, `timeS` is the
    /// time it adds, `speedup` the speedup after it.
    public typealias WaterfallStep = SimulationRecord.Simulated.Waterfall.Step
}
