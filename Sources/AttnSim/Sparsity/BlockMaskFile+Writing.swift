import Foundation

extension BlockMaskFile {
    /// The file's JSON text (one Q block's list per line), as `load` reads it back.
    /// - Complexity: O(listed blocks); writes about 6 bytes per index.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(heads.reduce(0) { $0 + ($1.full.count + $1.partial.count) * 7 + $1.full.rows * 8 } + 256)
        func append(_ text: String) { out.append(contentsOf: text.utf8) }
        func append(_ value: Int) {
            if value == 0 { out.append(0x30); return }
            var digits: [UInt8] = []
            var v = value
            while v > 0 { digits.append(UInt8(0x30 + v % 10)); v /= 10 }
            out.append(contentsOf: digits.reversed())
        }
        func table(_ table: BlockTable) {
            out.append(0x5B)
            for q in 0..<table.rows {
                append(q == 0 ? "\n  [" : ",\n  [")
                var first = true
                for k in table.row(q) {
                    if !first { append(", ") }
                    append(Int(k))
                    first = false
                }
                out.append(0x5D)
            }
            append("\n ]")
        }
        append("{\"attnsim_block_mask\": 1,\n \"block_size\": [")
        append(blockSize.q)
        append(", ")
        append(blockSize.kv)
        append("]")
        func fields(_ head: Head) {
            append(",\n \"full\": ")
            table(head.full)
            if head.partial.count > 0 {
                append(",\n \"partial\": ")
                table(head.partial)
            }
        }
        if perHead {
            append(",\n \"heads\": [")
            for (index, head) in heads.enumerated() {
                append(index == 0 ? "{\"full\": " : ", {\"full\": ")
                table(head.full)
                append(", \"partial\": ")
                table(head.partial)
                append("}")
            }
            append("]")
        } else {
            fields(heads[0])
            append(",\n \"heads\": null")
        }
        if let attendedPairs {
            append(",\n \"attended_pairs\": ")
            let values = attendedPairs.map { JSONValue.number($0).serialized() }
            append(values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]")
        }
        append("\n}\n")
        return out
    }

    /// Causal attention over `tokens` tokens in square blocks of `block`: blocks below the diagonal full, the
    /// diagonal partial (the layout `create_block_mask` gives a causal mask_mod; a worst case for file size).
    public static func causal(tokens: Int, block: Int) -> BlockMaskFile {
        let n = (tokens + block - 1) / block
        var full = BlockTable(offsets: [0], indices: [])
        var partial = BlockTable(offsets: [0], indices: [])
        full.indices.reserveCapacity(n * (n - 1) / 2)
        for q in 0..<n {
            for k in 0..<q { full.indices.append(Int32(k)) }
            full.offsets.append(full.indices.count)
            partial.indices.append(Int32(q))
            partial.offsets.append(partial.indices.count)
        }
        let pairs = Double(tokens) * Double(tokens + 1) / 2
        return BlockMaskFile(blockSize: (block, block), heads: [Head(full: full, partial: partial)],
                             attendedPairs: [pairs], perHead: false)
    }
}
