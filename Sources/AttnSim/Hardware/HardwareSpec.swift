import Foundation

/// A device description: a GPU, a spatial array accelerator or a CPU, in SI units.
///
/// Loaded from a hardware file (`attnsim: 1`, README.md "Files") by `HardwareSpec.load(path:)`,
/// fully validated before anything uses it.
///
/// ```swift
/// let h100 = try HardwareSpec.load(path: "hardware/h100-sxm5-80gb.yaml")
/// h100.peakFLOPs(.bf16)          // 989.4e12 FLOP/s
/// h100.ridgePoint(.bf16)         // ≈ 295 FLOP/byte against HBM
/// ```
public struct HardwareSpec: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case gpu, spatial, cpu }

    public var name: String
    public var kind: Kind
    public var description: String?
    /// Clock in Hz.
    public var clock: Double
    /// The replicated compute units (SMs, cores); nil for spatial arrays, whose units are `arrays`.
    public var units: ComputeUnits?
    /// Dense matrix (tensor-core) peak per element type, whole device, FLOP/s.
    public var matrix: [DType: Double]
    /// Vector (SIMD / CUDA-core) peak per element type, whole device, FLOP/s.
    public var vector: [DType: Double]
    /// CPU SIMD description, optional.
    public var simd: SIMDSpec?
    /// Memory levels, outermost (DRAM/HBM) first.
    public var memory: [MemoryLevel]
    /// Word size of a spatial array, bytes.
    public var word: Double?
    /// PE arrays of a spatial accelerator.
    public var arrays: [PEArray]
    /// Energy per action, joules (spatial arrays).
    public var energy: [EnergyAction: Double]
    /// Clock a GPU sustains under long tensor-core load (power-limited), Hz; nil: `clock` throughout.
    public var sustainedClock: Double?
    /// Kernel duration from which the sustained clock holds, seconds (short kernels run at `clock`).
    public var sustainedAfter: Double?
    /// Kernel launch overhead, seconds.
    public var launchOverhead: Double?
    /// What eager PyTorch costs to issue on this machine's host (`overheads: {eager_op, eager_kernel, kernel_gap}`):
    /// the per-call estimators' model (`EstimatorSpec`); nil where not measured.
    public var eager: EagerDispatch?
    /// Backend profiles (GPU): legal tiles and calibrated costs.
    public var kernels: [String: KernelProfile]
    /// Measured top-k times (GPU): selecting k of n in each of `rows` rows.
    public var topK: [TopKTiming] = []
    /// Where the numbers come from.
    public var sources: [String]
    /// The file this was loaded from.
    public var file: String

    /// The outermost memory level (HBM, DRAM): the one whose bandwidth bounds a roofline.
    public var offChip: MemoryLevel { memory[0] }
}

public struct ComputeUnits: Sendable, Equatable {
    public var name: String
    public var count: Int
}

public struct SIMDSpec: Sendable, Equatable {
    /// Vector register width, bytes.
    public var width: Double
    /// Fused multiply-adds issued per cycle per core.
    public var fmaPerCycle: Double
}

/// One level of the memory hierarchy.
public struct MemoryLevel: Sendable, Equatable {
    public var name: String
    /// Capacity of one instance, bytes (nil: not modelled, e.g. DRAM of an accelerator).
    public var size: Double?
    /// Bandwidth of one instance, bytes/s.
    public var bandwidth: Double?
    /// True when there is one instance per compute unit (SMEM per SM, L2 per core).
    public var perUnit: Bool
    /// Smallest unit of transfer, bytes (a DRAM burst, a GPU sector); rows read one by one are padded to it
    /// (SpAtten's 6-bit rows: 48 bytes on a 32-byte burst, references.md [SpAtten-RTL] MatrixFetcher.scala). nil: not
    /// modelled.
    public var burst: Double? = nil
    /// Loaded latency of a request to this level as one SM sees it, seconds (nil: not modelled). By Little's law a
    /// CTA with B bytes in flight draws at most B ÷ latency: the ceiling a grid of few CTAs meets.
    public var latency: Double? = nil
}

/// A spatial PE array: `shape` PEs that each perform the listed operations once per cycle.
public struct PEArray: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var ops: [OpCounts.Kind]
    /// Number of PEs.
    public var lanes: Int { shape.reduce(1, *) }
}


/// Actions a spatial hardware file can give an energy for (per op or per 16-bit word).
public enum EnergyAction: String, Sendable, CaseIterable, Hashable {
    case mac, add, mul, max, exp, div, cmp
    case rf_read, rf_write, buffer_read, buffer_write, dram_read, dram_write
}

