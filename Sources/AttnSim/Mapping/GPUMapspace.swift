/// The GPU mapspace: backends × tile shapes × tiling × scheduling, constrained by the workload's fixed
/// `kernel:` choices and each backend's legal tiles.
///
/// - A backend with a list of legal tile shapes (NATTEN FNA, references.md [NATTEN-src] backends/configs) offers those
///   with as many axes as the token layout.
/// - Otherwise (FlexAttention, dense kernels) tiles have the backend's token count: for masks with N-D tiles (GNA), every
///   factorization of it over the axes with each side at most the axis length (one permutation serves Q, K
///   and V, so Q and KV tiles have the same shape), plus single-dimensional tiling; for other masks, runs of
///   the flattened sequence.
/// - Persistent and non-persistent scheduling, unless the profile fixes it.
/// - KV splits (`SplitKV.candidates`) for backends whose profile has `split_kv: true`, unless `kernel.kv_splits`
///   fixes them; 1 otherwise.
/// - Only backends that implement the workload's mask (`masks:` in the profile).
public struct GPUMapspace: Mapspace {
    public var hardware: HardwareSpec
    public var workload: Workload

    public init(hardware: HardwareSpec, workload: Workload) {
        self.hardware = hardware
        self.workload = workload
    }

    /// Whether tiles may be N-D boxes of the token layout (GNA under token permutation).
    var multiDim: Bool { workload.mask.allowsMultiDimTiling }

    public var backends: [String] {
        if let backend = workload.kernel?.backend?.value { return [backend] }
        return hardware.kernels.keys.sorted()
    }

    public func candidates() -> [GPUMapping] {
        let kernel = workload.kernel
        let tokens = workload.problem.tokens
        var result: [GPUMapping] = []
        for backend in backends {
            guard let profile = hardware.kernels[backend], profile.efficiency(headDim: workload.problem.headDim) != nil || workload.kernel?.backend?.value == backend,
                  profile.masks?.contains(workload.mask.kind) ?? true else { continue }
            // A backward or training pass needs the backend's backward; the mapper ranks the dQ variants it offers
            // when the workload leaves them to it (`kernel.dq: auto`).
            let pinned = workload.kernel?.backend?.value == backend
            if workload.pass.runsBackward && profile.backward == nil && !pinned { continue }
            let variants: [BackwardDQ?]
            switch kernel?.dq {
            case .fixed(let dq)?: variants = [dq]
            case .auto? where workload.pass.runsBackward: variants = profile.backward?.variants ?? [nil]
            default: variants = [nil]
            }
            var shapes: [(q: [Int], kv: [Int], tiling: KernelChoice.Tiling)] = []
            let qTokens = profile.qTileTokens ?? 128
            let kvTokens = profile.kvTileTokens ?? qTokens
            if !multiDim {
                shapes = [([qTokens], [kvTokens], .single_dim)]
            } else if !profile.tileShapes.isEmpty {
                shapes = profile.tileShapes.filter { $0.q.count == tokens.count }.map { ($0.q, $0.kv, .multi_dim) }
            } else {
                let sides = Self.factorizations(of: qTokens, axes: tokens.count)
                    .filter { zip($0, tokens).allSatisfy { $0 <= $1 } }
                shapes = sides.map { ($0, $0, .multi_dim) } + [([qTokens], [kvTokens], .single_dim)]
            }
            if let q = kernel?.qTile?.value { shapes = shapes.filter { $0.q == q || ($0.tiling == .single_dim && $0.q == [q.reduce(1, *)]) } }
            if let kv = kernel?.kvTile?.value { shapes = shapes.filter { $0.kv == kv || ($0.tiling == .single_dim && $0.kv == [kv.reduce(1, *)]) } }
            if let tiling = kernel?.tiling?.value { shapes = shapes.filter { $0.tiling == tiling || !multiDim } }
            let kvTiling = kernel?.kvTiling?.value ?? .static
            shapes = shapes.filter {
                workload.mask.isTractable(MaskTiling(qTile: $0.q, kvTile: $0.kv, tiling: $0.tiling, kvTiling: kvTiling))
            }
            let schedules = profile.persistent.map { [$0] } ?? [false, true]
            for shape in shapes {
                let splits = kvSplits(profile: profile, qTileTokens: shape.q.reduce(1, *),
                                      kvTileTokens: shape.kv.reduce(1, *))
                for persistent in schedules {
                    for split in splits {
                        for dq in variants {
                            var mapping = GPUMapping(backend: backend, qTile: shape.q, kvTile: shape.kv,
                                                     tiling: shape.tiling, kvTiling: kvTiling, persistent: persistent,
                                                     kvSplits: split)
                            mapping.dq = dq
                            result.append(mapping)
                        }
                    }
                }
            }
        }
        return result
    }

