/// A contiguous fp32 tensor of `instances` (batch × heads) blocks of `tokens × width` values, row-major: the
/// layout every CPU kernel here reads and writes (Q, K, V and the output O).
public struct Tensor: @unchecked Sendable {
    public let instances: Int
    public let tokens: Int
    public let width: Int
    public let storage: UnsafeMutableBufferPointer<Float>

    public init(instances: Int, tokens: Int, width: Int) {
        self.instances = instances
        self.tokens = tokens
        self.width = width
        storage = .allocate(capacity: max(1, instances * tokens * width))
        storage.initialize(repeating: 0)
    }

    /// Uniform values in [-1, 1) from a fixed seed (reproducible inputs for tests and timing).
    public func fillRandom(seed: UInt64) {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        for i in 0..<instances * tokens * width {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            storage[i] = Float(z >> 40) / Float(1 << 23) - 1
        }
    }

    /// The first value of row `token` of instance `instance`.
    @inlinable
    public func row(_ instance: Int, _ token: Int) -> UnsafeMutablePointer<Float> {
        storage.baseAddress! + (instance * tokens + token) * width
    }

    public func deallocate() { storage.deallocate() }
}

/// Q, K, V filled with reproducible random values and an output, shaped for `plan`: what every timed run of the
/// kernels (bench, calibrate, crosscheck) sets up before the clock starts.
public struct AttentionInputs: @unchecked Sendable {
    public let q: Tensor
    public let k: Tensor
    public let v: Tensor
    public let out: Tensor
    /// The packed K and V, kept across the timed runs.
    public let workspace = AttentionKernel.Workspace()

    public init(plan: AttentionPlan, instances: Int, e: Int, f: Int) {
        q = Tensor(instances: instances, tokens: plan.queries, width: e)
        k = Tensor(instances: instances, tokens: plan.keys, width: e)
        v = Tensor(instances: instances, tokens: plan.keys, width: f)
        out = Tensor(instances: instances, tokens: plan.queries, width: f)
        q.fillRandom(seed: 1)
        k.fillRandom(seed: 2)
        v.fillRandom(seed: 3)
    }

    public func run(_ plan: AttentionPlan, threads: Int, logSumExp: Tensor? = nil) {
        AttentionKernel.run(plan: plan, q: q, k: k, v: v, out: out, threads: threads, workspace: workspace,
                            logSumExp: logSumExp)
    }

    public func deallocate() { [q, k, v, out].forEach { $0.deallocate() } }
}

/// A training step's tensors for `plan`: the forward's inputs and output (`AttentionInputs`), its log-sum-exp, a
/// reproducible random dO, and the gradients — what a timed forward-and-backward run sets up before the clock starts.
public struct AttentionTrainingInputs: @unchecked Sendable {
    public let forward: AttentionInputs
    public let logSumExp: Tensor
    public let dOut: Tensor
    public let dq: Tensor
    public let dk: Tensor
    public let dv: Tensor
    /// The backward's packed tiles, kept across the timed runs.
    public let workspace = AttentionKernel.Workspace()

    public init(plan: AttentionPlan, instances: Int, e: Int, f: Int) {
        forward = AttentionInputs(plan: plan, instances: instances, e: e, f: f)
        logSumExp = Tensor(instances: instances, tokens: plan.queries, width: 1)
        dOut = Tensor(instances: instances, tokens: plan.queries, width: f)
        dq = Tensor(instances: instances, tokens: plan.queries, width: e)
        dk = Tensor(instances: instances, tokens: plan.keys, width: e)
        dv = Tensor(instances: instances, tokens: plan.keys, width: f)
        dOut.fillRandom(seed: 4)
    }

    /// The forward pass, keeping L for the backward.
    public func runForward(_ plan: AttentionPlan, threads: Int) {
        forward.run(plan, threads: threads, logSumExp: logSumExp)
    }

    /// The backward pass on the last forward's output.
    public func runBackward(_ plan: AttentionBackwardPlan, threads: Int,
                            dqMode: AttentionBackwardKernel.DQMode = .separatePass) {
        AttentionBackwardKernel.run(plan: plan, q: forward.q, k: forward.k, v: forward.v, out: forward.out, dOut: dOut,
                                    logSumExp: logSumExp, dq: dq, dk: dk, dv: dv, threads: threads, dqMode: dqMode,
                                    workspace: workspace)
    }

    public func deallocate() {
        forward.deallocate()
        [logSumExp, dOut, dq, dk, dv].forEach { $0.deallocate() }
    }
}
