import Foundation

/// SpAtten's top-k engine (references.md [SpAtten-RTL] TopK.scala, utils/QuickSelect.scala): a quick-select with P
/// comparators finds the k-th largest value, then a filter pass keeps the values above it in their original order.
///
/// Each quick-select round streams its n_r candidates through the comparators (⌈n_r / P⌉ cycles) plus a fixed
/// overhead c (the RTL's latency model: c = 3, `TopKLatencyModel.scala`; SpAtten's behavioural BERT model:
/// `n/P + 4` per round, `bert.cpp`), until the pivot lands on the target rank. With a uniformly random pivot the
/// expected elements streamed and rounds are exact closed forms of quickselect (Knuth, Hoare's FIND):
///
///     C(n, k) = 2·[(n+1)·H_n − (n+3−k)·H_{n+1−k} − (k+2)·H_k + n + 3]      comparisons
///     R(n, k) = H_k + H_{n+1−k} − 1                                          rounds (partitioning stages)
///     streamed = C + R,    cycles ≈ (C + R)/P + R·(c + (P−1)/(2P))           (the last term: ⌈·⌉ per round)
///
/// The tests hold this to a Monte Carlo run of the algorithm itself.
public struct TopKEngine: Sendable, Equatable {
    /// Comparators (elements per cycle).
    public var comparators: Int
    /// Fixed cycles per quick-select round.
    public var roundOverhead: Double
    /// The filter pass that emits the kept values is hidden, as in the RTL, which streams it while the next
    /// request's scores arrive.
    public init(comparators: Int, roundOverhead: Double = 3) {
        self.comparators = max(1, comparators)
        self.roundOverhead = roundOverhead
    }

    /// Expected cycles to select the k largest of n (0 when nothing is pruned).
    public func cycles(n: Int, k: Int) -> Double {
        guard n > 1, k >= 1, k < n else { return 0 }
        let p = Double(comparators)
        let streamed = Self.expectedStreamed(n: n, k: k)
        let rounds = Self.expectedRounds(n: n, k: k)
        return streamed / p + rounds * (roundOverhead + (p - 1) / (2 * p))
    }

    /// α = cycles · P / n, the engine's cost per element per comparator (2.2–3.9 for n ≥ 512 under the RTL's
    /// TopKLatencyModel.scala, references.md [SpAtten-RTL]).
    public func alpha(n: Int, k: Int) -> Double {
        cycles(n: n, k: k) * Double(comparators) / Double(n)
    }

    /// Expected elements streamed by quickselect for the k-th of n (rank symmetric: k and n+1−k cost the same).
    public static func expectedStreamed(n: Int, k: Int) -> Double {
        let (nn, kk) = (Double(n), Double(k))
        let comparisons = 2 * ((nn + 1) * harmonic(n) - (nn + 3 - kk) * harmonic(n + 1 - k) - (kk + 2) * harmonic(k) + nn + 3)
        return comparisons + expectedRounds(n: n, k: k)
    }

    public static func expectedRounds(n: Int, k: Int) -> Double {
        harmonic(k) + harmonic(n + 1 - k) - 1
    }

    /// H_n = Σ 1/i; exact sum below 4096, the asymptotic series above (error < 1e-15 relative).
    static func harmonic(_ n: Int) -> Double {
        guard n > 0 else { return 0 }
        if n < 4096 {
            var sum = 0.0
            for i in stride(from: n, through: 1, by: -1) { sum += 1 / Double(i) }
            return sum
        }
        let x = Double(n)
        let euler = 0.57721566490153286
        return log(x) + euler + 1 / (2 * x) - 1 / (12 * x * x) + 1 / (120 * x * x * x * x)
    }
}
