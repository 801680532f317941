"""attnsim from Python: run the simulator and get typed results or pandas tables.

    import attnsim
    r = attnsim.simulate("h100", "hunyuan-gna-s16x8x8")        # -> Result (frozen dataclasses)
    print(r.simulated.time_s, r.simulated.speedup, r.bounds.tile_speedup)
    df = attnsim.sweep("sweeps/gpu-bandwidth.yaml")             # -> pandas.DataFrame, one row per point
    df = attnsim.load_results("runs/strides")                  # a finished `attnsim sweep --out` folder
    attnsim.block_mask_to_file(block_mask, "mask.json")        # FlexAttention BlockMask -> mask file

The package drives the `attnsim` binary (find_binary: ATTNSIM_BINARY, PATH, or the checkout's .build, built on
first use when missing). pandas is needed only by sweep and load_results, numpy only by the block-mask helpers
that take arrays, torch never.
"""
from .api import Point, load_results, simulate, sweep
from .binary import find_binary, find_repo, run
from .blockmask import BlockMaskArrays, block_mask_from_dense, block_mask_to_file, blockmask_to_dict
from .errors import AttnsimError, BinaryNotFoundError, SchemaError, SimulationError, UnsupportedSchemaVersion
from .result import (SCHEMA_VERSION, BlockSparse, Bounds, EndToEnd, Estimator, Flops, KernelMapping, Pruning,
                     PruningLayer, Result, Roofs, Simulated, Tiles, Waterfall, WaterfallStep)

__version__ = "0.1.0"  # AttnSimVersion.string (Sources/AttnSim/AttnSimVersion.swift); a test keeps them equal

__all__ = [
    "simulate", "sweep", "load_results", "Point", "block_mask_to_file", "block_mask_from_dense", "BlockMaskArrays",
    "blockmask_to_dict", "find_binary", "find_repo", "run", "Result", "Flops", "Tiles", "Bounds", "BlockSparse",
    "Simulated", "KernelMapping", "Estimator", "Roofs", "Waterfall", "WaterfallStep", "Pruning", "PruningLayer",
    "EndToEnd", "SCHEMA_VERSION", "AttnsimError", "BinaryNotFoundError", "SimulationError", "SchemaError",
    "UnsupportedSchemaVersion",
]
