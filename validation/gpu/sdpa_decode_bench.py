#!/usr/bin/env python3
"""Real-GPU timings of SDPA decode over a compacted (pruned) KV cache, KV gather, top-k and importance sums.

Self-contained (torch only). Usage:

    python3 validation/gpu/sdpa_decode_bench.py --out OUT.json [--deadline-s 420]
    python3 validation/gpu/sdpa_decode_bench.py --selftest        # CPU-capable logic checks

Purpose: check attnsim's model of SpAtten-style KV pruning in GPU *decode* (one new query token attending to
a KV cache of L tokens, of which k = floor(keep*L) are kept). Everything is fp16 for K/V/Q, head_dim 64.

What it measures (see validation/gpu/README.md, section "SDPA decode with compacted KV ..."):
  * device facts: name, SMs, L2, memory, torch/CUDA/cuDNN versions, enabled SDPA backends, and the
    device-to-device copy bandwidth (1 GiB `dst.copy_(src)`; GB/s counts bytes read + bytes written);
  * per decode config (B, H) in {(32,16), (8,12)}, L in {2048, 8192}, keep in {1.0, 0.5, 0.25, 0.1}:
      - sdpa_us        : F.scaled_dot_product_attention(q, K, V), q [B,H,1,64], K/V [B,H,k,64] contiguous
                         ("compacted" access: the kept rows are stored contiguously), default backend;
                         GPU time per call from CUDA-graph replay (50 calls captured in one graph; median
                         over 15 replays of total/50). Same K/V every call, so when K+V fit in L2 (50 MiB on
                         H100) the data is L2-resident;
      - sdpa_rot_us    : the same but the 50 captured calls rotate over `rot_copies` distinct K/V copies
                         whose total is >= 4x L2 (closer to real decode, where every layer has its own
                         cache); equal to sdpa_us's setup when one copy already exceeds that;
      - sdpa_eager_us  : a plain Python loop of 50 back-to-back calls between two CUDA events (includes
                         launch overhead when the kernel is shorter than the CPU-side launch);
      - sdpa_by_backend_us : graph-replay time with each backend forced through sdpa_kernel (errors recorded);
      - kernel_us      : sum of CUDA-kernel durations per call from torch.profiler (5 eager calls / 5),
                         with the kernel names; sdpa_backend is classified from those names;
      - kept k, kv_bytes = B*H*k*64*2 (K and V) *2 bytes (fp16), and kv_gbps = kv_bytes / sdpa time;
  * gather cost ("gathered each step" access; keep < 1 only): from a full cache K,V [B,H,L,64], gather the
    kept rows into preallocated [B,H,k,64] buffers with torch.gather over a sorted random index set that
    differs per (b,h) (index [B,H,k] int64, expanded over the 64 lanes), K and V together (2 kernels):
      - gather_us / gather_rot_us / gather_eager_us / gather_kernel_us : as for sdpa;
      - gather_sdpa_us : gather K and V then SDPA on the gathered rows, in one graph (the per-step cost of
                         the "gathered" access path);
      - index_select_us: torch.index_select(K, 2, idx) + same for V with ONE sorted index set shared by all
                         (b,h) (a cheaper variant when all heads keep the same tokens);
  * top-k table: torch.topk(x, k, dim=-1) on fp32 x [rows, n], rows in {1, 32, 512}, n in {1024, 2048, 4096,
    8192}, k = floor(ratio*n), ratio in {0.5, 0.25, 0.1}; topk_us (sorted=True, the default) and
    topk_unsorted_us (sorted=False) by CUDA-graph replay (eager fallback with a note if capture fails);
  * importance accumulation: scores.sum(dim=1) for fp32 scores [B,H,L] -> [B,L] at the decode (B,H,L)
    configs (importance_us), plus the in-place SpAtten form imp.add_(scores.sum(dim=1)) (importance_acc_us).

Inputs are random (randn / rand). Errors per config are recorded in the record and in doc["errors"], never fatal.
--deadline-s stops starting new configs after that many seconds; skipped configs are listed in doc["skipped"].
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

HEAD_DIM = 64
DTYPE = torch.float16
BH_CONFIGS = [(32, 16), (8, 12)]
L_CONFIGS = [2048, 8192]
KEEPS = [1.0, 0.5, 0.25, 0.1]
TOPK_ROWS = [1, 32, 512]
TOPK_N = [1024, 2048, 4096, 8192]
TOPK_RATIOS = [0.5, 0.25, 0.1]
GRAPH_CALLS = 50
REPS = 15
ROT_TARGET_L2_MULT = 4


# ----------------------------------------------------------------------------------------------------------
# Index / shape logic (CPU-testable)
# ----------------------------------------------------------------------------------------------------------
def kept_tokens(keep, L):
    """k = floor(keep * L) (tiny epsilon so that e.g. 0.5*8192 is exactly 4096), at least 1."""
    return max(1, int(math.floor(keep * L + 1e-9)))


def kv_bytes(B, H, k, d=HEAD_DIM, elem=2):
    """Bytes of K and V read by one decode step over k kept tokens: B*H*k*d*2 tensors*elem bytes."""
    return B * H * k * d * 2 * elem


def random_sorted_indices(B, H, L, k, device="cpu", generator=None):
    """Per (b,h) a different sorted set of k distinct token indices in [0, L): int64 [B, H, k]."""
    r = torch.rand(B, H, L, device=device, generator=generator)
    idx = r.argsort(dim=-1)[..., :k]
    return idx.sort(dim=-1).values.contiguous()


def gather_kv(K, V, idx, outK=None, outV=None):
    """Gather kept rows of K, V [B,H,L,d] with per-(b,h) idx [B,H,k] -> contiguous [B,H,k,d] each."""
    d = K.shape[-1]
    ix = idx.unsqueeze(-1).expand(*idx.shape, d)
    if outK is None:
        return torch.gather(K, 2, ix), torch.gather(V, 2, ix)
    torch.gather(K, 2, ix, out=outK)
    torch.gather(V, 2, ix, out=outV)
    return outK, outV


def index_select_kv(K, V, idx1, outK=None, outV=None):
    """Gather the same kept token set idx1 [k] for every (b,h)."""
    if outK is None:
        return torch.index_select(K, 2, idx1), torch.index_select(V, 2, idx1)
    torch.index_select(K, 2, idx1, out=outK)
    torch.index_select(V, 2, idx1, out=outV)
    return outK, outV


def rot_copies(nbytes, l2_bytes, max_copies=GRAPH_CALLS):
    """How many distinct copies of an nbytes working set make >= ROT_TARGET_L2_MULT x L2 (1 if one is enough)."""
    target = ROT_TARGET_L2_MULT * max(l2_bytes, 1)
    return int(min(max_copies, max(1, math.ceil(target / max(nbytes, 1)))))


def decode_configs():
    out = []
    for B, H in BH_CONFIGS:
        for L in L_CONFIGS:
            for keep in KEEPS:
                out.append({"id": f"B{B}-H{H}-L{L}-keep{keep}", "B": B, "H": H, "L": L, "keep": keep,
                            "k": kept_tokens(keep, L), "head_dim": HEAD_DIM, "dtype": "fp16"})
    return out


def topk_configs():
    out = []
    for rows in TOPK_ROWS:
        for n in TOPK_N:
            for ratio in TOPK_RATIOS:
                out.append({"id": f"rows{rows}-n{n}-r{ratio}", "rows": rows, "n": n, "ratio": ratio,
                            "k": kept_tokens(ratio, n), "dtype": "fp32"})
    return out


# ----------------------------------------------------------------------------------------------------------
# Timing helpers
# ----------------------------------------------------------------------------------------------------------
def _median_events(body, reps):
    ts = []
    for _ in range(reps):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        body()
        e1.record()
        e1.synchronize()
        ts.append(e0.elapsed_time(e1))
    ts.sort()
    return ts


def time_graph(calls, reps=REPS, warmup=3):
    """calls: list of GRAPH_CALLS zero-arg callables captured in order into one CUDA graph.
    Returns per-call us stats (median/min/max over reps of replay_time/len(calls))."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(warmup):
            for c in calls[: min(len(calls), 4)]:
                c()
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for c in calls:
            c()
    torch.cuda.synchronize()
    g.replay()
    g.replay()
    torch.cuda.synchronize()
    ts = _median_events(g.replay, reps)
    n = len(calls)
    res = {"median": statistics.median(ts) * 1e3 / n, "min": ts[0] * 1e3 / n, "max": ts[-1] * 1e3 / n,
           "reps": reps, "calls": n, "mode": "graph"}
    del g
    return res


