import Foundation
import Testing
@testable import AttnSim

/// K+V DRAM traffic of SpAtten's released GPT-2 traces (data/spatten-traces/, references.md [SpAtten-traces]), pruned
/// and dense, against sums over the trace rows computed here independently of attnsim's parser and cost model.
@Suite struct PruningTraceTests {
    /// Σ over rows of keys·D·(key bits + LSB bits if refetched)/8 + values·D·value bits/8, unquantized (-1)
    /// widths taken as 16 bits; values beyond the kept keys are not fetched (the RTL bypasses the top-k).
    static func independentKVBytes(_ file: String) throws -> Double {
        let text = try String(contentsOfFile: Repo.path("data/spatten-traces/\(file)"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var total = 0.0
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let keys = Double(f[col["key_fetch_num"]!]) else { continue }   // the config footer
            let d = Double(f[col["embedding_length_D"]!])!
            let width = { (bits: Double) in bits < 0 ? 16 : bits }
            let keyBits = width(Double(f[col["quant_key_bit"]!])!)
            let lsb = f[col["if_requant"]!] == "True" ? Double(f[col["auto_requant_incre"]!])! : 0
            let values = min(Double(f[col["value_fetch_num"]!])!, keys)
            total += keys * d * (keyBits + lsb) / 8 + values * d * width(Double(f[col["quant_value_bit"]!])!) / 8
        }
        return total
    }

    static func cost(_ workload: String) throws -> PruningCost {
        let w = try Workload.load(path: Repo.path("workloads/spatten/\(workload).yaml"))
        return PruningCost(PruningSchedule(try #require(w.pruning), problem: w.problem))
    }

    @Test(arguments: [
        ("gpt2-small-decode-trace", "summary-gpt2-small-wikitext2-per8.csv", "summary-gpt2-small-wikitext2-per8-step1+dedic.csv"),
        ("gpt2-medium-decode-trace", "summary-gpt2-medium-wikitext2-per0-hp-step5+dedic+glob_p+local_p+hp+topk+quant.csv",
         "summary-gpt2-medium-ptb-per0.csv"),
    ])
    func traceTrafficMatchesRowSums(_ workload: String, _ pruned: String, _ dense: String) throws {
        let cost = try Self.cost(workload)
        let expected = try Self.independentKVBytes(pruned)
        #expect(abs(cost.kvBytes / expected - 1) < 1e-12, "\(cost.kvBytes) vs \(expected)")
        // The dense baseline attnsim derives (every head, every key and value at fp16) is the dense trace.
        let expectedDense = try Self.independentKVBytes(dense)
        #expect(abs(cost.denseKVBytes / expectedDense - 1) < 1e-12, "\(cost.denseKVBytes) vs \(expectedDense)")
    }

    /// The ratio-based workloads written from the traces (workloads/spatten/) against the traces: the K+V reduction
    /// within 5%.
    @Test(arguments: [("gpt2-small-decode", "gpt2-small-decode-trace"), ("gpt2-medium-decode", "gpt2-medium-decode-trace")])
    func ratiosLandNearTheTrace(_ ratios: String, _ trace: String) throws {
        let fromRatios = try Self.cost(ratios), fromTrace = try Self.cost(trace)
        let ratioReduction = fromRatios.denseKVBytes / fromRatios.kvBytes
        let traceReduction = fromTrace.denseKVBytes / fromTrace.kvBytes
        #expect(abs(ratioReduction / traceReduction - 1) < 0.05, "\(ratioReduction) vs \(traceReduction)")
    }

    /// The schedule the traces encode (references.md [SpAtten-traces]): kept keys per layer in steps ≥ 1 and step 0
    /// unpruned.
    @Test func smallTraceSchedule() throws {
        let w = try Workload.load(path: Repo.path("workloads/spatten/gpt2-small-decode-trace.yaml"))
        let schedule = PruningSchedule(try #require(w.pruning), problem: w.problem)
        let step5 = schedule.layers.filter { $0.step == 5 }
        #expect(step5.map { Int($0.keys) / 12 } == [921, 716, 204, 204, 204, 204, 102, 102, 102, 102, 102, 102])
        #expect(step5.map { Int($0.values) / 12 } == [184, 143, 40, 40, 40, 40, 20, 20, 20, 20, 20, 20])
        #expect(schedule.layers.filter { $0.step == 0 }.allSatisfy { Int($0.keys) == 12 * 993 })
        // The ratio workload reproduces the same counts.
        let r = try Workload.load(path: Repo.path("workloads/spatten/gpt2-small-decode.yaml"))
        let ratios = PruningSchedule(try #require(r.pruning), problem: r.problem)
        #expect(ratios.layers.filter { $0.step == 5 }.map { Int($0.keys) / 12 } == step5.map { Int($0.keys) / 12 })
        #expect(ratios.layers.filter { $0.step == 5 }.map { Int($0.values) / 12 } == step5.map { Int($0.values) / 12 })
    }

    /// A malformed trace row is an error naming the file, line, column and field.
    @Test func badTraceRowNamesLineAndColumn() throws {
        let header = PruningTrace.columns.joined(separator: ",")
        // "0,1,0,64.0,993," is 15 characters: the bad key count starts in column 16.
        let text = header + "\n0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1\n0,1,0,64.0,993,x,6,16,0.05,False,4,204,6,True,False,False,-1\n"
        #expect {
            _ = try PruningTrace.parse(text, file: "t.csv")
        } throws: { error in
            guard let d = error as? Diagnostic else { return false }
            return d.file == "t.csv" && d.line == 3 && d.column == 16 && d.path == "key_fetch_num"
        }
        let tooMany = header + "\n0,0,0,64.0,993,999,6,16,0.05,True,4,204,6,True,False,False,-1\n"
        #expect(throws: Diagnostic.self) { _ = try PruningTrace.parse(tooMany, file: "t.csv") }
    }
}
