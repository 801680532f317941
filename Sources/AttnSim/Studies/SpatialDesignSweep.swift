/// A design sweep of a spatial accelerator: the 2D array's side (the 1D array scaled with it) × the global
/// buffer, one workload, one dataflow. Each point says whether it is compute- or memory-bound, which is where
/// FuseMax's claim "buffers independent of sequence length" shows: past a small buffer more capacity buys nothing.
public struct SpatialDesignSweep: Sendable {
    public struct Point: Sendable {
        public var side: Int
        public var buffer: Double
        /// nil when the mapping does not fit (the buffer is too small for the dataflow's minimum blocks).
        public var evaluation: SpatialEvaluation?
        /// Joules, full accounting (nil without per-action energies in the hardware file).
        public var energy: Double?
        public var problem: String?
    }

    public var points: [Point]

    /// The array sides a sweep may try: those a hardware file may give (`shape:`), so no product of lanes overflows.
    public static let sides = 1...HardwareSpec.maxArraySide
    /// The global buffers a sweep may try, in bytes: those a hardware file may give (`Dimension.plausibleRange`).
    public static let buffers = Dimension.bytes.plausibleRange

    public init(hardware: HardwareSpec, workload: Workload, dataflow: SpatialMapping.Dataflow, sides: [Int],
                buffers: [Double]) throws(Diagnostic) {
        var points: [Point] = []
        for side in sides {
            for buffer in buffers {
                let variant = try Self.variant(hardware, side: side, buffer: buffer)
                do {
                    let mapping = try SpatialMapper.mapping(dataflow, hardware: variant, workload: workload)
                    let run = try SpatialEngine.evaluate(mapping, hardware: variant, problem: workload.problem)
                    points.append(Point(side: side, buffer: buffer, evaluation: run,
                                        energy: run.energy(hardware: variant)?.total))
                } catch {
                    points.append(Point(side: side, buffer: buffer, evaluation: nil, problem: error.message))
                }
            }
        }
        self.points = points
    }

    /// The hardware with its 2D array resized to side × side, its 1D array to side lanes, and its global buffer
    /// (the first sized level inside DRAM) to `buffer` bytes; bandwidth and clock unchanged.
    public static func variant(_ hardware: HardwareSpec, side: Int, buffer: Double) throws(Diagnostic) -> HardwareSpec {
        var spec = hardware
        guard sides.contains(side) else {
            throw Diagnostic(file: hardware.file, message: "a swept array side of \(side) PEs; expected \(sides.lowerBound) "
                + "to \(sides.upperBound), as in a hardware file's `shape:`")
        }
        guard buffers.contains(buffer) else {
            throw Diagnostic(file: hardware.file, message: "a swept buffer of \(Quantity.format(buffer, .bytes)); expected "
                + "\(Quantity.format(buffers.lowerBound, .bytes)) to \(Quantity.format(buffers.upperBound, .bytes))")
        }
        spec.arrays = spec.arrays.map { array in
            var resized = array
            resized.shape = array.shape.count == 2 ? [side, side] : [side]
            return resized
        }
        guard let index = spec.sharedBufferIndex else {
            throw Diagnostic(file: hardware.file, path: "memory", message: "no on-chip buffer level to resize")
        }
        spec.memory[index].size = buffer
        return spec
    }

    /// Per array side, the smallest swept buffer at which the point is compute-bound (nil: none is).
    public var minimumBuffers: [(side: Int, buffer: Double?)] {
        let sides = points.map(\.side).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        return sides.map { side in
            (side, points.filter { $0.side == side && $0.evaluation?.bottleneck == "compute" }.map(\.buffer).min())
        }
    }
}