def time_eager(calls, reps=REPS, warmup=3):
    for _ in range(warmup):
        for c in calls[: min(len(calls), 4)]:
            c()
    torch.cuda.synchronize()

    def body():
        for c in calls:
            c()

    ts = _median_events(body, reps)
    n = len(calls)
    return {"median": statistics.median(ts) * 1e3 / n, "min": ts[0] * 1e3 / n, "max": ts[-1] * 1e3 / n,
            "reps": reps, "calls": n, "mode": "eager"}


def time_graph_or_eager(calls, notes, label):
    try:
        return time_graph(calls)
    except Exception as e:  # noqa: BLE001
        torch.cuda.synchronize()
        notes.append(f"{label}: graph capture failed ({type(e).__name__}: {str(e)[:160]}); eager fallback")
        return time_eager(calls)


def profile_kernels(fn, n=5):
    """Per-call sum of CUDA kernel (device) durations over n eager calls, and the kernel names seen."""
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(n):
            fn()
        torch.cuda.synchronize()
    total = 0.0
    names = {}
    try:
        from torch.autograd import DeviceType
        for ev in prof.events():
            if ev.device_type == DeviceType.CUDA:
                total += ev.time_range.elapsed_us()
                names[ev.name] = names.get(ev.name, 0) + 1
    except Exception:  # noqa: BLE001
        for ev in prof.key_averages():
            if "CUDA" in str(getattr(ev, "device_type", "")):
                t = getattr(ev, "device_time_total", None)
                if t is None:
                    t = getattr(ev, "cuda_time_total", 0.0)
                total += t
                names[ev.key] = names.get(ev.key, 0) + ev.count
    return total / n, {k2: v / n for k2, v in names.items()}


