/// How many passes a cascade makes over the fibers of one rank: the mapping-independent lower bound of
/// FuseMax §III (references.md [FuseMax]). An N-pass cascade must buffer or re-read a whole fiber N−1 times.
///
/// ```swift
/// let analysis = Cascade.preset(named: "attention-3pass")?.passes(over: "m")
/// analysis?.total     // 3
/// analysis?["SN"]     // 2
/// ```
///
/// The algorithm is attnsim's (the paper defines a pass but gives no procedure); it reproduces every count the
/// paper states:
/// - The **family** of rank `m` is `m` and its tile ranks `m0`, `m1`, … (`m` followed by digits).
/// - `pass(E) = max(1, max over the tensors E reads, and their producers Pr earlier in the cascade, of
///   pass(Pr) + δ)`; an Einsum reading only cascade inputs (or initialized tensors) is in pass 1.
/// - δ = 1 when the tensor as read has had the whole family reduced away (Pr depends on the rank, and Pr's output
///   has no family rank, or E
///   reads it at an iterative endpoint such as `RD[M1,p]` and by no other family rank) **and** E iterates the
///   rank's elements: `m` itself or its innermost tile rank `m0` indexes one of E's inputs. A coarser tile rank
///   (`m1`) walks only M1-length fibers, which this analysis does not count as a pass over M (the 2-pass
///   cascade's correction reads only M1-length fibers); counting it would make the 2-pass cascade 3-pass.
/// - Iterative state is streaming: reading `RM[m1,p]` or `RM[m1+1,p]` keeps the family rank, so δ = 0; an
///   Einsum's own state and state whose update comes later are not earlier producers at all.
/// - Initialization Einsums are not passes: they get pass **0** and count as inputs for the others.
///
/// - Complexity: O(accesses × producers per tensor), independent of the rank sizes.
public struct PassAnalysis: Sendable, Equatable, CustomStringConvertible {
    public struct Entry: Sendable, Equatable {
        public var index: Int
        public var name: String
        public var section: Cascade.Section
        /// 1-based pass; 0 for an initialization Einsum.
        public var pass: Int
    }

    /// The rank whose passes are counted.
    public var rank: String
    /// One entry per Einsum, in cascade order.
    public var entries: [Entry]

    /// The number of passes: the largest pass of any Einsum (0 for a cascade with no extended Einsum).
    public var total: Int { entries.map(\.pass).max() ?? 0 }

    /// The pass of the extended Einsum producing `name` (for iterative state, its update), or nil.
    public subscript(name: String) -> Int? {
        (entries.last { $0.name == name && $0.section == .extended } ?? entries.last { $0.name == name })?.pass
    }

    /// True for `rank` itself and for `rank` followed by digits (`m0`, `m1`, `m12` are in the family of `m`).
    public static func isInFamily(_ candidate: String, of rank: String) -> Bool {
        guard candidate.hasPrefix(rank) else { return false }
        return candidate.dropFirst(rank.count).allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// True for the ranks that walk the elements of a fiber of `rank`: `rank` itself and its innermost tile
    /// rank `rank0` (m = m1·M0 + m0, FuseMax §IV).
    public static func isElementRank(_ candidate: String, of rank: String) -> Bool {
        candidate == rank || candidate == rank + "0"
    }

    public var description: String {
        let lines = entries.map { entry in
            entry.section == .initialization ? "  init  \(entry.name)" : "  \(entry.pass)     \(entry.name)"
        }
        return (["\(total) pass\(total == 1 ? "" : "es") over \(rank)"] + lines).joined(separator: "\n")
    }
}

extension Cascade {
    /// Counts the passes over `rank` and its tile ranks (see ``PassAnalysis``).
    public func passes(over rank: String = "m") -> PassAnalysis {
        var pass = Array(repeating: 0, count: einsums.count)
        // Whether an Einsum's value depends on the rank: it reads an access carrying a rank of the family, or a
        // tensor produced earlier that does.
        var dependsOnRank = Array(repeating: false, count: einsums.count)
        for (index, einsum) in einsums.enumerated() {
            dependsOnRank[index] = einsum.reads.contains { access in
                access.carriesRank(ofFamily: rank)
                    || producers(of: access.name).contains { $0 < index && dependsOnRank[$0] }
            }
        }
        for (index, einsum) in einsums.enumerated() where sections[index] == .extended {
            let iterates = einsum.reads.contains { access in
                access.ranks.contains { PassAnalysis.isElementRank($0, of: rank) }
            }
            var current = 1
            for access in einsum.reads {
                let readsEndpoint = !access.carriesRank(ofFamily: rank) && access.indices.contains {
                    if case .endpoint(let r) = $0 { PassAnalysis.isInFamily(r, of: rank) } else { false }
                }
                for producer in producers(of: access.name)
                where producer < index && sections[producer] == .extended {
                    // A tensor that never depended on the rank (D = rowsum(dO ∘ O) in the backward) had nothing of
                    // it reduced away: reading it needs no earlier pass.
                    let reduced = dependsOnRank[producer]
                        && (!einsums[producer].output.carriesRank(ofFamily: rank) || readsEndpoint)
                    current = max(current, pass[producer] + (reduced && iterates ? 1 : 0))
                }
            }
            pass[index] = current
        }
        let entries = einsums.indices.map {
            PassAnalysis.Entry(index: $0, name: einsums[$0].name, section: sections[$0], pass: pass[$0])
        }
        return PassAnalysis(rank: rank, entries: entries)
    }
}
