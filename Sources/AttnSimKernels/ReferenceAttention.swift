import Foundation
import AttnSim

/// The textbook definition, for tests: per query, scores against every visible key in Double, a max-subtracted
/// softmax, the weighted sum of V. O(P·M·(E + F)) and no tiling, so it shares nothing with `AttentionKernel`.
public enum ReferenceAttention {
    public static func run(q: Tensor, k: Tensor, v: Tensor, out: Tensor, visible: (Int, Int) -> Bool) {
        let e = q.width, f = v.width
        let scale = 1 / Double(e).squareRoot()
        var scores = [Double](repeating: 0, count: k.tokens)
        for instance in 0..<q.instances {
            for i in 0..<q.tokens {
                let qi = q.row(instance, i)
                var best = -Double.infinity
                for j in 0..<k.tokens {
                    guard visible(i, j) else { scores[j] = -.infinity; continue }
                    let kj = k.row(instance, j)
                    var dot = 0.0
                    for d in 0..<e { dot += Double(qi[d]) * Double(kj[d]) }
                    scores[j] = dot * scale
                    best = max(best, scores[j])
                }
                var sum = 0.0
                var o = [Double](repeating: 0, count: f)
                if best > -.infinity {
                    for j in 0..<k.tokens where scores[j] > -.infinity {
                        let p = (scores[j] - best).exp
                        sum += p
                        let vj = v.row(instance, j)
                        for c in 0..<f { o[c] += p * Double(vj[c]) }
                    }
                }
                let dst = out.row(instance, i)
                for c in 0..<f { dst[c] = sum > 0 ? Float(o[c] / sum) : 0 }
            }
        }
    }

    /// GNA visibility straight from the per-axis window rules (`GNAAxis.keys(ofQuery:groupLength:)`).
    public static func gnaVisible(_ mask: GNAMask) -> (Int, Int) -> Bool {
        let axes = mask.axes
        var strides = Array(repeating: 1, count: axes.count)
        for a in stride(from: axes.count - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * axes[a + 1].length }
        return { query, key in
            for (a, axis) in axes.enumerated() {
                let x = (query / strides[a]) % axis.length, y = (key / strides[a]) % axis.length
                let d = axis.dilation
                guard x % d == y % d else { return false }
                if !axis.keys(ofQuery: x / d, groupLength: axis.groupLength(x % d)).contains(y / d) { return false }
            }
            return true
        }
    }
}

private extension Double {
    var exp: Double { Foundation.exp(self) }
}
