/// The KV tiles one Q tile visits: how many, and how many of them are full (no element masked).
public struct QTileVisit: Sendable, Equatable, Hashable {
    public var visited: Int
    public var full: Int

    public init(visited: Int, full: Int) {
        self.visited = visited
        self.full = full
    }

    public var partial: Int { visited - full }
}
