/// A sweep axis's `path:` (sweeps/*.yaml, `sweep.json`'s `axes[].name`), read as the field it sets: the fields
/// attnsim knows, with what their values measure and how a report labels them. A path is matched whole
/// (`workload.` in front of a workload field is allowed, as the sweep spec allows it); any other path is
/// ``Field/other`` and is labelled by the path itself. Nothing is guessed from parts of a name.
public struct SweepAxisPath: Sendable, Equatable {
    /// The path as the sweep wrote it.
    public var name: String
    public var field: Field

    public enum Field: Sendable, Equatable {
        /// `hardware` / `workload`: the whole file.
        case hardwareFile, workloadFile
        /// `problem.tokens` (per token axis), `problem.kv_tokens`, `problem.batch`, `problem.heads`, `problem.head_dim`,
        /// `problem.kv_heads`.
        case tokens, kvTokens, batch, heads, headDim, kvHeads
        /// `mask.window`, `mask.stride`, `mask.dilation`, `mask.causal` (GNA, per token axis).
        case window, stride, dilation, causal
        /// `kernel.backend`, `kernel.q_tile`, `kernel.kv_tile`, `kernel.tiling`, `kernel.kv_tiling`, `kernel.kv_splits`.
        case backend, qTile, kvTile, tiling, kvTiling, kvSplits
        /// `pruning.token_keep`, `pruning.head_keep`, `pruning.value_keep`, `pruning.kv_access`.
        case tokenKeep, headKeep, valueKeep, kvAccess
        /// `hardware.clock`, `hardware.units.count`.
        case clock, unitCount
        /// `hardware.arrays[i].shape`: a spatial array's PEs per side.
        case arrayShape(Int)
        /// `hardware.memory[i].size` and `.bandwidth`: a memory level (0 is the outermost).
        case memorySize(Int), memoryBandwidth(Int)
        /// Any other field path.
        case other
    }

    public init(_ name: String) {
        self.name = name
        field = Self.field(name)
    }

    static func field(_ name: String) -> Field {
        switch name {
        case "hardware": return .hardwareFile
        case "workload": return .workloadFile
        default: break
        }
        if name.hasPrefix("hardware.") {
            let parts = components(String(name.dropFirst("hardware.".count)))
            switch parts.count == 3 ? (parts[0], Int(parts[1]), parts[2]) : ("", nil, "") {
            case ("arrays", let index?, "shape"): return .arrayShape(index)
            case ("memory", let index?, "size"): return .memorySize(index)
            case ("memory", let index?, "bandwidth"): return .memoryBandwidth(index)
            default: break
            }
            switch parts {
            case ["clock"]: return .clock
            case ["units", "count"]: return .unitCount
            default: return .other
            }
        }
        let field = name.hasPrefix("workload.") ? String(name.dropFirst("workload.".count)) : name
        let known: [String: Field] = [
            "problem.tokens": .tokens, "problem.kv_tokens": .kvTokens, "problem.batch": .batch, "problem.heads": .heads,
            "problem.head_dim": .headDim, "problem.kv_heads": .kvHeads,
            "mask.window": .window, "mask.stride": .stride, "mask.dilation": .dilation,
            "mask.causal": .causal, "kernel.backend": .backend, "kernel.q_tile": .qTile, "kernel.kv_tile": .kvTile,
            "kernel.tiling": .tiling, "kernel.kv_tiling": .kvTiling, "kernel.kv_splits": .kvSplits,
            "pruning.token_keep": .tokenKeep,
            "pruning.head_keep": .headKeep, "pruning.value_keep": .valueKeep, "pruning.kv_access": .kvAccess,
        ]
        return known[field] ?? .other
    }

    /// `memory[1].size` → `["memory", "1", "size"]`.
    static func components(_ path: String) -> [String] {
        var parts: [String] = []
        for piece in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(piece)
            let key = rest.prefix { $0 != "[" }
            parts.append(String(key))
            rest = rest.dropFirst(key.count)
            while rest.first == "[", let close = rest.firstIndex(of: "]") {
                parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: close)...]
            }
            if !rest.isEmpty { parts.append(String(rest)) }
        }
        return parts
    }

    /// What a value of the axis reads as when it is text with a unit (`16 KiB`, `3 TB/s`, `1.98 GHz`).
    public var dimension: Dimension? {
        switch field {
        case .memorySize: return .bytes
        case .memoryBandwidth: return .bandwidth
        case .clock: return .frequency
        default: return nil
        }
    }

    /// The axis in words, with its unit (`memory level 1 size (bytes)`); an unknown path is its own label.
    public var label: String {
        switch field {
        case .hardwareFile: return "hardware"
        case .workloadFile: return "workload"
        case .tokens: return "tokens per axis"
        case .kvTokens: return "KV tokens per axis"
        case .batch: return "batch"
        case .heads: return "heads"
        case .headDim: return "head dimension"
        case .kvHeads: return "K/V heads"
        case .window: return "window per axis (tokens)"
        case .stride: return "stride per axis (tokens)"
        case .dilation: return "dilation per axis"
        case .causal: return "causal per axis"
        case .backend: return "kernel backend"
        case .qTile: return "Q tile (tokens per axis)"
        case .kvTile: return "KV tile (tokens per axis)"
        case .tiling: return "tiling"
        case .kvTiling: return "KV tiling"
        case .kvSplits: return "KV splits per Q tile"
        case .tokenKeep: return "token keep fraction"
        case .headKeep: return "head keep fraction"
        case .valueKeep: return "value keep fraction"
        case .kvAccess: return "K/V access"
        case .clock: return "clock (Hz)"
        case .unitCount: return "compute units"
        case .arrayShape(let index): return "array \(index) shape (PEs per side)"
        case .memorySize(let index): return "memory level \(index) size (bytes)"
        case .memoryBandwidth(let index): return "memory level \(index) bandwidth (bytes/s)"
        case .other: return name
        }
    }

    /// A whole hardware or workload file (its values are file names).
    public var isFile: Bool { field == .hardwareFile || field == .workloadFile }

    public var isHardwareFile: Bool { field == .hardwareFile }

    /// Resizes a spatial design: an array's shape or a memory level's size.
    public var resizesSpatialDesign: Bool {
        switch field {
        case .arrayShape, .memorySize: return true
        default: return false
        }
    }

    /// The GNA chart's preference for its x axis (lower first): stride, window, tokens, dilation; nil for others.
    public var gnaPreference: Int? {
        switch field {
        case .stride: return 0
        case .window: return 1
        case .tokens: return 2
        case .dilation: return 3
        default: return nil
        }
    }
}
