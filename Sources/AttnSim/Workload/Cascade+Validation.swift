/// Checks of a whole cascade, run by ``Cascade/init(name:einsums:)`` before anything uses it.
extension Cascade {
    /// Throws the first problem found, pointing at the offending tensor: first each Einsum's own checks
    /// (``Einsum/validate(einsumIndex:)``), then
    /// - a tensor accessed with different numbers of indices in different Einsums;
    /// - a tensor written by two Einsums, unless all but one write it at a fixed index (the initialization of
    ///   iterative state, `RM[0,p] = -inf` then `RM[m1+1,p] = ...`);
    /// - a tensor read before any Einsum produces it when an Einsum produces it later, except an iterative
    ///   Einsum reading its own state (`RM[m1,p]` while writing `RM[m1+1,p]`) and a read at an endpoint
    ///   (`RD[M1,p]`).
    /// - Complexity: O(total accesses × producers per tensor).
    public func validate() throws(CascadeParseError) {
        for (index, einsum) in einsums.enumerated() {
            try einsum.validate(einsumIndex: index)
        }
        var arity: [String: Einsum.FirstAccess] = [:]
        for (index, einsum) in einsums.enumerated() {
            for access in [einsum.output] + einsum.reads {
                try Einsum.checkArity(access, in: index, against: &arity)
            }
        }

        var writer: [String: Int] = [:]
        for (index, einsum) in einsums.enumerated() where !einsum.writesFixedIndex {
            if let earlier = writer[einsum.name] {
                throw CascadeParseError(
                    einsumIndex: index, column: einsum.output.column,
                    message: "tensor \(einsum.name) is already produced by Einsum \(earlier) (\(einsums[earlier])); "
                        + "only an initialization at a fixed index (as in \(einsum.name)[0,...] = 0) may write it again")
            }
            writer[einsum.name] = index
        }

        for (index, einsum) in einsums.enumerated() {
            for access in einsum.reads {
                let producers = producers(of: access.name)
                guard let later = producers.first, later >= index else { continue }
                if later == index, einsum.iterativeRank != nil { continue }
                if access.indices.contains(where: { if case .endpoint = $0 { true } else { false } }) { continue }
                if later == index {
                    throw CascadeParseError(
                        einsumIndex: index, column: access.column,
                        message: "tensor \(access.name) is read by the Einsum that produces it; only iterative state "
                            + "may read itself (as in \(access.name)[m1+1,...] = \(access.name)[m1,...] + ...)")
                }
                let laterWriter = producers.first { !einsums[$0].writesFixedIndex } ?? later
                let hint = einsums[laterWriter].iterativeRank.map { rank in
                    "; it is iterative state, so initialize it first (as in \(access.name)[\(rank):\(rank)=0,...] = 0)"
                } ?? "; move that Einsum before this one"
                throw CascadeParseError(
                    einsumIndex: index, column: access.column,
                    message: "tensor \(access.name) is read before any Einsum produces it "
                        + "(Einsum \(later) produces it later)\(hint)")
            }
        }
    }
}
