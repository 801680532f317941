/// The roofline estimate: a kernel takes at least its FLOPs over peak compute and its bytes over peak bandwidth,
/// and at best the larger of the two (Williams, Waterman, Patterson, "Roofline", CACM 2009).
///
/// This is a *lower bound on time*: no launch, no waves, no masked-tile cost. The event simulators refine it.
public struct Roofline: Sendable, Equatable {
    public enum Bottleneck: String, Sendable { case compute, memory }

    public var computeTime: Double
    public var memoryTime: Double

    public init(flops: Double, bytes: Double, peakFLOPs: Double, bandwidth: Double) {
        computeTime = flops / peakFLOPs
        memoryTime = bytes / bandwidth
    }

    public var time: Double { max(computeTime, memoryTime) }
    public var bottleneck: Bottleneck { computeTime >= memoryTime ? .compute : .memory }
    /// Fraction of peak compute in use over `time`.
    public var computeUtilization: Double { time > 0 ? computeTime / time : 0 }
}
