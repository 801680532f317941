/// Which pass of training a workload describes (`pass:` at the top of a workload file, default `forward`): the
/// forward alone (inference), the backward alone (the gradients dQ, dK, dV given dO and what the forward saved), or
/// a training step's attention, forward then backward.
///
/// ```swift
/// let workload = try Workload.parse(text: "... pass: training ...", file: "wl.yaml")
/// workload.pass.runsBackward   // true
/// ```
public enum TrainingPass: String, Sendable, CaseIterable, Codable {
    case forward, backward, training

    public var runsForward: Bool { self != .backward }
    public var runsBackward: Bool { self != .forward }
}

/// How a backward kernel forms dQ (references.md [FlashAttention-2] §3.2): `atomic` — the KV-major CTAs add their dS·K
/// into an fp32 buffer with atomics, zeroed before and converted to the input dtype after (FlashAttention-2, cuDNN);
/// `separate` — a second, Q-major pass recomputes S and dP and writes dQ directly (FlexAttention launches both kinds
/// of program in one grid). A workload may pick one (`kernel.dq`) or leave it to the mapper (`auto`) among those its
/// backend's profile offers.
public enum BackwardDQ: String, Sendable, CaseIterable {
    case atomic, separate
}

/// The matrix-multiply FLOPs of each pass, per attended (query, key) pair, for head dims E (Q, K) and F (V).
///
/// The forward multiplies QKᵀ and PV: 2(E + F). The backward (references.md [FlashAttention-2] §3.2, Algorithm 2)
/// recomputes S = QKᵀ (2E), then dV = PᵀdO (2F), dP = dO Vᵀ (2F), dQ = dS K (2E) and dK = dSᵀQ (2E): 2(3E + 2F),
/// 2.5 times the forward when E = F, the count the FlashAttention-2 paper divides by for its backward TFLOP/s. A
/// backward that computes dQ in a separate Q-major pass recomputes S and dP there: 2(4E + 3F) in all.
public enum PassFLOPs {
    public static func forward(headDim e: Int, valueDim f: Int) -> Double { 2 * Double(e + f) }
    public static func backward(headDim e: Int, valueDim f: Int) -> Double { 2 * Double(3 * e + 2 * f) }
    /// The KV-major kernel's share when dQ is left to a separate pass: S, dV, dP, dK.
    public static func backwardKeyValue(headDim e: Int, valueDim f: Int) -> Double { 2 * Double(2 * e + 2 * f) }
    /// The separate dQ pass: S and dP recomputed, then dQ.
    public static func backwardQuery(headDim e: Int, valueDim f: Int) -> Double { 2 * Double(2 * e + f) }

    /// FLOPs per attended pair of `pass`: forward, backward (the canonical count) or both.
    public static func perPair(_ pass: TrainingPass, headDim e: Int, valueDim f: Int) -> Double {
        switch pass {
        case .forward: forward(headDim: e, valueDim: f)
        case .backward: backward(headDim: e, valueDim: f)
        case .training: forward(headDim: e, valueDim: f) + backward(headDim: e, valueDim: f)
        }
    }
}