/// A kernel backend on a GPU: which tiles it may use and what its work costs, each cost with its source
/// (a fit to named measurements, a spec, a paper), e.g. FlexAttention with 128-token tiles or NATTEN's Hopper
/// FNA kernels with their legal tile shapes (references.md [NATTEN-src] backends/configs).
///
/// ```yaml
/// kernels:
///   flex: {q_tile_tokens: 128, kv_tile_tokens: 128, efficiency: 0.6, masked_tile_cost: 1.4, per_cta: 3 us,
///          sources: ["fit to validation/gpu/h100-flex-gna.json, configs ..."]}
/// ```
public struct KernelProfile: Sendable, Equatable {
    /// Tokens per Q tile and per KV tile; tile shapes of other sizes are illegal for the backend.
    public var qTileTokens: Int?
    public var kvTileTokens: Int?
    /// Legal (Q tile, KV tile) shape pairs, when the backend has a fixed list (NATTEN FNA); empty: any shape with
    /// the backend's token counts.
    public var tileShapes: [TileShapePair] = []
    /// Fraction of one SM's dense tensor-core peak a full tile's main loop reaches.
    public var efficiency: Double?
    /// Cost of a partially masked tile relative to a full one (the element mask; α, fitted to references.md
    /// [NATTEN-docs] timings).
    public var maskedTileCost: Double?
    /// Extra masked-tile cost per token axis beyond the first: an element mask evaluates its rule once per axis,
    /// so a 3-D neighborhood costs more per masked tile than a 1-D one. α(D) = masked_tile_cost + this × (D − 1).
    public var maskedTileCostPerAxis: Double?
    /// Which tiles pay the element mask: `tile` — only partially masked ones (FlexAttention's full-block path);
    /// `problem` — every visited tile unless the whole problem passes the kernel's fully-block-sparse
    /// predicate (NATTEN's Hopper/Blackwell FNA kernels, references.md [NATTEN-src]).
    public var maskScope: MaskScope?
    /// Fixed cost per CTA (prologue, epilogue, scheduling), seconds.
    public var perCTA: Double?
    /// SM time per KV tile the kernel walks past without computing, seconds (`skipped_tile:`): a kernel that reads a
    /// boolean block mask loops over every KV tile of its row up to the last one it computes and loads one mask bit
    /// for each (SeerAttention's Triton prefill kernel, references.md [SeerAttention]); nil: the kernel reads a list
    /// of the tiles it computes and skipped tiles cost nothing.
    public var skippedTile: Double?
    /// Pipeline stages of K/V tiles held in shared memory (occupancy).
    public var stages: Int?
    /// Masks the kernel implements (`flash`: none and causal; NATTEN FNA: gna); nil: every kind.
    public var masks: [String]?
    /// Whether the kernel is persistent (one CTA per slot looping over work) instead of one CTA per Q tile.
    public var persistent: Bool?
    /// Fraction of the off-chip bandwidth the kernel reaches when it streams K and V (memory-bound decode).
    public var memoryEfficiency: Double?
    /// Fixed time per call of a memory-bound kernel (launch, prologue, tail), seconds.
    public var perCall: Double?
    /// `efficiency` per head dimension, where the kernel picks its tile configuration by head_dim (FlashAttention,
    /// cuDNN and FlexAttention do): looked up by `efficiency(headDim:)`.
    public var efficiencyByHeadDim: [Int: Double] = [:]
    /// `mask_cost_by_head_dim`: a scale on the `mask_cost` cycles per head dimension (`maskCostScale(headDim:)`).
    public var maskCostByHeadDim: [Int: Double] = [:]
    /// What evaluating the element mask costs per element of a partially masked tile, by operation (SM cycles);
    /// when set it replaces `masked_tile_cost` (`GPUKernelCost.maskedTileFactor`).
    public var maskCost: MaskOperationCost?
    /// The host-side time of one call (framework dispatch and launch on the CPU): a call never takes less, since the
    /// GPU waits for the next launch when its kernel is shorter (seconds).
    public var hostOverhead: Double?
    /// What building the kernel's block mask from the mask function costs (`mask_build:`, FlexAttention's
    /// `create_block_mask`); nil: not modelled.
    public var maskBuild: MaskBuildCost?
    /// How measurements fell around this profile's predictions on held-out runs (`held_out:`), for error bars.
    public var heldOut: HeldOutSpread?
    /// `held_out_by_family`: the spread per prediction family (`HeldOutSpread.family(of:)`); a prediction takes its
    /// family's where the profile has one, else `heldOut`.
    public var heldOutByFamily: [String: HeldOutSpread] = [:]

    /// The spread that a prediction of `workload` carries.
    public func heldOut(for workload: Workload) -> HeldOutSpread? {
        heldOutByFamily[HeldOutSpread.family(of: workload)] ?? heldOut
    }
    /// Whether the kernel can split a Q tile's KV tiles over several CTAs and combine their partial outputs in a
    /// second kernel (FlashDecoding; FlashAttention-2's split-KV path): the mapper then ranks split counts
    /// (`SplitKV.candidates`) and a workload may set `kernel.kv_splits`. nil: no.
    public var splitKV: Bool?
    /// The backward pass (`backward:`); nil: the backend has no modelled backward.
    public var backward: BackwardKernel?
    public var sources: [String] = []

