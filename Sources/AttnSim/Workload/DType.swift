/// Element types with a peak rate in a hardware file and a size in a workload.
public enum DType: String, Sendable, CaseIterable, Hashable, Comparable {
    case fp32, tf32, bf16, fp16, fp8, int8

    /// Bytes per element as stored in memory.
    public var bytes: Double {
        switch self {
        case .fp32, .tf32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        }
    }

    public static func < (a: DType, b: DType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
