/// The attention cascades of FuseMax §IV (references.md [FuseMax]), by name.
///
/// ```swift
/// let cascade = Cascade.preset(named: "attention-1pass")   // Cascade 5, Einsums (39)–(56)
/// cascade?.passes().total                                 // 1
/// ```
extension Cascade {
    /// The forward presets (`cascade:`): `attention-3pass`, `attention-2pass`, `attention-1pass`, `unfused`.
    /// ``preset(named:)`` also knows ``backwardPresetNames`` (`backward_cascade:`, `Cascade+Backward.swift`).
    public static let presetNames = ["attention-3pass", "attention-2pass", "attention-1pass", "unfused"]
    /// The backward cascades: `attention-backward` (FlashAttention-2's), `attention-backward-d-from-p`,
    /// `attention-backward-recompute`.
    public static let backwardPresetNames = ["attention-backward", "attention-backward-d-from-p",
                                             "attention-backward-recompute"]

    /// The named preset, or nil for an unknown name. Parsed once per process (design sweeps ask for them per point).
    public static func preset(named name: String) -> Cascade? {
        parsedPresets[name]
    }

    private static let parsedPresets: [String: Cascade] = {
        var presets: [String: Cascade] = [:]
        for name in presetNames + backwardPresetNames {
            let lines: [String]
            switch name {
            case "attention-3pass", "unfused": lines = threePass
            case "attention-2pass": lines = twoPass
            case "attention-backward": lines = backward
            case "attention-backward-d-from-p": lines = backwardDFromP
            case "attention-backward-recompute": lines = backwardRecompute
            default: lines = onePass
            }
            presets[name] = try? Cascade.parse(name: name, lines: lines)
        }
        return presets
    }()

    /// `attention-3pass`: Cascade 4, Einsums (33)–(38) of FuseMax (references.md [FuseMax §IV]), the numerically stable
    /// softmax used by PyTorch, TensorFlow, FLAT and E.T. Pass 1: QK, GM; pass 2: SN, SD; pass 3: A, AV.
    /// The `1/sqrt(E)` scale of (22) is dropped, as in the paper (footnote 4).
    ///
    /// `unfused` is the same cascade: the unfused baseline differs from FLAT in dataflow (QK, then the 3-pass
    /// softmax on the 1D array, then AV, through DRAM), not in its Einsums (references.md [FuseMax-artifact]
    /// `unfused.py`).
    static let threePass = [
        "QK[m,p] = Q[e,p] * K[e,m]",            // (33)
        "GM[p] = max_m QK[m,p]",                // (34)  QK[m,p] :: ∨m max(∪)
        "SN[m,p] = exp(QK[m,p] - GM[p])",       // (35)
        "SD[p] = SN[m,p]",                      // (36)  sum over m
        "A[m,p] = SN[m,p] / SD[p]",             // (37)
        "AV[f,p] = A[m,p] * V[f,m]",            // (38)
    ]

    /// `attention-2pass`: the 2-pass cascade of FuseMax §IV (TileFlow; Choi et al.), given there only in prose;
    /// these Einsums are attnsim's reconstruction from that prose: per-M0-tile local max, local numerator and
    /// denominator in pass 1, then the correction by the global max in pass 2. K and V are tiled as in
    /// Einsums (39)–(40).
    static let twoPass = [
        "BK[e,m1,m0] = K[e,m1*M0+m0]",                  // (39)
        "BV[f,m1,m0] = V[f,m1*M0+m0]",                  // (40)
        "BQK[m1,m0,p] = Q[e,p] * BK[e,m1,m0]",          // pass 1
        "LM[m1,p] = max_m0 BQK[m1,m0,p]",               //   local max
        "SLN[m1,m0,p] = exp(BQK[m1,m0,p] - LM[m1,p])",  //   local numerator
        "SLD[m1,p] = SLN[m1,m0,p]",                     //   local denominator (sum over m0)
        "GM[p] = max_m1 LM[m1,p]",                      //   global max from the local maxima
        "C[m1,p] = exp(LM[m1,p] - GM[p])",              // pass 2: correction factor
        "SD[p] = SLD[m1,p] * C[m1,p]",                  //   sum over m1; reads only M1-length fibers
        "A[m1,m0,p] = SLN[m1,m0,p] * C[m1,p] / SD[p]",  //   rereads the M fiber
        "AV[f,p] = A[m1,m0,p] * BV[f,m1,m0]",
    ]

    /// `attention-1pass`: Cascade 5, Einsums (39)–(56) of FuseMax (references.md [FuseMax §IV]), FlashAttention-2's
    /// online softmax with the division deferred to the end; FuseMax runs it (FuseMax Mapping 1).
    /// (43) initializes `RNV[m1:m1=0,p]` in the paper but later Einsums index it `[f,m1,p]`; it is written here
    /// with `f` so every access has three indices. The stopping condition (56) `◇: m1 ≥ M1` is the size of m1.
    static let onePass = [
        "BK[e,m1,m0] = K[e,m1*M0+m0]",                      // (39)
        "BV[f,m1,m0] = V[f,m1*M0+m0]",                      // (40)
        "RM[m1:m1=0,p] = -inf",                             // (41)
        "RD[m1:m1=0,p] = 0",                                // (42)
        "RNV[f,m1:m1=0,p] = 0",                             // (43)
        "BQK[m1,m0,p] = Q[e,p] * BK[e,m1,m0]",              // (44)
        "LM[m1,p] = max_m0 BQK[m1,m0,p]",                   // (45) local max of one M0 tile
        "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])",             // (46) running max
        "SLN[m1,m0,p] = exp(BQK[m1,m0,p] - RM[m1+1,p])",    // (47) local numerator
        "SLD[m1,p] = SLN[m1,m0,p]",                         // (48) local denominator
        "SLNV[f,m1,p] = SLN[m1,m0,p] * BV[f,m1,m0]",        // (49) local numerator × V
        "PRM[m1,p] = exp(RM[m1,p] - RM[m1+1,p])",           // (50) correction factor
        "SPD[m1,p] = RD[m1,p] * PRM[m1,p]",                 // (51) rescaled previous denominator
        "RD[m1+1,p] = SLD[m1,p] + SPD[m1,p]",               // (52) running denominator
        "SPNV[f,m1,p] = RNV[f,m1,p] * PRM[m1,p]",           // (53) rescaled previous numerator × V
        "RNV[f,m1+1,p] = SLNV[f,m1,p] + SPNV[f,m1,p]",      // (54) running numerator × V
        "AV[f,p] = RNV[f,M1,p] / RD[M1,p]",                 // (55) deferred division
    ]
}
