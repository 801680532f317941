#!/usr/bin/env python3
"""Forward and forward + backward attention on one GPU: SDPA and FlexAttention, dense, causal and sparse masks.

The training counterpart of protocol_bench.py (same timing, same mask functions, same workload descriptions).
For every config it times, with Q, K and V requiring grad (batch 1, bf16):

  forward      out = attn(q, k, v)                                    (the training forward: LSE is kept)
  fwd_bwd      torch.autograd.grad(attn(q, k, v), (q, k, v), dO)      (a fixed random dO; no .grad accumulation)
  backward_ms  fwd_bwd - forward                                      (derived, not timed on its own)

Kernels: F.scaled_dot_product_attention (the backend SDPA picks, read off the profiler for the forward and the
backward; FLASH, CUDNN and EFFICIENT forced one at a time beside it) and torch.compile(flex_attention) with no
block mask (dense), a causal block mask, a causal sliding window, GNA in 1-D, 2-D and 3-D (protocol_bench.py's
mask function with `tensor` parameters, tokens permuted so each 128-token block is a tile box), and block-sparse
causal masks of a given density (seer_bench.py's rule, 128-token blocks: the diagonal block masked causally, the
other kept blocks full, passed through BlockMask.from_kv_blocks). Sparse configs of a shape share one compiled
kernel where the mask function is the same (causal and every block density; sliding windows; GNA of one layout).

Per config: kept pairs (exact), the BlockMask's block counts in the forward's Q-major view (kv_num_blocks,
full_kv_num_blocks) and in the backward's KV-major view (q_num_blocks, full_q_num_blocks), forward / fwd_bwd /
backward ms, the same-kernel dense speedups (flex dense for flex, SDPA dense for SDPA causal), and a gradient
check on heads 0-1 of the same instance (tokens <= 32768) against fp32 SDPA with an explicit boolean mask.

Usage (validation/gpu/README.md, "Training: forward and backward"):
    python3 validation/gpu/backward_bench.py --selftest               # CPU: masks and counts vs brute force, grads
    python3 validation/gpu/backward_bench.py --smoke                  # CPU: the whole run on tiny shapes, eager flex
    python3 validation/gpu/backward_bench.py --list
    python3 validation/gpu/backward_bench.py --out OUT.json [--deadline-s 480] [--only SUBSTR ...]
                                             [--resume EARLIER.json]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol_bench as pb  # noqa: E402  (the protocol's timing, mask functions, references and workload YAML)

BLOCK = pb.BLOCK
CHECK_MAX_TOKENS = 32768
CHECK_HEADS = 2
CHECK_REL_TOL = 2e-2


def causal_mod(b, h, q, kv):
    """One function object for every causal mask (the causal config and every block density): one compile."""
    return q >= kv


# ------------------------------------------------------------------------------------------------------------
# Configs (pure Python: --list needs no torch)
# ------------------------------------------------------------------------------------------------------------
# (key, tokens, head_dim, heads), in the order they run: the most informative shapes first
SHAPES = [("n32768-d128-h16", 32768, 128, 16), ("n8192-d128-h16", 8192, 128, 16),
          ("n32768-d64-h24", 32768, 64, 24), ("n65536-d128-h16", 65536, 128, 16),
          ("n4096-d128-h24", 4096, 128, 24)]
SMOKE_SHAPES = [("n1024-d32-h2", 1024, 32, 2)]
# `--set second`: shapes none of the first set has, measured after the backward profiles were fitted on the first
# set (every config held out): more heads and fewer tokens, a 128K layout, new windows and GNA layouts.
SECOND_SHAPES = [("n16384-d128-h32", 16384, 128, 32), ("n2048-d64-h64", 2048, 64, 64),
                 ("n131072-d128-h8", 131072, 128, 8), ("n16384-d64-h32", 16384, 64, 32)]

# per shape: which configs. ("sdpa", kind) / ("flex", kind) with kind none|causal; ("swa", window);
# ("block", density); ("gna", tokens, tile, window, stride)
PLAN = {
    "n32768-d128-h16": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                        ("block", 0.05), ("block", 0.1), ("block", 0.3), ("swa", 1024), ("swa", 4096),
                        ("gna", [32768], [128], [2048], [1]), ("gna", [32768], [128], [2048], [256]),
                        ("gna", [128, 256], [8, 16], [32, 32], [1, 1]),
                        ("gna", [128, 256], [8, 16], [64, 64], [1, 1]),
                        ("gna", [128, 256], [8, 16], [32, 32], [8, 16]),
                        ("gna", [16, 32, 64], [2, 8, 8], [8, 16, 16], [1, 1, 1]),
                        ("gna", [16, 32, 64], [2, 8, 8], [8, 16, 16], [2, 8, 8]),
                        ("gna", [16, 32, 64], [2, 8, 8], [4, 8, 8], [1, 1, 1])],
    "n8192-d128-h16": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                       ("block", 0.1), ("block", 0.3), ("swa", 1024),
                       ("gna", [64, 128], [8, 16], [32, 32], [1, 1]),
                       ("gna", [64, 128], [8, 16], [32, 32], [8, 16])],
    "n32768-d64-h24": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                       ("block", 0.1), ("swa", 2048), ("gna", [128, 256], [8, 16], [32, 32], [1, 1])],
    "n65536-d128-h16": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                        ("swa", 4096)],
    "n4096-d128-h24": [("sdpa", "none"), ("sdpa", "causal")],
    "n16384-d128-h32": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                        ("block", 0.2), ("swa", 2048), ("gna", [16384], [128], [1024], [128]),
                        ("gna", [128, 128], [8, 16], [48, 48], [1, 1]),
                        ("gna", [16, 32, 32], [2, 8, 8], [8, 16, 16], [1, 1, 1])],
    "n2048-d64-h64": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"), ("swa", 512)],
    "n131072-d128-h8": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                        ("swa", 8192), ("gna", [131072], [128], [8192], [1])],
    "n16384-d64-h32": [("sdpa", "none"), ("sdpa", "causal")],
    "n1024-d32-h2": [("sdpa", "none"), ("sdpa", "causal"), ("flex", "none"), ("flex", "causal"),
                     ("block", 0.3), ("swa", 256), ("gna", [1024], [128], [256], [1]),
                     ("gna", [32, 32], [8, 16], [8, 8], [1, 1]),
                     ("gna", [8, 8, 16], [2, 8, 8], [4, 4, 8], [2, 2, 2])],
}


def _x(v):
    return "x".join(map(str, v))


def make_configs(shapes=SHAPES):
    out = []
    for key, n, d, h in shapes:
        tag = f"n{n}-d{d}-h{h}"
        common = {"batch": 1, "heads": h, "head_dim": d, "shape": key, "tokens": [n]}
        for item in PLAN[key]:
            what = item[0]
            if what in ("sdpa", "flex"):
                kind = item[1]
                cfg = dict(common, id=f"{what}-{kind}-{tag}", family=what, backend=what, mask={"kind": kind})
                if what == "flex":
                    cfg["mask_params"] = "constant"
            elif what == "swa":
                cfg = dict(common, id=f"flex-swa-w{item[1]}-{tag}", family="window", backend="flex",
                           mask={"kind": "sliding_window", "window": item[1]}, mask_params="tensor")
            elif what == "block":
                cfg = dict(common, id=f"flex-block-density{item[1]}-{tag}", family="block", backend="flex",
                           mask={"kind": "block", "block": BLOCK, "density": item[1], "causal": True})
            elif what == "gna":
                _, tokens, tile, window, stride = item
                assert math.prod(tokens) == n and all(t % s == 0 for t, s in zip(tokens, tile))
                assert all(pb._gna_axis_rule_ok(L, w, s) for L, w, s in zip(tokens, window, stride))
                cfg = dict(common, id=f"flex-gna{len(tokens)}d-{_x(tokens)}-w{_x(window)}-s{_x(stride)}-t{_x(tile)}-{tag}",
                           family="gna", backend="flex", tokens=tokens, tile=tile,
                           mask={"kind": "gna", "window": window, "stride": stride, "causal": [False] * len(tokens)},
                           mask_params="tensor")
            else:
                raise ValueError(what)
            cfg["n"] = n
            cfg["workload_yaml"] = pb.workload_yaml(cfg)
            out.append(cfg)
    return out


# ------------------------------------------------------------------------------------------------------------
# Masks: exact pairs, reference element masks, block masks and their counts
# ------------------------------------------------------------------------------------------------------------
def swa_pairs(n, w):
    """Pairs of the causal sliding window (k <= q, q - k < w): row q attends min(q + 1, w) keys."""
    w = min(w, n)
    return w * (w + 1) // 2 + (n - w) * w


def block_pairs(blocks, block):
    """Pairs of a causal block mask ([..., nb, nb] bool, diagonal kept): full blocks plus the causal diagonal."""
    nb = blocks.shape[-1]
    diag = int(blocks.diagonal(dim1=-2, dim2=-1).sum())
    return (int(blocks.sum()) - diag) * block * block + diag * block * (block + 1) // 2 if nb else 0


def density_blocks(n, density, torch, device, seed=1):
    """The block mask of a density config: seer_bench.py's rule with 128-token blocks, one pattern for every head
    ([1, 1, nb, nb] bool). Imported lazily (seer_bench imports Triton)."""
    import seer_bench
    blocks, _ = seer_bench.random_block_mask(1, 1, n, density, seed, block=BLOCK, device=device)
    return blocks


def blockmask_from_blocks(blocks, n, BlockMask, torch):
    """BlockMask of a causal block mask: the diagonal block partial (causal_mod), the other kept blocks full."""
    nb = blocks.shape[-1]
    eye = torch.eye(nb, dtype=torch.bool, device=blocks.device).expand_as(blocks)
    full = blocks & ~eye

    def lists(m):
        counts = m.sum(-1).to(torch.int32)
        order = torch.argsort((~m).to(torch.int8), dim=-1, stable=True).to(torch.int32)  # kept ones first, ascending
        return counts.contiguous(), order.contiguous()

    pc, pi = lists(eye.contiguous())
    fc, fi = lists(full)
    return BlockMask.from_kv_blocks(pc, pi, fc, fi, BLOCK_SIZE=BLOCK, mask_mod=causal_mod, seq_lengths=(n, n))


def reference_mask(cfg, torch, device, blocks=None):
    """The config's [N, N] bool element mask, in the order the kernel sees the tokens (GNA: permuted)."""
    n, m = cfg["n"], cfg["mask"]
    kind = m["kind"]
    if kind == "none":
        return None
    if kind in ("causal", "sliding_window"):
        return pb.window_reference(m, n, torch, device)
    if kind == "gna":
        ref = pb.gna_reference(cfg["tokens"], m["window"], m["stride"], m["causal"], torch, device)
        perm = pb.permuted_to_original(cfg["tokens"], cfg["tile"], torch, device)
        return ref[perm][:, perm]
    if kind == "block":
        e = blocks[0, 0].repeat_interleave(BLOCK, 0).repeat_interleave(BLOCK, 1)[:n, :n]
        q = torch.arange(n, device=device)
        return e & (q[None, :] <= q[:, None])
    raise ValueError(kind)


