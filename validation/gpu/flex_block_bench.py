#!/usr/bin/env python3
"""Real-GPU timings of FlexAttention with the block masks of workloads/masks (causal, sliding window, document,
2-D neighbourhood), at 8192 and 32768 tokens, against dense Flex and SDPA.

Self-contained (torch only). Usage:

    python3 validation/gpu/flex_block_bench.py --out OUT.json [--deadline-s 240] [--tokens 8192 32768]
                                               [--masks-dir workloads/masks]
    python3 validation/gpu/flex_block_bench.py --selftest          # CPU logic checks (torch CPU is enough)
    python3 validation/gpu/flex_block_bench.py --smoke             # tiny end-to-end run on the CPU (eager flex)

Per token count N (batch 1, 16 heads, head_dim 128, bf16, random randn Q/K/V [1, 16, N, 128]):
  * sdpa_dense_ms / sdpa_causal_ms : F.scaled_dot_product_attention, default backend, is_causal False / True;
  * flex_dense_ms                  : torch.compile(flex_attention, dynamic=False)(q, k, v), no block mask;
  * per mask: flex_ms, flex_ms_repeat: the same compiled flex with the mask's BlockMask
    (create_block_mask(mask_mod, B=None, H=None, N, N, BLOCK_SIZE=128, device="cuda")), measured twice;
    blocks: full = full_kv_num_blocks.sum(), partial = kv_num_blocks.sum() (create_block_mask stores the full
    blocks separately, so kv_num_blocks counts the partial blocks only), skipped, worst Q row;
    attended_pairs (exact, from the element mask), flops = 4*H*d*pairs, block_flops = 4*H*d*128*128*(full+partial);
    at N = 8192: json_match (the block sets equal the committed workloads/masks/*.json) and a correctness check of
    the bf16 flex output (heads 0-1) against fp32 SDPA with the explicit boolean mask.
Masks (mask_mod):
  causal          q >= kv
  sliding_window  q >= kv and q - kv < 1024                     (1024 keys, causal)
  document        doc[q] == doc[kv], non-causal; lengths [3000, 2000, 3192] at 8192, x4 at 32768
  gna2d           2-D neighbourhood attention, window 32x32, stride 1, non-causal, on a 64x128 (8192) or
                  128x256 (32768) grid, tokens stored in 8x16 tiles (one 128-token block = one tile)
Timing (as flex_gna_bench.py): warm-up (which compiles), then CUDA events around each call, median of >= 20
calls, the count sized to ~400 ms per measurement; p10/p90 alongside. The JSON is rewritten after every config;
--deadline-s stops starting new configs after that many seconds (skipped configs are listed in `errors`).
"""
import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# The window rule and the dense block classification are the converter's (one implementation of each).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from attnsim.blockmask import _na_bounds, classify_dense as _classify_dense  # noqa: E402
# GPU state and the atomic JSON writer are the GNA benchmark's (this folder).
from flex_gna_bench import gpu_state, write_json  # noqa: E402

BLOCK = 128
HEADS = 16
HEAD_DIM = 128
SW_WINDOW = 1024
DOC_LENGTHS_8K = [3000, 2000, 3192]
GNA_WINDOW = (32, 32)
GNA_TILE = (8, 16)
GNA_GRID = {8192: (64, 128), 32768: (128, 256), 1024: (32, 32), 2048: (32, 64), 4096: (64, 64)}
MASK_FILES = {"causal": "causal-8k-b128.json", "sliding_window": "sliding-window-1k-causal-8k-b128.json",
              "document": "document-3000-2000-3192-8k-b128.json",
              "gna2d": "gna2d-64x128-w32x32-t8x16-8k-b128.json"}
MASK_ORDER = ["causal", "sliding_window", "document", "gna2d"]


