"""Where a mask function's work lands: per element, or per row / per column of the block. Chains of 8 integer
divisions by tensor values (or compiled-in constants) that depend on the query index alone (`_row`), on the key
index alone (`_col`), or on both (per element, as protocol_bench.py's `micro` ops), on all-partial 128x128 blocks,
at head_dim 64, 128 and 256 (FlexAttention picks another block shape and warp count for each). Reuses
protocol_bench.py's runner and timing. Self-contained otherwise (torch + Triton).

    python3 validation/gpu/mask_row_micro.py --out OUT.json
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol_bench as pb  # noqa: E402

CONSTS = [3, 5, 7, 11, 13, 17, 19, 23]
_base = pb.micro_mask_mod


def micro_mask_mod(op, k, n, torch, device):
    """protocol_bench's ops, plus chains on one index: `div_tensor_row`, `div_tensor_col`, `div_const_row`."""
    if not op.endswith(("_row", "_col")):
        return _base(op, k, n, torch, device)
    kind, side = op.rsplit("_", 1)
    divisors = CONSTS if kind == "div_const" else torch.tensor(CONSTS, dtype=torch.int32, device=device)

    def mm(b, h, q, kv):
        x = q if side == "row" else kv
        for t in range(k):
            x = x // divisors[t] + (q if side == "row" else kv)
        return (x + q + kv) >= 0
    return mm


pb.micro_mask_mod = micro_mask_mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--deadline-s", type=float, default=400)
    args = ap.parse_args()
    cfgs = []
    for d in (128, 64, 256):
        for op, k in (("all_full", 0), ("trivial", 0), ("div_tensor", 8), ("div_tensor_row", 8), ("div_tensor_col", 8),
                      ("div_const", 8), ("div_const_row", 8)):
            cfgs.append({"id": f"rowmicro-{op}-{k}-d{d}", "family": "micro", "backend": "flex", "tokens": [8192],
                         "batch": 1, "heads": 32, "head_dim": d, "mask": {"kind": "none"}, "micro": {"op": op, "k": k},
                         "group": "rowmicro"})
    import torch
    r = pb.Runner(args)
    doc = {"device": pb.device_facts(torch), "configs": []}
    doc["device"]["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for cfg in cfgs:
        if time.time() - r.t0 > args.deadline_s:
            r.log("deadline reached; stopping before", cfg["id"])
            break
        t = time.time()
        rec = r.run_config(cfg)
        doc["configs"].append(rec)
        r.log(cfg["id"], f"{rec['measured']['ms']:.4f} ms", f"dense {rec['dense']['ms']:.4f} ms", f"({time.time() - t:.1f} s)")
        if args.out:
            json.dump(doc, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
