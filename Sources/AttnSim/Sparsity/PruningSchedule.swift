/// A pruning schedule resolved against a problem: for every (step, layer), which requests run — one request is
/// one query of one kept head (references.md [SpAtten-RTL]) — how many keys and values each fetches, at which bit
/// widths, and which top-k selections the cascade makes. Built from per-layer ratios or from a released trace; the
/// dense baseline is the same steps and layers with nothing pruned, at the workload's dtype.
///
/// Rules (references.md [SpAtten] cascade token and head pruning, local value pruning; [SpAtten-traces]):
/// - decode: one query per head and step; a layer keeps k_l = min(L, ⌊L_max·keep_l⌋) keys, L the step's context
///   and L_max = `kv_tokens` (the traces' counts are relative to the largest context); warm-up steps keep
///   every key (no importance scores yet); values kept v_l = min(k_l, ⌊ρ_v·⌊L_max·keep_l⌋⌋);
/// - prefill: layer l keeps L_l = ⌈keep_l·L⌉ tokens as queries and keys (cascade: Q, K, V rows removed),
///   and ⌈ρ_v·L_l⌉ values per query;
/// - a cascade top-k runs after a layer whose successor keeps fewer tokens (n = k_l, k = k_{l+1}) or heads.
public struct PruningSchedule: Sendable {
    /// Requests that fetch the same counts; `refetch` is the fraction of them that refetch the key LSBs.
    public struct Requests: Sendable, Equatable {
        public var count: Double
        public var keys: Double
        public var values: Double
        public var refetch: Double
    }

    public struct Selection: Sendable, Equatable {
        /// Candidates and kept items; `count` independent selections (batch elements).
        public var n: Int
        public var k: Int
        public var count: Double
    }

    public struct Layer: Sendable {
        public var step: Int
        public var layer: Int
        /// Tokens in the context (decode) or the layer's kept sentence length (prefill).
        public var context: Int
        /// Queries per head.
        public var queries: Int
        /// Kept heads (per batch element).
        public var heads: Int
        public var groups: [Requests]
        /// Bits per element of K (MSBs), of a K refetch (LSBs), of V, and of Q and the output.
        public var keyBits: Double
        public var lsbBits: Double
        public var valueBits: Double
        public var activationBits: Double
        /// The cascade token and head top-k after this layer, if the next keeps fewer.
        public var tokenTopK: Selection?
        public var headTopK: Selection?

        public var requests: Double { groups.reduce(0) { $0 + $1.count } }
        public var keys: Double { groups.reduce(0) { $0 + $1.count * $1.keys } }
        public var values: Double { groups.reduce(0) { $0 + $1.count * $1.values } }
        public var refetchedKeys: Double { groups.reduce(0) { $0 + $1.count * $1.refetch * $1.keys } }
        public var refetches: Double { groups.reduce(0) { $0 + $1.count * $1.refetch } }
    }

    public var mode: PruningSpec.Mode
    public var kvAccess: PruningSpec.KVAccess
    public var headDim: Int
    public var valueDim: Int
    public var batch: Int
    public var layers: [Layer]
    public var dense: [Layer]

    public init(_ spec: PruningSpec, problem: Problem) {
        mode = spec.mode
        kvAccess = spec.kvAccess
        headDim = problem.headDim
        valueDim = problem.valueDim
        batch = problem.batch
        let denseBits = problem.dtype.bytes * 8
        let b = Double(problem.batch)
        if let trace = spec.trace {
            (layers, dense) = Self.fromTrace(trace, problem: problem, denseBits: denseBits)
            return
        }
        var layers: [Layer] = [], dense: [Layer] = []
        let maxContext = problem.keyTokens
        let quant = spec.quantization
        let steps = spec.mode == .decode ? spec.steps : 1
        func contextOf(_ step: Int) -> Int { spec.mode == .decode ? maxContext - spec.steps + 1 + step : problem.queryTokens }
        func counts(_ step: Int) -> [(keys: Int, values: Int, heads: Int)] {
            let context = contextOf(step)
            let warm = step < spec.warmupSteps
            return (0..<spec.layers).map { l in
                let heads = spec.headKeep?[l] ?? problem.heads
                switch spec.mode {
                case .decode:
                    let target = warm ? maxContext : Int((Double(maxContext) * spec.tokenKeep[l]).rounded(.down))
                    let keys = min(context, max(1, target))
                    let values = spec.valueKeep.map { min(keys, max(1, Int(($0 * Double(target)).rounded(.down)))) } ?? keys
                    return (keys, values, heads)
                case .prefill:
                    let kept = max(1, Int((Double(context) * spec.tokenKeep[l]).rounded(.up)))
                    let values = spec.valueKeep.map { min(kept, max(1, Int(($0 * Double(kept)).rounded(.up)))) } ?? kept
                    return (kept, values, heads)
                }
            }
        }
        var next = counts(0)
        for step in 0..<steps {
            let current = next
            if step + 1 < steps { next = counts(step + 1) }
            let context = contextOf(step)
            for l in 0..<spec.layers {
                let (keys, values, heads) = current[l]
                let queries = spec.mode == .decode ? 1 : keys
                var layer = Layer(
                    step: step, layer: l, context: spec.mode == .decode ? context : keys, queries: queries, heads: heads,
                    groups: [Requests(count: b * Double(heads * queries), keys: Double(keys), values: Double(values),
                                      refetch: quant?.refetch[l] ?? 0)],
                    keyBits: quant.map { Double($0.kMSBBits) } ?? denseBits,
                    lsbBits: quant.map { Double($0.kLSBBits) } ?? 0,
                    valueBits: quant.map { Double($0.vBits) } ?? denseBits, activationBits: denseBits)
                if l + 1 < spec.layers {
                    // The next layer keeps fewer tokens or heads: select them from this layer's.
                    let after = current[l + 1]
                    if after.keys < keys { layer.tokenTopK = Selection(n: keys, k: after.keys, count: b) }
                    if after.heads < heads { layer.headTopK = Selection(n: heads, k: after.heads, count: b) }
                } else if step + 1 < steps, next[0].keys < contextOf(step + 1) {
                    // Decode: the cascade restarts each step from every token of the grown context (the traces'
                    // top-k after the last layer selects the next step's first-layer tokens, references.md
                    // [SpAtten-traces]).
                    layer.tokenTopK = Selection(n: contextOf(step + 1), k: next[0].keys, count: b)
                }
                layers.append(layer)
                dense.append(Self.denseLayer(step: step, layer: l, context: spec.mode == .decode ? context : problem.queryTokens,
                                             mode: spec.mode, problem: problem, bits: denseBits))
            }
        }
        self.layers = layers
        self.dense = dense
    }

