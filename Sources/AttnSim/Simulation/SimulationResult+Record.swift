/// The typed record of a result: what `attnsim simulate --format json` prints and a sweep point's `result` holds.
extension SimulationResult {
    public var record: SimulationRecord {
        let fallbackTiles = SimulationRecord.Tiles(qTiles: tiles?.qTiles, kvTilesSelfAttention: tiles?.kvTilesSelfAttention,
                                                   visited: tiles?.visited, full: tiles?.full, partial: tiles?.partial,
                                                   worstVisited: tiles?.worstVisited)
        let mapping = gpu.map { SimulationRecord.Mapping($0.mapping) } ?? spatial.map { SimulationRecord.Mapping($0.mapping) }
        var tilesRecord = tileAnalysis?.tilesRecord ?? fallbackTiles
        tilesRecord.kvMajor = kvMajor?.record
        var record = SimulationRecord(
            hardware: hardware, workload: workload,
            flops: .init(dense: denseFLOPs, effective: finite(effectiveFLOPs)),
            tiles: tilesRecord,
            bounds: .init(flopSpeedup: finite(bounds.flopSpeedup), tileSpeedup: finite(bounds.tileSpeedup),
                          tileSpeedupMean: finite(bounds.tileSpeedupMean), waveSpeedup: finite(bounds.waveSpeedup),
                          tileSpeedupQpad: finite(tileAnalysis?.bounds.qPadding), tileSpeedupRange: finite(tileAnalysis?.bounds.tileRange)),
            blockSparse: tileAnalysis?.blockSparseRecord,
            simulated: .init(model: simulated.model.rawValue, timeS: finite(simulated.time), denseTimeS: finite(simulated.denseTime),
                             speedup: finite(simulated.speedup), dramBytes: ByteCount(simulated.dramBytes),
                             denseDRAMBytes: ByteCount(simulated.denseDRAMBytes),
                             utilization: OrderedMap(simulated.utilization.map { (key: $0.0, value: $0.1) }),
                             energyJ: finite(simulated.energy), energyAccounting: energy?.accounting.rawValue,
                             energyBreakdownJ: energy.map { OrderedMap($0.components.map { (key: $0.name, value: $0.joules) }) },
                             bottleneck: simulated.bottleneck, waves: gpu?.sparse.waves, waveEfficiency: finite(gpu?.sparse.waveEfficiency),
                             ctas: gpu?.sparse.ctas, ctasPerSM: gpu?.sparse.ctasPerSM, mapping: mapping,
                             kvHeads: kvHeads, packedHeads: gpu.flatMap { $0.packedHeads > 1 ? $0.packedHeads : nil },
                             combineTimeS: gpu.flatMap { $0.sparse.combineTime > 0 ? finite($0.sparse.combineTime) : nil },
                             backwardTimeS: spatial?.backward.flatMap { finite($0.time) }
                                ?? gpu?.sparseBackward.flatMap { finite($0.total.time) },
                             backwardDRAMBytes: spatial?.backward.flatMap { ByteCount($0.dramBytes) }
                                ?? gpu?.sparseBackward.flatMap { ByteCount($0.total.dramBytes) },
                             timeIntervalS: simulated.timeInterval.map { [$0.lowerBound, $0.upperBound] },
                             speedupInterval: simulated.speedupInterval.map { [$0.lowerBound, $0.upperBound] },
                             maskBuildS: finite(simulated.maskBuildTime),
                             speedupWithMaskBuild: finite(simulated.speedupWithMaskBuild),
                             estimator: simulated.estimator.map { .init(kind: $0.name, timeS: $0.time, hostS: $0.host, gpuS: $0.gpu) },
                             speedupWithEstimator: finite(simulated.speedupWithEstimator),
                             roofs: roofs.map(SimulationRecord.Simulated.Roofs.init),
                             waterfall: waterfall.map(SimulationRecord.Simulated.Waterfall.init)),
            pruning: pruning.map(SimulationRecord.Pruning.init),
            endToEnd: .init(speedup: finite(endToEndSpeedup), flopSpeedup: finite(endToEndFLOPBound),
                            tileSpeedup: finite(endToEndTileBound), linearTimeS: finite(linearTime), layerTimeS: finite(layerTime)),
            notes: notes)
        record.pass = pass == .forward ? nil : pass.rawValue
        record.endToEnd.optimizerTimeS = finite(optimizerTime)
        record.simulated.backwardKernels = gpu?.sparseBackward.map { run in
            run.kernels.map { .init(name: $0.name, timeS: finite($0.run.time), dramBytes: ByteCount($0.run.dramBytes)) }
        }
        return record
    }
}

