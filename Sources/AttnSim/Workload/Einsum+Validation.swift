/// Checks of one Einsum that need the whole Einsum (the parser runs them; ``Cascade`` adds the checks across
/// Einsums in ``Cascade/validate()``).
extension Einsum {
    /// Throws the first problem found:
    /// - an endpoint (`M1`) or a repeated rank indexing the output;
    /// - an output rank that appears nowhere on the right, unless it is the iterative `r+1` form or the right-hand
    ///   side is a constant (`RNV[f,0,p] = 0` broadcasts);
    /// - an explicit reduction whose ranks are not exactly the reduced ones;
    /// - one tensor accessed with different numbers of indices.
    public func validate(einsumIndex: Int) throws(CascadeParseError) {
        func fail(_ column: Int, _ message: String) -> CascadeParseError {
            CascadeParseError(einsumIndex: einsumIndex, column: column, message: message)
        }
        let rightRanks = Set(reads.flatMap(\.ranks))
        var seen = Set<String>()
        for (index, column) in zip(output.indices, output.indexColumns) {
            if case .endpoint(let r) = index {
                throw fail(column, "an endpoint such as \(r.uppercased()) cannot index the output; "
                    + "write the rank \(r) (or \(r)+1 for iterative state)")
            }
            if case .shifted = index { continue }
            for rank in index.ranks {
                guard seen.insert(rank).inserted else {
                    throw fail(column, "rank \(rank) indexes the output \(name) twice")
                }
                if !expression.isConstant, !rightRanks.contains(rank) {
                    throw fail(column, "output rank \(rank) appears nowhere on the right-hand side; "
                        + "every output rank must index an input (or write \(rank)+1 for iterative state)")
                }
            }
        }

        if let reduction {
            guard !reducedRanks.isEmpty else {
                throw fail(reduction.column, "nothing to reduce: every rank on the right also indexes the output; "
                    + "remove '\(reduction.op.rawValue)_\(reduction.ranks.joined(separator: ","))'")
            }
            for (rank, column) in zip(reduction.ranks, reduction.rankColumns) where !reducedRanks.contains(rank) {
                throw fail(column, "rank \(rank) is not reduced by this Einsum (reduced: "
                    + "\(reducedRanks.joined(separator: ", ")))")
            }
            if let missing = reducedRanks.first(where: { !reduction.ranks.contains($0) }) {
                throw fail(reduction.column, "this Einsum also reduces rank \(missing); list every reduced rank, "
                    + "as in \(reduction.op.rawValue)_{\(reducedRanks.joined(separator: ","))}")
            }
        }

        var arity: [String: FirstAccess] = [:]
        for access in [output] + reads {
            try Self.checkArity(access, in: einsumIndex, against: &arity)
        }
    }

    /// Where a tensor first appeared, for the index-count check.
    typealias FirstAccess = (access: TensorAccess, einsumIndex: Int)

    /// Records `access`'s number of indices, or throws when an earlier access of the tensor had another number.
    static func checkArity(_ access: TensorAccess, in einsumIndex: Int,
                           against first: inout [String: FirstAccess]) throws(CascadeParseError) {
        guard let earlier = first[access.name] else {
            first[access.name] = (access, einsumIndex)
            return
        }
        guard earlier.access.indices.count != access.indices.count else { return }
        throw CascadeParseError(
            einsumIndex: einsumIndex, column: access.column,
            message: "tensor \(access.name) has \(access.indices.count) indices here but "
                + "\(earlier.access.indices.count) where it first appears (\(earlier.access) in Einsum "
                + "\(earlier.einsumIndex))")
    }
}