    static func denseLayer(step: Int, layer: Int, context: Int, mode: PruningSpec.Mode, problem: Problem,
                           bits: Double) -> Layer {
        let queries = mode == .decode ? 1 : context
        return Layer(step: step, layer: layer, context: context, queries: queries, heads: problem.heads,
                     groups: [Requests(count: Double(problem.batch * problem.heads * queries), keys: Double(context),
                                       values: Double(context), refetch: 0)],
                     keyBits: bits, lsbBits: 0, valueBits: bits, activationBits: bits)
    }

    /// Per (step, layer), the trace's rows grouped by identical counts; each trace row stands for `batch`
    /// requests (the traces are per sequence).
    static func fromTrace(_ trace: PruningTrace, problem: Problem, denseBits: Double) -> (sparse: [Layer], dense: [Layer]) {
        var order: [Int: [PruningTrace.Row]] = [:]
        var keysInOrder: [Int] = []
        let layerCount = (trace.rows.map(\.layer).max() ?? 0) + 1
        for row in trace.rows {
            let key = row.step * layerCount + row.layer
            if order[key] == nil { keysInOrder.append(key) }
            order[key, default: []].append(row)
        }
        keysInOrder.sort()
        let b = Double(problem.batch)
        var sparse: [Layer] = [], dense: [Layer] = []
        for key in keysInOrder {
            let rows = order[key]!
            let first = rows[0]
            var groups: [Requests] = []
            for row in rows {
                let request = Requests(count: b, keys: Double(row.keys), values: Double(row.values),
                                       refetch: row.refetched ? 1 : 0)
                if let i = groups.firstIndex(where: { $0.keys == request.keys && $0.values == request.values
                    && $0.refetch == request.refetch }) {
                    groups[i].count += b
                } else {
                    groups.append(request)
                }
            }
            var layer = Layer(step: first.step, layer: first.layer, context: first.context, queries: 1, heads: rows.count,
                              groups: groups, keyBits: first.keyBits.map(Double.init) ?? denseBits,
                              lsbBits: Double(rows.map(\.lsbBits).max() ?? 0),
                              valueBits: first.valueBits.map(Double.init) ?? denseBits, activationBits: denseBits)
            if let k = rows.compactMap(\.topK).first {
                // A selection of more tokens than this layer kept starts the next step's cascade over the whole
                // grown context (references.md [SpAtten-traces]).
                let kept = rows.map(\.keys).max() ?? 0
                layer.tokenTopK = Selection(n: k < kept ? kept : first.context + 1, k: k, count: b)
            }
            sparse.append(layer)
            dense.append(denseLayer(step: first.step, layer: first.layer, context: first.context, mode: .decode,
                                    problem: problem, bits: denseBits))
        }
        // Heads dropped between consecutive layers of a step: a head top-k after the earlier one.
        for i in sparse.indices.dropLast() where sparse[i + 1].step == sparse[i].step && sparse[i + 1].heads < sparse[i].heads {
            sparse[i].headTopK = Selection(n: sparse[i].heads, k: sparse[i + 1].heads, count: b)
        }
        return (sparse, dense)
    }
}
