"""Typed results: what `attnsim simulate HW WL --format json` prints, decoded into frozen dataclasses.

The classes follow docs/schema/result.schema.json (schema_version 1) key for key, units in the names as there
(`time_s` seconds, `*_bytes` bytes, `energy_j` joules, `flops_per_s`). A key the schema marks required must be
present (it may be null where the schema allows); the optional keys default to None. Keys this package does not
know are ignored (a later binary may add keys without a new schema_version) and stay in `Result.raw`. A result with
a schema_version above SCHEMA_VERSION is refused with UnsupportedSchemaVersion; a result without one is version 0
(byte counts could be fractional then: they are rounded, as the binary's own readers do).

    >>> r = Result.from_dict(json.loads(text))           # or attnsim.simulate("h100", "bert-base-1k")
    >>> r.simulated.time_s, r.simulated.utilization["SM"], r.bounds.flop_speedup
"""
from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Dict, Optional, Tuple, Union, get_type_hints

from .errors import SchemaError, UnsupportedSchemaVersion

#: The newest result schema this package reads (README "Result schema").
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Flops:
    """FLOP of the attention call(s), over all batch x heads instances."""
    dense: float
    effective: Optional[float]


@dataclass(frozen=True)
class KVMajorTiles:
    """A backward or training pass: the mask seen from the keys, each KV tile with the Q tiles that touch it."""
    kv_tiles: int
    q_tiles_self_attention: int
    visited: int
    full: int
    partial: int
    worst_visited: int


@dataclass(frozen=True)
class BackwardKernelRun:
    """One kernel of a GPU backward (preprocess, dk_dv_dq_atomic or dk_dv, convert_dq or dq)."""
    name: str
    time_s: Optional[float]
    dram_bytes: Optional[int]


@dataclass(frozen=True)
class Tiles:
    """Tile counts per (batch, head) instance under the kernel's tiling (null without a tile analysis)."""
    q_tiles: Optional[int]
    kv_tiles_self_attention: Optional[int]
    visited: Optional[int]
    full: Optional[int]
    partial: Optional[int]
    worst_visited: Optional[int]
    worst_full: Optional[int] = None
    tiling: Optional[str] = None
    kv_tiling: Optional[str] = None
    q_tile: Optional[Tuple[int, ...]] = None
    kv_tile: Optional[Tuple[int, ...]] = None
    head_patterns: Optional[int] = None
    kv_major: Optional[KVMajorTiles] = None


@dataclass(frozen=True)
class Bounds:
    """Upper bounds on the speedup over dense attention."""
    flop_speedup: Optional[float]
    tile_speedup: Optional[float]
    tile_speedup_mean: Optional[float]
    wave_speedup: Optional[float]
    tile_speedup_qpad: Optional[float]
    tile_speedup_range: Optional[float]


@dataclass(frozen=True)
class BlockSparse:
    """Block-sparsity verdicts."""
    exact: bool
    kernel_fast_path: bool


@dataclass(frozen=True)
class Binding:
    """Spatial: an Einsum bound to an array."""
    einsum: str
    array: str
    cycles_per_point: float


@dataclass(frozen=True)
class KernelMapping:
    """The mapping the engine ran: GPU fields (backend ... kv_splits) or spatial ones (dataflow ... bindings)."""
    backend: Optional[str] = None
    q_tile: Optional[Tuple[int, ...]] = None
    kv_tile: Optional[Tuple[int, ...]] = None
    tiling: Optional[str] = None
    kv_tiling: Optional[str] = None
    persistent: Optional[bool] = None
    kv_splits: Optional[int] = None
    dq: Optional[str] = None
    dataflow: Optional[str] = None
    cascade: Optional[str] = None
    tile: Optional[int] = None
    p1: Optional[int] = None
    p2: Optional[int] = None
    bindings: Optional[Tuple[Binding, ...]] = None


@dataclass(frozen=True)
class Estimator:
    """GPU: the workload's per-call estimator (MInference, SeerAttention gate), seconds."""
    kind: str
    time_s: float
    host_s: float
    gpu_s: float


@dataclass(frozen=True)
class ComputeRoof:
    unit: str
    flops_per_s: float


@dataclass(frozen=True)
class MemoryRoof:
    level: str
    bytes_per_s: float


@dataclass(frozen=True)
class Roofs:
    """The hardware's compute and memory roofs."""
    compute: Tuple[ComputeRoof, ...] = ()
    memory: Tuple[MemoryRoof, ...] = ()


@dataclass(frozen=True)
class WaterfallStep:
    name: str
    label: Optional[str] = None
    factor: Optional[float] = None
    time_s: Optional[float] = None
    speedup: Optional[float] = None


@dataclass(frozen=True)
class Waterfall:
    """From the FLOP-wise bound down to the prediction, one step per effect."""
    steps: Tuple[WaterfallStep, ...] = ()


@dataclass(frozen=True)
class Simulated:
    """The prediction of a performance model."""
    model: str
    time_s: Optional[float]
    dense_time_s: Optional[float]
    speedup: Optional[float]
    dram_bytes: Optional[int]
    dense_dram_bytes: Optional[int]
    utilization: Dict[str, float]
    energy_j: Optional[float]
    energy_accounting: Optional[str]
    energy_breakdown_j: Optional[Dict[str, float]]
    bottleneck: Optional[str]
    waves: Optional[int]
    wave_efficiency: Optional[float]
    ctas: Optional[int]
    ctas_per_sm: Optional[int]
    mapping: Optional[KernelMapping]
    kv_heads: Optional[int] = None
    packed_heads: Optional[int] = None
    combine_time_s: Optional[float] = None
    time_interval_s: Optional[Tuple[float, ...]] = None
    speedup_interval: Optional[Tuple[float, ...]] = None
    mask_build_s: Optional[float] = None
    speedup_with_mask_build: Optional[float] = None
    estimator: Optional[Estimator] = None
    speedup_with_estimator: Optional[float] = None
    roofs: Optional[Roofs] = None
    waterfall: Optional[Waterfall] = None
    backward_kernels: Optional[Tuple[BackwardKernelRun, ...]] = None
    backward_time_s: Optional[float] = None
    backward_dram_bytes: Optional[int] = None


