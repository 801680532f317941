/// SpAtten's behavioural model for BERT (the authors' `bert.cpp`, references.md [SpAtten-RTL]), which the paper's BERT
/// results come from: per layer and sentence, cycles = DRAM + fill + drain + top-k, **added, not overlapped**.
///
/// - DRAM = Σ_heads ⌈K transactions / channels⌉ + ⌈V transactions / channels⌉, 32-byte transactions; widths of
///   6 bits and above 8 are stored as 8 bits, 4 bits as 4 (`bert.cpp`);
/// - fill = Σ_heads L·⌈k / keys-per-cycle⌉ (each of the L queries streams its k keys through the QK module);
/// - drain = the QK latency (SRAM 1 + multiply 1 + tree 9) + softmax latency (87) + ⌈k / 8⌉ (FIFO), `bert.cpp`;
/// - top-k = quick-select rounds of n/P + 4 cycles with P = 4, plus ⌈k_in / 8⌉ fill and ⌈k_out / 8⌉ drain, `bert.cpp`.
///
/// Beyond `bert.cpp`: with progressive quantization, the `refetch` share of queries fetches the key LSBs and streams
/// its keys through the QK module a second time (`bert.cpp` has no refetch; without this the recompute would be free
/// and the time could fall below the FLOPs over the MAC arrays' peak); the DRAM term also reads Q and writes the
/// outputs (`activationBits` wide; `bert.cpp` counts K and V only), and `channels` follows the hardware file's
/// bandwidth (16 channels of 32 bytes per cycle on SpAtten's 512 GB/s at 1 GHz).
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
    /// - Parameters: `refetch`: the fraction of queries that refetch the key LSBs (`lsbBits` wide) and recompute.
    public func layer(heads: Int, queries: Int, keys: Int, headDim: Int, keyBits: Double, valueBits: Double,
                      selection: (n: Int, k: Int)?, refetch: Double = 0, lsbBits: Double = 0,
                      activationBits: Double = 0) -> Cycles {
        let transactions = { (rows: Int, bits: Double) in
            (Double(rows) * Double(headDim) * Self.storageBits(bits) / 8 / self.transactionBytes).rounded(.up)
        }
        var perHead = (transactions(keys, keyBits) / channels).rounded(.up)
            + (transactions(keys, valueBits) / channels).rounded(.up)
        if refetch > 0 && lsbBits > 0 { perHead += refetch * (transactions(keys, lsbBits) / channels).rounded(.up) }
        if activationBits > 0 {
            let rows = (Double(queries) * 2 * Double(headDim) * activationBits / 8 / transactionBytes).rounded(.up)
            perHead += (rows / channels).rounded(.up)
        }
        let perQuery = (1 + refetch) * (Double(keys) / keysPerCycle).rounded(.up)
        var topKCycles = 0.0
        if let selection, selection.k < selection.n {
            topKCycles = topK.cycles(n: selection.n, k: selection.k) + (Double(selection.n) / 8).rounded(.up)
                + (Double(selection.k) / 8).rounded(.up)
        }
        return Cycles(dram: Double(heads) * perHead, fill: Double(heads * queries) * perQuery,
                      drain: 11 + 87 + (Double(keys) / 8).rounded(.up), topK: topKCycles)
    }
}
