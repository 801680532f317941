import Foundation

/// The human-readable form of `attnsim simulate`: units on every number, bounds and predictions in separate
/// sections so nobody mistakes one for the other.
extension SimulationResult {
    public var table: String {
        func value(_ x: Double?, _ dimension: Dimension) -> String {
            x.map { Quantity.format($0, dimension) } ?? "—"
        }
        func times(_ x: Double?) -> String { x.map { String(format: "%.2f×", $0) } ?? "—" }
        func count(_ x: Double?, _ unit: String) -> String {
            x.map { Quantity.formatCount($0, unit) } ?? "—"
        }
        var table = TextTable(title: "attnsim simulate: \(workload) on \(hardware)"
            + (pass == .forward ? "" : pass == .training ? " (training: forward + backward)" : " (backward pass)"))
        table.section("work" + (pass == .forward ? "" : " (FLOPs of the \(pass == .training ? "forward and backward" : "backward"): "
            + "2(3E + 2F) per pair for the backward's five products)"))
        table.add("dense FLOPs", count(denseFLOPs, "FLOP"))
        table.add("effective FLOPs", count(effectiveFLOPs, "FLOP"))
        if let heads, let kvHeads {
            table.add("heads (query / K/V)", "\(heads) / \(kvHeads): \(heads / kvHeads) query heads share each K/V head")
        }
        if let analysis = tileAnalysis {
            let work = analysis.work
            table.section("tiles (\(work.tiling.rawValue), \(work.kvTiling.rawValue) KV; Q \(GNAReport.shape(work.qTile)), "
                + "KV \(GNAReport.shape(work.kvTile)); "
                + (analysis.patterns > 1 ? "summed over the \(analysis.patterns) heads' own masks)" : "per head)"))
            table.add("Q tiles", "\(work.qTiles)")
            table.add("KV tiles visited", "\(work.visited) (\(work.full) full, \(work.partial) partially masked)")
            table.add("worst Q tile", "\(work.worstVisited) of \(work.kvTilesSelfAttention) KV tiles (\(work.worstFull) full)")
            table.add("fully block-sparse", "\(work.isFullyBlockSparse ? "yes" : "no") (kernel fast path: \(analysis.kernelSkipsMask ? "yes" : "no"))")
        }
        if let kvMajor {
            table.section("backward tiles (KV-major: each KV tile with the Q tiles that touch it)")
            kvMajor.addCounts(to: &table)
        }
        table.section("bounds (upper bounds on speedup over dense"
            + (pass == .training ? "; forward and backward combined by their FLOPs)" : pass == .backward ? "; backward grid)" : ")"))
        table.add("FLOP-wise", times(bounds.flopSpeedup))
        table.add("tile-wise (NATTEN)", times(bounds.tileSpeedup))
        table.add("wave-aware", times(bounds.waveSpeedup))
        table.section(simulated.model == .roofline
            ? "time (model: roofline — peak compute or bandwidth, whichever binds; a lower bound, not calibrated)"
            : "prediction (model: \(simulated.model.rawValue))")
        if let gpu {
            table.add("mapping", gpu.mapping.description)
            table.add("grid", "\(gpu.sparse.ctas) CTAs on \(gpu.sparse.slots) slots (\(gpu.sparse.ctasPerSM) per SM): "
                + "\(gpu.sparse.waves) waves, \(String(format: "%.1f %%", gpu.sparse.waveEfficiency * 100)) wave efficiency")
            if gpu.packedHeads > 1 {
                table.add("GQA packing", "\(gpu.packedHeads) query heads per CTA (one K/V head's group in a Q tile)")
            }
            if let backward = gpu.sparseBackward {
                let kernels = backward.kernels.map { "\($0.name) \(Quantity.format($0.run.time, .time))" }
                table.add("backward kernels", kernels.joined(separator: ", ")
                    + (backward.total.time > backward.kernels.reduce(0) { $0 + $1.run.time } ? " (host-bound)" : ""))
                // A training pass: what each pass gains on its own (sparse sparse ÷ dense, forward and backward).
                if pass == .training, let dense = gpu.denseBackward, backward.total.time > 0 {
                    let forward = gpu.sparse.time - backward.total.time, denseForward = gpu.dense.time - dense.total.time
                    table.add("speedup by pass", String(format: "forward %.2f× (%@), backward %.2f× (%@)",
                                                        denseForward / forward, Quantity.format(forward, .time),
                                                        dense.total.time / backward.total.time,
                                                        Quantity.format(backward.total.time, .time)))
                }
            }
            if gpu.sparse.combineTime > 0 {
                table.add("split-KV combine", value(gpu.sparse.combineTime, .time) + " (second kernel, in the time)")
            }
        }
        if let spatial {
            let mapping = spatial.mapping
            if mapping.pass.runsForward {
                table.add("dataflow", "\(mapping.dataflow.rawValue) (\(mapping.cascade)); M0 = P0 = \(mapping.tile), "
                    + "P1 = \(mapping.p1), P2 = \(mapping.p2)")
                if let forward = spatial.forwardTime { table.add("forward", Quantity.format(forward, .time)) }
                for (name, array, cycles) in spatial.einsumCycles {
                    table.add("  \(name) on \(array)", Quantity.format(cycles / spatial.clock, .time))
                }
            }
            if let backward = spatial.backward {
                let b = backward.mapping
                table.add("backward", "\(b.cascadeName) on \(mapping.dataflow.rawValue), KV-stationary: \(b.passes) "
                    + "pass\(b.passes == 1 ? "" : "es") over m; M0 = P0 = \(mapping.tile), K1 = \(b.kvTiles), M2 = \(b.kvBlocks)")
                let fibers = b.fibers.crossings.isEmpty ? ""
                    : "; \(b.fibers.crossings.map(\.tensor).joined(separator: ", ")) between passes "
                        + (b.fibersOnChip ? "held on chip" : "through DRAM (\(Quantity.format(backward.fiberBytes, .bytes)))")
                table.add("  buffer", "\(Quantity.format(b.bufferNeed, .bytes, binary: true)) of "
                    + "\(Quantity.format(b.bufferBytes, .bytes, binary: true))"
                    + fibers)
                table.add("  backward time", "\(Quantity.format(backward.time, .time)) (\(backward.bottleneck)-bound; DRAM "
                    + "\(Quantity.format(backward.dramBytes, .bytes)))")
                for (name, array, cycles) in backward.einsumCycles {
                    table.add("  \(name) on \(array)" + (b.phase(of: name).map { $0 == 0 ? " (pre)" : b.passes > 1 ? " (pass \($0))" : "" } ?? ""),
                              Quantity.format(cycles / spatial.clock, .time))
                }
            }
        }
        if let pruning {
            let cost = pruning.cost
            table.add("roofline ratio (equal rates)", times(pruning.rooflineSpeedup))
            table.add("K+V traffic (pruned / dense)", "\(Quantity.format(cost.kvBytes, .bytes)) / "
                + "\(Quantity.format(cost.denseKVBytes, .bytes)) = \(times(cost.denseKVBytes / cost.kvBytes)) less")
            if let attention = pruning.attentionTime { table.add("attention calls", value(attention, .time)) }
            if let overhead = pruning.overheadTime, overhead > 0 {
                table.add("gathers + importance scores", value(overhead, .time))
            }
            table.add("top-k", value(pruning.topKTime, .time)
                + String(format: "  (%.1f %% of the time)", pruning.topKTime / pruning.time * 100))
        }
        let interval = { (range: ClosedRange<Double>?, format: (Double) -> String) in
            range.map { "  (80 % interval \(format($0.lowerBound))–\(format($0.upperBound)))" } ?? ""
        }
        table.add("time", value(simulated.time, .time)
            + interval(simulated.timeInterval) { Quantity.format($0, .time) })
        table.add("dense time", value(simulated.denseTime, .time))
        table.add("speedup", times(simulated.speedup) + interval(simulated.speedupInterval) { String(format: "%.2f×", $0) })
        if let build = simulated.maskBuildTime {
            let repaid = simulated.callsToRepayMaskBuild.map { String(format: "; the savings of %.2g calls repay one build", $0) } ?? ""
            table.add("mask build", value(build, .time) + " once (block mask from the mask function)  ("
                + "\(times(simulated.speedupWithMaskBuild)) if every call builds it\(repaid))")
        }
        if let estimator = simulated.estimator {
            let side = estimator.host >= estimator.gpu ? "host-bound: the GPU side is \(value(estimator.gpu, .time))"
                : "GPU-bound: the host side is \(value(estimator.host, .time))"
            table.add("estimator", "\(value(estimator.time, .time)) per call (\(estimator.name), eager; \(side))  ("
                + "\(times(simulated.speedupWithEstimator)) with it)")
        }
        table.add("DRAM traffic", value(simulated.dramBytes, .bytes))
        table.add("dense DRAM traffic", value(simulated.denseDRAMBytes, .bytes))
        table.add("bottleneck", simulated.bottleneck ?? "—")
        for (unit, busy) in simulated.utilization {
            table.add("utilization \(unit)", String(format: "%.1f %%", busy * 100))
        }
        if let energy {
            table.add("energy (\(energy.accounting.rawValue) accounting)", value(energy.total, .energy))
            for (name, joules) in energy.components where joules > 0 {
                table.add("  \(name)", value(joules, .energy) + String(format: "  (%.1f %%)", joules / energy.total * 100))
            }
        } else {
            table.add("energy", value(simulated.energy, .energy))
        }
        if let waterfall {
            table.section("where the speedup went (FLOP-wise bound → prediction, one mechanism at a time: "
                + "speedup, factor, time it adds)")
            for step in waterfall.steps {
                let detail = step.detail.map { "  (\($0))" } ?? ""
                guard step.modelled || step.name == .flopBound else {
                    table.add(step.label, "—" + detail)
                    continue
                }
                let sign = step.time < 0 ? "−" : "+"
                let added = step == waterfall.steps.first ? "sparse call " + value(step.time, .time)
                    : sign + value(abs(step.time), .time)
                table.add(step.label, String(format: "%8.2f×  ×%.3f  ", step.speedup, step.factor) + added + detail)
            }
        }
        if endToEndSpeedup != nil || endToEndFLOPBound != nil {
            table.section(pass == .training && endToEndFLOPBound == nil
                ? "end to end (the training step: dense attention + the rest, over sparse attention + the rest)"
                : "end to end (Amdahl over the step schedule)")
            table.add("from the \(simulated.model.rawValue) time", times(endToEndSpeedup))
            table.add("FLOP-wise bound", times(endToEndFLOPBound))
            table.add("tile-wise bound", times(endToEndTileBound))
        }
        if let linearTime, let layerTime {
            table.section("transformer layer (linear layers on the same hardware"
                + (pass == .forward ? ")" : ", at peak; forward and backward: dX and dW)"))
            table.add("linear layers", value(linearTime, .time))
            if let optimizerTime {
                table.add("optimizer update", value(optimizerTime, .time) + " (its state's bytes at the off-chip bandwidth)")
            }
            table.add(optimizerTime == nil ? "layer (attention + linear)" : "training step (attention + linear + update)",
                      value(layerTime, .time))
        }
        for note in notes { table.section("note: \(note)") }
        return table.rendered
    }
}

extension KVMajorAnalysis {
    /// The KV-major counts as table rows (`simulate` and `attnsim gna --backward` print the same).
    func addCounts(to table: inout TextTable) {
        table.add("KV tiles", "\(work.qTiles)")
        table.add("Q tiles visited", "\(work.visited) (\(work.full) full, \(work.partial) partially masked)")
        table.add("worst KV tile", "\(work.worstVisited) of \(work.kvTilesSelfAttention) Q tiles")
    }
}
