"""The floor of one timed call of seer_bench.py's block-sparse kernels: the same timing (CUDA events around one
call after a synchronize) of a 64-token, one-head problem (one CTA, one tile), where the GPU work is microseconds
and the time is the host's launch of the Triton kernel. The kernel profiles' host_overhead is this floor.

Usage: python launch_floor.py --out results.json
"""
import argparse
import json
import time

import torch

import seer_bench


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    records = []
    for n in [64, 256, 1024]:
        q, k, v = (torch.randn(1, 1, n, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        mask, _ = seer_bench.random_block_mask(1, 1, n, 1.0, seed=0)
        lut, count = seer_bench.to_lut(mask)
        for variant in ("scan", "lut"):
            fn = lambda: seer_bench.block_sparse_attention(q, k, v, mask, lut, count, variant)
            ms, reps = seer_bench.timed(fn, seconds=0.5, min_reps=50, max_reps=500)
            for _ in range(20):
                fn()
            torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(200):
                fn()
            host_us = (time.perf_counter() - start) / 200 * 1e6
            torch.cuda.synchronize()
            records.append({"tokens": n, "variant": variant, "timed_ms": ms, "reps": reps, "host_us_per_launch": host_us})
            print(json.dumps(records[-1]), flush=True)
    with open(args.out, "w") as f:
        json.dump({"attnsim_launch_floor": 1, "device": torch.cuda.get_device_name(0), "configs": records}, f, indent=1)


if __name__ == "__main__":
    main()