    /// The share of peak a full tile reaches at `headDim`: the measured value for that head dimension, else
    /// log-linear interpolation between the nearest measured ones (the nearest one outside their range), else
    /// `efficiency`.
    public func efficiency(headDim: Int) -> Double? {
        Self.interpolate(efficiencyByHeadDim, headDim: headDim) ?? efficiency
    }

    /// The scale on the mask function's cycles at `headDim` (`mask_cost_by_head_dim`; 1 without one): the kernel's
    /// configuration changes with the head dimension (FlexAttention's bf16 defaults on Hopper: 128×128 blocks and 4
    /// warps at 64, 128×64 and 8 warps at 128, 64×32 and 4 warps at 256; references.md [FlexAttention-src]
    /// `_h100_default_config`), and with it how many rows and columns share each decoded coordinate and how many
    /// warps hide the integer pipes' latency.
    public func maskCostScale(headDim: Int) -> Double {
        Self.interpolate(maskCostByHeadDim, headDim: headDim) ?? 1
    }

    /// A per-head-dimension table read at `headDim`: exact where given, log-linear in between, the nearest outside;
    /// nil for an empty table.
    static func interpolate(_ table: [Int: Double], headDim: Int) -> Double? {
        guard !table.isEmpty else { return nil }
        if let exact = table[headDim] { return exact }
        let dims = table.keys.sorted()
        guard let upper = dims.firstIndex(where: { $0 > headDim }) else { return table[dims.last!] }
        guard upper > 0 else { return table[dims[0]] }
        let (a, b) = (dims[upper - 1], dims[upper])
        let t = log2(Double(headDim) / Double(a)) / log2(Double(b) / Double(a))
        return table[a]! + t * (table[b]! - table[a]!)
    }

    public init(qTileTokens: Int? = nil, kvTileTokens: Int? = nil, tileShapes: [TileShapePair] = [],
                efficiency: Double? = nil, maskedTileCost: Double? = nil, perCTA: Double? = nil, stages: Int? = nil,
                persistent: Bool? = nil, sources: [String] = []) {
        self.qTileTokens = qTileTokens
        self.kvTileTokens = kvTileTokens
        self.tileShapes = tileShapes
        self.efficiency = efficiency
        self.maskedTileCost = maskedTileCost
        self.perCTA = perCTA
        self.stages = stages
        self.persistent = persistent
        self.sources = sources
    }
}

/// SM cycles one element of a partially masked tile spends on its mask, per operation the mask function does
/// (`Mask.elementWork`): a fixed part (applying the mask to the score), each compare or add, each division or modulo
/// by a compiled-in constant (a multiply-high and shifts; a shift alone for a power of two, charged as a simple
/// operation), each by a value read at run time (a full integer division sequence), and each table load.
public struct MaskOperationCost: Sendable, Equatable {
    public var base: Double
    public var simple: Double
    public var division: Double
    public var divisionTensor: Double
    public var load: Double
    /// What a division run for every element (`MaskElementWork.perElementDivisions`) costs, as a multiple of
    /// `division` / `division_tensor`: those prices are fitted to masks whose divisions take the query or the key
    /// index alone (computed per row or column of a tile); the factor is measured, not fitted
    /// (`per_element_division`, validation/gpu/mask_row_micro.py). 1 where a hardware file does not give it.
    public var perElementDivision: Double
    /// The same for a table load indexed by both indices (`MaskElementWork.perElementLoads`), as a multiple of `load`
    /// (`per_element_load`, measured by validation/gpu/mask_row_micro.py --loads). 1 where a hardware file does not give it.
    public var perElementLoad: Double

    public init(base: Double, simple: Double, division: Double, divisionTensor: Double, load: Double,
                perElementDivision: Double = 1, perElementLoad: Double = 1) {
        self.base = base
        self.simple = simple
        self.division = division
        self.divisionTensor = divisionTensor
        self.load = load
        self.perElementDivision = perElementDivision
        self.perElementLoad = perElementLoad
    }

