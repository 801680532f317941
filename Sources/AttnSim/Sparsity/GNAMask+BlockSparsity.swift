/// NATTEN's test for whether a GNA problem is fully block-sparse (no element mask needed anywhere).
extension GNAMask {
    /// NATTEN's closed-form fast-path predicate `is_fully_block_sparse_int` (fna_fusion.hpp,
    /// references.md [NATTEN-src]), per axis and per dilation group; causal axes never qualify. It is what the Hopper
    /// and Blackwell kernels test to skip masking; it can disagree with the exact answer
    /// (`TileWork.isFullyBlockSparse`) in both directions, notably when a Q tile is one token (a brute-force check of
    /// 100 000 random problems found 91 unsafe cases, all with TQ = 1).
    public func kernelFastPath(qTile: [Int], kvTile: [Int]) -> Bool {
        for (i, axis) in axes.enumerated() {
            if axis.causal { return false }
            for group in 0..<axis.dilation {
                let n = axis.groupLength(group)
                if !Self.fastPathAxis(axis, length: n, qTile: qTile[i], kvTile: kvTile[i]) { return false }
            }
        }
        return true
    }

    static func fastPathAxis(_ axis: GNAAxis, length n: Int, qTile: Int, kvTile: Int) -> Bool {
        let (w, s) = (axis.window, axis.stride)
        if n == w { return true }
        let left = w / 2
        let groups = ceilDiv(n, s)
        let lastGroupStart = axis.keys(ofQuery: n - 1, groupLength: n).lowerBound
        let groupsAligned = s % qTile == 0 && w % kvTile == 0
        let lastGroupAligned = n % s == 0 || lastGroupStart % kvTile == 0
        let startsAligned = (left - s / 2) % kvTile == 0
            || (n % kvTile == 0 && groups == 2 && s + s / 2 >= n - w)
        return groupsAligned && lastGroupAligned && startsAligned
    }
}
