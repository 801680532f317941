import HeapModule

/// A discrete-event queue: events come out in time order, ties in the order they were scheduled, so a
/// simulation is deterministic. Backed by swift-collections' binary min-max heap.
/// - Complexity: O(log n) per `schedule` and `next`.
public struct EventQueue<Payload: Sendable>: Sendable {
    struct Entry: Comparable, Sendable {
        var time: Double
        var sequence: Int
        var payload: Payload

        static func < (a: Entry, b: Entry) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    private var sequence = 0

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }

    public mutating func schedule(_ payload: Payload, at time: Double) {
        heap.insert(Entry(time: time, sequence: sequence, payload: payload))
        sequence += 1
    }

    /// The earliest event, removed.
    public mutating func next() -> (time: Double, payload: Payload)? {
        heap.popMin().map { ($0.time, $0.payload) }
    }
}
