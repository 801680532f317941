/// Whether a GNA problem is fully block-sparse: every visited KV tile is full, so a kernel needs no element
/// mask at all.
extension TileWork {
    /// The exact answer: no visited tile is partial (counted element by element in effect, see `TileWork`).
    public var isFullyBlockSparse: Bool { partial == 0 }
}