    /// The split counts of a shape: the workload's `kernel.kv_splits` when it fixes one (none when the backend
    /// cannot split and it asks for more than 1), `SplitKV.candidates` for a backend that can split, else 1.
    func kvSplits(profile: KernelProfile, qTileTokens: Int, kvTileTokens: Int) -> [Int] {
        let canSplit = profile.splitKV == true
        if let fixed = workload.kernel?.kvSplits?.value { return fixed == 1 || canSplit ? [fixed] : [] }
        guard canSplit else { return [1] }
        let problem = workload.problem
        let layout = GPUHeadLayout(workload, qTileTokens: qTileTokens)
        let ctas = layout.ctas(problem, qTileTokens: qTileTokens, kvSplits: 1)
        return SplitKV.candidates(kvTiles: ceilDiv(problem.keyTokens, kvTileTokens), ctas: Int(min(ctas, 1e9)),
                                  sms: hardware.units?.count ?? 1)
    }

    /// Whether `mapping`'s backend, tiles and tiling are among the candidates (scheduling aside): a workload that
    /// pins its tiles gets the same verdict as `attnsim map`.
    public func isLegal(_ mapping: GPUMapping) -> Bool {
        candidates().contains {
            $0.backend == mapping.backend && $0.qTile == mapping.qTile && $0.kvTile == mapping.kvTile
                && $0.tiling == mapping.tiling && $0.kvTiling == mapping.kvTiling
        }
    }

    /// The error when no candidate is left (`attnsim map`, and `simulate` of a workload that pins illegal tiles).
    public var noLegalMapping: Diagnostic {
        let kind = workload.mask.kind
        let implementing = hardware.kernels.filter { $0.value.masks?.contains(kind) ?? true }
        guard !implementing.isEmpty else {
            // No backend implements the mask at all: say so, and what each one does implement.
            let lists = hardware.kernels.sorted { $0.key < $1.key }
                .map { "\($0.key): \(($0.value.masks ?? []).joined(separator: ", "))" }.joined(separator: "; ")
            return Diagnostic(file: workload.file, path: "mask.kind",
                              message: "no kernel profile in \(hardware.file) implements a `\(kind)` mask (\(lists)); "
                                + "use a hardware file with a general-purpose profile such as `flex` (no `masks:` list)")
        }
        return Diagnostic(file: workload.file, path: "kernel",
                          message: "no legal GPU mapping: no backend in \(hardware.file) offers tiles for "
                            + "\(workload.problem.tokens.count)-D tokens \(workload.problem.tokens) under the workload's kernel choices")
    }

    /// Ordered factorizations of `n` into `axes` factors, each a divisor of n.
    static func factorizations(of n: Int, axes: Int) -> [[Int]] {
        guard axes > 1 else { return [[n]] }
        var result: [[Int]] = []
        for first in 1...n where n % first == 0 {
            for rest in factorizations(of: n / first, axes: axes - 1) { result.append([first] + rest) }
        }
        return result
    }
}
