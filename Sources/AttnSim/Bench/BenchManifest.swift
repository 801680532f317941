/// `bench/manifest.yaml`: every benchmark case, the capability it covers, and peer tools' times for the same kind
/// of work (references.md [peer-timings]), printed beside attnsim's medians.
public struct BenchManifest: Sendable {
    public struct Peer: Sendable {
        public var tool: String
        /// Seconds.
        public var time: Double
        public var what: String
        public var source: String
    }

    public struct Case: Sendable {
        public var name: String
        public var covers: String
        public var peers: [Peer]
    }

    public var cases: [Case]

    public static func load(path: String) throws(Diagnostic) -> BenchManifest {
        let root = try SpecDocument.load(path: path)
        let fields = try root.mapping(allowed: ["attnsim", "cases"])
        try SpecDocument.checkVersion(fields)
        var cases: [Case] = []
        for item in try fields.required("cases", expecting: "a list of {case, covers, peers}").sequence() {
            let map = try item.mapping(allowed: ["case", "covers", "peers"])
            var peers: [Peer] = []
            for peer in try map.optional("peers")?.sequence() ?? [] {
                let p = try peer.mapping(allowed: ["tool", "time", "what", "source"])
                peers.append(Peer(tool: try p.required("tool").string(), time: try p.required("time").quantity(.time),
                                  what: try p.required("what").string(), source: try p.required("source").string()))
            }
            cases.append(Case(name: try map.required("case").string(), covers: try map.required("covers").string(),
                              peers: peers))
        }
        return BenchManifest(cases: cases)
    }

    /// "3010× faster", "2.6× faster", "1.5× slower".
    static func ratio(_ x: Double) -> String {
        if x >= 1 { return (x >= 10 ? String(format: "%.0f×", x) : String(format: "%.1f×", x)) + " faster" }
        return String(format: "%.1f×", 1 / x) + " slower"
    }

    /// The table of peers beside attnsim's medians: how many times faster attnsim is.
    public func table(_ results: [BenchmarkResult]) -> String {
        var table = TextTable(title: "against peers (bench/manifest.yaml; peers' times from references.md [peer-timings])")
        table.add("case", "attnsim", "peer", "peer time", "attnsim is", "peer's work")
        for result in results {
            guard let entry = cases.first(where: { $0.name == result.name }) else { continue }
            for peer in entry.peers {
                table.add(result.name, Quantity.format(result.median, .time), peer.tool, Quantity.format(peer.time, .time),
                          Self.ratio(peer.time / result.median), peer.what)
            }
        }
        return table.rendered
    }
}
