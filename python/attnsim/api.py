"""simulate, sweep and load_results: the binary's `simulate` and `sweep` from Python.

pandas is imported only by the functions that return a DataFrame, so simulate() works without it.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple, Union

from .binary import PathLike, run
from .errors import AttnsimError, SchemaError
from .result import Result, check_schema_version

if TYPE_CHECKING:  # pragma: no cover
    import pandas

Input = Union[PathLike, Mapping]


def _input_file(spec: Input, folder: str, name: str) -> str:
    """A path or preset name as given; a mapping is written as a JSON (= YAML) file in `folder`."""
    if isinstance(spec, Mapping):
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            json.dump(dict(spec), f)
        return path
    return os.fspath(spec)


def simulate(hw: Input, wl: Input, *, binary: Optional[PathLike] = None) -> Result:
    """`attnsim simulate HW WL --format json`, decoded into a Result.

    hw, wl: a YAML file, a preset name (`attnsim hw list`, `attnsim workloads`: "h100", "bert-base-1k"), or a
    dict in the file format (written to a temporary file: give file paths inside it, such as a mask file, as
    absolute paths). A bad input raises SimulationError with the binary's message (file:line:column: field).

        >>> import attnsim
        >>> r = attnsim.simulate("h100", "hunyuan-gna-s16x8x8")
        >>> print(f"{r.simulated.time_s * 1e3:.2f} ms, {r.simulated.speedup:.2f}x (tile bound "
        ...       f"{r.bounds.tile_speedup:.2f}x), bound by {r.simulated.bottleneck}")
    """
    with tempfile.TemporaryDirectory(prefix="attnsim-") as folder:
        text = run(["simulate", _input_file(hw, folder, "hardware.yaml"), _input_file(wl, folder, "workload.yaml"),
                    "--format", "json"], binary=binary)
    return Result.from_json(text)


def sweep(spec: PathLike, out: Optional[PathLike] = None, jobs: Optional[int] = None, *,
          binary: Optional[PathLike] = None, progress: bool = False) -> "pandas.DataFrame":
    """`attnsim sweep SPEC --out OUT [--jobs N]`, then load_results(OUT): one DataFrame row per point.

    out: the results folder; a temporary one (deleted afterwards) when None. An existing folder of the same sweep
    resumes: only missing points are evaluated. progress: let the binary's progress lines through to stderr
    (otherwise they are captured, and shown only in the SimulationError of a failed run).

        >>> df = attnsim.sweep("sweeps/gpu-bandwidth.yaml")
        >>> df.pivot(index="axes.hardware.memory[0].bandwidth", columns="axes.workload",
        ...          values="simulated.time_s")
    """
    arguments: List[PathLike] = ["sweep", spec]
    if jobs is not None:
        arguments += ["--jobs", str(int(jobs))]
    if out is not None:
        run(arguments + ["--out", out], binary=binary, stderr_to_terminal=progress)
        return load_results(out)
    with tempfile.TemporaryDirectory(prefix="attnsim-sweep-") as folder:
        run(arguments + ["--out", folder], binary=binary, stderr_to_terminal=progress)
        return load_results(folder)


@dataclass(frozen=True)
class Point:
    """One line of a sweep's points.jsonl: its axis values, status ("ok" or "error"), error and Result."""
    index: int
    axes: Dict[str, Any]
    status: str
    error: Optional[str]
    result: Optional[Result]


def _read_points(folder: Path) -> Iterator[Tuple[int, Dict[str, Any]]]:
    path = folder / "points.jsonl"
    if not path.is_file():
        raise AttnsimError(f"{path}: no such file (is {folder} the --out folder of a finished attnsim sweep?)")
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise SchemaError(f"{path}:{number}: not JSON: {e}") from None
            if not isinstance(obj, dict):
                raise SchemaError(f"{path}:{number}: expected a JSON object")
            check_schema_version(obj, f"{path}:{number}")
            yield number, obj


def _axis_names(folder: Path) -> List[str]:
    path = folder / "sweep.json"
    if not path.is_file():
        return []
    with open(path) as f:
        sweep_doc = json.load(f)
    check_schema_version(sweep_doc, str(path))
    return [a["name"] for a in sweep_doc.get("axes", []) if isinstance(a, dict) and "name" in a]


def _cell(value: Any) -> Any:
    """A list of scalars becomes a tuple (hashable: pivot, groupby); lists of objects stay lists."""
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return tuple(value)
    if isinstance(value, list) and all(isinstance(v, list) for v in value):
        return tuple(_cell(v) for v in value)
    return value


def _flatten(obj: Any, prefix: str, row: Dict[str, Any]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _flatten(v, f"{prefix}.{k}" if prefix else k, row)
    else:
        row[prefix] = _cell(obj)


def load_results(folder: PathLike, *, as_results: bool = False) -> Union["pandas.DataFrame", List[Point]]:
    """A sweep's results folder (`attnsim sweep --out DIR`) from its points.jsonl.

    As a DataFrame (default): one row per point in point order; columns `index`, `axes.PATH` for each axis (in
    sweep.json's order; list values as tuples), `status`, `error`, then the result flattened to dotted key paths
    as the CSV names them, without its `result.` prefix (`simulated.time_s`, `bounds.tile_speedup`), objects whose
    keys are data spread out too (`simulated.utilization.SM`). A failed point has its error and NaN results.
    With as_results=True: a list of Point, each with a typed Result (None for a failed point); needs no pandas.

        >>> df = attnsim.load_results("runs/strides")
        >>> df.sort_values("simulated.speedup", ascending=False).head()
        >>> best = max((p for p in attnsim.load_results("runs/strides", as_results=True) if p.result),
        ...            key=lambda p: p.result.simulated.speedup)
    """
    folder = Path(folder)
    axis_names = _axis_names(folder)
    if as_results:
        points = []
        for number, obj in _read_points(folder):
            result = obj.get("result")
            try:
                typed = Result.from_dict(result) if result is not None else None
            except SchemaError as e:
                raise SchemaError(f"{folder / 'points.jsonl'}:{number}: {e}") from None
            points.append(Point(index=obj.get("index", number - 1), axes=dict(obj.get("axes") or {}),
                                status=obj.get("status", "ok"), error=obj.get("error"), result=typed))
        return points
    try:
        import pandas
    except ImportError:
        raise ImportError("attnsim.load_results and attnsim.sweep return pandas DataFrames: pip install pandas "
                          "(or pip install './python[pandas]'), or call load_results(..., as_results=True)") from None

    rows: List[Dict[str, Any]] = []
    for number, obj in _read_points(folder):
        axes = obj.get("axes") or {}
        row: Dict[str, Any] = {"index": obj.get("index", number - 1)}
        for name in axis_names + [n for n in axes if n not in axis_names]:
            row[f"axes.{name}"] = _cell(axes.get(name))
        row["status"], row["error"] = obj.get("status"), obj.get("error")
        if obj.get("result") is not None:
            _flatten(obj["result"], "", row)
        rows.append(row)
    columns: Dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    # an object that is null in some rows and filled in others: keep its sub-columns, drop the all-null parent
    for name in list(columns):
        if any(c.startswith(name + ".") for c in columns) and all(r.get(name) is None for r in rows):
            del columns[name]
    return pandas.DataFrame(rows, columns=list(columns))
