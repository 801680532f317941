import Foundation
import Testing
@testable import AttnSim

/// Split-KV (FlashDecoding) scheduling and grouped-query attention in the GPU event simulator: decode at batch 1
/// on the H100 preset. Expected bytes are counted here from the problem's shape; the bandwidth bound is the H100's
/// 3.35 TB/s (references.md [Hopper-in-depth]).
@Suite struct SplitKVDecodeTests {
    static let h100: HardwareSpec = try! HardwareSpec.load(path: Repo.path("hardware/h100-sxm5-80gb.yaml"))
    static let bandwidth = 3.35e12

    /// One decode step: batch 1, `heads` query heads of head_dim 128 over `context` cached tokens, bf16.
    static func decode(heads: Int = 32, kvHeads: Int? = nil, context: Int = 32768, tokens: Int = 1,
                       kernel: String? = nil) throws -> Workload {
        try Workload.parse(text: """
            attnsim: 1
            name: decode
            problem: {batch: 1, heads: \(heads),\(kvHeads.map { " kv_heads: \($0)," } ?? "") head_dim: 128, tokens: \(tokens), kv_tokens: \(context), dtype: bf16}
            \(kernel.map { "kernel: \($0)" } ?? "")
            """, file: "decode.yaml")
    }

    /// A 128-token chunk over a 32K cache (chunked prefill; FlashDecoding's case of a Q tile per head): 32 heads × 1
    /// Q tile are 32 CTAs for 132 SMs, each multiplying full 128-row tiles over 256 KV tiles alone. The mapper splits
    /// KV, and the split kernel is at least twice as fast; neither beats K + V bytes over the bandwidth
    /// (32 heads × 32768 tokens × (128 + 128) × 2 B = 512 MiB: 160.3 µs at 3.35 TB/s). (A one-token decode multiplies
    /// only 16 rows per tile and is bandwidth-bound either way: the event simulator has no per-SM bandwidth ceiling.)
    @Test func decodeAt32KSplitsAndIsTwiceAsFast() throws {
        let mapped = try Simulator.run(hardware: Self.h100, workload: Self.decode(tokens: 128))
        let gpu = try #require(mapped.gpu)
        #expect(gpu.mapping.backend == "flash")
        #expect(gpu.mapping.kvSplits > 1)
        let unsplit = try Simulator.run(hardware: Self.h100, workload: Self.decode(
            tokens: 128, kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: 1}"))
        #expect(unsplit.gpu?.sparse.ctas == 32)
        #expect(gpu.sparse.ctas == 32 * gpu.mapping.kvSplits)
        let time = try #require(mapped.simulated.time), unsplitTime = try #require(unsplit.simulated.time)
        #expect(unsplitTime / time >= 2, "split \(time) s vs unsplit \(unsplitTime) s")
        let kvBytes = 32.0 * 32768 * (128 + 128) * 2
        #expect(kvBytes == 536_870_912)
        #expect(time >= kvBytes / Self.bandwidth)
        #expect(unsplitTime >= kvBytes / Self.bandwidth)
        #expect(gpu.sparse.combineTime > 4e-6)   // the combine kernel's launch (overheads.launch 4 us) and its bytes
    }

    /// A CTA alone draws at most its in-flight bytes over the DRAM latency (Little's law): the H100 preset's HBM
    /// `latency: 0.50 us` (measured on the H200, validation/gpu/h200-sm-bandwidth.json: 8 KiB in flight per CTA drew
    /// 16.3 GB/s) and the flash profile's two K/V stages of 128 tokens × (128 + 128) × 2 B = 64 KiB give 262.1 GB/s.
    /// Llama-3-8B decode unsplit is 8 CTAs (one per K/V head): at most 2.10 TB/s, so K and V (8 × 32768 × 256 × 2 B
    /// = 134.2 MB) take at least 64.0 µs, more than over the 3.35 TB/s bandwidth (40.1 µs); split, it gets nearer.
    @Test func fewCTAsDrawTheirInFlightBytesOverTheLatency() throws {
        let unsplit = try Simulator.run(hardware: Self.h100, workload: Self.decode(
            kvHeads: 8, kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: 1}"))
        #expect(unsplit.gpu?.sparse.ctas == 8)
        let perCTA = 2.0 * 128 * 256 * 2 / 0.5e-6
        let kvBytes = 8.0 * 32768 * 256 * 2
        let time = try #require(unsplit.simulated.time)
        #expect(time >= kvBytes / (8 * perCTA))
        #expect(time <= kvBytes / (8 * perCTA) * 1.2, "unsplit \(time * 1e6) us")
        let split = try #require(Simulator.run(hardware: Self.h100, workload: Self.decode(kvHeads: 8)).simulated.time)
        #expect(split < time * 0.8, "split \(split * 1e6) us vs unsplit \(time * 1e6) us")
        #expect(split >= kvBytes / Self.bandwidth)
    }

    /// DRAM traffic of a split decode: Q and O (32 heads × 128 × 2 B each), K and V once, and the partials twice
    /// (written by s × 32 CTAs, one row each of 128 fp32 values and an fp32 log-sum-exp, then read by the combine).
    @Test func dramBytesIncludeThePartials() throws {
        for splits in [2, 7, 16] {
            let result = try Simulator.run(hardware: Self.h100, workload: Self.decode(
                kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: \(splits)}"))
            let qo = 2.0 * 32 * 128 * 2
            let kv = 32.0 * 32768 * 256 * 2
            let partials = Double(splits) * 32 * (128 + 1) * 4
            #expect(result.simulated.dramBytes == qo + kv + 2 * partials, "\(splits) splits")
            #expect(result.gpu?.mapping.kvSplits == splits)
            #expect(try #require(result.simulated.time) >= (qo + kv + 2 * partials) / Self.bandwidth)
        }
    }

    /// Grouped-query attention: with 4 K/V heads for 32 query heads, K and V are 8× smaller, and the decode kernel
    /// packs each group's 8 query rows into one Q tile (4 CTAs before splitting). The roofline's compulsory bytes
    /// drop by the same count.
    @Test func groupedQueryDecodeReadsAnEighthOfTheKV() throws {
        let mha = try Simulator.run(hardware: Self.h100, workload: Self.decode(
            kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: 1}"))
        let gqa = try Simulator.run(hardware: Self.h100, workload: Self.decode(
            kvHeads: 4, kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: 1}"))
        let qo = 2.0 * 32 * 128 * 2
        let kv = 32.0 * 32768 * 256 * 2
        #expect(mha.simulated.dramBytes == qo + kv)
        #expect(gqa.simulated.dramBytes == qo + kv / 8)
        #expect(gqa.gpu?.sparse.ctas == 4)
        #expect(gqa.gpu?.packedHeads == 8)
        let ratio = try #require(mha.simulated.dramBytes) / (try #require(gqa.simulated.dramBytes))
        #expect(ratio > 7.9 && ratio < 8)
        #expect(AttentionCost(try Self.decode(kvHeads: 4).problem, mask: DenseMask(try Self.decode(kvHeads: 4).problem))
            .denseBytes == qo + kv / 8)
        // The output says so: kv_heads and packed_heads in JSON, a line in the table.
        let record = gqa.record.simulated
        #expect(record.kvHeads == 4 && record.packedHeads == 8)
        #expect(mha.record.simulated.kvHeads == nil && mha.record.simulated.packedHeads == nil)
        #expect(gqa.table.contains("32 / 4: 8 query heads share each K/V head"))
    }

    /// Unpacked GQA (4096 query tokens per head do not fit a Q tile): every query head has its 32 CTAs, and the 4 heads
    /// of a group read one K/V head through L2, so DRAM sees K and V once per K/V head: 8 × 4096 × 256 × 2 B.
    @Test func groupsShareKVThroughL2() throws {
        let workload = try Workload.parse(text: """
            attnsim: 1
            name: gqa-prefill
            problem: {batch: 1, heads: 32, kv_heads: 8, head_dim: 128, tokens: 4096, dtype: bf16}
            kernel: {backend: flash, q_tile: [128], kv_tile: [128]}
            """, file: "gqa.yaml")
        let result = try Simulator.run(hardware: Self.h100, workload: workload)
        #expect(result.gpu?.packedHeads == 1)
        #expect(result.gpu?.sparse.ctas == 32 * 32)
        let qo = 32.0 * 4096 * 256 * 2
        let kv = 8.0 * 4096 * 256 * 2
        #expect(result.simulated.dramBytes == qo + kv)
    }

    /// Splitting never changes the work: the same FLOPs executed, and a mapping without splits prints as before.
    @Test func mappingsWithoutSplitsPrintAsBefore() {
        let mapping = GPUMapping(backend: "flash", qTile: [128], kvTile: [128], tiling: .single_dim)
        #expect(mapping.description == "flash: Q 128 / KV 128, single_dim, static KV, waves")
        #expect(mapping.yaml == "kernel: {backend: flash, q_tile: [128], kv_tile: [128], tiling: single_dim, kv_tiling: static}")
        var split = mapping
        split.kvSplits = 8
        #expect(split.description == "flash: Q 128 / KV 128, single_dim, static KV, waves, KV split 8")
        #expect(split.yaml.hasSuffix("kv_tiling: static, kv_splits: 8}"))
        #expect(SimulationRecord.Mapping(mapping).kvSplits == nil && SimulationRecord.Mapping(split).kvSplits == 8)
    }

    /// The simulator's shortcuts agree with its event loop on split grids (a trace forces the loop): runs of equal
    /// length are a closed form (256 tiles in 8 splits), unequal ones (256 in 7: six of 37 and one of 34) list
    /// scheduling or the fluid grid.
    @Test func shortcutsAgreeWithTheEventLoop() throws {
        for splits in [8, 7, 128] {
            for kvHeads in [32, 4] {
                let workload = try Self.decode(
                    kvHeads: kvHeads, kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: \(splits)}")
                let mapping = try GPUEngine.chooseMapping(hardware: Self.h100, workload: workload)
                let fast = try GPUEngine.simulate(hardware: Self.h100, workload: workload, mapping: mapping)
                let traced = try GPUEngine.simulate(hardware: Self.h100, workload: workload, mapping: mapping, trace: true)
                #expect(abs(fast.sparse.time - traced.sparse.time) <= 1e-9 * fast.sparse.time,
                        "\(splits) splits, \(kvHeads) K/V heads")
                #expect(traced.sparse.trace.count == fast.sparse.ctas)
            }
        }
    }

    /// A mapping's YAML fed back reproduces it, splits included.
    @Test func splitMappingRoundTrips() throws {
        let best = try GPUEngine.chooseMapping(hardware: Self.h100, workload: Self.decode())
        let yaml = best.yaml.replacingOccurrences(of: "kernel: ", with: "")
        let pinned = try GPUEngine.chooseMapping(hardware: Self.h100, workload: Self.decode(kernel: yaml))
        #expect(pinned == best)
    }

    /// `kv_splits: auto` with pinned tiles asks the mapper; a backend that cannot split refuses `kv_splits` above 1.
    @Test func splitChoicesAndRefusals() throws {
        let auto = try GPUEngine.chooseMapping(hardware: Self.h100, workload: Self.decode(
            tokens: 128, kernel: "{backend: flash, q_tile: [128], kv_tile: [128], kv_splits: auto}"))
        #expect(auto.kvSplits > 1)
        let pinned = try GPUEngine.chooseMapping(hardware: Self.h100, workload: Self.decode(
            kernel: "{backend: flash, q_tile: [128], kv_tile: [128]}"))
        #expect(pinned.kvSplits == 1)
        let flex = try Self.decode(kernel: "{backend: flex, kv_splits: 4}")
        do throws(Diagnostic) {
            _ = try Simulator.run(hardware: Self.h100, workload: flex)
            Issue.record("flex (no split_kv in its profile) ran with 4 KV splits")
        } catch {
            #expect(error.path == "kernel.kv_splits")
            #expect(error.message.contains("does not split KV") && error.message.contains("flash"))
        }
    }
}
