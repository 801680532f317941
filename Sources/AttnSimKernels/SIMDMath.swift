/// Vector math for the kernels' hot loops.
enum SIMDMath {
    typealias V = SIMD8<Float>

    /// 2^x for x ≤ 0 (scores minus their running max), to ~2 ulp: x = n + r with r in [-0.5, 0.5], 2^r by the
    /// degree-6 Taylor polynomial, 2^n through the exponent bits. Below -126 the result flushes to 0.
    @inline(__always)
    static func exp2(_ x: V) -> V {
        let clamped = x.replacing(with: V(repeating: -127), where: x .< -127)
        let n = clamped.rounded(.toNearestOrEven)
        let r = clamped - n
        // Coefficients of 2^r on [-0.5, 0.5] (Taylor series of e^(r ln 2) to degree 6; error < 2e-7).
        var p = V(repeating: 1.5403530393381606e-4)
        p = V(repeating: 1.3333558146428443e-3).addingProduct(p, r)
        p = V(repeating: 9.6181291076284772e-3).addingProduct(p, r)
        p = V(repeating: 5.5504108664821580e-2).addingProduct(p, r)
        p = V(repeating: 0.24022650695910071).addingProduct(p, r)
        p = V(repeating: 0.69314718055994531).addingProduct(p, r)
        p = V(repeating: 1).addingProduct(p, r)
        // 2^n: n + 127 lands in the low mantissa bits of (n + 127 + 1.5·2^23); shifted into the exponent field.
        // (A per-lane Float → Int32 conversion would not vectorize.)
        let biased = unsafeBitCast(n + V(repeating: 127 + 12_582_912), to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast(biased &<< 23, to: V.self)
        let result = p * scale
        return result.replacing(with: V(repeating: 0), where: x .< -126)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
