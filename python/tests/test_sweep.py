"""sweep() and load_results(): one row per point, the same values as points.jsonl read independently."""
import json
import math

import pytest

pd = pytest.importorskip("pandas")

import attnsim  # noqa: E402


def read_points(folder):
    with open(folder / "points.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def swept(binary, examples, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "gna-window"
    return out, attnsim.sweep(examples / "gna-window.yaml", out=out, binary=binary)


def test_one_row_per_point_matching_points_jsonl(swept):
    out, df = swept
    points = read_points(out)
    assert len(df) == len(points) == 8
    assert list(df.columns[:5]) == ["index", "axes.hardware", "axes.mask.window", "status", "error"]
    for (_, row), point in zip(df.iterrows(), points):
        assert row["index"] == point["index"]
        assert row["axes.hardware"] == point["axes"]["hardware"]
        assert row["axes.mask.window"] == tuple(point["axes"]["mask.window"])
        result = point["result"]
        assert row["simulated.speedup"] == result["simulated"]["speedup"]
        assert row["simulated.time_s"] == result["simulated"]["time_s"]
        assert row["bounds.tile_speedup"] == result["bounds"]["tile_speedup"]
        assert row["simulated.utilization.SM"] == result["simulated"]["utilization"]["SM"]
        assert row["tiles.q_tile"] == tuple(result["tiles"]["q_tile"])
    assert set(df["status"]) == {"ok"}
    # a pivot by the axes works: tuples are hashable
    table = df.pivot(index="axes.mask.window", columns="axes.hardware", values="simulated.speedup")
    assert table.shape == (4, 2)


def test_resume_and_jobs_give_the_same_table(binary, examples, swept, tmp_path):
    out, df = swept
    again = attnsim.sweep(examples / "gna-window.yaml", out=out, binary=binary)
    pd.testing.assert_frame_equal(df, again)
    parallel = attnsim.sweep(examples / "gna-window.yaml", jobs=2, binary=binary)  # a temporary folder
    pd.testing.assert_frame_equal(df, parallel)


def test_as_results(swept):
    out, df = swept
    points = attnsim.load_results(out, as_results=True)
    assert [p.index for p in points] == list(df["index"])
    assert all(isinstance(p.result, attnsim.Result) for p in points)
    assert [p.result.simulated.speedup for p in points] == list(df["simulated.speedup"])
    assert points[0].axes == {"hardware": "h100-sxm5-80gb", "mask.window": [8, 8]}


def test_failed_points_keep_their_error(binary, repo, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"""attnsim: 1
name: with-errors
hardware: {repo}/hardware/h100-sxm5-80gb.yaml
workload: {repo}/python/examples/gna-64x64.yaml
axes:
  - path: mask.window
    values: [[16, 16], [128, 128]]
""")
    df = attnsim.sweep(spec, out=tmp_path / "out", binary=binary)
    assert list(df["status"]) == ["ok", "error"]
    assert pd.isna(df["error"][0]) and "window" in df["error"][1]
    assert math.isnan(df["simulated.speedup"][1]) and df["simulated.speedup"][0] > 1
    points = attnsim.load_results(tmp_path / "out", as_results=True)
    assert points[1].result is None and points[1].status == "error"


def test_errors(binary, tmp_path, swept):
    with pytest.raises(attnsim.AttnsimError, match="points.jsonl: no such file"):
        attnsim.load_results(tmp_path)
    with pytest.raises(attnsim.SimulationError):
        attnsim.sweep(tmp_path / "no-such-spec.yaml", binary=binary)
    out, _ = swept
    lines = (out / "points.jsonl").read_text().splitlines()
    newer = tmp_path / "newer"
    newer.mkdir()
    point = json.loads(lines[0])
    point["schema_version"] = 99
    (newer / "points.jsonl").write_text(json.dumps(point) + "\n")
    with pytest.raises(attnsim.UnsupportedSchemaVersion, match="schema_version 99"):
        attnsim.load_results(newer)
