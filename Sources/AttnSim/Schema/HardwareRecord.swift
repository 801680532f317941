/// `attnsim hw show --format json`: a hardware file normalized to SI units (hertz, FLOP/s, bytes, bytes/s) with its
/// derived peaks. Keys a file does not give are left out, except the memory levels' size and bandwidth (null).
public struct HardwareRecord: Codable, Sendable, Equatable {
    public var schemaVersion: SchemaVersion = .current
    public var name: String
    /// `gpu`, `spatial` or `cpu`.
    public var kind: String
    public var description: String?
    public var clockHz: Double
    @OmittedWhenNil public var units: Units? = nil
    /// Element type → FLOP/s of the matrix and vector units.
    @OmittedWhenNil public var matrixFlops: OrderedMap<Double>? = nil
    @OmittedWhenNil public var vectorFlops: OrderedMap<Double>? = nil
    /// Bytes per word (spatial arrays); fractional for word sizes that are not whole bytes.
    @OmittedWhenNil public var wordBytes: Double? = nil
    @OmittedWhenNil public var arrays: [ComputeArray]? = nil
    /// Outer to inner.
    public var memory: [Memory]
    /// Element type → peaks and ridge point.
    public var derived: OrderedMap<Derived>
    /// Backend → the kernel profile's main costs (`kernels:`), in SI units; absent for a file without profiles.
    @OmittedWhenNil public var kernels: OrderedMap<Kernel>? = nil
    public var sources: [String]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", name, kind, description, clockHz = "clock_hz", units
        case matrixFlops = "matrix_flops", vectorFlops = "vector_flops", wordBytes = "word_bytes", arrays, memory
        case derived, kernels, sources
    }

    /// A kernel profile's tiles, efficiencies and fixed costs, and its backward's (`hw show` prints the whole profile
    /// with its sources as YAML).
    public struct Kernel: Codable, Sendable, Equatable {
        @OmittedWhenNil public var masks: [String]? = nil
        @OmittedWhenNil public var qTileTokens: Int? = nil
        @OmittedWhenNil public var kvTileTokens: Int? = nil
        @OmittedWhenNil public var efficiency: Double? = nil
        @OmittedWhenNil public var efficiencyByHeadDim: OrderedMap<Double>? = nil
        @OmittedWhenNil public var perCTAS: Double? = nil
        @OmittedWhenNil public var hostOverheadS: Double? = nil
        @OmittedWhenNil public var backward: Backward? = nil

        enum CodingKeys: String, CodingKey {
            case masks, qTileTokens = "q_tile_tokens", kvTileTokens = "kv_tile_tokens", efficiency
            case efficiencyByHeadDim = "efficiency_by_head_dim", perCTAS = "per_cta_s", hostOverheadS = "host_overhead_s"
            case backward
        }

        /// `backward:`: the dQ variants (the default first), tiles, efficiencies and the host's issue time.
        public struct Backward: Codable, Sendable, Equatable {
            public var dq: [String]
            @OmittedWhenNil public var qTileTokens: Int? = nil
            @OmittedWhenNil public var kvTileTokens: Int? = nil
            @OmittedWhenNil public var efficiency: Double? = nil
            @OmittedWhenNil public var efficiencyByHeadDim: OrderedMap<Double>? = nil
            @OmittedWhenNil public var hostOverheadS: Double? = nil
            public var deterministic: Bool

            enum CodingKeys: String, CodingKey {
                case dq, qTileTokens = "q_tile_tokens", kvTileTokens = "kv_tile_tokens", efficiency
                case efficiencyByHeadDim = "efficiency_by_head_dim", hostOverheadS = "host_overhead_s", deterministic
            }
        }
    }

    public struct Units: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    public struct ComputeArray: Codable, Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var ops: [String]
    }

    public struct Memory: Codable, Sendable, Equatable {
        public var name: String
        public var sizeBytes: ByteCount?
        public var bandwidthBytesPerS: Double?
        /// One per unit (SM, core) rather than one shared.
        public var perUnit: Bool
        public var burstBytes: ByteCount?

        enum CodingKeys: String, CodingKey {
            case name, sizeBytes = "size_bytes", bandwidthBytesPerS = "bandwidth_bytes_per_s", perUnit = "per_unit"
            case burstBytes = "burst_bytes"
        }
    }

    public struct Derived: Codable, Sendable, Equatable {
        public var peakFlops: Double?
        public var peakFlopsPerUnit: Double?
        public var flopsPerCyclePerUnit: Double?
        /// FLOP per byte of off-chip traffic where compute and memory time meet.
        public var ridgeFlopPerByte: Double?

        enum CodingKeys: String, CodingKey {
            case peakFlops = "peak_flops", peakFlopsPerUnit = "peak_flops_per_unit"
            case flopsPerCyclePerUnit = "flops_per_cycle_per_unit", ridgeFlopPerByte = "ridge_flop_per_byte"
        }
    }
}
