import Foundation

/// The table `attnsim crosscheck-gpu` prints: per measured config the predicted and measured times and speedups,
/// the wave-aware bound, FlexAttention's block counts against attnsim's, and the held-out error summary.
public struct GPUCrossCheckReport: Sendable {
    public var device: String
    public var backend: String
    public var rows: [GPUCrossCheck.Row]
    /// The profiles fitted on the training configs, by backend.
    public var fitted: [String: KernelProfile]
    public var skipped: [String]

    public init(device: String, backend: String, rows: [GPUCrossCheck.Row], fitted: [String: KernelProfile] = [:],
                skipped: [String] = []) {
        self.device = device
        self.backend = backend
        self.rows = rows
        self.fitted = fitted
        self.skipped = skipped
    }

    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    public var heldOut: [GPUCrossCheck.Row] { rows.filter { !$0.training } }

    /// The `q`-quantile (0…1) of `values` by the nearest rank.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// The 80 % spread of one backend's held-out measurements around its predictions (measured ÷ predicted time and
    /// speedup, 10th–90th percentile), and how well such a spread covers runs it was not built from: built from
    /// every other held-out run, counted on the rest.
    public struct Spread: Sendable, Equatable {
        public var backend: String
        public var spread: HeldOutSpread
        /// The spread of each prediction family (`HeldOutSpread.family(of:)`) with enough held-out runs.
        public var byFamily: [String: HeldOutSpread] = [:]
        /// Share of the second half of the held-out runs inside the spread (its family's where the first half has
        /// enough runs of it, else the backend's) built from the first half.
        public var timeCoverage: Double
        public var speedupCoverage: Double
        static func yaml(_ spread: HeldOutSpread) -> String {
            String(format: "{time: [%.3f, %.3f], speedup: [%.3f, %.3f], configs: %d}",
                   spread.time.lowerBound, spread.time.upperBound, spread.speedup.lowerBound, spread.speedup.upperBound,
                   spread.configs)
        }
        public var yaml: String {
            "held_out: " + Self.yaml(spread) + (byFamily.isEmpty ? "" : "\nheld_out_by_family: {"
                + byFamily.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.yaml($0.value))" }.joined(separator: ", ") + "}")
        }
    }

    /// The fewest held-out runs a family's own spread is built from (fewer: the backend's spread serves it).
    static let familySpreadRuns = 6

    public var spreads: [Spread] {
        Dictionary(grouping: heldOut, by: \.measurement.backend).keys.sorted().compactMap { backend in
            let rows = heldOut.filter { $0.measurement.backend == backend }
            guard rows.count >= 4 else { return nil }
            let time = { (r: GPUCrossCheck.Row) -> Double? in r.measurement.sparseTime / r.predictedSparse }
            let speedup = { (r: GPUCrossCheck.Row) -> Double? in r.measurement.measuredSpeedup.map { $0 / r.predictedSpeedup } }
            let family = { (r: GPUCrossCheck.Row) in HeldOutSpread.family(of: r.measurement.workload) }
            func range(_ values: [Double]) -> ClosedRange<Double> {
                values.isEmpty ? 1...1 : Self.quantile(values, 0.1)!...Self.quantile(values, 0.9)!
            }
            func spread(_ rows: [GPUCrossCheck.Row]) -> HeldOutSpread {
                HeldOutSpread(time: range(rows.compactMap(time)), speedup: range(rows.compactMap(speedup)), configs: rows.count)
            }
            func byFamily(_ rows: [GPUCrossCheck.Row], least: Int) -> [String: HeldOutSpread] {
                Dictionary(grouping: rows, by: family).filter { $0.value.count >= least }.mapValues(spread)
            }
            // Built from every other held-out run, counted on the rest.
            let first = rows.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let second = rows.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            let builtAll = spread(first), builtFamilies = byFamily(first, least: Self.familySpreadRuns / 2)
            func coverage(_ ratio: (GPUCrossCheck.Row) -> Double?, _ bounds: (HeldOutSpread) -> ClosedRange<Double>) -> Double {
                let judged = second.compactMap { row in ratio(row).map { (row, $0) } }
                guard !judged.isEmpty else { return 0 }
                return Double(judged.filter { bounds(builtFamilies[family($0.0)] ?? builtAll).contains($0.1) }.count)
                    / Double(judged.count)
            }
            return Spread(backend: backend, spread: spread(rows), byFamily: byFamily(rows, least: Self.familySpreadRuns),
                          timeCoverage: coverage(time, \.time), speedupCoverage: coverage(speedup, \.speedup))
        }
    }

    /// Held-out error summary of one family (`sdpa`, `flex`, `window`, `gna`, …) and mask-parameter style.
    public struct FamilySummary: Sendable, Equatable {
        public var family: String
        public var count: Int
        public var medianTimeError: Double
        public var p90TimeError: Double
        public var worstTimeError: Double
        /// nil for a family of unmasked runs (no speedup to predict).
        public var medianSpeedupError: Double?
        public var p90SpeedupError: Double?
        public var worstSpeedupError: Double?
    }

    /// One summary per family (split by `mask_params` where a family has both), over its held-out configs.
    public var families: [FamilySummary] {
        let groups = Dictionary(grouping: heldOut) { row in
            row.family + (row.measurement.maskParams.map { " (\($0))" } ?? "")
        }
        return groups.keys.sorted().map { key in
            let rows = groups[key]!
            let time = rows.map { abs($0.timeError) }, speedup = rows.compactMap { $0.speedupError.map(abs) }
            return FamilySummary(family: key, count: rows.count, medianTimeError: Self.median(time)!,
                                 p90TimeError: Self.quantile(time, 0.9)!, worstTimeError: time.max()!,
                                 medianSpeedupError: Self.median(speedup), p90SpeedupError: Self.quantile(speedup, 0.9),
                                 worstSpeedupError: speedup.max())
        }
    }
    /// Over the held-out runs with a mask (those with a speedup to predict).
    public var medianSpeedupError: Double? { Self.median(heldOut.compactMap { $0.speedupError.map(abs) }) }
    public var medianTimeError: Double? { Self.median(heldOut.map { abs($0.timeError) }) }
    /// Configs whose measured speedup beats the wave-aware bound (there must be none).
    public var boundViolations: [GPUCrossCheck.Row] {
        rows.filter { row in
            guard let bound = row.waveBound, let measured = row.measurement.measuredSpeedup else { return false }
            return bound < measured
        }
    }
    /// Configs where FlexAttention's block counts differ from attnsim's tile counts.
    public var blockMismatches: [GPUCrossCheck.Row] {
        rows.filter { row in
            guard let partial = row.measurement.partialBlocks, let full = row.measurement.fullBlocks else { return false }
            return partial != row.predictedPartial || full != row.predictedFull
        }
    }

    public var table: String { rendered(rows: true) }

    /// The table without its per-config rows: the summary and the held-out error by family (`--summary`).
    public var summaryTable: String { rendered(rows: false) }

    func rendered(rows showRows: Bool) -> String {
        let ms = { (x: Double) in String(format: "%.3f", x * 1e3) }
        let pct = { (x: Double) in String(format: "%+.1f %%", x * 100) }
        // Files whose configs name their own backends (protocol and training runs) are titled by those.
        let named = rows.allSatisfy(\.measurement.backendFixed) && !rows.isEmpty
            ? Set(rows.map(\.measurement.backend)).sorted().joined(separator: ", ") : backend
        var table = TextTable(title: "attnsim crosscheck-gpu: \(named) on \(device) — predicted vs measured (ms)")
        table.add("config", "set", "dense meas/pred", "masked meas/pred", "speedup meas/pred", "error", "wave bound", "blocks F/P")
        for row in rows {
            let m = row.measurement
            let blocks = m.fullBlocks.map { "\($0)/\(m.partialBlocks ?? 0) vs \(row.predictedFull)/\(row.predictedPartial)" } ?? "—"
            table.add(m.id, row.training ? "fit" : "held-out",
                      "\(m.denseTime.map(ms) ?? "—") / \(ms(row.predictedDense))",
                      "\(ms(m.sparseTime)) / \(ms(row.predictedSparse))",
                      m.measuredSpeedup.map { String(format: "%.2f× / %.2f×", $0, row.predictedSpeedup) } ?? "—",
                      row.speedupError.map(pct) ?? pct(row.timeError) + " (time)",
                      row.waveBound.map { String(format: "%.2f×", $0) } ?? "—", blocks)
        }
        var summary = TextTable()
        summary.add("held-out configs", "\(heldOut.count) of \(rows.count) (\(heldOut.filter { $0.speedupError != nil }.count) with a mask)")
        summary.add("median |speedup error|, held-out masked runs", medianSpeedupError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        summary.add("median |time error|, held-out", medianTimeError.map { String(format: "%.1f %%", $0 * 100) } ?? "—")
        let p90 = { (values: [Double]) in Self.quantile(values, 0.9).map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        summary.add("90th percentile |speedup error| / |time error|",
                    p90(heldOut.compactMap { $0.speedupError.map(abs) }) + " / " + p90(heldOut.map { abs($0.timeError) }))
        summary.add("wave-aware bound below a measured speedup", "\(boundViolations.count) config(s)"
            + (boundViolations.isEmpty ? "" : ": " + boundViolations.map(\.measurement.id).joined(separator: ", ")))
        summary.add("block counts differing from FlexAttention's", "\(blockMismatches.count) config(s)")
        let builds = heldOut.compactMap { $0.buildError.map(abs) }
        if !builds.isEmpty {
            summary.add("mask build (create_block_mask), held-out",
                        String(format: "median |time error| %.1f %%, 90th percentile ", Self.median(builds)! * 100)
                            + p90(builds) + ", over \(builds.count)")
        }
        for spread in spreads {
            summary.add("80 % interval, \(spread.backend) (measured ÷ predicted)",
                        String(format: "time ×%.3f–%.3f, speedup ×%.3f–%.3f over %d held-out; built from half, it covers %.0f %% / %.0f %% of the other half",
                               spread.spread.time.lowerBound, spread.spread.time.upperBound, spread.spread.speedup.lowerBound,
                               spread.spread.speedup.upperBound, spread.spread.configs, spread.timeCoverage * 100,
                               spread.speedupCoverage * 100))
            for (index, line) in spread.yaml.split(separator: "\n").enumerated() {
                summary.add(index == 0 ? "  for the \(spread.backend) profile" : "", String(line))
            }
        }
        for (name, profile) in fitted.sorted(by: { $0.key < $1.key }) {
            summary.add("fitted \(name)", Self.describe(profile))
        }
        if !skipped.isEmpty {
            summary.add("not modelled", skipped.joined(separator: ", "))
        }
        var families = TextTable(title: "held-out error by family: |time error| and |speedup error|, median / 90th percentile / worst")
        families.add("family", "configs", "time median", "time p90", "time worst", "speedup median", "speedup p90", "speedup worst")
        let share = { (x: Double) in String(format: "%.1f %%", x * 100) }
        for f in self.families {
            families.add(f.family, "\(f.count)", share(f.medianTimeError), share(f.p90TimeError), share(f.worstTimeError),
                         f.medianSpeedupError.map(share) ?? "—", f.p90SpeedupError.map(share) ?? "—",
                         f.worstSpeedupError.map(share) ?? "—")
        }
        let title = "attnsim crosscheck-gpu: \(device), \(rows.count) configs\n"
        return (showRows ? table.rendered : title) + summary.rendered + (self.families.count > 1 ? families.rendered : "")
    }

    /// `64: 0.418, 128: 0.495` — a `{head_dim: value}` table in order, each value in `format`.
    static func byHeadDim(_ table: [Int: Double], _ format: String) -> String {
        table.sorted { $0.key < $1.key }.map { "\($0.key): " + String(format: format, $0.value) }.joined(separator: ", ")
    }

    /// The fitted numbers of a profile, as `attnsim crosscheck-gpu --fit` prints them.
    static func describe(_ profile: KernelProfile) -> String {
        var parts: [String] = []
        if profile.efficiencyByHeadDim.isEmpty {
            parts.append(String(format: "efficiency %.3f", profile.efficiency ?? 0))
        } else {
            parts.append("efficiency by head_dim " + Self.byHeadDim(profile.efficiencyByHeadDim, "%.3f"))
        }
        if let cost = profile.maskCost {
            parts.append(String(format: "mask_cost cycles/element: base %.3f, simple %.3f, division %.3f, division_tensor %.3f, load %.3f",
                                cost.base, cost.simple, cost.division, cost.divisionTensor, cost.load))
            if !profile.maskCostByHeadDim.isEmpty {
                parts.append("mask_cost scale by head_dim " + Self.byHeadDim(profile.maskCostByHeadDim, "%.2f"))
            }
        } else if let masked = profile.maskedTileCost {
            parts.append(String(format: "masked_tile_cost %.3f + %.3f per extra axis", masked, profile.maskedTileCostPerAxis ?? 0))
        }
        parts.append(String(format: "per_cta %.2f us", (profile.perCTA ?? 0) * 1e6))
        if let skipped = profile.skippedTile { parts.append(String(format: "skipped_tile %.1f ns", skipped * 1e9)) }
        if let host = profile.hostOverhead { parts.append(String(format: "host_overhead %.1f us", host * 1e6)) }
        if let build = profile.maskBuild {
            parts.append(String(format: "mask_build fixed %.2f ms, per_element %.3f ps, cycle_scale %.2f",
                                build.fixed * 1e3, build.perElement * 1e12, build.cycleScale))
        }
        if let backward = profile.backward {
            var words = ["backward: dq \(backward.dq.rawValue)"]
            if !backward.efficiencyByHeadDim.isEmpty {
                words.append("efficiency by head_dim " + Self.byHeadDim(backward.efficiencyByHeadDim, "%.3f"))
            } else if let efficiency = backward.efficiency {
                words.append(String(format: "efficiency %.3f", efficiency))
            }
            if !backward.maskCostByHeadDim.isEmpty {
                words.append("mask_cost scale by head_dim " + Self.byHeadDim(backward.maskCostByHeadDim, "%.2f"))
            }
            if let host = backward.hostOverhead { words.append(String(format: "host_overhead %.1f us", host * 1e6)) }
            parts.append(words.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }

    public var record: GPUCrossCheckRecord {
        GPUCrossCheckRecord(device: device, backend: backend, medianAbsSpeedupErrorHeldOut: medianSpeedupError,
                            medianAbsTimeErrorHeldOut: medianTimeError, waveBoundViolations: boundViolations.count,
                            configs: rows.map { row in
                                CrossCheckRecord(workload: row.measurement.id, measuredTimeS: row.measurement.sparseTime,
                                                 predictedTimeS: row.predictedSparse, measuredSpeedup: row.measurement.measuredSpeedup,
                                                 predictedSpeedup: row.predictedSpeedup, boundSpeedup: row.waveBound,
                                                 measuredDenseTimeS: row.measurement.denseTime, predictedDenseTimeS: row.predictedDense,
                                                 speedupError: row.speedupError, timeError: row.timeError,
                                                 set: row.training ? "fit" : "held-out", model: ModelName.gpuEvent.rawValue,
                                                 pass: row.measurement.workload.pass.rawValue)
                            })
    }

    public var json: JSONValue { JSONValue(encoding: record) }

    /// `--format csv`: one row per config, the columns of `attnsim crosscheck --format csv`.
    public var csv: String { CrossCheckRecord.csv(record.configs) }
}