def kept_pairs(cfg, torch, device, blocks=None):
    """Exact attended pairs (per head): closed forms for dense, causal and sliding windows, the block table for
    block masks, the reference element mask for GNA (None above CHECK_MAX_TOKENS)."""
    n, m = cfg["n"], cfg["mask"]
    if m["kind"] == "none":
        return n * n
    if m["kind"] == "causal":
        return n * (n + 1) // 2
    if m["kind"] == "sliding_window":
        return swa_pairs(n, m["window"])
    if m["kind"] == "block":
        return block_pairs(blocks[0, 0], BLOCK)
    if n > CHECK_MAX_TOKENS:
        return None
    ref = reference_mask(cfg, torch, device)
    return int(ref.sum())


def _view(num, full, torch):
    num = num.long()
    full = full.long() if full is not None else torch.zeros_like(num)
    return {"partial": int(num.sum()), "full": int(full.sum()), "worst_visited": int((num + full).max()),
            "worst_partial": int(num.max()), "min_visited": int((num + full).min())}


def block_views(bm, torch):
    """Block counts of the first (batch, head) in both views: `q_major` walks each Q block's KV blocks
    (kv_num_blocks, full_kv_num_blocks: the forward and flex's dQ loop), `kv_major` each KV block's Q blocks
    (q_num_blocks, full_q_num_blocks: flex's dK/dV loop). The totals agree; the per-row worst cases differ."""
    out = dict(_view(bm.kv_num_blocks[0, 0], None if bm.full_kv_num_blocks is None else bm.full_kv_num_blocks[0, 0],
                     torch), q_blocks=int(bm.kv_num_blocks.shape[-1]))
    qn = getattr(bm, "q_num_blocks", None)
    if qn is not None:
        fq = getattr(bm, "full_q_num_blocks", None)
        out["kv_major"] = dict(_view(qn[0, 0], None if fq is None else fq[0, 0], torch), kv_blocks=int(qn.shape[-1]))
    return out


