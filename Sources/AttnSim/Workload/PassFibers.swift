/// The fibers a multi-pass cascade carries from one pass over a rank to a later one: what FuseMax §III says every
/// extra pass costs (references.md [FuseMax]) — a tensor over the rank and the query rank, produced in pass a and read
/// again in a later pass b, must have its whole fiber (M elements per query row) either kept on chip across the pass
/// boundary or written out and read back.
///
/// Counted in words per (key, query) pair, so that a caller scales by its own M × P (a mask's visited share, batch ×
/// heads):
/// - ``heldPerPair``: words per pair alive across the worst pass boundary (produced at or before it, read after it) —
///   what holding the fibers on chip needs;
/// - ``writtenPerPair`` / ``readPerPair``: what spilling them moves — each crossing tensor written once by the pass
///   that produces it and read back once by every later pass that reads it.
///
/// ```swift
/// let fibers = try Cascade.preset(named: "attention-3pass")!
///     .passFibers(binding: .attention(M: 1024, P: 1024, E: 64, F: 64))
/// fibers.heldPerPair                          // 1: QK across the 1|2 boundary, SN across 2|3
/// fibers.writtenPerPair + fibers.readPerPair  // 4: QK and SN each written once and read once
/// ```
///
/// The spatial engine charges every multi-pass cascade through this one count: FLAT's 3-pass forward (its scores kept
/// in the buffer when a row block's fit, else through DRAM) and the multi-pass backward cascades.
public struct PassFibers: Sendable, Equatable {
    /// One tensor carried over a pass boundary.
    public struct Crossing: Sendable, Equatable {
        public var tensor: String
        /// The pass of the Einsum producing it (its last extended producer).
        public var producedIn: Int
        /// The later passes that read it, ascending, each once (Einsums of one pass read it in the same traversal).
        public var readIn: [Int]
        /// Words of the tensor per (key, query) pair: 1 for a score-shaped `P[m,p]`.
        public var wordsPerPair: Double
    }

    /// The rank whose passes are counted (`m`) and the query rank (`p`) the fibers are per row of.
    public var rank: String
    public var queryRank: String
    public var crossings: [Crossing]

    /// Words per pair that must stay on chip across the worst pass boundary.
    public var heldPerPair: Double {
        let last = crossings.flatMap(\.readIn).max() ?? 0
        guard last > 1 else { return 0 }
        return (1..<last).map { boundary in
            crossings.filter { $0.producedIn <= boundary && ($0.readIn.last ?? 0) > boundary }
                .reduce(0) { $0 + $1.wordsPerPair }
        }.max() ?? 0
    }

    /// Words per pair a spill writes: every crossing tensor once.
    public var writtenPerPair: Double { crossings.reduce(0) { $0 + $1.wordsPerPair } }

    /// Words per pair a spill reads back: every crossing tensor once per later pass reading it.
    public var readPerPair: Double { crossings.reduce(0) { $0 + $1.wordsPerPair * Double($1.readIn.count) } }
}

extension Cascade {
    /// The pass each Einsum runs in (0 for initialization): the earliest the pass analysis allows (``PassAnalysis``),
    /// except that an Einsum whose output still carries `rank` — nothing of it reduced away, so any pass can form it —
    /// runs in the pass of its first reader, so that its fiber is not carried over a boundary for nothing (dP of
    /// `attention-backward-recompute` reads only dO and V: pass 1 at the earliest, formed in pass 3 where dS reads it).
    public func scheduledPasses(over rank: String = "m") -> [Int] {
        var pass = passes(over: rank).entries.map(\.pass)
        for index in einsums.indices.reversed() where sections[index] == .extended {
            guard einsums[index].output.carriesRank(ofFamily: rank), einsums[index].iterativeRank == nil else { continue }
            let readers = einsums.indices.filter { reader in
                reader > index && sections[reader] == .extended && einsums[reader].reads.contains { $0.name == einsums[index].name }
            }
            if let first = readers.map({ pass[$0] }).min(), first > pass[index] { pass[index] = first }
        }
        return pass
    }

    /// The fibers over `rank` (and its tile ranks) and `queryRank` that later passes read (see ``PassFibers``), under
    /// the schedule of ``scheduledPasses(over:)``.
    /// - Throws: ``RankBindingError`` when a crossing tensor's rank is unbound.
    /// - Complexity: O(Einsums² × accesses), independent of the rank sizes.
    public func passFibers(over rank: String = "m", across queryRank: String = "p", binding: RankBinding)
        throws(RankBindingError) -> PassFibers {
        let passes = scheduledPasses(over: rank)
        let pairs = Double(try binding.size(of: rank)) * Double(try binding.size(of: queryRank))
        var crossings: [PassFibers.Crossing] = []
        var seen = Set<String>()
        for (index, einsum) in einsums.enumerated().reversed() where sections[index] == .extended {
            let output = einsum.output
            guard output.carriesRank(ofFamily: rank), output.carriesRank(ofFamily: queryRank),
                  seen.insert(einsum.name).inserted else { continue }
            let produced = passes[index]
            let later = Set(einsums.indices.filter { reader in
                reader != index && sections[reader] == .extended && passes[reader] > produced
                    && einsums[reader].reads.contains { $0.name == einsum.name }
            }.map { passes[$0] })
            guard !later.isEmpty else { continue }
            let words = try binding.points(of: output.ranks) / pairs
            crossings.append(.init(tensor: einsum.name, producedIn: produced, readIn: later.sorted(), wordsPerPair: words))
        }
        return PassFibers(rank: rank, queryRank: queryRank, crossings: crossings.reversed())
    }
}
