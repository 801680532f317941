/// The `--format json` form of `attnsim simulate` (DESIGN.md "The CLI contract"): every documented key is
/// present, `null` where this version's models do not compute a value. Extra keys may be added, never removed.
extension SimulationResult {
    public var json: JSONValue {
        let tilesJSON: JSONValue = gna?.tilesJSON ?? .object([
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
                ("tile_speedup_qpad", .number(gna?.bounds.qPadding)),
                ("tile_speedup_range", .number(gna?.bounds.tileRange)),
            ])),
            ("block_sparse", gna?.blockSparseJSON ?? .null),
            ("simulated", .object([
                ("model", .string(simulated.model)),
                ("time_s", .number(simulated.time)),
                ("dense_time_s", .number(simulated.denseTime)),
                ("speedup", .number(simulated.speedup)),
                ("dram_bytes", .number(simulated.dramBytes)),
                ("dense_dram_bytes", .number(simulated.denseDRAMBytes)),
                ("utilization", .object(simulated.utilization.map { ($0.0, .number($0.1)) })),
                ("energy_j", .number(simulated.energy)),
                ("bottleneck", .string(simulated.bottleneck)),
            ])),
            ("end_to_end", .object([
                ("speedup", .number(endToEndSpeedup)),
                ("flop_speedup", .number(endToEndFLOPBound)),
                ("tile_speedup", .number(endToEndTileBound)),
            ])),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }
}
