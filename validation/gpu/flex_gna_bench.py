#!/usr/bin/env python3
"""Real-GPU timings of FlexAttention with GNA (generalized neighborhood attention) block masks.

Self-contained (torch only). Usage:

    python3 validation/gpu/flex_gna_bench.py --out OUT.json [--quick] [--deadline-s 540]
    python3 validation/gpu/flex_gna_bench.py --selftest        # CPU-capable logic checks

What it measures (see validation/gpu/README.md):
  * device facts: name, SMs, L2, torch version, bf16 matmul peak (8192^3 torch.mm), D2D copy bandwidth;
  * per config (token layout, window, stride, dilation, causal per axis):
      - sdpa_dense_ms   : F.scaled_dot_product_attention, default backend (is_causal only for fully-causal configs)
      - flex_dense_ms   : torch.compile(flex_attention) without block mask
      - flex_gna_ms     : torch.compile(flex_attention) with a BlockMask (128x128 token blocks) built by
                          create_block_mask(_compile=True) over a token permutation that makes every contiguous
                          128-token block one N-D tile of shape `tile` (NATTEN's token permutation);
      - flex_gna_ms_repeat : the same, measured again (run-to-run spread);
      - blocks          : partial / full KV blocks of the BlockMask for one (b, h), q_blocks, worst Q block.

GNA rule per axis (NATTEN's fna_fusion.hpp; docs/references.md, NATTEN-src), axis length L, window w,
stride s, dilation d; queries/keys are split into dilation groups g = x % d with in-group index i = x // d
and group length Lg = L//d + (g < L % d):
  non-causal: leader = min((i//s)*s + s//2, Lg-1); start = clamp(leader - w//2, 0, Lg-w); attend iff start <= j < start+w
  causal    : leader = min((i//s)*s + s - 1, Lg-1); attend iff j <= i and leader - j < w
and only within the same dilation group; the N-D mask is the AND over axes.

Mask implementation used for the timed GNA kernel ("lut"): the per-axis rule above is evaluated once per config
into per-token tables (original coordinate of each permuted token, and the inclusive attended interval
[lo, hi] of every query, in original coordinates, plus a combined dilation-group id), so the mask_mod is
`gid[q]==gid[k] and AND_a lo_a[q] <= coord_a[k] <= hi_a[q]` -- exact, and identical code for every config of
one token layout, so torch.compile builds the flex kernel once per layout (tables are updated in place).
For a few configs the script also times an "arith" mask_mod (the rule above written with Python-int
constants on the gathered coordinates, as NATTEN's Flex backend does) to show what the mask arithmetic costs.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

BLOCK = 128
HEAD_DIM = 128


# ----------------------------------------------------------------------------------------------------------
# GNA rule
# ----------------------------------------------------------------------------------------------------------
def gna_interval_1d(i, Lg, w, s, causal):
    """Exact GNA neighbourhood of in-group query index i (group length Lg): inclusive [lo, hi] of keys."""
    if causal:
        leader = min((i // s) * s + s - 1, Lg - 1)
        return max(leader - w + 1, 0), i
    leader = min((i // s) * s + s // 2, Lg - 1)
    start = min(max(leader - w // 2, 0), Lg - w)
    return start, start + w - 1


def axis_tables(L, w, s, d, causal, device="cpu"):
    """Per original coordinate x in [0, L): dilation group g, inclusive attended key interval [lo, hi] in
    ORIGINAL coordinates (keys must also satisfy k % d == g), and the neighbourhood size along this axis."""
    x = torch.arange(L, dtype=torch.int64, device=device)
    g = x % d
    i = x // d
    Lg = L // d + (g < (L % d)).long()
    if causal:
        leader = torch.minimum((i // s) * s + s - 1, Lg - 1)
        lo_i = torch.clamp(leader - w + 1, min=0)
        hi_i = i
    else:
        leader = torch.minimum((i // s) * s + s // 2, Lg - 1)
        lo_i = torch.minimum(torch.clamp(leader - w // 2, min=0), Lg - w)
        hi_i = lo_i + w - 1
    return g, lo_i * d + g, hi_i * d + g, hi_i - lo_i + 1


def axis_mask_ref(L, w, s, d, causal, device="cpu"):
    """Dense [L, L] boolean 1-D GNA mask written directly in the 'attend iff' form (independent of the
    tables above), used for reference masks."""
    q = torch.arange(L, dtype=torch.int64, device=device)[:, None]
    k = torch.arange(L, dtype=torch.int64, device=device)[None, :]
    gq, gk = q % d, k % d
    qi, ki = q // d, k // d
    Lg = L // d + (gq < (L % d)).long()
    if causal:
        leader = torch.minimum((qi // s) * s + s - 1, Lg - 1)
        m = (ki <= qi) & (leader - ki < w)
    else:
        leader = torch.minimum((qi // s) * s + s // 2, Lg - 1)
        start = torch.minimum(torch.clamp(leader - w // 2, min=0), Lg - w)
        m = (start <= ki) & (ki < start + w)
    return m & (gq == gk)


def nd_mask_ref(cfg, device="cpu"):
    """Dense [N, N] boolean GNA mask in ORIGINAL row-major token order (AND of the per-axis masks)."""
    m = None
    D = len(cfg["tokens"])
    for a in range(D):
        ma = axis_mask_ref(cfg["tokens"][a], cfg["window"][a], cfg["stride"][a], cfg["dilation"][a],
                           cfg["causal"][a], device)
        if m is None:
            m = ma
        else:
            n0 = m.shape[0]
            L = ma.shape[0]
            m = (m[:, None, :, None] & ma[None, :, None, :]).reshape(n0 * L, n0 * L)
    return m


# ----------------------------------------------------------------------------------------------------------
# Token permutation (NATTEN's token_permute/torch_impl.py; docs/references.md, NATTEN-src)
# ----------------------------------------------------------------------------------------------------------
def perm_to_coord(tokens, tile, dilation=None, dilation_outer=True, device="cpu"):
    """coord[a][p] = original coordinate along axis a of the token stored at permuted position p.
    Plain: axis x = r*T + t, layout [r_0..r_{D-1}, t_0..t_{D-1}] row-major.
    dilation_outer (NATTEN): x = r*T*d + t*d + g, layout [g_0..g_{D-1}, r_0.., t_0..]: every contiguous
    prod(T) tokens are one tile inside one dilation group (dilation groups folded outermost ~ into batch)."""
    D = len(tokens)
    dil = list(dilation) if dilation is not None else [1] * D
    use_dil = dilation_outer and any(d > 1 for d in dil)
    for a in range(D):
        unit = tile[a] * (dil[a] if use_dil else 1)
        if tokens[a] % unit:
            raise ValueError(f"axis {a}: L={tokens[a]} not divisible by tile*dilation={unit}")
    N = math.prod(tokens)
    if use_dil:
        sizes = dil + [tokens[a] // (tile[a] * dil[a]) for a in range(D)] + list(tile)
    else:
        sizes = [tokens[a] // tile[a] for a in range(D)] + list(tile)
    idx = torch.arange(N, dtype=torch.int64, device=device)
    comps = []
    for sz in reversed(sizes):
        comps.append(idx % sz)
        idx = idx // sz
    comps = comps[::-1]
    coords = []
    for a in range(D):
        if use_dil:
            g, r, t = comps[a], comps[D + a], comps[2 * D + a]
            coords.append(r * tile[a] * dil[a] + t * dil[a] + g)
        else:
            r, t = comps[a], comps[D + a]
            coords.append(r * tile[a] + t)
    return coords


def flat_index(coords, tokens):
    """Row-major flat original index of each permuted position."""
    f = torch.zeros_like(coords[0])
    for a, L in enumerate(tokens):
        f = f * L + coords[a]
    return f


def build_tables(cfg, device="cpu"):
    """Permuted-order LUTs for the 'lut' mask_mod + exact attended-pair count."""
    tokens, D = cfg["tokens"], len(cfg["tokens"])
    coords = perm_to_coord(tokens, cfg["tile"], cfg["dilation"], cfg.get("dilation_outer", True), device)
    gid = torch.zeros_like(coords[0])
    los, his = [], []
    pairs = 1
    for a in range(D):
        g, lo, hi, cnt = axis_tables(tokens[a], cfg["window"][a], cfg["stride"][a], cfg["dilation"][a],
                                     cfg["causal"][a], device)
        c = coords[a]
        gid = gid * cfg["dilation"][a] + g[c]
        los.append(lo[c])
        his.append(hi[c])
        pairs *= int(cnt.sum())  # separable: sum over the product grid of prod_a cnt_a
    return {"coord": coords, "lo": los, "hi": his, "gid": gid, "pairs": pairs}


def make_lut_mask_mod(T):
    """T: dict of int32 tensors (lists per axis), updated in place between configs of one layout."""
    coord, lo, hi, gid = T["coord"], T["lo"], T["hi"], T["gid"]
    D = len(coord)

    def gna_lut_mask(b, h, q_idx, kv_idx):
        m = gid[q_idx] == gid[kv_idx]
        for a in range(D):
            kc = coord[a][kv_idx]
            m = m & (kc >= lo[a][q_idx]) & (kc <= hi[a][q_idx])
        return m

    return gna_lut_mask


def make_arith_mask_mod(coord, cfg):
    """The GNA rule as arithmetic with Python-int constants (per-config code => its own compile)."""
    params = list(zip(cfg["tokens"], cfg["window"], cfg["stride"], cfg["dilation"], cfg["causal"]))

    def gna_arith_mask(b, h, q_idx, kv_idx):
        m = None
        for a, (L, w, s, d, c) in enumerate(params):
            q = coord[a][q_idx]
            k = coord[a][kv_idx]
            if d > 1:
                gq, gk = q % d, k % d
                qi, ki = q // d, k // d
                Lg = L // d + (gq < (L % d)).to(q.dtype)
            else:
                qi, ki, Lg = q, k, None
            if c:
                leader = (qi // s) * s + (s - 1)
                leader = torch.clamp(leader, max=L - 1) if Lg is None else torch.minimum(leader, Lg - 1)
                ma = (ki <= qi) & (leader - ki < w)
            else:
                leader = (qi // s) * s + (s // 2)
                leader = torch.clamp(leader, max=L - 1) if Lg is None else torch.minimum(leader, Lg - 1)
                start = torch.clamp(leader - (w // 2), min=0)
                start = torch.clamp(start, max=L - w) if Lg is None else torch.minimum(start, Lg - w)
                ma = (start <= ki) & (ki < start + w)
            if d > 1:
                ma = ma & (gq == gk)
            m = ma if m is None else (m & ma)
        return m

    return gna_arith_mask


# ----------------------------------------------------------------------------------------------------------
# Configs
# ----------------------------------------------------------------------------------------------------------
def _cid(tokens, w, s, d, c):
    x = lambda v: "x".join(str(t) for t in v)
    cid = f"{len(tokens)}d-{x(tokens)}-w{x(w)}-s{x(s)}"
    if any(t > 1 for t in d):
        cid += f"-d{x(d)}"
    if any(c):
        cid += "-causal" if all(c) else "-c" + "".join("T" if t else "F" for t in c)
    return cid


def make_configs():
    groups = []  # (group name, tokens, heads, tile, [cfg...])

    def cfg(tokens, heads, tile, w, s, d=None, c=None, **extra):
        D = len(tokens)
        d = d or [1] * D
        c = c or [False] * D
        out = {"id": _cid(tokens, w, s, d, c), "tokens": list(tokens), "window": list(w), "stride": list(s),
               "dilation": list(d), "causal": list(c), "batch": 1, "heads": heads, "head_dim": HEAD_DIM,
               "dtype": "bf16", "tile": list(tile), "block_tokens": BLOCK}
        out.update(extra)
        return out

    t1, h1, tl1 = [32768], 8, [128]
    g1 = [cfg(t1, h1, tl1, [2048], [s]) for s in (1, 64, 128, 256, 2048)]
    g1 += [cfg(t1, h1, tl1, [8192], [s]) for s in (1, 1024)]
    g1 += [cfg(t1, h1, tl1, [512], [1])]
    g1 += [cfg(t1, h1, tl1, [32768], [1], c=[True]), cfg(t1, h1, tl1, [4096], [1], c=[True])]
    groups.append(("1d", t1, h1, tl1, g1))

    t2, h2, tl2 = [128, 128], 16, [16, 8]
    g2 = [cfg(t2, h2, tl2, [32, 32], [s, s]) for s in (1, 8, 16, 32)]
    g2 += [cfg(t2, h2, tl2, [64, 64], [s, s]) for s in (1, 16)]
    g2 += [cfg(t2, h2, tl2, [16, 16], [1, 1]), cfg(t2, h2, tl2, [96, 96], [1, 1])]
    g2 += [cfg(t2, h2, tl2, [32, 32], [1, 1], d=[2, 2], dilation_outer=True)]
    plain = cfg(t2, h2, tl2, [32, 32], [1, 1], d=[2, 2], dilation_outer=False)
    plain["id"] += "-plainperm"
    g2 += [plain]
    groups.append(("2d", t2, h2, tl2, g2))

    t3, h3, tl3 = [16, 32, 48], 16, [2, 8, 8]
    g3 = [cfg(t3, h3, tl3, [8, 16, 16], s) for s in ([1, 1, 1], [2, 8, 8], [8, 16, 16])]
    g3 += [cfg(t3, h3, tl3, [16, 16, 24], s) for s in ([1, 1, 1], [16, 8, 8])]
    g3 += [cfg(t3, h3, tl3, [4, 8, 8], [1, 1, 1])]
    g3 += [cfg(t3, h3, tl3, [8, 16, 16], [1, 1, 1], c=[True, False, False])]
    groups.append(("3d", t3, h3, tl3, g3))

    t4, h4, tl4 = [32, 48, 80], 24, [2, 8, 8]
    g4 = [cfg(t4, h4, tl4, [18, 24, 24], s) for s in ([1, 1, 1], [16, 8, 8])]
    groups.append(("hunyuan", t4, h4, tl4, g4))
    return groups


QUICK_IDS = {"1d-32768-w2048-s1", "2d-128x128-w32x32-s8x8", "3d-16x32x48-w8x16x16-s1x1x1-cTFF"}
CHECK_IDS = ["2d-128x128-w32x32-s8x8", "2d-128x128-w32x32-s1x1-d2x2", "3d-16x32x48-w8x16x16-s1x1x1-cTFF"]
ARITH_IDS = ["1d-32768-w2048-s1", "1d-32768-w4096-s1-causal", "2d-128x128-w32x32-s1x1",
             "2d-128x128-w32x32-s1x1-d2x2", "3d-16x32x48-w8x16x16-s1x1x1", "3d-16x32x48-w8x16x16-s1x1x1-cTFF"]


# ----------------------------------------------------------------------------------------------------------
# Timing helpers
# ----------------------------------------------------------------------------------------------------------
def bench(fn, min_reps=20, max_reps=200, target_ms=400.0, warmup=3):
    """Median (and p10/p90) of per-call CUDA-event times, after warm-up; reps sized to ~target_ms."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    e0.record()
    fn()
    e1.record()
    torch.cuda.synchronize()
    est = max(e0.elapsed_time(e1), 1e-3)
    reps = int(min(max_reps, max(min_reps, math.ceil(target_ms / est))))
    st = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    en = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for i in range(reps):
        st[i].record()
        fn()
        en[i].record()
    torch.cuda.synchronize()
    ts = sorted(st[i].elapsed_time(en[i]) for i in range(reps))
    q = lambda f: ts[min(reps - 1, int(f * (reps - 1) + 0.5))]
    return {"median": statistics.median(ts), "p10": q(0.1), "p90": q(0.9), "reps": reps}


