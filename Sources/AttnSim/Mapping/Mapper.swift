/// A space of candidate mappings for one (hardware, workload) pair: enumerates them under its constraints.
/// The GPU engine has one; the spatial engine's dataflows plug in the same way.
public protocol Mapspace {
    associatedtype Candidate: Sendable
    /// Every legal candidate, in a fixed order (the search is deterministic).
    func candidates() -> [Candidate]
}

/// A mapping with the cost the engine gave it (seconds of simulated time, lower is better).
public struct RankedMapping<Candidate: Sendable>: Sendable {
    public var mapping: Candidate
    public var cost: Double
}

/// The search: score every candidate of a mapspace with an engine's cost and rank them. Exhaustive, because
/// the spaces here are small (tens to hundreds of candidates) and each score takes microseconds to
/// milliseconds; ties keep the mapspace's order.
public enum Mapper {
    public static func rank<Space: Mapspace, Failure: Error>(
        _ space: Space, cost: (Space.Candidate) throws(Failure) -> Double?
    ) throws(Failure) -> [RankedMapping<Space.Candidate>] {
        var ranked: [(index: Int, item: RankedMapping<Space.Candidate>)] = []
        for (index, candidate) in space.candidates().enumerated() {
            guard let value = try cost(candidate), value.isFinite else { continue }
            ranked.append((index, RankedMapping(mapping: candidate, cost: value)))
        }
        ranked.sort { ($0.item.cost, $0.index) < ($1.item.cost, $1.index) }
        return ranked.map(\.item)
    }
}
