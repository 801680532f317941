/// The operations one Einsum performs (counts per iteration point, as the FuseMax artifact's `compute_cost`,
/// references.md [FuseMax-artifact]).
public struct EinsumCost: Sendable, Equatable {
    /// Position of the Einsum in its cascade.
    public var index: Int
    /// The output tensor.
    public var name: String
    /// The Einsum in canonical text form.
    public var text: String
    public var section: Cascade.Section
    /// The iteration space (``Einsum/ranks``).
    public var ranks: [String]
    public var reducedRanks: [String]
    /// Points of the iteration space: the product of the rank sizes, times the multiplier (batch × heads).
    public var iterationPoints: Double
    /// Operations, already scaled by the iteration points.
    public var ops: OpCounts
}

/// The operations of a whole cascade, per Einsum and in total.
public struct CascadeCost: Sendable, Equatable {
    public var einsums: [EinsumCost]
    public var total: OpCounts

    /// The cost of the extended Einsum producing `name` (for iterative state, its update, not its
    /// initialization), or nil.
    public subscript(name: String) -> EinsumCost? {
        einsums.last { $0.name == name && $0.section == .extended } ?? einsums.last { $0.name == name }
    }
}

extension Einsum {
    /// Operations per point of the iteration space (the FuseMax artifact's cost per iteration point, `proposal.py`):
    /// - each operator node of the expression costs one op of its kind (`-` is an add, unary minus an add,
    ///   `min` a max; a call of `max`/`min` with n arguments costs n−1); a constant subexpression costs nothing;
    /// - a sum reduction costs one `add`, except that a sum whose top expression is a multiplication is one
    ///   `mac` instead of `mul` + `add`; a max or min reduction costs one `max`;
    /// - a copy or a constant costs nothing.
    public var opsPerPoint: OpCounts {
        var ops = OpCounts()
        switch reductionOperator {
        case nil:
            Self.count(expression, into: &ops)
        case .sum?:
            if case .binary(.multiply, let l, let r) = expression {
                ops.mac += 1
                Self.count(l, into: &ops)
                Self.count(r, into: &ops)
            } else {
                ops.add += 1
                Self.count(expression, into: &ops)
            }
        case .max?, .min?:
            ops.max += 1
            Self.count(expression, into: &ops)
        }
        return ops
    }

    private static func count(_ expression: EinsumExpr, into ops: inout OpCounts) {
        guard !expression.isConstant else { return }
        switch expression {
        case .number, .tensor:
            break
        case .negate(let x):
            ops.add += 1
            count(x, into: &ops)
        case .binary(let op, let l, let r):
            switch op {
            case .add, .subtract: ops.add += 1
            case .multiply: ops.mul += 1
            case .divide: ops.div += 1
            }
            count(l, into: &ops)
            count(r, into: &ops)
        case .call(let function, let arguments):
            switch function {
            case .exp: ops.exp += 1
            case .max, .min: ops.max += Double(arguments.count - 1)
            }
            for argument in arguments { count(argument, into: &ops) }
        }
    }
}

extension Cascade {
    /// Operation counts of every Einsum under `binding`, scaled by `multiplier` (batch × heads: the paper omits
    /// B and H from the notation but they index every tensor, references.md [FuseMax §IV]).
    ///
    /// ```swift
    /// let cost = try Cascade.preset(named: "attention-3pass")?
    ///     .opCounts(binding: .attention(M: 1024, P: 1024, E: 64, F: 64), multiplier: 64 * 12)
    /// cost["QK"]?.ops.mac   // 64·12·64·1024·1024
    /// ```
    /// - Throws: ``RankBindingError`` naming the rank and the Einsum when a rank is unbound or below 1.
    /// - Complexity: O(size of the cascade's text); independent of the rank sizes.
    public func opCounts(binding: RankBinding, multiplier: Double = 1) throws(RankBindingError) -> CascadeCost {
        var costs: [EinsumCost] = []
        var total = OpCounts()
        for (index, einsum) in einsums.enumerated() {
            let points: Double
            do {
                points = try binding.points(of: einsum.ranks) * multiplier
            } catch {
                var named = error
                named.einsum = einsum.name
                throw named
            }
            let ops = einsum.opsPerPoint * points
            total += ops
            costs.append(EinsumCost(
                index: index, name: einsum.name, text: einsum.description, section: sections[index],
                ranks: einsum.ranks, reducedRanks: einsum.reducedRanks, iterationPoints: points, ops: ops))
        }
        return CascadeCost(einsums: costs, total: total)
    }
}