    /// Cycles per element for `work`, its parameters compiled in or read from a tensor; `opsPerElement` (the
    /// workload's `kernel.mask_cost.ops_per_element`) replaces the count with that many simple operations.
    public func cycles(_ work: MaskElementWork, parameters: KernelChoice.MaskParams, opsPerElement: Double? = nil) -> Double {
        if let ops = opsPerElement { return base + ops * simple }
        // Compiled in, a division by a power of two is a shift (or a bit mask for a modulo): a simple operation, per
        // element or not. Any other division run per element costs `perElementDivision` times one run per row or
        // column (per-element divisions are taken as the non-power-of-two ones where a mask has both kinds).
        let divisions: Double
        if parameters == .tensor {
            divisions = (Double(work.divisions) + Double(work.perElementDivisions) * (perElementDivision - 1)) * divisionTensor
        } else {
            let general = work.divisions - work.powerOfTwoDivisions
            let perElement = Double(min(work.perElementDivisions, general))
            divisions = (Double(general) + perElement * (perElementDivision - 1)) * division
                + Double(work.powerOfTwoDivisions) * simple
        }
        let loads = Double(work.loads) + Double(work.perElementLoads) * (perElementLoad - 1)
        return base + Double(work.compares + work.arithmetic) * simple + divisions + loads * load
    }
}

/// The spread of held-out measurements around a profile's predictions: the 10th and 90th percentiles of measured ÷
/// predicted time and speedup over `configs` held-out runs (`attnsim crosscheck-gpu --fit` prints them). A
/// prediction p then carries the 80 % interval [p × low, p × high].
public struct HeldOutSpread: Sendable, Equatable {
    public var time: ClosedRange<Double>
    public var speedup: ClosedRange<Double>
    public var configs: Int

    public init(time: ClosedRange<Double>, speedup: ClosedRange<Double>, configs: Int) {
        self.time = time
        self.speedup = speedup
        self.configs = configs
    }

    /// The family whose held-out residuals a prediction's interval comes from: `decode` (one query token), `dense`,
    /// `causal`, `gna`, or `masks_1d` (sliding window, block-causal, documents and the other 1-D families), with
    /// `_tensor` appended for a masked run whose mask function reads its parameters from a tensor.
    public static let families = ["dense", "causal", "causal_tensor", "gna", "gna_tensor", "masks_1d", "masks_1d_tensor",
                                  "decode"]

    public static func family(of workload: Workload) -> String {
        if workload.problem.queryTokens == 1 { return "decode" }
        let mask = workload.mask
        if mask.isDense { return "dense" }
        let base = ["causal", "gna"].contains(mask.kind) ? mask.kind : "masks_1d"
        return base + (workload.kernel?.maskParams == .tensor ? "_tensor" : "")
    }
}

/// One measured top-k call: `rows` independent rows of n candidates, k kept, taking `time` seconds.
public struct TopKTiming: Sendable, Equatable {
    public var rows: Int
    public var n: Int
    public var k: Int
    public var time: Double
}

public enum MaskScope: String, Sendable, CaseIterable, Hashable {
    case tile, problem
}

/// One legal pair of Q and KV tile shapes (per token axis).
public struct TileShapePair: Sendable, Equatable, Hashable {
    public var q: [Int]
    public var kv: [Int]

    public init(q: [Int], kv: [Int]) {
        self.q = q
        self.kv = kv
    }
}

/// What building a block mask from a mask function costs: FlexAttention's `create_block_mask` (compiled) evaluates
/// the mask function on every element of the score matrix — of each head where the heads' masks differ — and reduces
/// each block to full, partial or empty. Seconds per build:
/// `fixed + elements × (per_element + cycle_scale × mask cycles per element ÷ (SMs × clock))`, the mask cycles being
/// the profile's `mask_cost` price of the mask function (`MaskOperationCost.cycles`), so a 3-D decode with divisors
/// read from a tensor costs more per element than a 1-D window.
/// Host and GPU costs of eager PyTorch: seconds the host spends per aten operation it dispatches (nested ones
/// included) and per CUDA kernel it launches, and the GPU's time per back-to-back kernel (validation/gpu/eager_micro.py).
public struct EagerDispatch: Sendable, Equatable {
    public var op: Double
    public var kernel: Double
    public var gap: Double

    public init(op: Double, kernel: Double, gap: Double) {
        self.op = op
        self.kernel = kernel
        self.gap = gap
    }
}

public struct MaskBuildCost: Sendable, Equatable {
    /// Seconds per build whatever its size (launches, the host's work).
    public var fixed: Double
    /// Seconds per element for the evaluation's own traffic and reduction.
    public var perElement: Double
    /// Scale on the mask function's cycles (the build evaluates it outside the attention kernel, on every element).
    public var cycleScale: Double

    public init(fixed: Double, perElement: Double, cycleScale: Double) {
        self.fixed = fixed
        self.perElement = perElement
        self.cycleScale = cycleScale
    }

    /// Seconds to build a mask over `elements` elements whose function costs `cycles` SM cycles per element, on
    /// `sms` SMs at `clock` Hz.
    public func time(elements: Double, cycles: Double, sms: Int, clock: Double) -> Double {
        fixed + elements * (perElement + cycleScale * cycles / (Double(max(1, sms)) * clock))
    }
}