def brute_block_views(ref, torch, block=BLOCK):
    """Both views' counts from an element mask, by brute force (selftest)."""
    n = ref.shape[0]
    nb = n // block
    t = ref.reshape(nb, block, nb, block).permute(0, 2, 1, 3).reshape(nb, nb, block * block)
    any_, all_ = t.any(-1), t.all(-1)
    full, part = all_, any_ & ~all_
    qv = _view(part.sum(1), full.sum(1), torch)
    kv = _view(part.sum(0), full.sum(0), torch)
    return dict(qv, q_blocks=nb, kv_major=dict(kv, kv_blocks=nb))


# ------------------------------------------------------------------------------------------------------------
# Timing and checks
# ------------------------------------------------------------------------------------------------------------
def timed(torch, fn, device):
    if device == "cuda":
        return pb.bench(torch, fn)
    fn()
    ts = []
    for _ in range(3):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1e3)
    return {"ms": statistics.median(ts), "p10": min(ts), "p90": max(ts), "reps": 3}


def first_call(torch, fn, device):
    t = time.time()
    fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.time() - t


def grad_check(torch, F, attn, q, k, v, dO, cfg, ref, device):
    """The kernel's output and gradients on heads 0-1 (from a call on the whole instance) against fp32 SDPA on the
    same inputs, upcast, with `ref` as an explicit boolean mask (None: dense; causal SDPA uses is_causal)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    out = attn(q, k, v)
    grads = torch.autograd.grad(out, (q, k, v), dO)
    got = [t[:, :CHECK_HEADS].float() for t in (out.detach(),) + tuple(grads)]
    xs = [t[:, :CHECK_HEADS].detach().float().requires_grad_() for t in (q, k, v)]
    causal = cfg["family"] == "sdpa" and cfg["mask"]["kind"] == "causal"
    backends = [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH] if device == "cuda" else [SDPBackend.MATH]
    with sdpa_kernel(backends):
        o = F.scaled_dot_product_attention(*xs, attn_mask=None if causal else ref, is_causal=causal)
        want = [o.detach()] + list(torch.autograd.grad(o, xs, dO[:, :CHECK_HEADS].float()))
    res = {"heads": CHECK_HEADS, "reference": "fp32 SDPA, explicit bool mask" if ref is not None else
           ("fp32 SDPA, is_causal" if causal else "fp32 SDPA, no mask")}
    ok = True
    for name, a, b in zip(("out", "dq", "dk", "dv"), got, want):
        rel = float((a - b).norm() / b.norm().clamp_min(1e-30))
        mx = float((a - b).abs().max())
        res[name] = {"max_abs": mx, "rel": rel, "ref_max_abs": float(b.abs().max())}
        ok = ok and math.isfinite(rel) and rel <= CHECK_REL_TOL
    res["pass"] = ok
    return res


def blockmask_element_mask(bm, n, torch):
    """The element mask a BlockMask stands for: its visited blocks (partial and full), AND its mask_mod."""
    vis = bm.to_dense()[0, 0].bool()
    e = vis.repeat_interleave(BLOCK, 0).repeat_interleave(BLOCK, 1)[:n, :n]
    if bm.mask_mod is not None:
        i = torch.arange(n, device=e.device)
        e = e & bm.mask_mod(0, 0, i[:, None], i[None, :]).bool()
    return e


def emulated_flex(q, k, v, block_mask=None):
    """FlexAttention's result computed by SDPA with the BlockMask's element mask (FlexAttention has no backward
    on the CPU): lets --smoke and --selftest run every code path there."""
    import torch
    import torch.nn.functional as F
    mask = None if block_mask is None else blockmask_element_mask(block_mask, q.shape[2], torch)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


def sdpa_backend_of(names):
    import flex_gna_bench  # classify_sdpa: the same classifier as the earlier runs
    return flex_gna_bench.classify_sdpa(names)


# ------------------------------------------------------------------------------------------------------------
# Runner
# ------------------------------------------------------------------------------------------------------------
class BackwardRunner:
    def __init__(self, args, device="cuda", dtype=None):
        self.deterministic = getattr(args, "set", "first") == "second"
        import torch
        self.r = pb.Runner(args)           # the protocol's dynamo settings and compiled flex_attention
        self.torch, self.F = torch, self.r.F
        self.device = device
        self.dtype = dtype or torch.bfloat16
        self.flex = self.r.flex
        if device != "cuda":
            self.flex = emulated_flex      # the CPU (--smoke): FlexAttention has no backward there
        self.inputs_key = None
        self.baselines = {}                # shape -> {"sdpa_none", "sdpa_causal", "flex_none"} -> timing summary
        self.mods = {}                     # (shape, mask family, layout) -> (mask_mod, parameter tensor)
        self.log = self.r.log

    def inputs(self, cfg):
        torch = self.torch
        key = (cfg["n"], cfg["heads"], cfg["head_dim"])
        if key != self.inputs_key:
            self.qkvd = None
            if self.device == "cuda":
                torch.cuda.empty_cache()
            g = torch.Generator(device=self.device).manual_seed(1)
            shape = (1, cfg["heads"], cfg["n"], cfg["head_dim"])
            mk = lambda: torch.randn(shape, device=self.device, dtype=self.dtype, generator=g)
            q, k, v, dO = mk().requires_grad_(), mk().requires_grad_(), mk().requires_grad_(), mk()
            self.qkvd, self.inputs_key = (q, k, v, dO), key
        return self.qkvd

    def shared_mod(self, key, mod, P):
        """One mask function per shape and mask family (tensor parameters): later configs write their numbers into
        the first one's parameter tensor, so they reuse its compiled kernels (protocol_bench.py does the same)."""
        if key in self.mods:
            mod0, P0 = self.mods[key]
            P0.copy_(P)
            return mod0, P0
        self.mods[key] = (mod, P)
        return mod, P

    def block_mask(self, cfg):
        """(BlockMask or None, block table for density masks, build seconds)."""
        torch, dev, n, m = self.torch, self.device, cfg["n"], cfg["mask"]
        kind = m["kind"]
        if kind == "none":
            return None, None, 0.0
        t = time.time()
        blocks = None
        if kind == "block":
            blocks = density_blocks(n, m["density"], torch, dev)
            bm = blockmask_from_blocks(blocks, n, self.r.BlockMask, torch)
        else:
            if kind == "causal":
                mod = causal_mod
            elif kind == "sliding_window":
                mod, P = pb.window_mask_mod(m, n, "tensor", torch, dev)
                mod, _ = self.shared_mod((cfg["shape"], "swa"), mod, P)
            elif kind == "gna":
                mod, P = pb.gna_mask_mod(cfg["tokens"], cfg["tile"], m["window"], m["stride"], m["causal"], "tensor",
                                         torch, dev)
                mod, _ = self.shared_mod((cfg["shape"], "gna", tuple(cfg["tokens"]), tuple(cfg["tile"]),
                                          tuple(m["causal"])), mod, P)
            else:
                raise ValueError(kind)
            bm = self.r.create_block_mask(mod, B=None, H=None, Q_LEN=n, KV_LEN=n, device=dev, BLOCK_SIZE=BLOCK,
                                          _compile=(dev == "cuda"))
        if dev == "cuda":
            torch.cuda.synchronize()
        return bm, blocks, time.time() - t

    def attn_fn(self, cfg, bm):
        F = self.F
        if cfg["family"] == "sdpa":
            causal = cfg["mask"]["kind"] == "causal"
            return lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        flex = self.flex
        return lambda q, k, v: flex(q, k, v, block_mask=bm)

    def measure(self, attn, q, k, v, dO, repeat=True):
        torch, dev = self.torch, self.device
        fwd = lambda: attn(q, k, v)
        fb = lambda: torch.autograd.grad(attn(q, k, v), (q, k, v), dO)
        res = {"forward": {"first_call_s": first_call(torch, fwd, dev)},
               "fwd_bwd": {"first_call_s": first_call(torch, fb, dev)}}
        res["forward"].update(timed(torch, fwd, dev))
        res["fwd_bwd"].update(timed(torch, fb, dev))
        if repeat:
            res["forward_repeat_ms"] = timed(torch, fwd, dev)["ms"]
            res["fwd_bwd_repeat_ms"] = timed(torch, fb, dev)["ms"]
        res["backward_ms"] = res["fwd_bwd"]["ms"] - res["forward"]["ms"]
        res["bwd_over_fwd"] = res["backward_ms"] / res["forward"]["ms"]
        res["fwd_bwd_over_fwd"] = res["fwd_bwd"]["ms"] / res["forward"]["ms"]
        return res, fwd, fb

    def baseline(self, cfg, name):
        """The dense (or causal SDPA) timing of a shape: from its own config when that ran, else measured here."""
        base = self.baselines.setdefault(cfg["shape"], {})
        if name not in base:
            q, k, v, dO = self.inputs(cfg)
            backend, kind = name.split("_")
            attn = self.attn_fn({"family": backend, "mask": {"kind": kind}}, None)
            res, _, _ = self.measure(attn, q, k, v, dO, repeat=False)
            base[name] = {"forward_ms": res["forward"]["ms"], "fwd_bwd_ms": res["fwd_bwd"]["ms"],
                          "backward_ms": res["backward_ms"], "measured_in": "baseline"}
        return base[name]

    def run_config(self, cfg):
        torch, dev = self.torch, self.device
        rec = {k: v for k, v in cfg.items() if k != "n"}
        q, k, v, dO = self.inputs(cfg)
        bm, blocks, build_s = self.block_mask(cfg)
        if bm is not None:
            rec["block_mask_build_s"] = build_s
            rec["blocks"] = block_views(bm, torch)
        pairs = kept_pairs(cfg, torch, dev, blocks)
        rec["kept_pairs"] = pairs
        rec["kept_fraction"] = None if pairs is None else pairs / cfg["n"] ** 2
        attn = self.attn_fn(cfg, bm)
        res, fwd, fb = self.measure(attn, q, k, v, dO)
        rec.update(res)
        kind = cfg["mask"]["kind"]
        base = self.baselines.setdefault(cfg["shape"], {})
        if cfg["family"] in ("sdpa", "flex") and kind in ("none", "causal"):
            base[f"{cfg['family']}_{kind}"] = {"forward_ms": res["forward"]["ms"], "fwd_bwd_ms": res["fwd_bwd"]["ms"],
                                               "backward_ms": res["backward_ms"], "measured_in": rec["id"]}
        if dev == "cuda":
            names_f = pb.kernel_names(torch, fwd)
            names_fb = pb.kernel_names(torch, fb)
            names_b = [x for x in names_fb if x not in names_f]
            rec["kernels_forward"] = names_f[:6]
            rec["kernels_backward"] = names_b[:8]
            if cfg["family"] == "sdpa":
                rec["sdpa_backend"] = {"forward": sdpa_backend_of(names_f)[0], "backward": sdpa_backend_of(names_b)[0]}
                rec["sdpa_by_backend"] = self.by_backend(cfg, q, k, v, dO)
        # same-kernel dense baseline and speedups
        if kind != "none":
            dense = self.baseline(cfg, "sdpa_none" if cfg["family"] == "sdpa" else "flex_none")
            rec["dense"] = dense
            rec["speedup"] = {"forward": dense["forward_ms"] / res["forward"]["ms"],
                              "fwd_bwd": dense["fwd_bwd_ms"] / res["fwd_bwd"]["ms"],
                              "backward": dense["backward_ms"] / res["backward_ms"] if res["backward_ms"] > 0 else None}
        if cfg["family"] != "sdpa":
            rec["sdpa_dense"] = self.baseline(cfg, "sdpa_none")
            rec["sdpa_causal"] = self.baseline(cfg, "sdpa_causal")
        if cfg["n"] <= CHECK_MAX_TOKENS:
            try:
                ref = reference_mask(cfg, torch, dev, blocks) if cfg["family"] != "sdpa" else None
                if ref is not None:
                    pairs_ref = int(ref.sum())
                    rec["kept_pairs_matches_reference"] = pairs is None or pairs_ref == pairs
                    if bm is not None:
                        rec["blocks_match_reference"] = brute_block_views(ref, torch) == rec["blocks"]
                rec["check"] = grad_check(torch, self.F, attn, q, k, v, dO, cfg, ref, dev)
                del ref
            except Exception as e:  # noqa: BLE001
                rec["check"] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            if dev == "cuda":
                torch.cuda.empty_cache()
        if dev == "cuda":
            rec["gpu_after"] = pb.gpu_state(torch)
        return rec

    def by_backend(self, cfg, q, k, v, dO):
        from torch.nn.attention import SDPBackend, sdpa_kernel
        out = {}
        attn = self.attn_fn(cfg, None)
        for name in ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION"):
            try:
                with sdpa_kernel([getattr(SDPBackend, name)]):
                    res, _, _ = self.measure(attn, q, k, v, dO, repeat=False)
                out[name] = {"forward_ms": res["forward"]["ms"], "fwd_bwd_ms": res["fwd_bwd"]["ms"],
                             "backward_ms": res["backward_ms"]}
            except Exception as e:  # noqa: BLE001
                out[name] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
        if self.deterministic:
            # The same backends with torch.use_deterministic_algorithms(True): FlashAttention-2's backward then
            # accumulates dQ in a fixed order (PyTorch passes the flag to mha_bwd's `deterministic`).
            torch = self.torch
            for name in ("FLASH_ATTENTION", "CUDNN_ATTENTION"):
                try:
                    torch.use_deterministic_algorithms(True, warn_only=False)
                    with sdpa_kernel([getattr(SDPBackend, name)]):
                        res, _, _ = self.measure(attn, q, k, v, dO, repeat=False)
                    out[name + "_deterministic"] = {"forward_ms": res["forward"]["ms"],
                                                    "fwd_bwd_ms": res["fwd_bwd"]["ms"],
                                                    "backward_ms": res["backward_ms"]}
                except Exception as e:  # noqa: BLE001
                    out[name + "_deterministic"] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
                finally:
                    torch.use_deterministic_algorithms(False)
        return out


