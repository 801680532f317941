"""python/examples/tour.py runs end to end (as a script, with the binary under test) within a small budget."""
import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("pandas")
pytest.importorskip("numpy")


def test_tour_runs(binary, repo, tmp_path):
    env = {**os.environ, "ATTNSIM_BINARY": binary,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(repo / "python"), os.environ.get("PYTHONPATH")]))}
    start = time.monotonic()
    out = subprocess.run([sys.executable, str(repo / "python/examples/tour.py")], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    assert out.returncode == 0, out.stdout + out.stderr
    assert elapsed < 60, f"the tour took {elapsed:.1f} s"
    for line in ("gna-64x64 on h100-sxm5-80gb:", "predicted", "window", "Q blocks:", "documents-4k on h100"):
        assert line in out.stdout, out.stdout