def gpu_state():
    """SM clock (MHz), temperature (C), power (mW) right now, through NVML (None where unavailable)."""
    out = {}
    for key, f in (("sm_clock_mhz", "clock_rate"), ("temp_c", "temperature"), ("power_mw", "power_draw")):
        try:
            out[key] = getattr(torch.cuda, f)()
        except Exception:  # noqa: BLE001
            out[key] = None
    return out


def cuda_kernel_names(fn):
    """Names of the CUDA kernels one call of fn launches (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    names = []
    for ev in prof.key_averages():
        dt = getattr(ev, "device_type", None)
        if dt is not None and "CUDA" in str(dt):
            names.append(ev.key)
    return names


def classify_sdpa(names):
    for n in names:
        ln = n.lower()
        if "cudnn" in ln or "cudnn" in ln.replace("_", ""):
            return "CUDNN_ATTENTION", n
    for n in names:
        ln = n.lower()
        if "flash" in ln:
            return "FLASH_ATTENTION", n
    for n in names:
        ln = n.lower()
        if "fmha" in ln or "cutlass" in ln or "efficient" in ln:
            return "EFFICIENT_ATTENTION", n
    for n in names:
        if "sm90" in n or "sm80" in n or "attention" in n.lower():
            return "UNKNOWN", n
    return "UNKNOWN", (names[0] if names else "")


# ----------------------------------------------------------------------------------------------------------
# Device facts
# ----------------------------------------------------------------------------------------------------------
def device_facts(quick):
    p = torch.cuda.get_device_properties(0)
    facts = {"name": torch.cuda.get_device_name(0), "sms": p.multi_processor_count,
             "l2_bytes": int(getattr(p, "L2_cache_size", 0)), "total_memory_bytes": int(p.total_memory),
             "cc": f"{p.major}.{p.minor}", "torch": torch.__version__, "cuda": torch.version.cuda,
             "cudnn": torch.backends.cudnn.version()}
    try:
        import triton
        facts["triton"] = triton.__version__
    except Exception:  # noqa: BLE001
        facts["triton"] = None
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    r = bench(lambda: torch.mm(a, b), min_reps=10 if quick else 30, max_reps=100, target_ms=300)
    facts["matmul_bf16_tflops"] = 2 * n ** 3 / (r["median"] * 1e-3) / 1e12
    facts["matmul_bf16_ms"] = r["median"]
    del a, b
    nbytes = (1 << 30) if quick else (4 << 30)
    src = torch.empty(nbytes // 4, device="cuda", dtype=torch.float32).uniform_()
    dst = torch.empty_like(src)
    r = bench(lambda: dst.copy_(src), min_reps=10 if quick else 20, max_reps=100, target_ms=300)
    facts["copy_bytes_per_s"] = 2 * nbytes / (r["median"] * 1e-3)
    facts["copy_buffer_bytes"] = nbytes
    del src, dst
    torch.cuda.empty_cache()
    return facts


# ----------------------------------------------------------------------------------------------------------
# Main benchmark
# ----------------------------------------------------------------------------------------------------------
def write_json(path, doc):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def run(args):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention

    dc = torch._dynamo.config
    for name, val in (("recompile_limit", 64), ("cache_size_limit", 64),
                      ("accumulated_recompile_limit", 512), ("accumulated_cache_size_limit", 512)):
        if hasattr(dc, name):
            setattr(dc, name, val)
    # static shapes everywhere: without this, dynamo turns closure ints / table sizes that change between
    # configs into symbols (the arith mask_mod then fails to trace, and kernels could lose specialisation)
    dc.automatic_dynamic_shapes = False

    t_start = time.time()
    el = lambda: time.time() - t_start
    log = lambda *a: print(f"[{el():7.1f}s]", *a, flush=True)
    quick = args.quick

    doc = {"device": device_facts(quick), "configs": [], "errors": [], "checks": [],
           "method": {
               "timing": "CUDA events around each call, median of >=20 calls (>=10 for the hunyuan layout's dense "
                         "baselines) after warm-up/compile; p10/p90 alongside; reps sized to ~400 ms per "
                         "measurement" + (" (QUICK: fewer reps)" if quick else ""),
               "inputs": "random bf16 Q,K,V [B,H,N,128] (randn), one set per token layout shared by its configs; "
                         "already in the permuted (tiled) order for flex_gna",
               "mask_impl": "lut: per-token tables (coord, lo, hi, dilation-group id) captured by one mask_mod "
                            "per layout and updated in place; see script docstring",
               "block_mask": "create_block_mask(mask_mod, B=None, H=None, Q_LEN=N, KV_LEN=N, BLOCK_SIZE=128, "
                             "_compile=True); blocks.* are for one (b,h)",
               "flex": "torch.compile(flex_attention, dynamic=False), default kernel_options",
               "sdpa": "default backend selection (sdpa_backend from the kernel names the profiler saw); "
                       "sdpa_by_backend forces each backend via sdpa_kernel; sdpa_dense_ms is causal only for "
                       "fully-causal configs (shared per layout otherwise)",
               "dilation": "dilation_outer=true permutes as NATTEN does (x = r*T*d + t*d + g, groups outermost); "
                           "the -plainperm config uses x = r*T + t with dilation"}}
    doc["device"]["argv"] = sys.argv[1:]
    log("device:", json.dumps(doc["device"]))
    write_json(args.out, doc)

    flex = torch.compile(flex_attention, dynamic=False)
    deadline = args.deadline_s
    arith_jobs = []

    for gname, tokens, heads, tile, cfgs in make_configs():
        if args.only:
            cfgs = [c for c in cfgs if any(o in c["id"] for o in args.only)]
        if quick:
            cfgs = [c for c in cfgs if c["id"] in QUICK_IDS]
        if not cfgs:
            continue
        if el() > deadline:
            log(f"deadline reached, skipping layout {gname}")
            doc["errors"].append({"group": gname, "error": "skipped: deadline"})
            continue
        D = len(tokens)
        N = math.prod(tokens)
        big = gname == "hunyuan"
        minr = 5 if quick else (10 if big else 20)  # dense baselines
        minr_gna = 5 if quick else 20
        tgt = 100.0 if quick else 400.0
        log(f"=== layout {gname}: tokens={tokens} N={N} heads={heads} tile={tile} ({len(cfgs)} configs)")
        torch.manual_seed(1234)
        q = torch.randn(1, heads, N, HEAD_DIM, device="cuda", dtype=torch.bfloat16)
        k = torch.randn_like(q)
        v = torch.randn_like(q)

        # --- SDPA baselines (per layout) ---
        sd = {}
        for causal in ([False, True] if any(all(c["causal"]) for c in cfgs) else [False]):
            fn = lambda c=causal: F.scaled_dot_product_attention(q, k, v, is_causal=c)
            r = bench(fn, min_reps=minr, target_ms=tgt)
            try:
                backend, kname = classify_sdpa(cuda_kernel_names(fn))
            except Exception as e:  # noqa: BLE001
                backend, kname = "UNKNOWN", f"profiler failed: {e!r}"[:200]
            by = {}
            for bk in ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION"):
                if quick and bk == "EFFICIENT_ATTENTION":
                    continue
                try:
                    with sdpa_kernel([getattr(SDPBackend, bk)]):
                        by[bk] = bench(fn, min_reps=minr, target_ms=tgt / 2)["median"]
                except Exception as e:  # noqa: BLE001
                    by[bk] = f"error: {type(e).__name__}: {str(e)[:120]}"
            sd[causal] = {"gpu_after": gpu_state(), "ms": r["median"], "p10": r["p10"], "p90": r["p90"], "backend": backend,
                          "kernel": kname[:160], "by_backend": by}
            log(f"sdpa causal={causal}: {r['median']:.3f} ms backend={backend} ({kname[:80]}) by={by}")

        # --- Flex dense ---
        t0 = time.time()
        out = flex(q, k, v)
        torch.cuda.synchronize()
        flex_dense_compile_s = time.time() - t0
        assert torch.isfinite(out).all(), "flex dense produced non-finite output"
        del out
        rfd = bench(lambda: flex(q, k, v), min_reps=minr, target_ms=tgt)
        log(f"flex dense: {rfd['median']:.3f} ms (first call incl. compile {flex_dense_compile_s:.1f}s)")

        # --- GNA tables (allocated once per layout; updated in place per config) ---
        T = {"coord": [torch.zeros(N, dtype=torch.int32, device="cuda") for _ in range(D)],
             "lo": [torch.zeros(N, dtype=torch.int32, device="cuda") for _ in range(D)],
             "hi": [torch.zeros(N, dtype=torch.int32, device="cuda") for _ in range(D)],
             "gid": torch.zeros(N, dtype=torch.int32, device="cuda")}
        mask_mod = make_lut_mask_mod(T)
        first_gna = True

        for cfg in cfgs:
            if el() > deadline:
                log(f"deadline reached, skipping {cfg['id']}")
                doc["errors"].append({"id": cfg["id"], "error": "skipped: deadline"})
                continue
            rec = dict(cfg)
            rec.setdefault("dilation_outer", True)
            try:
                tb = build_tables(cfg, device="cuda")
                for a in range(D):
                    T["coord"][a].copy_(tb["coord"][a])
                    T["lo"][a].copy_(tb["lo"][a])
                    T["hi"][a].copy_(tb["hi"][a])
                T["gid"].copy_(tb["gid"])
                torch.cuda.synchronize()
                t0 = time.time()
                bm = create_block_mask(mask_mod, B=None, H=None, Q_LEN=N, KV_LEN=N, device="cuda",
                                       BLOCK_SIZE=BLOCK, _compile=True)
                torch.cuda.synchronize()
                bm_first_s = time.time() - t0
                t0 = time.time()
                bm = create_block_mask(mask_mod, B=None, H=None, Q_LEN=N, KV_LEN=N, device="cuda",
                                       BLOCK_SIZE=BLOCK, _compile=True)
                torch.cuda.synchronize()
                bm_ms = (time.time() - t0) * 1e3
                kvn = bm.kv_num_blocks[0, 0].long()
                fulln = bm.full_kv_num_blocks[0, 0].long() if bm.full_kv_num_blocks is not None \
                    else torch.zeros_like(kvn)
                rec["blocks"] = {"q_blocks": int(kvn.numel()), "partial": int(kvn.sum()), "full": int(fulln.sum()),
                                 "worst_visited": int((kvn + fulln).max()),
                                 "worst_partial": int(kvn.max()), "min_visited": int((kvn + fulln).min())}
                rec["attended_pairs"] = tb["pairs"]
                rec["density"] = tb["pairs"] / (N * N)
                rec["flops_gna"] = 4.0 * heads * HEAD_DIM * tb["pairs"]
                rec["flops_dense"] = 4.0 * heads * HEAD_DIM * N * N
                t0 = time.time()
                out = flex(q, k, v, block_mask=bm)
                torch.cuda.synchronize()
                first_s = time.time() - t0
                assert torch.isfinite(out).all(), "flex gna produced non-finite output"
                del out
                r1 = bench(lambda: flex(q, k, v, block_mask=bm), min_reps=minr_gna, target_ms=tgt)
                r2 = bench(lambda: flex(q, k, v, block_mask=bm), min_reps=minr_gna, target_ms=tgt)
                fully_causal = all(cfg["causal"])
                s = sd[fully_causal]
                rec.update({
                    "sdpa_dense_ms": s["ms"], "sdpa_backend": s["backend"], "sdpa_kernel": s["kernel"],
                    "sdpa_by_backend": s["by_backend"], "sdpa_is_causal": fully_causal,
                    "flex_dense_ms": rfd["median"],
                    "flex_gna_ms": r1["median"], "flex_gna_ms_repeat": r2["median"],
                    "flex_gna_p10_p90": [r1["p10"], r1["p90"]], "flex_gna_reps": r1["reps"],
                    "flex_gna_tflops": rec["flops_gna"] / (r1["median"] * 1e-3) / 1e12,
                    "block_mask_build_ms": bm_ms, "block_mask_first_s": bm_first_s,
                    "flex_gna_first_call_s": first_s, "mask_impl": "lut", "gpu_after": gpu_state()})
                if True in sd:  # layouts with a fully-causal config also carry the causal SDPA time
                    rec["sdpa_causal_ms"] = sd[True]["ms"]
                if first_gna:
                    rec["flex_dense_first_call_s"] = flex_dense_compile_s
                    first_gna = False
                log(f"{cfg['id']}: blocks q={rec['blocks']['q_blocks']} partial={rec['blocks']['partial']} "
                    f"full={rec['blocks']['full']} worst={rec['blocks']['worst_visited']} | "
                    f"gna {r1['median']:.3f} / {r2['median']:.3f} ms (reps {r1['reps']}) | "
                    f"sdpa {s['ms']:.3f} flexdense {rfd['median']:.3f} | bm {bm_ms:.1f} ms, "
                    f"first call {first_s:.1f}s, bm first {bm_first_s:.1f}s")

                if cfg["id"] in CHECK_IDS:
                    rec["check"] = correctness(cfg, tb, q, k, v, flex, bm, log)
                    doc["checks"].append({"id": cfg["id"], **rec["check"]})
                if cfg["id"] in ARITH_IDS and not quick:
                    arith_jobs.append((gname, cfg["id"]))
                del bm
            except Exception as e:  # noqa: BLE001
                import traceback
                traceback.print_exc()
                rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
                doc["errors"].append({"id": cfg["id"], "error": rec["error"]})
            doc["configs"].append(rec)
            write_json(args.out, doc)

        # --- arith mask_mod comparison (own compile per config), at the end of the layout ---
        for _, cid in [j for j in arith_jobs if j[0] == gname]:
            if el() > deadline - 60:
                log(f"skip arith {cid}: near deadline")
                continue
            rec = next(r for r in doc["configs"] if r["id"] == cid)
            try:
                cfg = rec
                coords = [c.to(torch.int32) for c in perm_to_coord(tokens, tile, cfg["dilation"],
                                                                      cfg.get("dilation_outer", True), "cuda")]
                amm = make_arith_mask_mod(coords, cfg)
                t0 = time.time()
                bm = create_block_mask(amm, B=None, H=None, Q_LEN=N, KV_LEN=N, device="cuda",
                                       BLOCK_SIZE=BLOCK, _compile=True)
                kvn = bm.kv_num_blocks[0, 0].long()
                fulln = bm.full_kv_num_blocks[0, 0].long()
                same = (int(kvn.sum()) == rec["blocks"]["partial"] and int(fulln.sum()) == rec["blocks"]["full"])
                out = flex(q, k, v, block_mask=bm)
                torch.cuda.synchronize()
                first_s = time.time() - t0
                del out
                r = bench(lambda: flex(q, k, v, block_mask=bm), min_reps=minr_gna, target_ms=tgt)
                rec["flex_gna_arith_ms"] = r["median"]
                rec["arith_blocks_match"] = same
                log(f"arith {cid}: {r['median']:.3f} ms (lut {rec['flex_gna_ms']:.3f}); blocks match={same}; "
                    f"compile+first {first_s:.1f}s")
                del bm
            except Exception as e:  # noqa: BLE001
                rec["flex_gna_arith_error"] = f"{type(e).__name__}: {str(e)[:300]}"
                log("arith failed:", rec["flex_gna_arith_error"])
            write_json(args.out, doc)

        del q, k, v, T, mask_mod
        torch.cuda.empty_cache()

    doc["elapsed_s"] = el()
    write_json(args.out, doc)
    print_table(doc)
    return doc


def correctness(cfg, tb, q, k, v, flex, bm, log, heads=2):
    """flex GNA (bf16, permuted layout, LUT mask) vs SDPA fp32 with an explicit boolean mask built from the
    rule in original token order; heads 0..heads-1."""
    N = q.shape[2]
    fi = flat_index(tb["coord"], cfg["tokens"])  # original flat index of permuted position p
    out = flex(q, k, v, block_mask=bm)[:, :heads].float()
    out_o = torch.empty_like(out).fill_(float("nan"))
    out_o[:, :, fi] = out  # un-permute
    qo = torch.empty_like(q[:, :heads], dtype=torch.float32)
    ko, vo = torch.empty_like(qo), torch.empty_like(qo)
    qo[:, :, fi] = q[:, :heads].float()
    ko[:, :, fi] = k[:, :heads].float()
    vo[:, :, fi] = v[:, :heads].float()
    mask = nd_mask_ref(cfg, device="cuda")
    pairs_ref = int(mask.sum())
    ref = F.scaled_dot_product_attention(qo, ko, vo, attn_mask=mask)
    rel = float((out_o - ref).norm() / ref.norm())
    res = {"rel_err": rel, "heads_checked": heads, "reference": "sdpa fp32 + explicit bool mask (original order)",
           "pairs_match": pairs_ref == tb["pairs"], "finite": bool(torch.isfinite(out_o).all()),
           "pass": bool(rel < 1e-2 and torch.isfinite(out_o).all() and pairs_ref == tb["pairs"])}
    # block counts from the reference mask (in permuted order) vs the BlockMask
    mp = mask[fi][:, fi]
    nb = N // BLOCK
    blk = mp.view(nb, BLOCK, nb, BLOCK).permute(0, 2, 1, 3).reshape(nb, nb, -1)
    anyb, allb = blk.any(-1), blk.all(-1)
    res["ref_blocks"] = {"partial": int((anyb & ~allb).sum()), "full": int(allb.sum())}
    res["blocks_match"] = (res["ref_blocks"]["partial"] == int(bm.kv_num_blocks[0, 0].sum())
                           and res["ref_blocks"]["full"] == int(bm.full_kv_num_blocks[0, 0].sum()))
    res["pass"] = res["pass"] and res["blocks_match"]
    log(f"CHECK {cfg['id']}: rel_err={rel:.3e} pairs_match={res['pairs_match']} "
        f"blocks_match={res['blocks_match']} -> {'PASS' if res['pass'] else 'FAIL'}")
    del mask, mp, blk, ref, out, out_o, qo, ko, vo
    torch.cuda.empty_cache()
    return res


def print_table(doc):
    d = doc["device"]
    print(f"\n{d['name']}  SMs {d['sms']}  L2 {d['l2_bytes']}  torch {d['torch']}  "
          f"mm {d['matmul_bf16_tflops']:.0f} TFLOP/s  copy {d['copy_bytes_per_s'] / 1e12:.2f} TB/s")
    print(f"{'id':44s} {'q_bl':>5s} {'part':>6s} {'full':>7s} {'worst':>5s} {'sdpa':>8s} {'flexd':>8s} "
          f"{'gna':>8s} {'gna2':>8s} {'arith':>8s}")
    for r in doc["configs"]:
        if "error" in r:
            print(f"{r['id']:44s} ERROR {r['error'][:80]}")
            continue
        b = r["blocks"]
        ar = r.get("flex_gna_arith_ms")
        print(f"{r['id']:44s} {b['q_blocks']:5d} {b['partial']:6d} {b['full']:7d} {b['worst_visited']:5d} "
              f"{r['sdpa_dense_ms']:8.3f} {r['flex_dense_ms']:8.3f} {r['flex_gna_ms']:8.3f} "
              f"{r['flex_gna_ms_repeat']:8.3f} {('%8.3f' % ar) if ar else '':>8s}")
    for c in doc["checks"]:
        print(f"check {c['id']}: rel_err {c['rel_err']:.3e} pass={c['pass']}")
    for e in doc["errors"]:
        print("error:", e)


# ----------------------------------------------------------------------------------------------------------
# Self test (CPU is enough)
# ----------------------------------------------------------------------------------------------------------
def selftest(flex_check=True):
    import random
    rng = random.Random(0)
    # worked examples, by hand from NATTEN's window rule (q: [start, end))
    ex = [((12, 5, 1, False), {0: (0, 5), 2: (0, 5), 3: (1, 6), 9: (7, 12), 11: (7, 12)}),
          ((12, 4, 1, False), {0: (0, 4), 2: (0, 4), 3: (1, 5), 9: (7, 11), 10: (8, 12), 11: (8, 12)}),
          ((12, 6, 3, False), {0: (0, 6), 2: (0, 6), 3: (1, 7), 5: (1, 7), 6: (4, 10), 8: (4, 10), 9: (6, 12)}),
          ((12, 4, 4, False), {0: (0, 4), 4: (4, 8), 11: (8, 12)}),
          ((10, 4, 3, False), {0: (0, 4), 3: (2, 6), 6: (5, 9), 9: (6, 10)}),
          ((10, 6, 4, False), {0: (0, 6), 4: (3, 9), 8: (4, 10), 9: (4, 10)}),
          ((10, 4, 4, False), {0: (0, 4), 4: (4, 8), 8: (6, 10), 9: (6, 10)}),
          ((10, 4, 1, True), {0: (0, 1), 1: (0, 2), 3: (0, 4), 4: (1, 5), 9: (6, 10)}),
          ((10, 4, 2, True), {0: (0, 1), 2: (0, 3), 3: (0, 4), 4: (2, 5), 5: (2, 6), 6: (4, 7), 9: (6, 10)})]
    for (L, w, s, c), exp in ex:
        m = axis_mask_ref(L, w, s, 1, c)
        _, lo, hi, _ = axis_tables(L, w, s, 1, c)
        for qq, (a, b) in exp.items():
            got = m[qq].nonzero().flatten().tolist()
            assert got == list(range(a, b)), ((L, w, s, c), qq, got, (a, b))
            assert (int(lo[qq]), int(hi[qq]) + 1) == (a, b)
    # dilation example: L=11, d=2, w=3, q=4 -> keys {2,4,6}
    m = axis_mask_ref(11, 3, 1, 2, False)
    assert m[4].nonzero().flatten().tolist() == [2, 4, 6]
    # NATTEN's start formula == clamp form; tables == brute-force mask; random 1-D cases
    n = 0
    for _ in range(3000):
        L = rng.randint(2, 40)
        d = rng.randint(1, max(1, L // 2))
        wmax = L // d
        if wmax < 2:
            continue
        w = rng.randint(2, wmax)
        s = rng.randint(1, w)
        c = rng.random() < 0.3
        m = axis_mask_ref(L, w, s, d, c)
        g, lo, hi, cnt = axis_tables(L, w, s, d, c)
        x = torch.arange(L)
        mt = (x[None, :] >= lo[:, None]) & (x[None, :] <= hi[:, None]) & ((x[None, :] % d) == g[:, None])
        assert torch.equal(m, mt), (L, w, s, d, c)
        assert int(m.sum()) == int(cnt.sum())
        for qq in range(L):  # scalar rule, gna_interval_1d, on group indices
            gq, i = qq % d, qq // d
            Lg = L // d + (1 if gq < L % d else 0)
            lo_i, hi_i = gna_interval_1d(i, Lg, w, s, c)
            keys = [kk for kk in range(L) if kk % d == gq and lo_i <= kk // d <= hi_i]
            assert m[qq].nonzero().flatten().tolist() == keys
            if not c:  # NATTEN's encoding of start
                left, right = w // 2, w // 2 + (w % 2) - 1
                leader = min((i // s) * s + s // 2, Lg - 1)
                st = max(leader - left, 0) + (1 if leader + right >= Lg else 0) * (Lg - right - leader - 1)
                assert st == lo_i, (L, w, s, d, qq)
        n += 1
    print(f"selftest: 1-D rule ok on {n} random cases + worked examples")
    # permutation: bijection, tiles are boxes; N-D tables vs nd reference mask; arith mask_mod vs reference
    cases = [dict(tokens=[32, 32], tile=[16, 8], window=[9, 12], stride=[1, 4], dilation=[1, 1], causal=[False, False]),
             dict(tokens=[32, 32], tile=[16, 8], window=[8, 6], stride=[3, 2], dilation=[2, 2], causal=[False, True]),
             dict(tokens=[32, 32], tile=[16, 8], window=[8, 6], stride=[3, 2], dilation=[2, 2], causal=[False, True],
                  dilation_outer=False),
             dict(tokens=[4, 16, 16], tile=[2, 8, 8], window=[3, 5, 16], stride=[1, 2, 1], dilation=[1, 1, 1],
                  causal=[True, False, False]),
             dict(tokens=[4, 16, 16], tile=[2, 8, 8], window=[2, 4, 4], stride=[1, 1, 4], dilation=[1, 2, 2],
                  causal=[False, False, False]),
             dict(tokens=[768], tile=[128], window=[100], stride=[7], dilation=[3], causal=[False]),
             dict(tokens=[640], tile=[128], window=[90], stride=[5], dilation=[3], causal=[True], dilation_outer=False),
             dict(tokens=[512], tile=[128], window=[512], stride=[1], dilation=[1], causal=[True])]
    for cfg in cases:
        tokens = cfg["tokens"]
        N = math.prod(tokens)
        coords = perm_to_coord(tokens, cfg["tile"], cfg["dilation"], cfg.get("dilation_outer", True))
        fi = flat_index(coords, tokens)
        assert torch.equal(torch.sort(fi).values, torch.arange(N)), "permutation is not a bijection"
        tsz = math.prod(cfg["tile"])
        dil_outer = cfg.get("dilation_outer", True)
        for blk in range(N // tsz):
            sl = slice(blk * tsz, (blk + 1) * tsz)
            for a in range(len(tokens)):
                ca = coords[a][sl]
                step = cfg["dilation"][a] if dil_outer else 1
                vals = sorted(set(ca.tolist()))  # one box: T_a coordinates spaced by d_a (or 1)
                assert vals == list(range(vals[0], vals[0] + step * cfg["tile"][a], step)), (cfg, blk, a)
        tb = build_tables(cfg)
        ref = nd_mask_ref(cfg)
        refp = ref[fi][:, fi]
        T = {k2: ([t.to(torch.int32) for t in tb[k2]] if isinstance(tb[k2], list) else tb[k2].to(torch.int32))
             for k2 in ("coord", "lo", "hi", "gid")}
        qi = torch.arange(N, dtype=torch.int32)[:, None]
        ki = torch.arange(N, dtype=torch.int32)[None, :]
        z = torch.zeros((), dtype=torch.int32)
        lut = make_lut_mask_mod(T)(z, z, qi, ki)
        ari = make_arith_mask_mod(T["coord"], cfg)(z, z, qi, ki)
        assert torch.equal(lut, refp), cfg
        assert torch.equal(ari, refp), cfg
        assert int(ref.sum()) == tb["pairs"]
    print(f"selftest: permutation + N-D tables + lut/arith mask_mods ok on {len(cases)} N-D cases")
    if flex_check:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
        cfg = cases[1]
        N = math.prod(cfg["tokens"])
        tb = build_tables(cfg)
        T = {k2: ([t.to(torch.int32) for t in tb[k2]] if isinstance(tb[k2], list) else tb[k2].to(torch.int32))
             for k2 in ("coord", "lo", "hi", "gid")}
        mm = make_lut_mask_mod(T)
        bm = create_block_mask(mm, B=None, H=None, Q_LEN=N, KV_LEN=N, device="cpu", BLOCK_SIZE=BLOCK)
        fi = flat_index(tb["coord"], cfg["tokens"])
        refp = nd_mask_ref(cfg)[fi][:, fi]
        nb = N // BLOCK
        blk = refp.view(nb, BLOCK, nb, BLOCK).permute(0, 2, 1, 3).reshape(nb, nb, -1)
        anyb, allb = blk.any(-1), blk.all(-1)
        assert int(bm.kv_num_blocks.sum()) == int((anyb & ~allb).sum()), "partial blocks"
        assert int(bm.full_kv_num_blocks.sum()) == int(allb.sum()), "full blocks"
        g = torch.Generator().manual_seed(0)
        q, k, v = (torch.randn(1, 2, N, 64, generator=g) for _ in range(3))
        out = flex_attention(q, k, v, block_mask=bm)
        ref = F.scaled_dot_product_attention(q, k, v, attn_mask=refp)
        rel = float((out - ref).norm() / ref.norm())
        assert rel < 1e-5, rel
        print(f"selftest: CPU create_block_mask blocks match reference (partial {int(bm.kv_num_blocks.sum())}, "
              f"full {int(bm.full_kv_num_blocks.sum())}); eager flex vs sdpa rel err {rel:.2e}")
    print("selftest: all passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="JSON output path (written after every config)")
    ap.add_argument("--quick", action="store_true", help="3 configs, few reps (smoke run)")
    ap.add_argument("--only", nargs="*", default=None, help="substrings of config ids to run")
    ap.add_argument("--deadline-s", type=float, default=540.0,
                    help="start no new config after this many seconds (JSON keeps what finished)")
    ap.add_argument("--selftest", action="store_true", help="run the CPU logic checks and exit")
    args = ap.parse_args()
    if args.selftest:
        selftest()
        return
    if not torch.cuda.is_available():
        sys.exit("CUDA device required (use --selftest for the CPU logic checks)")
    run(args)


if __name__ == "__main__":
    main()
