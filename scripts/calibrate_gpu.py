#!/usr/bin/env python3
"""Measure your GPU for attnsim: times the validation protocol's attention configurations and writes a results file
that `attnsim fit-gpu` turns into a hardware file. Needs only PyTorch (with CUDA; Triton comes with it).

    python3 scripts/calibrate_gpu.py --out my-gpu-runs.json [--minutes 30] [--families sdpa,flex,window,gna,micro]
    attnsim fit-gpu my-gpu-runs.json --base hardware/h100-sxm5-80gb.yaml --out hardware/my-gpu.yaml

It runs validation/gpu/protocol_bench.py (the drawn configurations, their seed and distribution are documented
there and in validation/gpu/README.md, "The validation protocol"): SDPA and FlexAttention, dense and causal,
1-D masks and GNA with mask parameters compiled in and read from a tensor, and the mask microbenchmarks.
Compilation dominates: expect 25-40 minutes for everything on a Hopper GPU. The file is rewritten after every
configuration; run again with the same --out to go on where a run stopped (it resumes, skipping what the file holds).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "validation", "gpu", "protocol_bench.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="results file to write (and to resume from when it exists)")
    ap.add_argument("--minutes", type=float, default=60, help="stop starting new configurations after this long")
    ap.add_argument("--families", default="sdpa,flex,window,gna,micro",
                    help="which families, in this order (decode too, if you want the split-KV runs)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("calibrate_gpu.py: error: PyTorch is not installed (pip install torch)")
    if not torch.cuda.is_available():
        sys.exit("calibrate_gpu.py: error: PyTorch sees no CUDA GPU")
    cmd = [sys.executable, BENCH, "--out", args.out, "--families", args.families,
           "--deadline-s", str(args.minutes * 60)]
    if os.path.exists(args.out):
        cmd += ["--resume", args.out]
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
    print("calibrate_gpu.py:", " ".join(cmd), flush=True)
    sys.exit(subprocess.call(cmd, env=env))


if __name__ == "__main__":
    main()
