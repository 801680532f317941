/// The KV tiles one Q tile visits: how many, and how many of them are full (no element masked); and, for a kernel
/// that walks its row's KV tiles and tests a block mask bit for each (`KernelProfile.skippedTile`), how many it
/// walks past without computing.
public struct QTileVisit: Sendable, Equatable, Hashable {
    public var visited: Int
    public var full: Int
    /// KV tiles the kernel tests and skips (0 for kernels that read a list of the visited tiles).
    public var skipped: Int

    public init(visited: Int, full: Int, skipped: Int = 0) {
        self.visited = visited
        self.full = full
        self.skipped = skipped
    }

    public var partial: Int { visited - full }
}
