import Foundation

/// Times two pieces of work against each other on a shared host: one warm-up of each, then `runs` rounds of the
/// first and the second in turn, and each one's median seconds. Alternating puts a slow spell of the host (other
/// tenants, clock changes) on both rather than on whichever ran during it — what `crosscheck` (dense against
/// sparse) and `calibrate` (partial against full tiles, one visit against all) compare.
enum AlternatingTimer {
    static func medians(runs: Int, _ first: () -> Void, _ second: () -> Void) -> (first: Double, second: Double) {
        func seconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        first()
        second()
        var times: (first: [Double], second: [Double]) = ([], [])
        for _ in 0..<max(1, runs) {
            times.first.append(seconds(first))
            times.second.append(seconds(second))
        }
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        return (median(times.first), median(times.second))
    }
}
