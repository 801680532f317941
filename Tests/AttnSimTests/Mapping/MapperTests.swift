import Testing
@testable import AttnSim

/// `Mapper.rank`: every scorable candidate by cost, ties in the mapspace's order (so a search is deterministic and
/// `attnsim map` lists persistent after non-persistent scheduling when they take the same time).
@Suite struct MapperTests {
    /// A mapspace that lists the names it was given, in that order.
    struct Listed: Mapspace {
        var names: [String]
        func candidates() -> [String] { names }
    }

    @Test func tiesKeepTheMapspaceOrder() {
        let cost = ["a": 2.0, "b": 1.0, "c": 2.0, "d": 1.0, "e": 2.0, "f": 0.5]
        let ranked = Mapper.rank(Listed(names: ["a", "b", "c", "d", "e", "f"])) { cost[$0] }
        #expect(ranked.map(\.mapping) == ["f", "b", "d", "a", "c", "e"])
        #expect(ranked.map(\.cost) == [0.5, 1, 1, 2, 2, 2])
        // The same costs listed the other way round: the order within each tie follows the listing.
        let reversed = Mapper.rank(Listed(names: ["f", "e", "d", "c", "b", "a"])) { cost[$0] }
        #expect(reversed.map(\.mapping) == ["f", "d", "b", "e", "c", "a"])
    }

    /// A candidate the engine cannot score (nil) or scores as not finite is left out, not ranked last.
    @Test func unscorableCandidatesAreLeftOut() {
        let cost: [String: Double?] = ["a": 3, "b": nil, "c": .nan, "d": .infinity, "e": 1]
        let ranked = Mapper.rank(Listed(names: ["a", "b", "c", "d", "e"])) { cost[$0] ?? nil }
        #expect(ranked.map(\.mapping) == ["e", "a"])
        #expect(Mapper.rank(Listed(names: [])) { _ in 1.0 }.isEmpty)
    }

    struct Refused: Error, Equatable { var name: String }

    /// An engine's error stops the search and reaches the caller unchanged.
    @Test func costErrorsPropagate() {
        #expect(throws: Refused(name: "c")) {
            _ = try Mapper.rank(Listed(names: ["a", "b", "c", "d"])) { (name: String) throws(Refused) -> Double? in
                if name == "c" { throw Refused(name: name) }
                return 1
            }
        }
    }
}
