import Foundation

/// What `attnsim cascade WL` prints: the workload's Einsums with their section and pass, the rank sizes bound
/// from the problem, the operation counts of every Einsum over all batch × heads instances, and the passes the
/// cascade must make over the softmax rank (FuseMax §III, references.md [FuseMax]).
public struct CascadeReport: Sendable {
    public var workload: String
    public var cascadeName: String
    public var rank: String
    public var binding: RankBinding
    public var cost: CascadeCost
    public var passes: PassAnalysis

    /// - Parameter backward: report the backward cascade (`backward_cascade:`) instead of the forward one; by default
    ///   for a `pass: backward` workload.
    public init(workload: Workload, rank: String = "m", backward: Bool? = nil) throws(Diagnostic) {
        let backward = backward ?? (workload.pass == .backward)
        let cascade = backward ? workload.backwardCascade : workload.cascade
        self.workload = workload.name
        cascadeName = backward ? workload.backwardCascadeName : workload.cascadeName
        self.rank = rank
        binding = RankBinding.attention(workload.problem)
        do {
            cost = try cascade.opCounts(binding: binding, multiplier: Double(workload.problem.instances))
        } catch {
            throw Diagnostic(file: workload.file, path: backward ? "backward_cascade" : "cascade",
                             message: "cannot bind the cascade's ranks: \(error)")
        }
        passes = cascade.passes(over: rank)
    }

    public var table: String {
        var table = TextTable(title: "cascade \(cascadeName) of \(workload): \(passes.total) pass(es) over rank \(rank)")
        let used = Set(cost.einsums.flatMap(\.ranks))
        let ranks = binding.sizes.keys.filter(used.contains).sorted()
        table.section("ranks: " + ranks.map { "\($0)=\(binding[$0]!)" }.joined(separator: " "))
        table.section("einsums (ops over all batch × heads instances)")
        table.add("pass", "einsum", "points", "ops")
        for (entry, einsum) in zip(passes.entries, cost.einsums) {
            let pass = einsum.section == .initialization ? "init" : String(entry.pass)
            table.add(pass, einsum.text, Quantity.formatCount(einsum.iterationPoints, ""), Self.text(einsum.ops))
        }
        table.section("total ops: \(Self.text(cost.total))")
        return table.rendered
    }

    public var record: CascadeRecord {
        CascadeRecord(workload: workload, cascade: cascadeName, rank: rank, passes: passes.total,
                      ranks: OrderedMap(binding.sizes.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }),
                      einsums: zip(passes.entries, cost.einsums).map { entry, einsum in
                          .init(name: einsum.name, einsum: einsum.text, section: einsum.section.rawValue, pass: entry.pass,
                                iterationPoints: einsum.iterationPoints, ops: Self.record(einsum.ops))
                      },
                      totalOps: Self.record(cost.total))
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per Einsum.
    public var csv: String {
        RecordCSV.text(record.einsums)
    }

    /// `mac 51.54 G, add 805.3 M` — the nonzero counts with SI prefixes.
    static func text(_ ops: OpCounts) -> String {
        let parts = OpCounts.Kind.allCases.filter { ops[$0] != 0 }.map { "\($0.rawValue) \(Quantity.formatCount(ops[$0], ""))" }
        return parts.isEmpty ? "—" : parts.joined(separator: ", ")
    }

    static func record(_ ops: OpCounts) -> OrderedMap<Double> {
        OrderedMap(OpCounts.Kind.allCases.map { (key: $0.rawValue, value: ops[$0]) })
    }
}
