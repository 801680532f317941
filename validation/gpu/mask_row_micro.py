"""Where a mask function's work lands: per element, or per row / per column of the block. Chains of 8 integer
divisions by tensor values (or compiled-in constants) that depend on the query index alone (`_row`), on the key
index alone (`_col`), or on both (per element, as protocol_bench.py's `micro` ops), on all-partial 128x128 blocks,
at head_dim 64, 128 and 256 (FlexAttention picks another block shape and warp count for each). Reuses
protocol_bench.py's runner and timing. Self-contained otherwise (torch + Triton).

    python3 validation/gpu/mask_row_micro.py --out OUT.json
    python3 validation/gpu/mask_row_micro.py --loads --out OUT.json      # the table-load chains
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
    """protocol_bench's ops, plus chains on one index: `div_tensor_row`, `div_tensor_col`, `div_const_row`; and
    table loads indexed by the query alone (`load_row`), the key alone (`load_col`, protocol_bench's `load`) or by
    q - kv (`load_elem`, as a vertical-slash mask reads its diagonals)."""
    if op.startswith("load_"):
        side = op.split("_")[1]
        if op.endswith("_bool"):
            # a boolean table of 2n entries, as a vertical-slash mask's `is_slash[q - kv + n]` (all true here)
            flags = torch.ones(2 * n + 16, dtype=torch.bool, device=device)

            def mm(b, h, q, kv):
                index = q if side == "row" else kv if side == "col" else q - kv + n
                m = (q + kv) >= 0
                for t in range(k):
                    m = m & flags[index + t]
                return m
            return mm
        tab = torch.arange(2 * n + 16, dtype=torch.int32, device=device)

        def mm(b, h, q, kv):
            x = q
            index = q if side == "row" else kv if side == "col" else q - kv + n
            for t in range(k):
                x = x + tab[index + t]
            return (x + kv) >= 0
        return mm
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
    ap.add_argument("--loads", action="store_true", help="the table-load chains instead of the division chains")
    ap.add_argument("--only", nargs="*", default=[], help="only the configs whose id contains one of these")
    args = ap.parse_args()
    cfgs = []
    # Loads in chains of 2 (8 indexed by q - kv do not compile: the kernel asks for 640 KiB of shared memory).
    ops = ((("trivial", 0), ("load_row", 2), ("load_col", 2), ("load_elem", 2), ("load_elem", 1),
            ("load_col_bool", 1), ("load_elem_bool", 1)) if args.loads else
           (("all_full", 0), ("trivial", 0), ("div_tensor", 8), ("div_tensor_row", 8), ("div_tensor_col", 8),
            ("div_const", 8), ("div_const_row", 8)))
    for d in (128, 64, 256):
        for op, k in ops:
            cfgs.append({"id": f"rowmicro-{op}-{k}-d{d}", "family": "micro", "backend": "flex", "tokens": [8192],
                         "batch": 1, "heads": 32, "head_dim": d, "mask": {"kind": "none"}, "micro": {"op": op, "k": k},
                         "group": "rowmicro"})
    cfgs = [c for c in cfgs if not args.only or any(o in c["id"] for o in args.only)]
    import torch
    r = pb.Runner(args)
    doc = {"device": pb.device_facts(torch), "configs": []}
    doc["device"]["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for cfg in cfgs:
        if time.time() - r.t0 > args.deadline_s:
            r.log("deadline reached; stopping before", cfg["id"])
            break
        t = time.time()
        try:
            rec = r.run_config(cfg)
        except Exception as e:  # noqa: BLE001 - a config that does not compile is recorded, the rest still run
            doc.setdefault("errors", []).append({"id": cfg["id"], "error": f"{type(e).__name__}: {str(e)[:300]}"})
            r.log("ERROR", cfg["id"], type(e).__name__)
            continue
        doc["configs"].append(rec)
        r.log(cfg["id"], f"{rec['measured']['ms']:.4f} ms", f"dense {rec['dense']['ms']:.4f} ms", f"({time.time() - t:.1f} s)")
        if args.out:
            json.dump(doc, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