def one_line(rec):
    f, fb = rec["forward"]["ms"], rec["fwd_bwd"]["ms"]
    s = f"fwd {f:.3f} ms  fwd+bwd {fb:.3f} ms  bwd/fwd {rec['bwd_over_fwd']:.2f}"
    if rec.get("speedup"):
        sp = rec["speedup"]
        s += f"  speedup fwd {sp['forward']:.2f}x  train {sp['fwd_bwd']:.2f}x"
    if rec.get("sdpa_backend"):
        s += f"  [{rec['sdpa_backend']['forward']}/{rec['sdpa_backend']['backward']}]"
    chk = rec.get("check")
    if chk:
        s += "  check " + ("pass" if chk.get("pass") else f"FAIL {json.dumps(chk)[:200]}")
    return s


def print_table(doc):
    print("\nid | kept | fwd ms | fwd+bwd ms | bwd/fwd | speedup fwd | speedup fwd+bwd | speedup bwd")
    for r in doc["configs"]:
        sp = r.get("speedup") or {}
        fmt = lambda x: "-" if x is None else f"{x:.2f}"
        kf = r.get("kept_fraction")
        print(f"{r['id']} | {fmt(kf) if kf is None else f'{kf:.4f}'} | {r['forward']['ms']:.3f} | "
              f"{r['fwd_bwd']['ms']:.3f} | {r['bwd_over_fwd']:.2f} | {fmt(sp.get('forward'))} | "
              f"{fmt(sp.get('fwd_bwd'))} | {fmt(sp.get('backward'))}")


