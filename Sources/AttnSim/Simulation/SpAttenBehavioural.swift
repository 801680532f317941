/// SpAtten's behavioural model for BERT (the authors' `bert.cpp`, references.md [SpAtten-RTL]), which the paper's BERT
/// results come from: per layer and sentence, cycles = DRAM + fill + drain + top-k, **added, not overlapped**.
///
/// - DRAM = Σ_heads ⌈K transactions / channels⌉ + ⌈V transactions / channels⌉, 32-byte transactions; widths of
///   6 bits and above 8 are stored as 8 bits, 4 bits as 4 (`bert.cpp`);
/// - fill = Σ_heads L·⌈k / keys-per-cycle⌉ (each of the L queries streams its k keys through the QK module);
/// - drain = the QK latency (SRAM 1 + multiply 1 + tree 9) + softmax latency (87) + ⌈k / 8⌉ (FIFO), `bert.cpp`;
/// - top-k = quick-select rounds of n/P + 4 cycles with P = 4, plus ⌈k_in / 8⌉ fill and ⌈k_out / 8⌉ drain, `bert.cpp`.
public struct SpAttenBehavioural: Sendable {
    public var channels: Double = 16
    public var transactionBytes: Double = 32
    /// Keys per cycle of the QK module (multipliers / head_dim: 512 / 64 = 8 on full SpAtten).
    public var keysPerCycle: Double
    public var topK = TopKEngine(comparators: 4, roundOverhead: 4)
    public var clock: Double

    public init(keysPerCycle: Double, clock: Double) {
        self.keysPerCycle = keysPerCycle
        self.clock = clock
    }

    public struct Cycles: Sendable, Equatable {
        public var dram: Double
        public var fill: Double
        public var drain: Double
        public var topK: Double
        public var total: Double { dram + fill + drain + topK }
    }

    static func storageBits(_ bits: Double) -> Double { bits <= 4 ? 4 : 8 }

    /// One layer of one sentence: `heads` heads of `queries` queries over `keys` keys.
    public func layer(heads: Int, queries: Int, keys: Int, headDim: Int, keyBits: Double, valueBits: Double,
                      selection: (n: Int, k: Int)?) -> Cycles {
        let transactions = { (bits: Double) in
            (Double(keys) * Double(headDim) * Self.storageBits(bits) / 8 / self.transactionBytes).rounded(.up)
        }
        let perHead = (transactions(keyBits) / channels).rounded(.up) + (transactions(valueBits) / channels).rounded(.up)
        let perQuery = (Double(keys) / keysPerCycle).rounded(.up)
        var topKCycles = 0.0
        if let selection, selection.k < selection.n {
            topKCycles = topK.cycles(n: selection.n, k: selection.k) + (Double(selection.n) / 8).rounded(.up)
                + (Double(selection.k) / 8).rounded(.up)
        }
        return Cycles(dram: Double(heads) * perHead, fill: Double(heads * queries) * perQuery,
                      drain: 11 + 87 + (Double(keys) / 8).rounded(.up), topK: topKCycles)
    }
}
