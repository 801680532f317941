import Foundation

/// Times pieces of work against each other on a shared host: one warm-up of each, then `runs` rounds of each in
/// turn, and each one's median seconds. Alternating puts a slow spell of the host (other tenants, clock changes) on
/// all of them rather than on whichever ran during it — what `crosscheck` (dense against sparse; a training step's
/// forward and backward, dense and sparse) and `calibrate` (partial against full tiles, one visit against all) compare.
enum AlternatingTimer {
    static func medians(runs: Int, _ first: () -> Void, _ second: () -> Void) -> (first: Double, second: Double) {
        let times = medians(runs: runs, count: 2) { $0 == 0 ? first() : second() }
        return (times[0], times[1])
    }

    /// The median seconds of each body, in the order given; each round runs them in that order.
    static func medians(runs: Int, _ bodies: [() -> Void]) -> [Double] {
        medians(runs: runs, count: bodies.count) { bodies[$0]() }
    }

    /// The median seconds of `body(0)`, …, `body(count - 1)`, each round running them in that order.
    static func medians(runs: Int, count: Int, _ body: (Int) -> Void) -> [Double] {
        func seconds(_ index: Int) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body(index)
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        for index in 0..<count { body(index) }
        var times = [[Double]](repeating: [], count: count)
        for _ in 0..<max(1, runs) {
            for index in 0..<count { times[index].append(seconds(index)) }
        }
        return times.map { $0.sorted()[$0.count / 2] }
    }
}