def run(args, cfgs, device="cuda", dtype=None):
    import torch
    doc = {"attnsim_gpu_training_runs": 1, "argv": sys.argv[1:], "configs": [], "errors": []}
    if getattr(args, "set", "first") == "second":
        doc["held_out"] = "all"   # measured after the backward profiles were fitted: nothing here trains a fit
    done = set()
    if args.resume and os.path.exists(args.resume):
        old = json.load(open(args.resume))
        doc["configs"] = old.get("configs", [])
        doc["earlier_runs"] = old.get("earlier_runs", []) + [{"device": old.get("device"),
                                                              "elapsed_s": old.get("elapsed_s")}]
        done = {c["id"] for c in doc["configs"]}
    br = BackwardRunner(args, device=device, dtype=dtype)
    if device == "cuda":
        doc["device"] = pb.device_facts(torch)
    else:
        doc["device"] = {"name": "cpu (smoke)", "torch": torch.__version__}
    doc["device"]["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    br.log("device", json.dumps(doc["device"]))
    # configs that ran in an earlier call still give their shape's baselines
    for rec in doc["configs"]:
        if rec["family"] in ("sdpa", "flex") and rec["mask"]["kind"] in ("none", "causal"):
            br.baselines.setdefault(rec["shape"], {})[f"{rec['family']}_{rec['mask']['kind']}"] = {
                "forward_ms": rec["forward"]["ms"], "fwd_bwd_ms": rec["fwd_bwd"]["ms"],
                "backward_ms": rec["backward_ms"], "measured_in": rec["id"]}
    for cfg in cfgs:
        if cfg["id"] in done:
            continue
        if time.time() - br.r.t0 > args.deadline_s:
            br.log("deadline reached; stopping before", cfg["id"])
            doc["stopped_before"] = cfg["id"]
            break
        t = time.time()
        try:
            rec = br.run_config(cfg)
            rec["wall_s"] = time.time() - t
            doc["configs"].append(rec)
            br.log(cfg["id"], one_line(rec), f"({time.time() - t:.1f} s)")
        except Exception as e:  # noqa: BLE001
            doc["errors"].append({"id": cfg["id"], "error": f"{type(e).__name__}: {str(e)[:500]}"})
            br.log("ERROR", cfg["id"], type(e).__name__, str(e)[:300])
            if device == "cuda":
                torch.cuda.synchronize()
                torch.cuda.empty_cache()
        doc["elapsed_s"] = time.time() - br.r.t0
        if args.out:
            pb.write_json(args.out, doc)
    br.log("done", len(doc["configs"]), "configs,", len(doc["errors"]), "errors")
    print_table(doc)
    return doc


# ------------------------------------------------------------------------------------------------------------
# Selftest (CPU)
# ------------------------------------------------------------------------------------------------------------
def emulated_flex_with(bm):
    return lambda q, k, v: emulated_flex(q, k, v, block_mask=bm)


def selftest():
    import torch
    import torch.nn.functional as F
    from torch.nn.attention.flex_attention import BlockMask, create_block_mask, flex_attention
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)
            print("FAIL", what)

    dev = "cpu"
    # closed-form pairs against the reference element masks
    for n in (256, 1024, 1000):
        for w in (1, 7, 128, 300, n, n + 5):
            ref = pb.window_reference({"kind": "sliding_window", "window": w}, n, torch, dev)
            check(int(ref.sum()) == swa_pairs(n, w), f"swa pairs n{n} w{w}")
    # density block masks: the rule, the BlockMask both ways, the pairs
    for n in (1024, 2048):
        nb = n // BLOCK
        for density in (0.05, 0.1, 0.3, 0.5, 1.0):
            blocks = density_blocks(n, density, torch, dev, seed=3)
            rows = torch.arange(nb)
            keep = torch.clamp((density * (rows + 1).double()).floor().long(), min=1)
            check(torch.equal(blocks[0, 0].sum(-1), keep), f"kept per row n{n} d{density}")
            check(bool(blocks[0, 0].diagonal().all()), f"diagonal kept n{n} d{density}")
            check(not bool(blocks[0, 0].triu(1).any()), f"nothing above the diagonal n{n} d{density}")
            cfg = {"n": n, "mask": {"kind": "block", "block": BLOCK, "density": density, "causal": True}}
            ref = reference_mask(cfg, torch, dev, blocks)
            check(int(ref.sum()) == block_pairs(blocks[0, 0], BLOCK), f"block pairs n{n} d{density}")
            bm = blockmask_from_blocks(blocks, n, BlockMask, torch)
            check(block_views(bm, torch) == brute_block_views(ref, torch), f"block views n{n} d{density}")
            check(torch.equal(bm.to_dense()[0, 0].bool(), blocks[0, 0]), f"to_dense n{n} d{density}")
    # create_block_mask's counts, both views, against brute force; mask functions against the references
    smoke = make_configs(SMOKE_SHAPES)
    r_mods = {}
    for cfg in smoke:
        kind = cfg["mask"]["kind"]
        if cfg["family"] == "sdpa" or kind in ("none", "block"):
            continue
        n, m = cfg["n"], cfg["mask"]
        if kind == "causal":
            mod = causal_mod
        elif kind == "sliding_window":
            mod, _ = pb.window_mask_mod(m, n, "tensor", torch, dev)
        else:
            mod, _ = pb.gna_mask_mod(cfg["tokens"], cfg["tile"], m["window"], m["stride"], m["causal"], "tensor",
                                     torch, dev)
        r_mods[cfg["id"]] = mod
        ref = reference_mask(cfg, torch, dev)
        qi = torch.arange(n)
        got = mod(0, 0, qi[:, None], qi[None, :])
        check(torch.equal(got.bool(), ref), f"mask_mod vs reference {cfg['id']}")
        bm = create_block_mask(mod, B=None, H=None, Q_LEN=n, KV_LEN=n, device=dev, BLOCK_SIZE=BLOCK)
        check(block_views(bm, torch) == brute_block_views(ref, torch), f"block views {cfg['id']}")
        check(kept_pairs(cfg, torch, dev) == int(ref.sum()), f"kept pairs {cfg['id']}")
    # eager flex's forward (fp32; it has no backward on the CPU) against fp32 SDPA with the explicit mask, and the
    # gradient check run on the BlockMask's own element mask, one config of each kind
    g = torch.Generator().manual_seed(0)
    for cfg in smoke:
        if cfg["family"] == "sdpa":
            continue
        n = cfg["n"]
        shape = (1, cfg["heads"], n, cfg["head_dim"])
        q, k, v = (torch.randn(shape, generator=g).requires_grad_() for _ in range(3))
        dO = torch.randn(shape, generator=g)
        blocks = None
        if cfg["mask"]["kind"] == "none":
            bm = None
        elif cfg["mask"]["kind"] == "block":
            blocks = density_blocks(n, cfg["mask"]["density"], torch, dev)
            bm = blockmask_from_blocks(blocks, n, BlockMask, torch)
        else:
            bm = create_block_mask(r_mods[cfg["id"]], B=None, H=None, Q_LEN=n, KV_LEN=n, device=dev,
                                   BLOCK_SIZE=BLOCK)
        ref = reference_mask(cfg, torch, dev, blocks)
        with torch.no_grad():
            qd, kd, vd = q.detach(), k.detach(), v.detach()
            want = F.scaled_dot_product_attention(qd, kd, vd, attn_mask=ref)
            try:
                got = flex_attention(qd, kd, vd, block_mask=bm)
            except Exception as e:  # noqa: BLE001
                # torch 2.11's eager flex traces the mask_mod with dynamo, which refuses protocol_bench's N-D GNA
                # coordinate decode (a list item assignment); the compiled kernel on the GPU takes it (and is
                # checked there). torch 2.15 runs it.
                print(f"skipped: eager flex forward {cfg['id']} ({type(e).__name__})")
                got = want
        err = float((got - want).norm() / want.norm())
        # eager flex evaluates mask_mod on every element and reads no blocks; a density mask's blocks live only in
        # its BlockMask (mask_mod is causal_mod), so only the compiled kernel (checked on the GPU) computes it
        check(err < 1e-5 or cfg["mask"]["kind"] == "block", f"eager flex forward {cfg['id']} (rel {err:.2e})")
        if bm is not None:
            check(torch.equal(blockmask_element_mask(bm, n, torch), ref), f"BlockMask element mask {cfg['id']}")
        res = grad_check(torch, F, emulated_flex_with(bm), q, k, v, dO, cfg, ref, dev)
        worst = max(res[x]["rel"] for x in ("out", "dq", "dk", "dv"))
        check(res["pass"] and worst < 1e-5, f"grads {cfg['id']} (worst rel {worst:.2e})")
    # and a mask that differs from the kernel's must fail the check (the check can fail)
    cfg = [c for c in smoke if c["mask"]["kind"] == "sliding_window"][0]
    n = cfg["n"]
    shape = (1, cfg["heads"], n, cfg["head_dim"])
    q, k, v = (torch.randn(shape, generator=g).requires_grad_() for _ in range(3))
    bm = create_block_mask(causal_mod, B=None, H=None, Q_LEN=n, KV_LEN=n, device=dev, BLOCK_SIZE=BLOCK)
    res = grad_check(torch, F, emulated_flex_with(bm), q, k, v, torch.randn(shape), cfg,
                     reference_mask(cfg, torch, dev), dev)
    check(not res["pass"], "a wrong mask fails the gradient check")
    print("selftest:", len(fails), "failed checks;", "PASS" if not fails else f"{len(fails)} FAILED", flush=True)
    return not fails


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="the whole run on tiny CPU shapes (eager flex, fp32)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--resume")
    ap.add_argument("--deadline-s", type=float, default=480)
    ap.add_argument("--set", choices=["first", "second"], default="first",
                    help="first: the shapes the backward profiles were fitted on (every third); second: new shapes, "
                         "all held out, with SDPA's deterministic backward timed beside")
    args = ap.parse_args()
    if args.selftest:
        sys.exit(0 if selftest() else 1)
    if args.smoke:
        import torch
        doc = run(args, make_configs(SMOKE_SHAPES), device="cpu", dtype=torch.float32)
        ok = not doc["errors"] and all(r.get("check", {}).get("pass", True) for r in doc["configs"])
        print("smoke:", "PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    shapes = SECOND_SHAPES if args.set == "second" else SHAPES
    cfgs = [c for c in make_configs(shapes) if not args.only or any(s in c["id"] for s in args.only)]
    if args.list:
        for c in cfgs:
            print(c["id"])
        print(len(cfgs), "configs")
        return
    run(args, cfgs)


if __name__ == "__main__":
    main()
