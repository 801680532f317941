/// An attention workload: the problem shape, the Einsum cascade, the mask or pruning schedule, kernel choices
/// and an optional end-to-end model (README.md, "Files").
///
/// ```swift
/// let workload = try Workload.load(path: "workloads/bert-base-1k.yaml")
/// workload.problem.queryTokens     // 1024
/// workload.cascade.passes().total  // 1 for attention-1pass
/// ```
public struct Workload: Sendable {
    public var name: String
    public var description: String?
    public var problem: Problem
    /// The preset name, or "inline" for a cascade written in the file.
    public var cascadeName: String
    public var cascade: Cascade
    /// `pass:` forward (default), backward or training.
    public var pass: TrainingPass = .forward
    /// The backward cascade (`backward_cascade:`, default `attention-backward`), for `pass: backward | training`.
    public var backwardCascadeName = "attention-backward"
    public var backwardCascade: Cascade = Cascade.preset(named: "attention-backward")!
    /// Which scores are computed: one of `MaskRegistry.families`.
    public var mask: any Mask
    public var pruning: PruningSpec?
    public var kernel: KernelChoice?
    public var model: ModelRollup?
    /// A per-call estimator that picks the mask before each call (`estimator:`), priced by `EstimatorSpec`.
    public var estimator: EstimatorSpec? = nil
    /// The transformer layer around attention (`model: {d_model, d_ffn}`), whose linear layers attnsim times on the
    /// same hardware for end-to-end figures.
    public var layer: TransformerLayer?
    public var sources: [String]
    public var file: String
}

/// The shape of one attention call (per layer): batch × heads of (P queries × M keys), head_dim E, value dim F;
/// K and V have `kvHeads` heads, each shared by `heads / kvHeads` query heads (grouped-query attention, GQA; one K/V
/// head is multi-query attention, MQA).
public struct Problem: Sendable, Equatable {
    public var batch: Int
    public var heads: Int
    /// E: the Q/K embedding.
    public var headDim: Int
    /// F: the V embedding (defaults to head_dim).
    public var valueDim: Int
    /// Query token layout (1-D to 3-D).
    public var tokens: [Int]
    /// Key/value token layout (defaults to `tokens`).
    public var kvTokens: [Int]
    public var dtype: DType
    /// K/V heads when fewer than the query heads (`problem.kv_heads`, a divisor of `heads`); nil: one per query head.
    public var groupedKVHeads: Int? = nil

    /// K/V heads: `kv_heads`, or one per query head.
    public var kvHeads: Int { groupedKVHeads.map { heads % $0 == 0 ? $0 : heads } ?? heads }
    /// Query heads that share one K/V head (1 without GQA).
    public var queryHeadsPerKVHead: Int { heads / kvHeads }

    /// P: number of query tokens.
    public var queryTokens: Int { tokens.reduce(1, *) }
    /// M: number of key/value tokens.
    public var keyTokens: Int { kvTokens.reduce(1, *) }
    /// Independent (batch, head) problems.
    public var instances: Int { batch * heads }

    /// Bytes of Q read and O written by one pass over every (batch, query head): batch·heads·P·(E + F) elements.
    public var queryOutputBytes: Double {
        Double(instances) * Double(queryTokens) * Double(headDim + valueDim) * dtype.bytes
    }

    /// Bytes of K and V, each read once: batch·kv_heads·M·(E + F) elements (the query heads of a GQA group share
    /// their K/V head's).
    public var keyValueBytes: Double {
        Double(batch) * Double(kvHeads) * Double(keyTokens) * Double(headDim + valueDim) * dtype.bytes
    }

    /// Why a problem of these sizes is too large to model, or nil. Counts are multiplied out in Double and Int
    /// later, so products must stay exactly representable: batch·heads·P·M·max(E, F) < 9·10¹⁸ and every token
    /// axis under 2^40 (checked in Double: the Int products of a 3-D layout can overflow before the check).
    /// Shared by the workload loader and `attnsim gna`.
    public static func sizeProblem(batch: Int, heads: Int, embedding: Int, tokens: [Int], kvTokens: [Int]) -> String? {
        let queries: Double = tokens.map(Double.init).reduce(1, *)
        let keys: Double = kvTokens.map(Double.init).reduce(1, *)
        let elements = Double(batch) * Double(heads) * queries * keys * Double(embedding)
        if let axis = (tokens + kvTokens).first(where: { $0 >= 1 << 40 }) {
            return "a token axis of \(axis) is too long to model; expected fewer than 2^40 (\(1 << 40)) tokens per axis"
        }
        guard elements < 9e18 else {
            return "the problem is too large to model: batch·heads·P·M·E = \(Quantity.formatExactCount(elements)), "
                + "expected under 9e18; check the sizes"
        }
        return nil
    }
}

