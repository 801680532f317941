/// The `--format json` form of `attnsim simulate` (README.md, the CLI contract): every documented key is
/// present, `null` where this version's models do not compute a value. Extra keys may be added, never removed.
extension SimulationResult {
    static func json(_ mapping: GPUMapping) -> JSONValue {
        .object([
            ("backend", .string(mapping.backend)),
            ("q_tile", .array(mapping.qTile.map { .number(Double($0)) })),
            ("kv_tile", .array(mapping.kvTile.map { .number(Double($0)) })),
            ("tiling", .string(mapping.tiling.rawValue)),
            ("kv_tiling", .string(mapping.kvTiling.rawValue)),
            ("persistent", .bool(mapping.persistent)),
        ])
    }

    static func json(_ mapping: SpatialMapping) -> JSONValue {
        .object([
            ("dataflow", .string(mapping.dataflow.rawValue)),
            ("cascade", .string(mapping.cascade)),
            ("tile", .number(Double(mapping.tile))),
            ("p1", .number(Double(mapping.p1))),
            ("p2", .number(Double(mapping.p2))),
            ("bindings", .array(mapping.bindings.map {
                .object([("einsum", .string($0.einsum)), ("array", .string($0.array)), ("cycles_per_point", .number($0.cost))])
            })),
        ])
    }

    public var json: JSONValue {
        let tilesJSON: JSONValue = tileAnalysis?.tilesJSON ?? .object([
            ("q_tiles", .number(tiles.map { Double($0.qTiles) })),
            ("kv_tiles_self_attention", .number(tiles.map { Double($0.kvTilesSelfAttention) })),
            ("visited", .number(tiles.map { Double($0.visited) })),
            ("full", .number(tiles.map { Double($0.full) })),
            ("partial", .number(tiles.map { Double($0.partial) })),
            ("worst_visited", .number(tiles.map { Double($0.worstVisited) })),
        ])
        return .object([
            ("hardware", .string(hardware)),
            ("workload", .string(workload)),
            ("flops", .object([("dense", .number(denseFLOPs)), ("effective", .number(effectiveFLOPs))])),
            ("tiles", tilesJSON),
            ("bounds", .object([
                ("flop_speedup", .number(bounds.flopSpeedup)),
                ("tile_speedup", .number(bounds.tileSpeedup)),
                ("tile_speedup_mean", .number(bounds.tileSpeedupMean)),
                ("wave_speedup", .number(bounds.waveSpeedup)),
                ("tile_speedup_qpad", .number(tileAnalysis?.bounds.qPadding)),
                ("tile_speedup_range", .number(tileAnalysis?.bounds.tileRange)),
            ])),
            ("block_sparse", tileAnalysis?.blockSparseJSON ?? .null),
            ("simulated", .object([
                ("model", .string(simulated.model.rawValue)),
                ("time_s", .number(simulated.time)),
                ("dense_time_s", .number(simulated.denseTime)),
                ("speedup", .number(simulated.speedup)),
                ("dram_bytes", .number(simulated.dramBytes)),
                ("dense_dram_bytes", .number(simulated.denseDRAMBytes)),
                ("utilization", .object(simulated.utilization.map { ($0.0, .number($0.1)) })),
                ("energy_j", .number(simulated.energy)),
                ("energy_accounting", energyAccountingJSON),
                ("energy_breakdown_j", energyBreakdownJSON),
                ("bottleneck", .string(simulated.bottleneck)),
                ("waves", .number(gpu.map { Double($0.sparse.waves) })),
                ("wave_efficiency", .number(gpu?.sparse.waveEfficiency)),
                ("ctas", .number(gpu.map { Double($0.sparse.ctas) })),
                ("ctas_per_sm", .number(gpu.map { Double($0.sparse.ctasPerSM) })),
                ("mapping", gpu.map { Self.json($0.mapping) } ?? spatial.map { Self.json($0.mapping) } ?? .null),
            ])),
            ("pruning", pruningJSON),
            ("end_to_end", .object([
                ("speedup", .number(endToEndSpeedup)),
                ("flop_speedup", .number(endToEndFLOPBound)),
                ("tile_speedup", .number(endToEndTileBound)),
                ("linear_time_s", .number(linearTime)),
                ("layer_time_s", .number(layerTime)),
            ])),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }

    private var energyAccountingJSON: JSONValue { energy.map { .string($0.accounting.rawValue) } ?? .null }

    private var energyBreakdownJSON: JSONValue {
        guard let energy else { return .null }
        return .object(energy.components.map { ($0.name, JSONValue.number($0.joules)) })
    }

    private var pruningJSON: JSONValue {
        guard let pruning else { return .null }
        let cost = pruning.cost
        return .object([
            ("model", .string(pruning.model.rawValue)),
            ("kv_bytes", .number(cost.kvBytes)), ("dense_kv_bytes", .number(cost.denseKVBytes)),
            ("kv_reduction", .number(cost.denseKVBytes / cost.kvBytes)),
            ("roofline_speedup", .number(pruning.rooflineSpeedup)),
            ("attention_time_s", .number(pruning.attentionTime)), ("overhead_time_s", .number(pruning.overheadTime)),
            ("topk_time_s", .number(pruning.topKTime)), ("topk_share", .number(pruning.topKTime / pruning.time)),
            ("layers", .array(zip(pruning.layers, cost.layers).map { time, layer in
                .object([
                    ("step", .number(Double(time.step))), ("layer", .number(Double(time.layer))),
                    ("time_s", .number(time.time)), ("dense_time_s", .number(time.denseTime)),
                    ("topk_time_s", .number(time.topKTime)), ("kv_bytes", .number(layer.kvBytes)),
                    ("dram_bytes", .number(layer.dramBytes)), ("flops", .number(layer.flops)),
                ])
            })),
        ])
    }
}