def classify_sdpa(names):
    for nm in names:
        if "cudnn" in nm.lower():
            return "CUDNN_ATTENTION"
    for nm in names:
        if "flash" in nm.lower():
            return "FLASH_ATTENTION"
    for nm in names:
        ln = nm.lower()
        if "fmha" in ln or "cutlass" in ln or "efficient" in ln or "mem_eff" in ln:
            return "EFFICIENT_ATTENTION"
    if len(names) >= 2 and any("gemm" in nm.lower() or "softmax" in nm.lower() for nm in names):
        return "MATH"
    return "UNKNOWN"


def gpu_state():
    out = {}
    for key, f in (("sm_clock_mhz", "clock_rate"), ("temp_c", "temperature"), ("power_mw", "power_draw")):
        try:
            out[key] = getattr(torch.cuda, f)()
        except Exception:  # noqa: BLE001
            out[key] = None
    return out


def write_json(path, doc):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------------------
# Device facts
# ----------------------------------------------------------------------------------------------------------
def device_facts():
    p = torch.cuda.get_device_properties(0)
    facts = {"name": torch.cuda.get_device_name(0), "sms": p.multi_processor_count,
             "l2_bytes": int(getattr(p, "L2_cache_size", 0)), "total_memory_bytes": int(p.total_memory),
             "cc": f"{p.major}.{p.minor}", "torch": torch.__version__, "cuda": torch.version.cuda,
             "cudnn": torch.backends.cudnn.version(), "python": sys.version.split()[0]}
    en = {}
    for nm in ("flash_sdp_enabled", "mem_efficient_sdp_enabled", "math_sdp_enabled", "cudnn_sdp_enabled"):
        try:
            en[nm] = bool(getattr(torch.backends.cuda, nm)())
        except Exception as e:  # noqa: BLE001
            en[nm] = f"n/a: {type(e).__name__}"
    facts["sdpa_backends_enabled"] = en
    nbytes = 1 << 30
    src = torch.empty(nbytes // 4, device="cuda", dtype=torch.float32).uniform_()
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    ts = _median_events(lambda: dst.copy_(src), 20)
    ms = statistics.median(ts)
    facts["copy_gbps"] = 2 * nbytes / (ms * 1e-3) / 1e9
    facts["copy_gbps_read_only_count"] = nbytes / (ms * 1e-3) / 1e9
    facts["copy_ms"] = ms
    facts["copy_buffer_bytes"] = nbytes
    facts["copy_note"] = ("copy_gbps = (bytes read + bytes written) / time for dst.copy_(src) of a 1 GiB fp32 "
                          "tensor, median of 20 after 3 warm-ups; copy_gbps_read_only_count counts only bytes read")
    del src, dst
    torch.cuda.empty_cache()
    facts["gpu_state_start"] = gpu_state()
    return facts


# ----------------------------------------------------------------------------------------------------------
# Benchmarks
# ----------------------------------------------------------------------------------------------------------
def bench_decode(doc, args, el, log):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    l2 = doc["device"]["l2_bytes"]
    cfgs = decode_configs()
    groups = {}
    for c in cfgs:
        groups.setdefault((c["B"], c["H"], c["L"]), []).append(c)
    for (B, H, L), gcfgs in groups.items():
        if el() > args.deadline_s:
            for c in gcfgs:
                doc["skipped"].append({"section": "decode", "id": c["id"]})
            log(f"deadline: skipping B{B} H{H} L{L}")
            continue
        torch.manual_seed(1234 + L + B)
        try:
            Kf = torch.randn(B, H, L, HEAD_DIM, device="cuda", dtype=DTYPE)
            Vf = torch.randn_like(Kf)
            q = torch.randn(B, H, 1, HEAD_DIM, device="cuda", dtype=DTYPE)
        except Exception as e:  # noqa: BLE001
            for c in gcfgs:
                doc["errors"].append({"section": "decode", "id": c["id"], "error": f"alloc: {e!r}"[:300]})
            continue
        for cfg in gcfgs:
            if el() > args.deadline_s:
                doc["skipped"].append({"section": "decode", "id": cfg["id"]})
                log(f"deadline: skipping {cfg['id']}")
                continue
            rec = dict(cfg)
            notes = []
            k = cfg["k"]
            rec["kv_bytes"] = kv_bytes(B, H, k)
            rec["full_cache_kv_bytes"] = kv_bytes(B, H, L)
            try:
                # ---- compacted K/V (contiguous kept rows) ----
                if k == L:
                    idx = None
                    Kc, Vc = Kf, Vf
                else:
                    idx = random_sorted_indices(B, H, L, k, device="cuda")
                    Kc, Vc = gather_kv(Kf, Vf, idx)
                    Kc, Vc = Kc.contiguous(), Vc.contiguous()
                sd = lambda: F.scaled_dot_product_attention(q, Kc, Vc)
                out = sd()
                torch.cuda.synchronize()
                assert out.shape == (B, H, 1, HEAD_DIM) and bool(torch.isfinite(out).all()), "bad sdpa output"
                r = time_graph_or_eager([sd] * GRAPH_CALLS, notes, "sdpa")
                rec["sdpa_us"] = r["median"]
                rec["sdpa_us_min_max"] = [r["min"], r["max"]]
                rec["sdpa_timing_mode"] = r["mode"]
                rec["kv_gbps"] = rec["kv_bytes"] / (r["median"] * 1e-6) / 1e9
                re_ = time_eager([sd] * GRAPH_CALLS)
                rec["sdpa_eager_us"] = re_["median"]
                # rotated copies (L2-cold-ish)
                nrot = rot_copies(rec["kv_bytes"], l2)
                rec["rot_copies"] = nrot
                if nrot > 1:
                    Ks = [Kc.clone() for _ in range(nrot)]
                    Vs = [Vc.clone() for _ in range(nrot)]
                    calls = [(lambda i=i: F.scaled_dot_product_attention(q, Ks[i % nrot], Vs[i % nrot]))
                             for i in range(GRAPH_CALLS)]
                    rr = time_graph_or_eager(calls, notes, "sdpa_rot")
                    rec["sdpa_rot_us"] = rr["median"]
                    del Ks, Vs, calls
                else:
                    rec["sdpa_rot_us"] = rec["sdpa_us"]
                rec["kv_gbps_rot"] = rec["kv_bytes"] / (rec["sdpa_rot_us"] * 1e-6) / 1e9
                # kernel time + backend
                try:
                    kus, names = profile_kernels(sd)
                    rec["kernel_us"] = kus
                    rec["kernels"] = {n2[:160]: c2 for n2, c2 in names.items()}
                    rec["sdpa_backend"] = classify_sdpa(list(names))
                except Exception as e:  # noqa: BLE001
                    rec["kernel_us"] = None
                    rec["sdpa_backend"] = "UNKNOWN"
                    notes.append(f"profiler failed: {type(e).__name__}: {str(e)[:160]}")
                # forced backends
                by = {}
                for bk in ("CUDNN_ATTENTION", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "MATH"):
                    try:
                        with sdpa_kernel([getattr(SDPBackend, bk)]):
                            sd()
                            torch.cuda.synchronize()
                            by[bk] = time_graph([sd] * GRAPH_CALLS)["median"]
                    except Exception as e:  # noqa: BLE001
                        torch.cuda.synchronize()
                        by[bk] = f"error: {type(e).__name__}: {str(e)[:140]}"
                rec["sdpa_by_backend_us"] = by
                del out
                # ---- gather cost (keep < 1) ----
                if idx is not None:
                    oK = torch.empty(B, H, k, HEAD_DIM, device="cuda", dtype=DTYPE)
                    oV = torch.empty_like(oK)
                    ga = lambda: gather_kv(Kf, Vf, idx, oK, oV)
                    ga()
                    torch.cuda.synchronize()
                    assert torch.equal(oK, Kc) and torch.equal(oV, Vc), "gather mismatch"
                    rg = time_graph_or_eager([ga] * GRAPH_CALLS, notes, "gather")
                    rec["gather_us"] = rg["median"]
                    rec["gather_us_min_max"] = [rg["min"], rg["max"]]
                    rec["gather_eager_us"] = time_eager([ga] * GRAPH_CALLS)["median"]
                    # bytes moved by a gather: read k rows of K and V + write them + read the int64 index
                    rec["gather_bytes"] = 2 * rec["kv_bytes"] + B * H * k * 8
                    rec["gather_gbps"] = rec["gather_bytes"] / (rg["median"] * 1e-6) / 1e9
                    nrot_g = rot_copies(rec["full_cache_kv_bytes"], l2)
                    rec["gather_rot_copies"] = nrot_g
                    if nrot_g > 1:
                        Kfs = [Kf.clone() for _ in range(nrot_g)]
                        Vfs = [Vf.clone() for _ in range(nrot_g)]
                        calls = [(lambda i=i: gather_kv(Kfs[i % nrot_g], Vfs[i % nrot_g], idx, oK, oV))
                                 for i in range(GRAPH_CALLS)]
                        rec["gather_rot_us"] = time_graph_or_eager(calls, notes, "gather_rot")["median"]
                        del Kfs, Vfs, calls
                    else:
                        rec["gather_rot_us"] = rec["gather_us"]
                    try:
                        gk, gnames = profile_kernels(ga)
                        rec["gather_kernel_us"] = gk
                        rec["gather_kernels"] = {n2[:160]: c2 for n2, c2 in gnames.items()}
                    except Exception as e:  # noqa: BLE001
                        notes.append(f"gather profiler failed: {type(e).__name__}: {str(e)[:160]}")

                    def gs():
                        gather_kv(Kf, Vf, idx, oK, oV)
                        return F.scaled_dot_product_attention(q, oK, oV)

                    rec["gather_sdpa_us"] = time_graph_or_eager([gs] * GRAPH_CALLS, notes, "gather_sdpa")["median"]
                    idx1 = random_sorted_indices(1, 1, L, k, device="cuda").view(k)
                    isel = lambda: index_select_kv(Kf, Vf, idx1, oK, oV)
                    isel()
                    torch.cuda.synchronize()
                    assert torch.equal(oK[0, 0], Kf[0, 0, idx1]), "index_select mismatch"
                    rec["index_select_us"] = time_graph_or_eager([isel] * GRAPH_CALLS, notes,
                                                                 "index_select")["median"]
                    del oK, oV
                rec["gpu_after"] = gpu_state()
                log(f"{cfg['id']:26s} k={k:5d} sdpa {rec['sdpa_us']:8.2f} us (rot {rec['sdpa_rot_us']:8.2f}, "
                    f"eager {rec['sdpa_eager_us']:8.2f}, kernel {rec.get('kernel_us') or float('nan'):8.2f}) "
                    f"{rec['kv_gbps']:7.0f} GB/s {rec['sdpa_backend']}"
                    + (f" | gather {rec['gather_us']:8.2f} rot {rec['gather_rot_us']:8.2f} g+sdpa "
                       f"{rec['gather_sdpa_us']:8.2f} isel {rec['index_select_us']:8.2f}" if idx is not None else "")
                    + f" | by {json.dumps({a[:5]: (round(b, 2) if isinstance(b, float) else 'err') for a, b in by.items()})}")
                del Kc, Vc, idx
            except Exception as e:  # noqa: BLE001
                import traceback
                traceback.print_exc()
                torch.cuda.synchronize()
                rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
                doc["errors"].append({"section": "decode", "id": cfg["id"], "error": rec["error"]})
            if notes:
                rec["notes"] = notes
            doc["decode"].append(rec)
            write_json(args.out, doc)
        del Kf, Vf, q
        torch.cuda.empty_cache()


def bench_topk(doc, args, el, log):
    for cfg in topk_configs():
        if el() > args.deadline_s:
            doc["skipped"].append({"section": "topk", "id": cfg["id"]})
            continue
        rec = dict(cfg)
        notes = []
        try:
            torch.manual_seed(cfg["n"] + cfg["rows"])
            x = torch.rand(cfg["rows"], cfg["n"], device="cuda", dtype=torch.float32)
            k = cfg["k"]
            vals, ix = torch.topk(x, k, dim=-1)
            ref = x.sort(dim=-1, descending=True).values[:, :k]
            assert torch.equal(vals, ref), "topk values mismatch"
            fn = lambda: torch.topk(x, k, dim=-1)
            r = time_graph_or_eager([fn] * GRAPH_CALLS, notes, "topk")
            rec["topk_us"] = r["median"]
            rec["topk_us_min_max"] = [r["min"], r["max"]]
            rec["topk_timing_mode"] = r["mode"]
            fnu = lambda: torch.topk(x, k, dim=-1, sorted=False)
            rec["topk_unsorted_us"] = time_graph_or_eager([fnu] * GRAPH_CALLS, notes, "topk_unsorted")["median"]
            rec["topk_eager_us"] = time_eager([fn] * GRAPH_CALLS)["median"]
            log(f"topk {cfg['id']:22s} k={k:5d} sorted {rec['topk_us']:8.2f} us unsorted "
                f"{rec['topk_unsorted_us']:8.2f} eager {rec['topk_eager_us']:8.2f} ({r['mode']})")
            del x, vals, ix, ref
        except Exception as e:  # noqa: BLE001
            torch.cuda.synchronize()
            rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            doc["errors"].append({"section": "topk", "id": cfg["id"], "error": rec["error"]})
            log(f"topk {cfg['id']} ERROR {rec['error']}")
        if notes:
            rec["notes"] = notes
        doc["topk"].append(rec)
    write_json(args.out, doc)


def bench_importance(doc, args, el, log):
    seen = []
    for B, H in BH_CONFIGS:
        for L in L_CONFIGS:
            seen.append((B, H, L))
    for B, H, L in seen:
        cid = f"B{B}-H{H}-L{L}"
        if el() > args.deadline_s:
            doc["skipped"].append({"section": "importance", "id": cid})
            continue
        rec = {"id": cid, "B": B, "H": H, "L": L, "dtype": "fp32", "scores_bytes": B * H * L * 4}
        notes = []
        try:
            s = torch.rand(B, H, L, device="cuda", dtype=torch.float32)
            imp = torch.zeros(B, L, device="cuda", dtype=torch.float32)
            o = torch.empty(B, L, device="cuda", dtype=torch.float32)
            fn = lambda: torch.sum(s, dim=1, out=o)
            fn()
            torch.cuda.synchronize()
            assert torch.allclose(o, s.sum(dim=1)), "importance sum mismatch"
            r = time_graph_or_eager([fn] * GRAPH_CALLS, notes, "importance")
            rec["importance_us"] = r["median"]
            rec["importance_us_min_max"] = [r["min"], r["max"]]
            fa = lambda: imp.add_(s.sum(dim=1))
            rec["importance_acc_us"] = time_graph_or_eager([fa] * GRAPH_CALLS, notes, "importance_acc")["median"]
            rec["importance_eager_us"] = time_eager([fn] * GRAPH_CALLS)["median"]
            log(f"importance {cid:18s} sum {rec['importance_us']:7.2f} us acc {rec['importance_acc_us']:7.2f} "
                f"eager {rec['importance_eager_us']:7.2f}")
            del s, imp, o
        except Exception as e:  # noqa: BLE001
            torch.cuda.synchronize()
            rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            doc["errors"].append({"section": "importance", "id": cid, "error": rec["error"]})
        if notes:
            rec["notes"] = notes
        doc["importance"].append(rec)
    write_json(args.out, doc)


METHOD = {
    "dtype": "K, V, q fp16, head_dim 64, randn; top-k and importance scores fp32, rand",
    "decode_configs": "(B,H) in {(32,16),(8,12)} x L in {2048,8192} x keep in {1.0,0.5,0.25,0.1}; "
                      "k = floor(keep*L); kv_bytes = B*H*k*64*2*2 (K and V, fp16)",
    "sdpa": "F.scaled_dot_product_attention(q [B,H,1,64], K [B,H,k,64], V [B,H,k,64]) with contiguous "
            "compacted K/V (kept rows of a random full cache gathered once, untimed), no mask, not causal, "
            "default backend selection (torch.backends.cuda.*_sdp_enabled in device.sdpa_backends_enabled)",
    "timing_graph": f"{GRAPH_CALLS} calls captured into one CUDA graph (after 3 warm-up rounds on a side "
                    f"stream), 2 warm replays, then {REPS} replays each between two CUDA events; "
                    f"per-call = median(replay time)/{GRAPH_CALLS}; *_min_max likewise. Includes the small "
                    "inter-kernel gaps inside a graph, excludes CPU launch cost",
    "timing_eager": f"a Python loop of {GRAPH_CALLS} back-to-back calls between two CUDA events, median of "
                    f"{REPS}, /{GRAPH_CALLS} (includes launch overhead if the GPU outruns the CPU)",
    "rotation": f"*_rot_us: the {GRAPH_CALLS} graph calls cycle over rot_copies distinct copies of the data "
                f"(total >= {ROT_TARGET_L2_MULT}x L2, at most {GRAPH_CALLS}); rot_copies=1 means one copy "
                "already exceeds that and *_rot_us repeats the plain value. Without rotation, data smaller "
                "than L2 stays L2-resident across calls",
    "kernel_us": "torch.profiler (CUDA activity) over 5 eager calls: sum of device-side event durations / 5; "
                 "kernels = names with calls per call; sdpa_backend classified from the names "
                 "(cudnn -> CUDNN, flash -> FLASH, fmha/cutlass/efficient -> EFFICIENT, gemm+softmax -> MATH)",
    "sdpa_by_backend_us": "graph-replay per-call time with sdpa_kernel([backend]) forcing one backend; "
                          "'error: ...' when the backend refuses the shape",
    "gather": "torch.gather(Kfull, 2, idx[...,None].expand(B,H,k,64), out=Kc) and the same for V, idx int64 "
              "[B,H,k] sorted random distinct per (b,h); gather_bytes = 2*kv_bytes (read+write) + index bytes; "
              "gather_sdpa_us = gather K,V + SDPA on the gathered rows in one graph; index_select_us = "
              "torch.index_select(K/V, 2, idx1[k], out=...) with one index set for all (b,h)",
    "topk": "torch.topk(x fp32 [rows,n], k=floor(ratio*n), dim=-1): topk_us sorted=True (default), "
            "topk_unsorted_us sorted=False, topk_eager_us plain loop; values checked against a full sort",
    "importance": "torch.sum(scores fp32 [B,H,L], dim=1, out=[B,L]) (importance_us) and "
                  "imp.add_(scores.sum(dim=1)) (importance_acc_us, 2 kernels) at the decode (B,H,L)",
    "deadline": "no new config starts after --deadline-s seconds; skipped configs are listed in 'skipped'",
    "copy_bandwidth": "device.copy_gbps: 1 GiB fp32 dst.copy_(src), (bytes read + bytes written)/time",
}


def run(args):
    t_start = time.time()
    el = lambda: time.time() - t_start
    log = lambda *a: print(f"[{el():6.1f}s]", *a, flush=True)
    doc = {"device": device_facts(), "method": dict(METHOD), "decode": [], "topk": [], "importance": [],
           "errors": [], "skipped": []}
    doc["device"]["argv"] = sys.argv[1:]
    log("device:", json.dumps(doc["device"]))
    write_json(args.out, doc)
    for name, fn in (("decode", bench_decode), ("topk", bench_topk), ("importance", bench_importance)):
        if args.only and name not in args.only:
            continue
        try:
            fn(doc, args, el, log)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            doc["errors"].append({"section": name, "error": f"{type(e).__name__}: {str(e)[:300]}"})
        write_json(args.out, doc)
    doc["device"]["gpu_state_end"] = gpu_state()
    doc["elapsed_s"] = el()
    write_json(args.out, doc)
    print_table(doc)


def print_table(doc):
    d = doc["device"]
    print(f"\n{d['name']}  SMs {d['sms']}  L2 {d['l2_bytes']}  torch {d['torch']}  copy {d['copy_gbps']:.0f} GB/s "
          f"(read+write)")
    print(f"{'id':26s} {'k':>5s} {'sdpa':>8s} {'rot':>8s} {'eager':>8s} {'kern':>8s} {'GB/s':>6s} "
          f"{'gather':>8s} {'g_rot':>8s} {'g+sdpa':>8s} {'isel':>8s} backend")
    f = lambda v: f"{v:8.2f}" if isinstance(v, (int, float)) else f"{'-':>8s}"
    for r in doc["decode"]:
        if "error" in r:
            print(f"{r['id']:26s} ERROR {r['error'][:90]}")
            continue
        print(f"{r['id']:26s} {r['k']:5d} {f(r['sdpa_us'])} {f(r['sdpa_rot_us'])} {f(r['sdpa_eager_us'])} "
              f"{f(r.get('kernel_us'))} {r['kv_gbps']:6.0f} {f(r.get('gather_us'))} {f(r.get('gather_rot_us'))} "
              f"{f(r.get('gather_sdpa_us'))} {f(r.get('index_select_us'))} {r.get('sdpa_backend')}")
    for r in doc["topk"]:
        if "error" not in r:
            print(f"topk {r['id']:22s} k={r['k']:5d} {r['topk_us']:8.2f} us (unsorted {r['topk_unsorted_us']:8.2f})")
    for r in doc["importance"]:
        if "error" not in r:
            print(f"importance {r['id']:18s} {r['importance_us']:7.2f} us")
    for e in doc["errors"]:
        print("error:", e)
    if doc["skipped"]:
        print(f"skipped {len(doc['skipped'])}: {doc['skipped']}")


# ----------------------------------------------------------------------------------------------------------
# Self test (CPU)
# ----------------------------------------------------------------------------------------------------------
def selftest():
    # kept-token counts
    assert kept_tokens(0.1, 2048) == 204 and kept_tokens(0.25, 2048) == 512 and kept_tokens(0.5, 8192) == 4096
    assert kept_tokens(0.1, 8192) == 819 and kept_tokens(1.0, 2048) == 2048
    for ratio in TOPK_RATIOS:
        for n in TOPK_N:
            assert kept_tokens(ratio, n) == int(ratio * n + 1e-9)
    assert kv_bytes(32, 16, 8192) == 32 * 16 * 8192 * 64 * 4
    assert len(decode_configs()) == 16 and len(topk_configs()) == 36
    assert rot_copies(1 << 30, 50 << 20) == 1 and rot_copies(5 << 20, 50 << 20) == 40
    assert rot_copies(1, 50 << 20) == GRAPH_CALLS
    g = torch.Generator().manual_seed(0)
    B, H, L, d = 2, 3, 40, 8
    K = torch.randn(B, H, L, d, generator=g)
    V = torch.randn(B, H, L, d, generator=g)
    q = torch.randn(B, H, 1, d, generator=g)
    for keep in KEEPS:
        k = kept_tokens(keep, L)
        idx = random_sorted_indices(B, H, L, k, generator=g)
        assert idx.shape == (B, H, k) and idx.dtype == torch.int64
        for b in range(B):
            for h in range(H):
                row = idx[b, h].tolist()
                assert row == sorted(set(row)) and len(row) == k and 0 <= row[0] and row[-1] < L
        if k < L:
            assert not all(torch.equal(idx[0, 0], idx[b, h]) for b in range(B) for h in range(H)), \
                "indices should differ per (b,h)"
        Kc, Vc = gather_kv(K, V, idx)
        assert Kc.shape == (B, H, k, d) and Kc.is_contiguous()
        oK, oV = torch.empty(B, H, k, d), torch.empty(B, H, k, d)
        gather_kv(K, V, idx, oK, oV)
        assert torch.equal(oK, Kc) and torch.equal(oV, Vc)
        for b in range(B):
            for h in range(H):
                for j, t in enumerate(idx[b, h].tolist()):
                    assert torch.equal(Kc[b, h, j], K[b, h, t]) and torch.equal(Vc[b, h, j], V[b, h, t])
        # SDPA over compacted rows == SDPA over the full cache with a keep mask
        mask = torch.zeros(B, H, 1, L, dtype=torch.bool)
        mask.scatter_(3, idx.unsqueeze(2), True)
        out_c = F.scaled_dot_product_attention(q, Kc, Vc)
        out_m = F.scaled_dot_product_attention(q, K, V, attn_mask=mask)
        assert out_c.shape == (B, H, 1, d)
        assert torch.allclose(out_c, out_m, atol=1e-5, rtol=1e-5), (keep, float((out_c - out_m).abs().max()))
        idx1 = random_sorted_indices(1, 1, L, k, generator=g).view(k)
        iK, iV = index_select_kv(K, V, idx1)
        eK, eV = gather_kv(K, V, idx1.view(1, 1, k).expand(B, H, k))
        assert torch.equal(iK, eK) and torch.equal(iV, eV)
        oK2, oV2 = torch.empty(B, H, k, d), torch.empty(B, H, k, d)
        index_select_kv(K, V, idx1, oK2, oV2)
        assert torch.equal(oK2, eK) and torch.equal(oV2, eV)
    # top-k and importance shapes
    x = torch.rand(4, 64, generator=g)
    for ratio in TOPK_RATIOS:
        k = kept_tokens(ratio, 64)
        vals, ix = torch.topk(x, k, dim=-1)
        assert vals.shape == (4, k) and torch.equal(vals, x.sort(dim=-1, descending=True).values[:, :k])
        vu, iu = torch.topk(x, k, dim=-1, sorted=False)
        assert torch.equal(vu.sort(dim=-1, descending=True).values, vals)
    s = torch.rand(B, H, L, generator=g)
    o = torch.empty(B, L)
    torch.sum(s, dim=1, out=o)
    assert o.shape == (B, L) and torch.allclose(o, s[:, 0] + s[:, 1] + s[:, 2])
    assert classify_sdpa(["cudnn_generated_fort_native_sdpa_sm90_flash_fprop"]) == "CUDNN_ATTENTION"
    assert classify_sdpa(["void pytorch_flash::flash_fwd_splitkv_kernel<...>"]) == "FLASH_ATTENTION"
    assert classify_sdpa(["fmha_cutlassF_f16_aligned_64x64_rf_sm80"]) == "EFFICIENT_ATTENTION"
    print("selftest: kept counts, per-(b,h) sorted indices, gather/index_select, compacted SDPA == masked SDPA, "
          "topk, importance sum, backend classifier: all passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="JSON output path (rewritten after every config)")
    ap.add_argument("--deadline-s", type=float, default=420.0,
                    help="start no new config after this many seconds (JSON keeps what finished)")
    ap.add_argument("--only", nargs="*", default=None, help="sections to run: decode topk importance")
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