/// SpAtten-style pruning schedule (references.md [SpAtten]), given as per-layer ratios or as a per-request trace.
public struct PruningSpec: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case prefill, decode }
    /// How pruned K/V reach the compute: physically compacted once (a contiguous cache),
    /// gathered into a contiguous copy each step, or read row by row through indices by a fused kernel.
    public enum KVAccess: String, Sendable, CaseIterable { case compacted, gathered, indirect }

    public struct Quantization: Sendable, Equatable {
        public var kMSBBits: Int
        public var kLSBBits: Int
        public var vBits: Int
        /// Probability, per layer, that a request (one query of one head) needs the key LSBs refetched.
        public var refetch: [Double]
    }

    public var mode: Mode
    public var kvAccess: KVAccess
    public var layers: Int
    /// Fraction of tokens kept per layer (cascade: non-increasing), relative to the full context
    /// (decode: `kv_tokens`, the largest context; prefill: the sentence).
    public var tokenKeep: [Double]
    /// Heads kept per layer (non-increasing).
    public var headKeep: [Int]?
    /// Fraction of the kept keys whose values are fetched, per query (local value pruning).
    public var valueKeep: Double?
    public var quantization: Quantization?
    /// Decode: generation steps; the context grows by one token per step and is `kv_tokens` at the last.
    public var steps: Int = 1
    /// Decode: leading steps without token pruning (no importance scores exist yet; step 0 of references.md
    /// [SpAtten-traces]).
    public var warmupSteps: Int = 0
    /// A released-format trace that replaces the ratios (`trace: file.csv`).
    public var trace: PruningTrace?
}

/// A choice that may be left to the mapper (`auto`).
public enum Choice<Value: Sendable & Equatable>: Sendable, Equatable {
    case auto
    case fixed(Value)

    public var value: Value? {
        if case .fixed(let value) = self { return value }
        return nil
    }
}

/// Kernel choices (`kernel:`; README.md, "Files"); any field may be `auto`.
public struct KernelChoice: Sendable, Equatable {
    public enum KVTiling: String, Sendable, CaseIterable { case `static`, dynamic }
    public enum Tiling: String, Sendable, CaseIterable { case multi_dim, single_dim }
    /// Whether a FlexAttention-style mask function has its parameters compiled in or reads them from a device
    /// tensor at run time (README.md, "GPU predictions").
    /// How a FlexAttention-style mask function gets its parameters: compiled in (`constant`), read from a device
    /// tensor (`tensor`), or precomputed into per-token tables that the function looks up (`table`: each query's
    /// attended interval per axis and each key's coordinates; `MaskElementWork.tableLookup`).
    public enum MaskParams: String, Sendable, CaseIterable { case constant, tensor, table }
    /// How the framework issues the call: `eager` (each call pays the profile's `host_overhead`: the GPU waits for
    /// the host to issue the next one) or `graph` (replayed from a CUDA graph, as inference engines issue decode
    /// steps: the host cost is paid once for the whole graph, so only the GPU's own launch gap remains).
    public enum Launch: String, Sendable, CaseIterable { case eager, graph }

    public var backend: Choice<String>?
    public var qTile: Choice<[Int]>?
    public var kvTile: Choice<[Int]>?
    public var kvTiling: Choice<KVTiling>?
    public var tiling: Choice<Tiling>?
    /// CTAs per Q tile over its KV tiles (split-KV; a backend whose profile has `split_kv: true`); absent: 1 when
    /// the block fixes the backend and tiles, else the mapper's choice.
    public var kvSplits: Choice<Int>?
    /// The most splits a kernel launches (FlashAttention-2: `TORCH_CHECK(params.num_splits <= 128)` in
    /// `set_params_splitkv`, references.md [FlashAttention-src] csrc/flash_attn/flash_api.cpp).
    public static let maxKVSplits = 128
    /// A mapping file to feed back (spatial dataflows).
    public var mapping: String?
    /// How the mask function gets its parameters (default `constant`).
    public var maskParams: MaskParams = .constant
    /// `mask_cost: {ops_per_element: N}`: the mask function's operations per element, overriding the family's count.
    public var maskOpsPerElement: Double?
    /// `launch: eager | graph` (default `eager`).
    public var launch: Launch = .eager
    /// `dq: atomic | separate | auto`: how a backward forms dQ (`BackwardDQ`); absent: the backend's default variant.
    public var dq: Choice<BackwardDQ>? = nil
    /// `deterministic: true`: the backward adds dQ in a fixed order (PyTorch's `use_deterministic_algorithms`), on a
    /// backend whose profile has a deterministic mode; the separate dQ pass is deterministic already.
    public var deterministic = false

    public init(backend: Choice<String>? = nil, qTile: Choice<[Int]>? = nil, kvTile: Choice<[Int]>? = nil,
                kvTiling: Choice<KVTiling>? = nil, tiling: Choice<Tiling>? = nil, kvSplits: Choice<Int>? = nil,
                mapping: String? = nil) {
        self.backend = backend
        self.qTile = qTile
        self.kvTile = kvTile
        self.kvTiling = kvTiling
        self.tiling = tiling
        self.kvSplits = kvSplits
        self.mapping = mapping
    }
}

/// End-to-end roll-up (Amdahl): the share of a step spent in attention, and how many steps use the sparse variant.
public struct ModelRollup: Sendable, Equatable {
    public var attentionShare: Double
    public var totalSteps: Int?
    /// Steps that stay dense (run before sparsity kicks in).
    public var denseSteps: Int?

    public init(attentionShare: Double, totalSteps: Int? = nil, denseSteps: Int? = nil) {
        self.attentionShare = attentionShare
        self.totalSteps = totalSteps
        self.denseSteps = denseSteps
    }
}