# ---------------------------------------------------------------------------------------------------------------
# Masks
# ---------------------------------------------------------------------------------------------------------------
def doc_lengths(N):
    if N % 8192 == 0:
        return [x * (N // 8192) for x in DOC_LENGTHS_8K]
    a, b = round(N * 3000 / 8192), round(N * 2000 / 8192)
    return [a, b, N - a - b]


def na_bounds(L, w, s=1):
    """Non-causal neighbourhood window per coordinate: inclusive [lo, hi] (the converter's rule)."""
    return _na_bounds(L, w, s)


def gna_tables(N, device):
    Hg, Wg = GNA_GRID[N]
    th, tw = GNA_TILE
    orig = [(ty * th + y) * Wg + tx * tw + x for ty in range(Hg // th) for tx in range(Wg // tw)
            for y in range(th) for x in range(tw)]
    ys, xs = [o // Wg for o in orig], [o % Wg for o in orig]
    (loy, hiy), (lox, hix) = na_bounds(Hg, GNA_WINDOW[0]), na_bounds(Wg, GNA_WINDOW[1])
    T = lambda v: torch.tensor(v, dtype=torch.int32, device=device)
    return {"cy": T(ys), "cx": T(xs), "loy": T([loy[y] for y in ys]), "hiy": T([hiy[y] for y in ys]),
            "lox": T([lox[x] for x in xs]), "hix": T([hix[x] for x in xs]), "orig": orig,
            "axis": [(loy, hiy), (lox, hix)], "grid": (Hg, Wg)}


def make_mask(name, N, device):
    """(mask_mod, description, tables) of one mask at N tokens."""
    if name == "causal":
        return (lambda b, h, q, kv: q >= kv), {"mask": "causal"}, None
    if name == "sliding_window":
        W = SW_WINDOW
        return (lambda b, h, q, kv: (q >= kv) & (q - kv < W)), {"mask": "sliding_window", "window": W,
                                                                  "causal": True}, None
    if name == "document":
        L = doc_lengths(N)
        doc = torch.repeat_interleave(torch.arange(len(L), device=device), torch.tensor(L, device=device))
        doc = doc.to(torch.int32)
        return (lambda b, h, q, kv: doc[q] == doc[kv]), {"mask": "document", "lengths": L, "causal": False}, L
    if name == "gna2d":
        t = gna_tables(N, device)
        cy, cx, loy, hiy, lox, hix = t["cy"], t["cx"], t["loy"], t["hiy"], t["lox"], t["hix"]

        def gna_mask(b, h, q, kv):
            ky, kx = cy[kv], cx[kv]
            return (ky >= loy[q]) & (ky <= hiy[q]) & (kx >= lox[q]) & (kx <= hix[q])

        return gna_mask, {"mask": "gna2d", "grid": list(t["grid"]), "window2d": list(GNA_WINDOW),
                          "stride2d": [1, 1], "tile": list(GNA_TILE), "causal": False}, t
    raise ValueError(name)


def dense_reference(name, N, device, tables=None):
    """[N, N] bool element mask written independently of the mask_mods (tril / band / block_diag / Kronecker)."""
    ones = torch.ones(N, N, dtype=torch.bool, device=device)
    if name == "causal":
        return torch.tril(ones)
    if name == "sliding_window":
        return torch.tril(ones) & ~torch.tril(ones, diagonal=-SW_WINDOW)
    if name == "document":
        return torch.block_diag(*[torch.ones(n, n, dtype=torch.bool, device=device) for n in doc_lengths(N)])
    if name == "gna2d":
        t = tables or gna_tables(N, device)
        ax = []
        for L, (lo, hi) in zip(t["grid"], t["axis"]):
            m = torch.zeros(L, L, dtype=torch.bool, device=device)
            for i in range(L):
                m[i, lo[i]:hi[i] + 1] = True
            ax.append(m)
        m = (ax[0][:, None, :, None] & ax[1][None, :, None, :]).reshape(N, N)
        o = torch.tensor(t["orig"], dtype=torch.long, device=device)
        return m[o][:, o]
    raise ValueError(name)


def eval_mask_mod(mask_mod, N, device, rows=4096):
    """The mask_mod evaluated element-wise (broadcast), in row chunks: [N, N] bool."""
    out = torch.empty(N, N, dtype=torch.bool, device=device)
    kv = torch.arange(N, device=device)[None, :]
    z = torch.zeros((), dtype=torch.long, device=device)
    for r0 in range(0, N, rows):
        q = torch.arange(r0, min(N, r0 + rows), device=device)[:, None]
        out[r0:r0 + q.shape[0]] = mask_mod(z, z, q, kv)
    return out


def block_sets(bm):
    """(full, partial) per-Q-block sorted lists of the BlockMask's (b=0, h=0)."""
    nq = -(-bm.seq_lengths[0] // bm.BLOCK_SIZE[0])
    kvn, kvi = bm.kv_num_blocks[0, 0].tolist(), bm.kv_indices[0, 0].tolist()
    part = [sorted(kvi[q][:kvn[q]]) for q in range(nq)]
    if bm.full_kv_num_blocks is None:
        return [[] for _ in range(nq)], part
    fn, fi = bm.full_kv_num_blocks[0, 0].tolist(), bm.full_kv_indices[0, 0].tolist()
    return [sorted(fi[q][:fn[q]]) for q in range(nq)], part


def classify_dense(mask, bs=BLOCK):
    """(full, partial) per-Q-block lists from an element mask (padded with False to a multiple of bs)."""
    return _classify_dense(mask, (bs, bs))


def json_block_sets(path):
    with open(path) as f:
        d = json.load(f)
    if d.get("attnsim_block_mask") != 1 or d.get("heads") is not None:
        raise ValueError(f"{path}: not a single-mask attnsim block mask")
    return d["block_size"], d["full"], d.get("partial") or [[] for _ in d["full"]]


# ---------------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------------
def bench(fn, min_reps=20, max_reps=200, target_ms=400.0, warmup=3):
    """Median (and p10/p90) of per-call times after warm-up; CUDA events on a GPU, perf_counter on the CPU."""
    cuda = torch.cuda.is_available()
    for _ in range(warmup):
        fn()
    if cuda:
        torch.cuda.synchronize()

    def timed(reps):
        if not cuda:
            ts = []
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                ts.append((time.perf_counter() - t0) * 1e3)
            return ts
        st = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
        en = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
        for i in range(reps):
            st[i].record()
            fn()
            en[i].record()
        torch.cuda.synchronize()
        return [st[i].elapsed_time(en[i]) for i in range(reps)]

    est = max(timed(1)[0], 1e-3)
    reps = int(min(max_reps, max(min_reps, math.ceil(target_ms / est))))
    ts = sorted(timed(reps))
    q = lambda f: ts[min(reps - 1, int(f * (reps - 1) + 0.5))]
    return {"median": statistics.median(ts), "p10": q(0.1), "p90": q(0.9), "reps": reps}



def sdpa_kernel_name(fn):
    try:
        from torch.profiler import ProfilerActivity, profile
        fn()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize()
        names = [e.key for e in prof.key_averages() if "CUDA" in str(getattr(e, "device_type", ""))]
        for pat in ("cudnn", "flash", "fmha", "attention"):
            for n in names:
                if pat in n.lower():
                    return n[:160]
        return names[0][:160] if names else ""
    except Exception as e:  # noqa: BLE001
        return f"profiler failed: {e!r}"[:160]


def device_facts(device):
    facts = {"date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "torch": torch.__version__, "device": device, "argv": sys.argv[1:]}
    try:
        import triton
        facts["triton"] = triton.__version__
    except Exception:  # noqa: BLE001
        facts["triton"] = None
    if device != "cuda":
        return facts
    p = torch.cuda.get_device_properties(0)
    facts.update({"name": torch.cuda.get_device_name(0), "sms": p.multi_processor_count,
                  "l2_bytes": int(getattr(p, "L2_cache_size", 0)), "total_memory_bytes": int(p.total_memory),
                  "cc": f"{p.major}.{p.minor}", "cuda": torch.version.cuda,
                  "cudnn": torch.backends.cudnn.version()})
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    r = bench(lambda: torch.mm(a, b), min_reps=10, max_reps=50, target_ms=200)
    facts["matmul_bf16_tflops"] = 2 * n ** 3 / (r["median"] * 1e-3) / 1e12
    del a, b
    nbytes = 2 << 30
    src = torch.empty(nbytes // 4, device="cuda", dtype=torch.float32).uniform_()
    dst = torch.empty_like(src)
    r = bench(lambda: dst.copy_(src), min_reps=10, max_reps=50, target_ms=200)
    facts["copy_bytes_per_s"] = 2 * nbytes / (r["median"] * 1e-3)
    del src, dst
    torch.cuda.empty_cache()
    return facts



# ---------------------------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------------------------
def run(args):
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention

    device = "cuda" if torch.cuda.is_available() and not args.smoke else "cpu"
    heads, head_dim = (2, 64) if args.smoke else (HEADS, HEAD_DIM)
    tokens = args.tokens or ([1024] if args.smoke else [8192, 32768])
    masks = args.masks or MASK_ORDER
    dtype = torch.float32 if device == "cpu" else torch.bfloat16
    dc = torch._dynamo.config
    for name, val in (("recompile_limit", 64), ("cache_size_limit", 64),
                      ("accumulated_recompile_limit", 512), ("accumulated_cache_size_limit", 512)):
        if hasattr(dc, name):
            setattr(dc, name, val)
    dc.automatic_dynamic_shapes = False
    t_start = time.time()
    el = lambda: time.time() - t_start
    log = lambda *a: print(f"[{el():7.1f}s]", *a, flush=True)
    minr, tgt = (3, 20.0) if args.smoke else (20, 400.0)

    doc = {"device": device_facts(device), "configs": [], "baselines": [], "errors": [],
           "method": {
               "problem": f"batch 1, {heads} heads, head_dim {head_dim}, {str(dtype).replace('torch.', '')}, "
                          "random randn Q/K/V [1, H, N, d] (one set per N, shared by all its configs)",
               "timing": "warm-up (3 calls, after the first call that compiles), then CUDA events around each call; "
                         "median of >= 20 calls, count sized to ~400 ms per measurement; p10/p90 alongside",
               "flex": "torch.compile(flex_attention, dynamic=False), default kernel_options (Triton backend)",
               "block_mask": f"create_block_mask(mask_mod, B=None, H=None, Q_LEN=N, KV_LEN=N, BLOCK_SIZE={BLOCK}, "
                             f"device='{device}') (eager); blocks.* for one (b, h), all heads alike",
               "partial_vs_full": "blocks.partial = kv_num_blocks.sum(), blocks.full = full_kv_num_blocks.sum(); "
                                  "kv_num_blocks counts partial blocks only (create_block_mask separates full blocks)",
               "sdpa": "F.scaled_dot_product_attention default backend; sdpa_dense_ms non-causal, sdpa_causal_ms "
                       "is_causal=True; sdpa_kernel = kernel name the profiler saw",
               "flops": "flops = 4*H*d*attended_pairs; block_flops = 4*H*d*128*128*(full+partial); "
                        "dense = 4*H*d*N^2",
               "check": "N=8192: flex (bf16, heads 0-1) vs fp32 SDPA with the explicit boolean mask, "
                        "rel_err = ||out-ref||/||ref||; block sets vs the dense element mask and vs the "
                        "committed workloads/masks JSON"}}
    log("device:", json.dumps(doc["device"]))
    write_json(args.out, doc)
    flex = flex_attention if device == "cpu" else torch.compile(flex_attention, dynamic=False)

    for N in tokens:
        if el() > args.deadline_s:
            doc["errors"].append({"tokens": N, "error": "skipped: deadline"})
            log(f"deadline: skipping N={N}")
            continue
        log(f"=== N={N}")
        torch.manual_seed(1234 + N)
        q = torch.randn(1, heads, N, head_dim, device=device, dtype=dtype)
        k = torch.randn_like(q)
        v = torch.randn_like(q)
        base = {"tokens": N, "heads": heads, "head_dim": head_dim, "flops_dense": 4.0 * heads * head_dim * N * N}
        try:
            for causal in (False, True):
                fn = lambda c=causal: F.scaled_dot_product_attention(q, k, v, is_causal=c)
                r = bench(fn, min_reps=minr, target_ms=tgt)
                key = "sdpa_causal" if causal else "sdpa_dense"
                base[key + "_ms"] = r["median"]
                base[key + "_p10_p90"] = [r["p10"], r["p90"]]
                if device == "cuda":
                    base[key + "_kernel"] = sdpa_kernel_name(fn)
            t0 = time.time()
            out = flex(q, k, v)
            if device == "cuda":
                torch.cuda.synchronize()
            base["flex_dense_first_call_s"] = time.time() - t0
            assert torch.isfinite(out).all()
            del out
            r = bench(lambda: flex(q, k, v), min_reps=minr, target_ms=tgt)
            base["flex_dense_ms"], base["flex_dense_p10_p90"] = r["median"], [r["p10"], r["p90"]]
            base["flex_dense_tflops"] = base["flops_dense"] / (r["median"] * 1e-3) / 1e12
            if device == "cuda":
                base["gpu_after"] = gpu_state()
            log(f"N={N}: sdpa dense {base['sdpa_dense_ms']:.3f} ms, sdpa causal {base['sdpa_causal_ms']:.3f} ms, "
                f"flex dense {base['flex_dense_ms']:.3f} ms (first call {base['flex_dense_first_call_s']:.1f} s)")
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            base["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            doc["errors"].append({"tokens": N, "error": base["error"]})
        doc["baselines"].append(base)
        write_json(args.out, doc)

        for name in masks:
            if el() > args.deadline_s:
                doc["errors"].append({"tokens": N, "mask": name, "error": "skipped: deadline"})
                log(f"deadline: skipping {name} at N={N}")
                continue
            rec = {"tokens": N, "heads": heads, "head_dim": head_dim, "block_size": [BLOCK, BLOCK]}
            try:
                mask_mod, desc, tables = make_mask(name, N, device)
                rec.update(desc)
                t0 = time.time()
                bm = create_block_mask(mask_mod, B=None, H=None, Q_LEN=N, KV_LEN=N, device=device,
                                       BLOCK_SIZE=BLOCK)
                rec["block_mask_build_s"] = time.time() - t0
                kvn = bm.kv_num_blocks[0, 0].long()
                fulln = bm.full_kv_num_blocks[0, 0].long()
                nq = kvn.numel()
                rec["blocks"] = {"q_blocks": nq, "full": int(fulln.sum()), "partial": int(kvn.sum()),
                                 "skipped": nq * nq - int(fulln.sum()) - int(kvn.sum()),
                                 "worst_visited": int((kvn + fulln).max()), "worst_partial": int(kvn.max())}
                em = eval_mask_mod(mask_mod, N, device)
                pairs = int(em.sum())
                rec["attended_pairs"] = pairs
                rec["density"] = pairs / (N * N)
                rec["flops"] = 4.0 * heads * head_dim * pairs
                rec["block_flops"] = 4.0 * heads * head_dim * BLOCK * BLOCK * (rec["blocks"]["full"]
                                                                               + rec["blocks"]["partial"])
                # block sets: BlockMask vs dense element mask (and the committed JSON at 8192)
                bf, bp = block_sets(bm)
                rf, rp = classify_dense(em)
                rec["blocks_match_dense"] = (bf == rf and bp == rp)
                if N <= 8192:
                    ref = dense_reference(name, N, device, tables)
                    rec["mask_mod_matches_reference"] = bool(torch.equal(ref, em))
                    del ref
                fname = MASK_FILES.get(name)
                if args.masks_dir and fname and N == 8192:
                    path = os.path.join(args.masks_dir, fname)
                    if os.path.exists(path):
                        jbs, jf, jp = json_block_sets(path)
                        rec["json_file"] = fname
                        rec["json_match"] = (jbs == [BLOCK, BLOCK] and jf == bf and jp == bp)
                    else:
                        rec["json_match"] = f"not found: {path}"
                t0 = time.time()
                out = flex(q, k, v, block_mask=bm)
                if device == "cuda":
                    torch.cuda.synchronize()
                rec["flex_first_call_s"] = time.time() - t0
                assert torch.isfinite(out).all(), "non-finite flex output"
                if N <= 8192 or args.smoke:
                    h2 = min(2, heads)
                    ref = F.scaled_dot_product_attention(q[:, :h2].float(), k[:, :h2].float(), v[:, :h2].float(),
                                                         attn_mask=em)
                    rel = float((out[:, :h2].float() - ref).norm() / ref.norm())
                    rec["check"] = {"rel_err": rel, "heads": h2,
                                    "pass": bool(rel < (1e-2 if dtype == torch.bfloat16 else 1e-4))}
                    del ref
                del out, em
                r1 = bench(lambda: flex(q, k, v, block_mask=bm), min_reps=minr, target_ms=tgt)
                r2 = bench(lambda: flex(q, k, v, block_mask=bm), min_reps=minr, target_ms=tgt)
                rec.update({"flex_ms": r1["median"], "flex_ms_repeat": r2["median"],
                            "flex_p10_p90": [r1["p10"], r1["p90"]], "flex_reps": r1["reps"],
                            "flex_tflops": rec["flops"] / (r1["median"] * 1e-3) / 1e12,
                            "flex_block_tflops": rec["block_flops"] / (r1["median"] * 1e-3) / 1e12})
                for key in ("sdpa_dense_ms", "sdpa_causal_ms", "flex_dense_ms"):
                    if key in base:
                        rec[key] = base[key]
                if "flex_dense_ms" in base:
                    rec["speedup_vs_flex_dense"] = base["flex_dense_ms"] / r1["median"]
                    rec["time_ratio_vs_block_fraction"] = (r1["median"] / base["flex_dense_ms"]) / (
                        (rec["blocks"]["full"] + rec["blocks"]["partial"]) / (nq * nq))
                if device == "cuda":
                    rec["gpu_after"] = gpu_state()
                b = rec["blocks"]
                log(f"{name} N={N}: full {b['full']} partial {b['partial']} skipped {b['skipped']} | flex "
                    f"{r1['median']:.3f} / {r2['median']:.3f} ms (reps {r1['reps']}) | dense flex "
                    f"{base.get('flex_dense_ms', float('nan')):.3f} | blocks==dense {rec['blocks_match_dense']} "
                    f"json {rec.get('json_match', '-')} check {rec.get('check', '-')} | bm build "
                    f"{rec['block_mask_build_s']:.2f} s, first call {rec['flex_first_call_s']:.1f} s")
                del bm
            except Exception as e:  # noqa: BLE001
                import traceback
                traceback.print_exc()
                rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
                doc["errors"].append({"tokens": N, "mask": name, "error": rec["error"]})
            doc["configs"].append(rec)
            write_json(args.out, doc)
        del q, k, v
        if device == "cuda":
            torch.cuda.empty_cache()

    doc["elapsed_s"] = el()
    write_json(args.out, doc)
    print_table(doc)
    return doc


def print_table(doc):
    d = doc["device"]
    print(f"\n{d.get('name', d['device'])}  torch {d['torch']}  {d['date_utc']}"
          + (f"  mm {d['matmul_bf16_tflops']:.0f} TFLOP/s  copy {d['copy_bytes_per_s'] / 1e12:.2f} TB/s"
             if "matmul_bf16_tflops" in d else ""))
    print(f"{'mask':16s} {'N':>6s} {'full':>6s} {'part':>6s} {'flex ms':>9s} {'repeat':>9s} {'flexdense':>9s} "
          f"{'sdpa':>9s} {'sdpa_c':>9s} {'json':>5s} {'relerr':>9s}")
    for r in doc["configs"]:
        if "error" in r:
            print(f"{r.get('mask', '?'):16s} {r['tokens']:6d} ERROR {r['error'][:80]}")
            continue
        b = r["blocks"]
        c = r.get("check", {}).get("rel_err")
        print(f"{r['mask']:16s} {r['tokens']:6d} {b['full']:6d} {b['partial']:6d} {r['flex_ms']:9.3f} "
              f"{r['flex_ms_repeat']:9.3f} {r.get('flex_dense_ms', float('nan')):9.3f} "
              f"{r.get('sdpa_dense_ms', float('nan')):9.3f} {r.get('sdpa_causal_ms', float('nan')):9.3f} "
              f"{str(r.get('json_match', '-'))[:5]:>5s} {('%.2e' % c) if c is not None else '-':>9s}")
    for e in doc["errors"]:
        print("error:", e)


def selftest():
    """CPU checks: each mask_mod equals its independent dense reference; create_block_mask's partial/full sets
    equal the dense classification (kv_num_blocks = partial only); document lengths; committed JSON if present."""
    from torch.nn.attention.flex_attention import create_block_mask
    passed = failed = 0
    for N in (1024, 2048, 4096):
        for name in MASK_ORDER:
            mm, desc, tables = make_mask(name, N, "cpu")
            em = eval_mask_mod(mm, N, "cpu", rows=512)
            ref = dense_reference(name, N, "cpu", tables)
            bm = create_block_mask(mm, B=None, H=None, Q_LEN=N, KV_LEN=N, device="cpu", BLOCK_SIZE=BLOCK)
            ok = torch.equal(em, ref) and block_sets(bm) == classify_dense(ref)
            print(f"{'PASS' if ok else 'FAIL'} {name} N={N}: mask_mod == reference and block sets == dense")
            passed, failed = passed + ok, failed + (not ok)
    ok = doc_lengths(8192) == DOC_LENGTHS_8K and doc_lengths(32768) == [12000, 8000, 12768]
    passed, failed = passed + ok, failed + (not ok)
    here = os.path.dirname(os.path.abspath(__file__))
    mdir = os.path.join(here, "..", "..", "workloads", "masks")
    for name, fname in MASK_FILES.items():
        path = os.path.join(mdir, fname)
        if not os.path.exists(path):
            continue
        jbs, jf, jp = json_block_sets(path)
        full, part = classify_dense(dense_reference(name, 8192, "cpu"))
        ok = jbs == [BLOCK, BLOCK] and jf == full and jp == part
        print(f"{'PASS' if ok else 'FAIL'} {fname} == dense classification of the {name} mask at 8192")
        passed, failed = passed + ok, failed + (not ok)
    print(f"selftest: {passed} passed, {failed} failed")
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="JSON output path (rewritten after every config)")
    ap.add_argument("--deadline-s", type=float, default=240.0, help="start no new config after this many seconds")
    ap.add_argument("--tokens", type=int, nargs="*", default=None, help="token counts (default 8192 32768)")
    ap.add_argument("--masks", nargs="*", choices=MASK_ORDER, default=None, help="masks to time (default all)")
    ap.add_argument("--masks-dir", default=None, help="workloads/masks, to compare the 8192-token JSON files")
    ap.add_argument("--selftest", action="store_true", help="CPU logic checks")
    ap.add_argument("--smoke", action="store_true", help="tiny CPU run of the whole path (eager flex, fp32)")
    args = ap.parse_args()
    if args.selftest:
        return 0 if selftest() else 1
    doc = run(args)
    bad = [c for c in doc["configs"] if "error" in c or c.get("check", {}).get("pass") is False
           or c.get("blocks_match_dense") is False or c.get("json_match") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    sys.exit(main())