@dataclass(frozen=True)
class PruningLayer:
    """One (step, layer) call of a pruning schedule."""
    step: int
    layer: int
    time_s: Optional[float]
    dense_time_s: Optional[float]
    topk_time_s: Optional[float]
    kv_bytes: Optional[int]
    dram_bytes: Optional[int]
    flops: Optional[float]


@dataclass(frozen=True)
class Pruning:
    """The pruning run (SpAtten-style schedules)."""
    model: str
    kv_bytes: Optional[int]
    dense_kv_bytes: Optional[int]
    kv_reduction: Optional[float]
    roofline_speedup: Optional[float]
    attention_time_s: Optional[float]
    overhead_time_s: Optional[float]
    topk_time_s: Optional[float]
    topk_share: Optional[float]
    layers: Tuple[PruningLayer, ...]


@dataclass(frozen=True)
class EndToEnd:
    """The model-level roll-up and the transformer layer's time."""
    speedup: Optional[float]
    flop_speedup: Optional[float]
    tile_speedup: Optional[float]
    linear_time_s: Optional[float]
    layer_time_s: Optional[float]
    optimizer_time_s: Optional[float] = None


@dataclass(frozen=True)
class Result:
    """One (hardware, workload) point. `raw` is the decoded JSON object, unknown keys included.

        >>> import attnsim
        >>> r = attnsim.simulate("h100", "hunyuan-gna-s16x8x8")
        >>> r.simulated.speedup, r.bounds.tile_speedup, r.tiles.q_tile
    """
    schema_version: int
    hardware: str
    workload: str
    flops: Flops
    tiles: Tiles
    bounds: Bounds
    block_sparse: Optional[BlockSparse]
    simulated: Simulated
    pruning: Optional[Pruning]
    end_to_end: EndToEnd
    notes: Tuple[str, ...]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def training_pass(self) -> str:
        """The pass the result times: `forward`, `backward` or `training` (the JSON's `pass`, absent for a forward)."""
        return self.raw.get("pass", "forward")

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> "Result":
        """Decode a parsed result; SchemaError names the key path of a missing or mistyped value."""
        if not isinstance(obj, Mapping):
            raise SchemaError(f"result: expected a JSON object, got {type(obj).__name__}")
        version = check_schema_version(obj, "result")
        decoded = _decode(cls, {**obj, "schema_version": version}, "", version == 0)
        return dataclasses.replace(decoded, schema_version=version, raw=dict(obj))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Result":
        """Decode `simulate --format json` output."""
        try:
            obj = json.loads(text)
        except ValueError as e:
            raise SchemaError(f"result: not JSON: {e}") from None
        return cls.from_dict(obj)


def check_schema_version(obj: Mapping[str, Any], what: str) -> int:
    """The object's schema_version (0 when absent); UnsupportedSchemaVersion when newer than this package reads."""
    version = obj.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise SchemaError(f"{what}: schema_version: expected a non-negative integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise UnsupportedSchemaVersion(
            f"{what}: schema_version {version} is newer than this attnsim Python package reads (up to "
            f"{SCHEMA_VERSION}); install the package from the same checkout as the binary (pip install ./python)")
    return version


# ---------------------------------------------------------------------------------------------------------------
# The decoder: walks a dataclass's type hints.
# ---------------------------------------------------------------------------------------------------------------
_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return _HINTS[cls]


def _type_name(value: Any) -> str:
    return "null" if value is None else {bool: "boolean", int: "integer", float: "number", str: "string",
                                         list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _decode(tp: Any, value: Any, path: str, version0: bool) -> Any:
    where = path or "result"
    origin = getattr(tp, "__origin__", None)
    args = getattr(tp, "__args__", ())
    if origin is Union:  # Optional[X]
        if value is None:
            return None
        return _decode(next(a for a in args if a is not type(None)), value, path, version0)
    if value is None:
        raise SchemaError(f"{where}: expected a value, got null")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise SchemaError(f"{where}: expected an object, got {_type_name(value)}")
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name == "raw":
                continue
            sub = f"{path}.{f.name}" if path else f.name
            if f.name in value:
                kwargs[f.name] = _decode(_hints(tp)[f.name], value[f.name], sub, version0)
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SchemaError(f"{sub}: missing")
        return tp(**kwargs)
    if origin in (tuple, Tuple):
        if not isinstance(value, list):
            raise SchemaError(f"{where}: expected an array, got {_type_name(value)}")
        return tuple(_decode(args[0], v, f"{path}[{i}]", version0) for i, v in enumerate(value))
    if origin in (dict, Dict):
        if not isinstance(value, Mapping):
            raise SchemaError(f"{where}: expected an object, got {_type_name(value)}")
        return {str(k): _decode(args[1], v, f"{path}.{k}", version0) for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise SchemaError(f"{where}: expected a boolean, got {_type_name(value)}")
        return value
    if tp is int:
        if isinstance(value, float) and version0:
            return round(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise SchemaError(f"{where}: expected an integer, got {_type_name(value)} {value!r}")
        return value
    if tp is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise SchemaError(f"{where}: expected a number, got {_type_name(value)} {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise SchemaError(f"{where}: expected a string, got {_type_name(value)} {value!r}")
        return value
    if tp is Any:
        return value
    raise TypeError(f"attnsim.result: no decoder for {tp!r} at {where}")
