import AttnSim
import Foundation

/// `attnsim bench` cases for the CPU kernels: dense attention at 4K tokens, head_dim 64 and 128, on every core
/// (issue 7's ≥ 50%-of-peak target), and a GNA run.
public enum KernelBenchmarks {
    public static func all(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Benchmark] {
        [dense(tokens: 4096, headDim: 64, instances: 2, threads: threads),
         dense(tokens: 4096, headDim: 128, instances: 2, threads: threads),
         gna2D(threads: threads)]
    }

    static func dense(tokens: Int, headDim: Int, instances: Int, threads: Int) -> Benchmark {
        let flops = 4 * Double(instances) * Double(tokens) * Double(tokens) * Double(headDim)
        return Benchmark(name: "kernel.dense.\(tokens / 1024)k.d\(headDim)",
                         summary: "CPU dense attention, \(instances) heads × \(tokens) tokens, head_dim \(headDim), fp32, "
                            + "\(threads) threads (target ≥ 50% of the measured FMA peak)",
                         flops: flops) {
            let plan = AttentionPlan.dense(queries: tokens, keys: tokens, qTile: 64, kvTile: 64)
            return run(plan: plan, instances: instances, e: headDim, threads: threads)
        }
    }

    static func gna2D(threads: Int) -> Benchmark {
        let mask = GNAMask(axes: [GNAAxis(length: 64, window: 17, stride: 4), GNAAxis(length: 64, window: 17, stride: 4)])
        let plan = AttentionPlan.gna(mask, qTile: [8, 8], kvTile: [8, 8], kvTiling: .static)
        return Benchmark(name: "kernel.gna.64x64-w17-s4",
                         summary: "CPU GNA attention, 64×64 tokens, window 17×17, stride 4, tiles 8×8, 2 heads, head_dim 64",
                         flops: 4 * 2 * mask.attendedPairCount * 64) {
            run(plan: plan, instances: 2, e: 64, threads: threads)
        }
    }

    static func run(plan: AttentionPlan, instances: Int, e: Int, threads: Int) -> @Sendable () -> Double {
        let inputs = AttentionInputs(plan: plan, instances: instances, e: e, f: e)
        return {
            inputs.run(plan, threads: threads)
            return Double(inputs.out.storage[0])
        }
    }
}