extension SimulationRecord.Mapping {
    public init(_ mapping: GPUMapping) {
        self.init(backend: mapping.backend, qTile: mapping.qTile, kvTile: mapping.kvTile, tiling: mapping.tiling.rawValue,
                  kvTiling: mapping.kvTiling.rawValue, persistent: mapping.persistent,
                  kvSplits: mapping.kvSplits > 1 ? mapping.kvSplits : nil)
        dq = mapping.dq?.rawValue
    }

    public init(_ mapping: SpatialMapping) {
        let backward = mapping.pass.runsBackward ? mapping.backward.map { b in
            Backward(cascade: b.cascadeName, passes: b.passes, kvTiles: b.kvTiles, kvBlocks: b.kvBlocks,
                     bufferNeedBytes: ByteCount(b.bufferNeed), bufferBytes: ByteCount(b.bufferBytes),
                     fibersOnChip: b.fibersOnChip,
                     bindings: b.bindings.map { .init(einsum: $0.einsum, array: $0.array, cyclesPerPoint: $0.cost) })
        } : nil
        self.init(dataflow: mapping.dataflow.rawValue, cascade: mapping.cascade, tile: mapping.tile, p1: mapping.p1, p2: mapping.p2,
                  bindings: mapping.bindings.map { .init(einsum: $0.einsum, array: $0.array, cyclesPerPoint: $0.cost) },
                  backward: backward)
    }
}

extension SimulationRecord.Pruning {
    init(_ pruning: PruningEngine.Outcome) {
        let cost = pruning.cost
        self.init(model: pruning.model.rawValue, kvBytes: ByteCount(cost.kvBytes), denseKVBytes: ByteCount(cost.denseKVBytes),
                  kvReduction: finite(cost.denseKVBytes / cost.kvBytes), rooflineSpeedup: finite(pruning.rooflineSpeedup),
                  attentionTimeS: finite(pruning.attentionTime), overheadTimeS: finite(pruning.overheadTime),
                  topkTimeS: finite(pruning.topKTime), topkShare: finite(pruning.topKTime / pruning.time),
                  layers: zip(pruning.layers, cost.layers).map { time, layer in
                      .init(step: time.step, layer: time.layer, timeS: finite(time.time), denseTimeS: finite(time.denseTime),
                            topkTimeS: finite(time.topKTime), kvBytes: ByteCount(layer.kvBytes), dramBytes: ByteCount(layer.dramBytes),
                            flops: finite(layer.flops))
                  })
    }
}

extension SimulationRecord.Simulated.Roofs {
    init(_ roofs: HardwareRoofs) {
        self.init(compute: roofs.compute.map { .init(unit: $0.name, flopsPerS: $0.flopsPerSecond) },
                  memory: roofs.memory.map { .init(level: $0.name, bytesPerS: $0.bytesPerSecond) })
    }
}

extension SimulationRecord.Simulated.Waterfall {
    init(_ waterfall: SpeedupWaterfall) {
        self.init(steps: waterfall.steps.map {
            .init(name: $0.name.rawValue, label: $0.label, detail: $0.detail, factor: $0.factor, timeS: $0.time, speedup: $0.speedup,
                  modelled: $0.modelled)
        })
    }
}
