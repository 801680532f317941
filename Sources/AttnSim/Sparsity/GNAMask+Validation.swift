/// The rules a GNA mask must satisfy (references.md [GNA §3.1], NATTEN's `checks.py`): one value per token axis,
/// 2 ≤ window, window·dilation ≤ tokens, 1 ≤ stride ≤ window, dilation ≥ 1. Shared by the workload loader
/// and `attnsim gna`.
public struct GNAMaskProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending field: `window`, `stride`, `dilation` or `causal`.
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

extension GNAMask {
    public static func check(tokens: [Int], window: [Int], stride: [Int], dilation: [Int], causal: [Bool])
        -> GNAMaskProblem? {
        let axes = tokens.count
        for (field, count) in [("window", window.count), ("stride", stride.count), ("dilation", dilation.count),
                               ("causal", causal.count)] where count != axes {
            return GNAMaskProblem(field: field, message: "expected \(axes) value(s), one per token axis of "
                + "\(tokens.map(String.init).joined(separator: "×")), found \(count)")
        }
        for axis in 0..<axes {
            let (w, s, d, l) = (window[axis], stride[axis], dilation[axis], tokens[axis])
            if d < 1 { return GNAMaskProblem(field: "dilation", message: "dilation \(d) on axis \(axis); expected at least 1") }
            if w < 2 {
                return GNAMaskProblem(field: "window", message: "window \(w) on axis \(axis) is too small; expected at least 2")
            }
            if w > l / d {                           // w·d > l, without overflowing for absurd w and d
                let dilationText = d > 1 ? " × dilation \(d)" : ""
                return GNAMaskProblem(field: "window", message: "window \(w)\(dilationText) on axis \(axis) is larger "
                    + "than the \(l) tokens of that axis; expected window·dilation ≤ tokens")
            }
            if s < 1 || s > w {
                return GNAMaskProblem(field: "stride", message: "stride \(s) on axis \(axis) is outside 1…\(w); "
                    + "expected 1 ≤ stride ≤ window")
            }
        }
        return nil
    }
}
