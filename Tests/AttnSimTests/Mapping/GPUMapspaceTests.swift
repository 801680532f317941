import Testing
@testable import AttnSim

/// The GPU mapspace's tile shapes: factorizations of a backend's tile size over the token axes, against a
/// brute-force enumeration written here.
@Suite struct GPUMapspaceTests {
    /// Every tuple of `axes` divisors of n whose product is n, in lexicographic order: the divisors' Cartesian power,
    /// filtered.
    static func bruteForce(_ n: Int, axes: Int) -> [[Int]] {
        let divisors = (1...n).filter { n % $0 == 0 }
        var tuples: [[Int]] = [[]]
        for _ in 0..<axes { tuples = tuples.flatMap { tuple in divisors.map { tuple + [$0] } } }
        return tuples.filter { $0.reduce(1, *) == n }
    }

    @Test(arguments: [1, 2, 12, 64, 96, 128, 256, 360])
    func factorizationsMatchBruteForce(_ n: Int) {
        for axes in 1...4 {
            #expect(GPUMapspace.factorizations(of: n, axes: axes) == Self.bruteForce(n, axes: axes), "n \(n), \(axes) axes")
        }
    }

    /// For a prime power p^e the number of ordered factorizations into k factors is C(e + k − 1, k − 1) (stars and
    /// bars over the exponent): 128 = 2^7 over 3 axes has C(9, 2) = 36.
    @Test func primePowerCounts() {
        #expect(GPUMapspace.factorizations(of: 128, axes: 3).count == 36)
        #expect(GPUMapspace.factorizations(of: 128, axes: 2).count == 8)
        #expect(GPUMapspace.factorizations(of: 64, axes: 4).count == 84)   // C(9, 3)
    }

    /// A GNA workload on a GPU whose only backend has no list of legal tiles: its multi-dimensional candidates are
    /// exactly the brute-force factorizations of its tile size that fit the token layout, each with Q tile = KV tile,
    /// plus one single-dimensional shape; each shape once per scheduling, non-persistent first.
    @Test func shapesOfABackendWithoutTileList() throws {
        let hardware = try HardwareSpec.parse(text: """
            attnsim: 1
            name: test-gpu
            kind: gpu
            clock: 1.83 GHz
            units: {name: SM, count: 132}
            matrix: {bf16: 989.4 TFLOP/s}
            memory:
              - {name: HBM, size: 80 GB, bandwidth: 3.35 TB/s}
              - {name: SMEM, size: 228 KiB, per: unit}
            kernels:
              tiles64: {q_tile_tokens: 64, kv_tile_tokens: 64, efficiency: 0.5}
            """, file: "gpu.yaml")
        let workload = try Workload.parse(text: """
            attnsim: 1
            name: gna-2d
            problem: {heads: 2, head_dim: 64, tokens: [4, 32], dtype: bf16}
            mask: {kind: gna, window: [3, 9]}
            """, file: "wl.yaml")
        let candidates = GPUMapspace(hardware: hardware, workload: workload).candidates()
        let fitting = Self.bruteForce(64, axes: 2).filter { $0[0] <= 4 && $0[1] <= 32 }
        #expect(fitting == [[2, 32], [4, 16]])
        let multi = candidates.filter { $0.tiling == .multi_dim }
        #expect(multi.map(\.qTile) == fitting.flatMap { [$0, $0] })
        #expect(multi.allSatisfy { $0.kvTile == $0.qTile })
        let single = candidates.filter { $0.tiling == .single_dim }
        #expect(single.map(\.qTile) == [[64], [64]] && single.map(\.kvTile) == [[64], [64]])
        #expect(candidates.map(\.persistent) == Array(repeating: [false, true], count: 3).flatMap { $0 })
        #expect(candidates.allSatisfy { $0.backend == "tiles64" })
    }
}
