"""simulate() decodes real binary output into the typed Result, for each kind of engine; bad input and newer
schemas fail clearly."""
import json
import re
import subprocess

import pytest

import attnsim
from attnsim import Result, SchemaError, SimulationError, UnsupportedSchemaVersion


def raw_json(binary, hw, wl):
    """The binary's own output, read independently of the package."""
    return json.loads(subprocess.run([binary, "simulate", str(hw), str(wl), "--format", "json"], check=True,
                                     capture_output=True, text=True).stdout)


def same_as_raw(typed, raw, path="result"):
    """Every key of the raw JSON the dataclass knows has the same value there (tuples for lists)."""
    for key, value in raw.items():
        if not hasattr(typed, key):
            continue
        got = getattr(typed, key)
        if isinstance(value, dict) and not isinstance(got, dict):
            same_as_raw(got, value, f"{path}.{key}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert len(got) == len(value), f"{path}.{key}"
            for i, (g, v) in enumerate(zip(got, value)):
                same_as_raw(g, v, f"{path}.{key}[{i}]")
        elif isinstance(value, list):
            assert list(got) == value, f"{path}.{key}"
        else:
            assert got == value, f"{path}.{key}: {got!r} != {value!r}"


def test_gpu_gna(binary, examples):
    wl = examples / "gna-64x64.yaml"
    r = attnsim.simulate("h100", wl, binary=binary)
    same_as_raw(r, raw_json(binary, "h100", wl))
    assert r.schema_version == 1 and r.hardware == "h100-sxm5-80gb" and r.workload == "gna-64x64"
    assert r.simulated.model == "gpu-event" and r.simulated.mapping.backend is not None
    assert isinstance(r.tiles.q_tile, tuple) and all(isinstance(n, int) for n in r.tiles.q_tile)
    assert isinstance(r.simulated.dram_bytes, int) and isinstance(r.simulated.time_s, float)
    assert r.bounds.flop_speedup == pytest.approx(64 * 64 / (16 * 16))  # window 16x16 of 64x64 tokens
    assert 1 <= r.simulated.speedup <= r.bounds.tile_speedup <= r.bounds.flop_speedup
    assert r.block_sparse is not None and r.pruning is None
    assert set(r.simulated.utilization) >= {"SM", "HBM"}
    assert r.raw["simulated"]["speedup"] == r.simulated.speedup


def test_gpu_block_mask_preset(binary):
    r = attnsim.simulate("a100", "block-gna2d-8k", binary=binary)
    same_as_raw(r, raw_json(binary, "a100", "block-gna2d-8k"))
    assert r.flops.dense == 4 * 16 * 8192 * 8192 * 128  # Q K^T and P V, 2 FLOP per MAC: 16 heads x 128, 8K tokens
    assert r.bounds.flop_speedup == pytest.approx(r.flops.dense / r.flops.effective)
    assert r.tiles.visited is None and r.bounds.tile_speedup is None  # no tile analysis for a mask file
    assert isinstance(r.notes, tuple) and all(isinstance(n, str) for n in r.notes)


def test_spatial(binary):
    r = attnsim.simulate("fusemax-cloud", "bert-base-1k", binary=binary)
    same_as_raw(r, raw_json(binary, "fusemax-cloud", "bert-base-1k"))
    m = r.simulated.mapping
    assert m.dataflow == "fusemax" and m.backend is None and len(m.bindings) > 0
    assert r.simulated.energy_j == pytest.approx(sum(r.simulated.energy_breakdown_j.values()))
    assert r.simulated.waves is None and r.block_sparse is None


def test_pruning(binary):
    r = attnsim.simulate("spatten", "gpt2-small-decode-pruned", binary=binary)
    same_as_raw(r, raw_json(binary, "spatten", "gpt2-small-decode-pruned"))
    p = r.pruning
    assert p is not None and len(p.layers) > 0
    assert p.kv_reduction == pytest.approx(p.dense_kv_bytes / p.kv_bytes)
    assert all(isinstance(layer.kv_bytes, int) for layer in p.layers)


def test_bad_yaml_raises_with_the_binarys_message(binary, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("attnsim: 1\nname: x\nkind: gpu\nclock: fast\n")
    with pytest.raises(SimulationError) as info:
        attnsim.simulate(bad, "bert-base-1k", binary=binary)
    assert info.value.returncode == 2
    assert re.search(re.escape(str(bad)) + r":4:\d+: error: clock", info.value.stderr), info.value.stderr
    assert info.value.stderr in str(info.value)


def test_missing_file_raises(binary, tmp_path):
    with pytest.raises(SimulationError, match="no-such.yaml"):
        attnsim.simulate(tmp_path / "no-such.yaml", "bert-base-1k", binary=binary)


def test_missing_binary_is_a_clear_error(tmp_path):
    with pytest.raises(attnsim.BinaryNotFoundError, match="not an executable"):
        attnsim.find_binary(tmp_path / "attnsim")


@pytest.fixture(scope="module")
def bert(binary):
    return raw_json(binary, "h100", "bert-base-1k")


def test_newer_schema_version_is_refused(bert):
    with pytest.raises(UnsupportedSchemaVersion, match="schema_version 2 is newer"):
        Result.from_dict({**bert, "schema_version": 2})


def test_unknown_keys_are_kept_in_raw_and_roofs_waterfall_typed(bert):
    doc = json.loads(json.dumps(bert))
    doc["future_key"] = {"x": 1}
    doc["simulated"]["future_field"] = [1, 2]
    doc["simulated"]["roofs"] = {"compute": [{"unit": "SM", "flops_per_s": 9.894e14}],
                                 "memory": [{"level": "HBM", "bytes_per_s": 3.35e12}]}
    doc["simulated"]["waterfall"] = {"steps": [{"name": "flop_bound", "label": "FLOP-wise bound", "factor": 1.0,
                                                "time_s": 0.0, "speedup": 10.4, "later": True}]}
    r = Result.from_dict(doc)
    assert r.raw["future_key"] == {"x": 1}
    assert r.simulated.roofs.compute[0].flops_per_s == 9.894e14 and r.simulated.roofs.memory[0].level == "HBM"
    assert r.simulated.waterfall.steps[0].label == "FLOP-wise bound"
    assert Result.from_dict(bert).simulated.waterfall is None  # absent or null: None


def test_mistyped_and_missing_fields_name_their_path(bert):
    doc = json.loads(json.dumps(bert))
    doc["simulated"]["time_s"] = "fast"
    with pytest.raises(SchemaError, match=r"simulated\.time_s: expected a number"):
        Result.from_dict(doc)
    doc = json.loads(json.dumps(bert))
    del doc["bounds"]["flop_speedup"]
    with pytest.raises(SchemaError, match=r"bounds\.flop_speedup: missing"):
        Result.from_dict(doc)


def test_version_0_rounds_fractional_bytes(bert):
    doc = {k: v for k, v in json.loads(json.dumps(bert)).items() if k != "schema_version"}
    doc["simulated"]["dram_bytes"] = 10.5
    r = Result.from_dict(doc)
    assert r.schema_version == 0 and r.simulated.dram_bytes == 10


def test_result_is_frozen(bert):
    r = Result.from_dict(bert)
    with pytest.raises(Exception):
        r.hardware = "x"


def test_version_matches_the_swift_package(repo):
    swift = (repo / "Sources/AttnSim/AttnSimVersion.swift").read_text()
    assert f'"{attnsim.__version__}"' in swift


def test_find_binary_search_order(tmp_path, monkeypatch):
    """ATTNSIM_BINARY, then PATH, then a checkout's .build (release before debug); a clear error otherwise."""
    checkout = tmp_path / "checkout"
    (checkout / "sub").mkdir(parents=True)
    (checkout / "Package.swift").write_text('let package = Package(name: "attnsim")\n')
    monkeypatch.delenv("ATTNSIM_BINARY", raising=False)
    monkeypatch.delenv("ATTNSIM_REPO", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.chdir(checkout / "sub")
    with pytest.raises(attnsim.BinaryNotFoundError, match="not built"):
        attnsim.find_binary(build=False)
    for config in ("debug", "release"):
        exe = checkout / ".build" / config / "attnsim"
        exe.parent.mkdir(parents=True)
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
        assert attnsim.find_binary(build=False) == str(exe)
    monkeypatch.setenv("PATH", str(checkout / ".build" / "debug"))
    assert attnsim.find_binary(build=False) == str(checkout / ".build" / "debug" / "attnsim")
    monkeypatch.setenv("ATTNSIM_BINARY", str(checkout / ".build" / "release" / "attnsim"))
    assert attnsim.find_binary() == str(checkout / ".build" / "release" / "attnsim")
    monkeypatch.setenv("ATTNSIM_BINARY", str(tmp_path / "nothing"))
    with pytest.raises(attnsim.BinaryNotFoundError, match="ATTNSIM_BINARY"):
        attnsim.find_binary()


def test_training_pass_is_typed(binary, repo):
    """A `pass: training` workload: the pass, the KV-major tiles, the backward's kernels and the step's roll-up."""
    path = str(repo / "workloads/training-hunyuan-gna.yaml")
    r = attnsim.simulate("h200", path, binary=binary)
    same_as_raw(r, raw_json(binary, "h200", path))
    assert r.training_pass == "training"
    assert r.tiles.kv_major is not None and r.tiles.kv_major.kv_tiles > 0
    assert r.tiles.kv_major.visited == r.tiles.visited  # transposing keeps the (Q tile, KV tile) pairs
    assert [k.name for k in r.simulated.backward_kernels] == ["preprocess", "dk_dv", "dq"]
    assert r.end_to_end.optimizer_time_s > 0 and r.end_to_end.layer_time_s > r.simulated.time_s
    forward = attnsim.simulate("h200", "hunyuan-gna-s16x8x8", binary=binary)
    assert forward.training_pass == "forward" and forward.tiles.kv_major is None
