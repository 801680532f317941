#!/usr/bin/env python3
"""The GPU validation protocol: >= 200 attention configurations drawn with a fixed seed, timed on one GPU.

Self-contained (torch only; Triton comes with torch). Not part of CI (CI has no GPU). Usage:

    python3 validation/gpu/protocol_bench.py --list [--seed S]            # the drawn configs, no GPU needed
    python3 validation/gpu/protocol_bench.py --out OUT.json [--families sdpa,decode,...] [--deadline-s 540]
                                             [--resume EARLIER.json]      # skip configs EARLIER.json holds

Every config record carries the attnsim workload that describes it (`workload_yaml`) so
`attnsim crosscheck-gpu HW OUT.json` can predict it with no other file. The distribution (validation/gpu/README.md,
"The validation protocol"):

  sdpa    prefill through F.scaled_dot_product_attention (cuDNN on Hopper), dense and causal: tokens 2^U{9..17},
          head_dim in {64, 128, 256}, batch x heads 2^U{3..9} (halved while the dense FLOPs exceed 1.2e14).
  flex    torch.compile(flex_attention), dense (no block mask) and causal, the same distribution, fewer draws.
  window  1-D masks through flex at 4K-32K tokens: sliding window (causal local), block-causal frames (with and
          without a frame window), documents; each with the mask parameters compiled in (`constant`) and read
          from a device tensor (`tensor`); plus the dense flex and SDPA baselines of the same shape.
  gna     1-D, 2-D and 3-D GNA with strides (NATTEN's rule), tokens permuted so each 128-token block is a tile box;
          the mask_mod decodes the permuted index into coordinates (a division and a modulo per axis and side)
          then applies the rule, with every size, window and stride either a Python int (`constant`) or read
          from a device tensor (`tensor`: one compiled kernel serves every config of a shape).
  decode  one query token over a KV cache (SDPA with enable_gqa): batch 2^U{0..6}, context 2^U{10..17},
          32 query heads, GQA ratio in {1, 2, 4, 8}, head_dim 128 (64 / 256 for a few); K and V rotated through
          enough copies to exceed L2; CUDA-graph replay.
  composed  strided / fixed (Sparse Transformer), an intersection (documents AND a causal sliding window) and
          per-head masks (a quarter of the heads causal, the rest sink + window) through flex at 4K-32K tokens, each
          with `constant` and `tensor` parameters where it has any; drawn after every other family, so adding it
          left the earlier draws unchanged. Measured after the profiles were fitted: run with --held-out-all.
  radial_vs  Radial Attention's block mask (built on the GPU by the artifact's procedure, run as full blocks: no
          mask_mod) for video shapes of 8-30 frames, and MInference's vertical-slash lines (counts placed `spread` or
          `local`, the mask_mod reading two lookup tables) at 8K-32K tokens; drawn after `composed`. Measured after the
          profiles were fitted: run with --held-out-all.
  micro   the mask-evaluation microbenchmarks the profile's per-operation costs are fitted from: a fixed shape
          (8192 tokens, 32 heads, head_dim 128) with every block partial, the mask_mod a chain of k integer
          divisions by constants / by tensor values, k compares, or k table loads (k = 0, 4, 8); plus all blocks
          full (no mask_mod) as the base.
"""
import argparse
import json
import math
import os
import random
import statistics
import sys
import time

SEED = 20261204
BLOCK = 128
FAMILIES = ["sdpa", "decode", "micro", "flex", "window", "gna", "composed", "radial_vs"]
MAX_DENSE_FLOPS = 1.2e14


# ------------------------------------------------------------------------------------------------------------
# Configs (pure Python: --list works without torch)
# ------------------------------------------------------------------------------------------------------------
def _yaml_list(v):
    return "[" + ", ".join(str(x) for x in v) + "]"


def workload_yaml(cfg):
    """The attnsim workload (YAML, the workload schema of README.md, "Files") describing a config."""
    q_tokens = cfg.get("q_tokens", cfg["tokens"])
    prob = (f"{{batch: {cfg['batch']}, heads: {cfg['heads']}, head_dim: {cfg['head_dim']}, "
            f"tokens: {_yaml_list(q_tokens)}, dtype: bf16")
    if q_tokens != cfg["tokens"]:
        prob += f", kv_tokens: {_yaml_list(cfg['tokens'])}"
    if cfg.get("kv_heads", cfg["heads"]) != cfg["heads"]:
        prob += f", kv_heads: {cfg['kv_heads']}"
    prob += "}"
    m = cfg["mask"]
    kind = m["kind"]
    if kind == "none":
        mask = "{kind: none}"
    elif kind == "causal":
        mask = "{kind: causal}"
    elif kind == "gna":
        mask = (f"{{kind: gna, window: {_yaml_list(m['window'])}, stride: {_yaml_list(m['stride'])}, "
                f"causal: {_yaml_list(['true' if c else 'false' for c in m['causal']])}}}")
    elif kind == "sliding_window":
        mask = f"{{kind: sliding_window, window: {m['window']}}}"
    elif kind == "block_causal":
        mask = f"{{kind: block_causal, block: {m['block']}" + (f", window: {m['window']}" if m.get("window") else "") + "}"
    elif kind == "document":
        mask = f"{{kind: document, lengths: {_yaml_list(m['lengths'])}, causal: {'true' if m['causal'] else 'false'}}}"
    elif kind == "strided":
        mask = f"{{kind: strided, stride: {m['stride']}" + (
            f", pattern: fixed, summary: {m['summary']}}}" if m.get("pattern") == "fixed" else "}")
    elif kind == "all_of":
        parts = []
        for part in m["masks"]:
            one = workload_yaml(dict(cfg, mask=part, family="window"))
            parts.append(one.split("\nmask: ", 1)[1].split("\n", 1)[0])
        mask = "{kind: all_of, masks: [" + ", ".join(parts) + "]}"
    elif kind == "per_head":
        groups = []
        for g in m["groups"]:
            one = workload_yaml(dict(cfg, mask=g["mask"], family="window"))
            groups.append(f"{{heads: {g['heads']}, mask: " + one.split("\nmask: ", 1)[1].split("\n", 1)[0] + "}")
        mask = "{kind: per_head, groups: [" + ", ".join(groups) + "]}"
    elif kind == "a_shape":
        mask = f"{{kind: a_shape, sink: {m['sink']}, window: {m['window']}}}"
    elif kind == "radial":
        mask = (f"{{kind: radial, frames: {m['frames']}, frame_tokens: {m['frame_tokens']}, "
                f"text_tokens: {m['text_tokens']}, decay: {m['decay']}, model: {m['model']}}}")
    elif kind == "vertical_slash":
        mask = (f"{{kind: vertical_slash, vertical: {m['vertical']}, slash: {m['slash']}, "
                f"placement: {m['placement']}}}")
    elif kind == "block":
        mask = (f"{{kind: block, block: {m['block']}, density: {m['density']}, "
                f"causal: {'true' if m.get('causal') else 'false'}}}")
    else:
        raise ValueError(kind)
    backend = "flash" if cfg["backend"] == "sdpa" else "flex"
    if kind == "gna":
        kernel = (f"{{backend: flex, q_tile: {_yaml_list(cfg['tile'])}, kv_tile: {_yaml_list(cfg['tile'])}, "
                  f"tiling: multi_dim")
    else:
        kernel = f"{{backend: {backend}, q_tile: [128], kv_tile: [128]"
    if cfg.get("mask_params"):
        kernel += f", mask_params: {cfg['mask_params']}"
    if cfg["family"] == "decode":
        # run_decode replays the calls from a CUDA graph; cuDNN picks its own KV split, so attnsim's mapper picks one
        kernel += ", kv_splits: auto, launch: graph"
    kernel += "}"
    return (f"attnsim: 1\nname: {cfg['id']}\nproblem: {prob}\ncascade: attention-1pass\nmask: {mask}\n"
            f"kernel: {kernel}\n")


def _bh(rng, tokens, head_dim, lo=3, hi=9):
    bh = 2 ** rng.randint(lo, hi)
    while bh > 8 and 4 * bh * tokens * tokens * head_dim > MAX_DENSE_FLOPS:
        bh //= 2
    return bh


def _split_bh(rng, bh):
    heads = min(bh, rng.choice([8, 16, 32]))
    return bh // heads, heads


def _gna_axis_rule_ok(L, w, s):
    return 1 <= s <= w <= L


def make_configs(seed=SEED):
    rng = random.Random(seed)
    out = []

    seen = set()

    def add(cfg):
        base, r = cfg["id"], 2
        while cfg["id"] in seen:
            cfg["id"] = f"{base}-r{r}"
            r += 1
        seen.add(cfg["id"])
        cfg.setdefault("kv_heads", cfg["heads"])
        cfg["workload_yaml"] = workload_yaml(cfg)
        out.append(cfg)

    # sdpa: 60 prefill configs, half causal
    for i in range(60):
        n = 2 ** rng.randint(9, 17)
        d = rng.choice([64, 128, 256])
        bh = _bh(rng, n, d)
        b, h = _split_bh(rng, bh)
        kind = "causal" if i % 2 else "none"
        add({"id": f"sdpa-{kind}-n{n}-d{d}-b{b}h{h}", "family": "sdpa", "backend": "sdpa", "tokens": [n],
             "batch": b, "heads": h, "head_dim": d, "mask": {"kind": kind}, "group": f"sdpa-{i}"})
    # flex dense / causal: 16
    for i in range(16):
        n = 2 ** rng.randint(9, 15)
        d = rng.choice([64, 128, 256])
        bh = _bh(rng, n, d, 3, 7)
        b, h = _split_bh(rng, bh)
        kind = "causal" if i % 2 else "none"
        add({"id": f"flex-{kind}-n{n}-d{d}-b{b}h{h}", "family": "flex", "backend": "flex", "tokens": [n],
             "batch": b, "heads": h, "head_dim": d, "mask": {"kind": kind}, "mask_params": "constant",
             "group": f"flex-{i}"})
    # window: 7 shapes x (sliding window c/t, block-causal c/t, block-causal+window t, document t) = 42
    for g in range(7):
        n = 2 ** rng.randint(12, 15)
        d = rng.choice([64, 128, 128, 256])
        b, h = _split_bh(rng, _bh(rng, n, d, 3, 6))
        common = {"family": "window", "backend": "flex", "tokens": [n], "batch": b, "heads": h, "head_dim": d,
                  "group": f"window-{g}"}
        w = rng.randint(n // 64, n // 4)
        blk = rng.choice([256, 384, 1000, 1560, 2048, 3000])
        frames = rng.randint(2, 4)
        cuts = sorted(rng.sample(range(1, n), 3))
        lengths = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], n - cuts[2]]
        tag = f"n{n}-d{d}-b{b}h{h}"
        for style in ("constant", "tensor"):
            add(dict(common, id=f"swa-w{w}-{tag}-{style}", mask={"kind": "sliding_window", "window": w},
                     mask_params=style))
            add(dict(common, id=f"blockcausal-{blk}-{tag}-{style}", mask={"kind": "block_causal", "block": blk},
                     mask_params=style))
        add(dict(common, id=f"blockcausal-{blk}-f{frames}-{tag}-tensor",
                 mask={"kind": "block_causal", "block": blk, "window": frames}, mask_params="tensor"))
        add(dict(common, id=f"document-{'-'.join(map(str, lengths))}-{tag}-tensor",
                 mask={"kind": "document", "lengths": lengths, "causal": bool(g % 2)}, mask_params="tensor"))
    # gna: 16 shapes x (3 tensor + 2 constant) = 80
    layouts = [([8192], [128]), ([16384], [128]), ([32768], [128]), ([65536], [128]),
               ([64, 64], [16, 8]), ([128, 128], [16, 8]), ([128, 256], [8, 16]), ([96, 128], [16, 8]),
               ([256, 256], [16, 8]),
               ([16, 32, 48], [4, 4, 8]), ([16, 32, 48], [2, 8, 8]), ([30, 48, 80], [2, 8, 8]),
               ([8, 64, 64], [2, 8, 8]), ([32, 32, 32], [4, 4, 8]), ([24, 40, 64], [2, 8, 8]),
               ([4096], [128])]
    for g, (tokens, tile) in enumerate(layouts):
        n = math.prod(tokens)
        d = rng.choice([64, 128, 128, 256])
        b, h = _split_bh(rng, _bh(rng, n, d, 3, 6))
        common = {"family": "gna", "backend": "flex", "tokens": tokens, "tile": tile, "batch": b, "heads": h,
                  "head_dim": d, "group": f"gna-{g}"}
        for j in range(5):
            window, stride, causal = [], [], []
            for a, L in enumerate(tokens):
                w = rng.randint(max(1, L // 16), max(1, L // 2))
                if len(tokens) == 1:
                    w = rng.randint(L // 64, L // 4)
                s = rng.choice([1, 1, 2, 4, 8, 16, tile[a], max(1, w // 2), w])
                s = max(1, min(s, w))
                window.append(w)
                stride.append(s)
                causal.append(len(tokens) == 3 and a == 0 and rng.random() < 0.3)
            style = "tensor" if j < 3 else "constant"
            x = lambda v: "x".join(map(str, v))
            cid = f"gna{len(tokens)}d-{x(tokens)}-w{x(window)}-s{x(stride)}" + ("-cT" if any(causal) else "")
            add(dict(common, id=f"{cid}-t{x(tile)}-d{d}-b{b}h{h}-{style}",
                     mask={"kind": "gna", "window": window, "stride": stride, "causal": causal},
                     mask_params=style))
    # decode: 40
    for i in range(40):
        ctx = 2 ** rng.randint(10, 17)
        b = 2 ** rng.randint(0, 6)
        ratio = rng.choice([1, 2, 4, 8])
        d = 128 if i % 8 else rng.choice([64, 256])
        h = 32
        while b > 1 and 2 * b * (h // ratio) * ctx * d * 2 > 16e9:
            b //= 2
        add({"id": f"decode-b{b}-ctx{ctx}-h{h}kv{h // ratio}-d{d}", "family": "decode", "backend": "sdpa",
             "tokens": [ctx], "q_tokens": [1], "batch": b, "heads": h, "kv_heads": h // ratio, "head_dim": d,
             "mask": {"kind": "none"}, "group": f"decode-{i}"})
    # micro: fixed shape
    for op in ("div_const", "div_tensor", "compare", "load"):
        for k in (4, 8):
            add({"id": f"micro-{op}-{k}", "family": "micro", "backend": "flex", "tokens": [8192], "batch": 1,
                 "heads": 32, "head_dim": 128, "mask": {"kind": "none"}, "micro": {"op": op, "k": k},
                 "group": "micro"})
    for op in ("all_full", "trivial"):
        add({"id": f"micro-{op}", "family": "micro", "backend": "flex", "tokens": [8192], "batch": 1, "heads": 32,
             "head_dim": 128, "mask": {"kind": "none"}, "micro": {"op": op, "k": 0}, "group": "micro"})
    # composed: 5 shapes x (strided c/t, fixed c/t, document AND sliding window t, per-head c/t) = 35
    for g in range(5):
        n = 2 ** rng.randint(12, 15)
        d = rng.choice([64, 128, 128, 256])
        b, h = _split_bh(rng, _bh(rng, n, d, 3, 6))
        h = max(h, 8)
        common = {"family": "composed", "backend": "flex", "tokens": [n], "batch": b, "heads": h, "head_dim": d,
                  "group": f"composed-{g}"}
        tag = f"n{n}-d{d}-b{b}h{h}"
        stride = rng.choice([64, 128, 256, 512, 1000, int(math.isqrt(n))])
        summary = rng.choice([8, 16, 32])
        cuts = sorted(rng.sample(range(1, n), 3))
        lengths = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], n - cuts[2]]
        w = rng.randint(n // 64, n // 8)
        sink, recent = rng.choice([4, 64]), rng.randint(n // 64, n // 8)
        retrieval = h // 4
        for style in ("constant", "tensor"):
            add(dict(common, id=f"strided-{stride}-{tag}-{style}", mask={"kind": "strided", "stride": stride},
                     mask_params=style))
            add(dict(common, id=f"fixed-{stride}-c{summary}-{tag}-{style}",
                     mask={"kind": "strided", "stride": stride, "pattern": "fixed", "summary": summary},
                     mask_params=style))
            add(dict(common, id=f"perhead-{retrieval}causal-sink{sink}-w{recent}-{tag}-{style}",
                     mask={"kind": "per_head", "groups": [
                         {"heads": retrieval, "mask": {"kind": "causal"}},
                         {"heads": h - retrieval, "mask": {"kind": "a_shape", "sink": sink, "window": recent}}]},
                     mask_params=style))
        add(dict(common, id=f"docswa-{'-'.join(map(str, lengths))}-w{w}-{tag}-tensor",
                 mask={"kind": "all_of", "masks": [{"kind": "document", "lengths": lengths, "causal": True},
                                                   {"kind": "sliding_window", "window": w}]},
                 mask_params="tensor"))
    # radial_vs: 6 Radial videos + 6 vertical-slash shapes x 2 placements = 18
    for g in range(6):
        frames = rng.randint(8, 30)
        t = rng.choice([1024, 1560, 2048, 3600, 3840])
        text = rng.choice([0, 256])
        while frames * t + text > 65536:
            frames -= 1
        model = rng.choice(["hunyuan", "wan"])
        decay = rng.choice([0.95, 1.0])
        n = frames * t + text
        d = rng.choice([64, 128, 128])
        b, h = _split_bh(rng, _bh(rng, n, d, 3, 5))
        add({"id": f"radial-{model}-f{frames}x{t}-text{text}-decay{decay}-d{d}-b{b}h{h}", "family": "radial_vs",
             "backend": "flex", "tokens": [n], "batch": b, "heads": h, "head_dim": d, "group": f"radial-{g}",
             "mask": {"kind": "radial", "frames": frames, "frame_tokens": t, "text_tokens": text, "decay": decay,
                      "model": model}})
    for g in range(6):
        n = 2 ** rng.randint(13, 15)
        d = rng.choice([64, 128, 128, 256])
        b, h = _split_bh(rng, _bh(rng, n, d, 3, 6))
        v = rng.choice([30, 100, 500, 1000])
        sl = rng.choice([100, 500, 800, 2048])
        for placement in ("spread", "local"):
            add({"id": f"vs-v{v}-s{sl}-{placement}-n{n}-d{d}-b{b}h{h}", "family": "radial_vs", "backend": "flex",
                 "tokens": [n], "batch": b, "heads": h, "head_dim": d, "group": f"vs-{g}", "mask_params": "tensor",
                 "mask": {"kind": "vertical_slash", "vertical": v, "slash": sl, "placement": placement}})
    return out


def vs_lines(mask, n):
    """The vertical keys and slash offsets of attnsim's `placement` rule (VerticalSlashMask.swift)."""
    v, s = min(mask["vertical"], n), min(mask["slash"], n)
    if mask["placement"] == "local":
        return list(range(v)), list(range(s))

    def spread(count, forced):
        first = min(count, forced, n)
        out = list(range(first))
        rest = count - first
        if rest > 0 and n > forced:
            span = n - forced
            out += [forced + int(float(k) * float(span) / float(rest)) for k in range(rest)]
        return sorted(set(out))
    return spread(v, 30), spread(s, 100)


def radial_block_mask(m, n, torch, device, block=128):
    """Radial Attention's block mask, by the artifact's procedure (radial_attn/attn_mask.py at 72788d4,
    gen_log_mask_shrinked with get_window_width, get_diagonal_split_mask and shrinkMaskStrict), on the GPU."""
    frames, tpf = m["frames"], m["frame_tokens"]
    nb = (n + block - 1) // block
    final = torch.zeros((nb, nb), dtype=torch.bool, device=device)
    border = frames * tpf // block
    final[border:] = True
    final[:, border:] = True
    col = torch.arange(tpf, device=device).view(1, -1)
    row = torch.arange(tpf, device=device).view(-1, 1)
    for i in range(frames):
        for j in range(frames):
            dist = abs(i - j)
            if j == 0 and m["model"] == "wan":
                local = torch.ones((tpf, tpf), dtype=torch.bool, device=device)
            else:
                if dist <= 1:
                    width = tpf
                else:
                    length = 2 ** tpf.bit_length() / 2 ** dist.bit_length() * m["decay"]
                    width = length if length >= block else block
                local = (col - row).abs() <= width
                length = 2 ** tpf.bit_length() / 2 ** dist.bit_length()
                if length < 128 and dist % int(128 / length) != 0:
                    local = torch.zeros_like(local)
            rr, rc = (i * tpf) % block, (j * tpf) % block
            rows_ = rr + ((tpf - 1) // block + 1) * block
            cols_ = rc + ((tpf - 1) // block + 1) * block
            padded = torch.zeros((rows_, cols_), dtype=torch.bool, device=device)
            padded[rr:rr + tpf, rc:rc + tpf] = local
            bn = rows_ // block
            pm = padded[:bn * block, :bn * block].view(bn, block, bn, block)
            dens = pm.sum(dim=1).float() / block
            nonzero = dens > 0
            high = dens > 1 / 3
            frac = high.sum(dim=-1) / (nonzero.sum(dim=-1) + 1e-9)
            bm = frac > 0.6
            r0, c0 = i * tpf // block, j * tpf // block
            r1, c1 = min(nb, r0 + bn), min(nb, c0 + bn)
            final[r0:r1, c0:c1] |= bm[:r1 - r0, :c1 - c0]
    return final


# ------------------------------------------------------------------------------------------------------------
# Mask rules: one reference (NumPy-free, torch) and the mask_mods timed
# ------------------------------------------------------------------------------------------------------------
def gna_reference(tokens, window, stride, causal, torch, device):
    """Dense [N, N] bool GNA mask in ORIGINAL row-major order, written in the 'attend iff' form per axis."""
    m = None
    for L, w, s, c in zip(tokens, window, stride, causal):
        q = torch.arange(L, device=device)[:, None]
        k = torch.arange(L, device=device)[None, :]
        if c:
            leader = torch.clamp((q // s) * s + s - 1, max=L - 1)
            ma = (k <= q) & (leader - k < w)
        else:
            leader = torch.clamp((q // s) * s + s // 2, max=L - 1)
            start = torch.clamp(torch.clamp(leader - w // 2, min=0), max=L - w)
            ma = (start <= k) & (k < start + w)
        if m is None:
            m = ma
        else:
            n0 = m.shape[0]
            m = (m[:, None, :, None] & ma[None, :, None, :]).reshape(n0 * L, n0 * L)
    return m


def permuted_to_original(tokens, tile, torch, device):
    """orig[p]: row-major original index of the token at permuted position p ([r_0.., t_0..] layout)."""
    D = len(tokens)
    sizes = [tokens[a] // tile[a] for a in range(D)] + list(tile)
    idx = torch.arange(math.prod(tokens), device=device)
    comps = []
    for sz in reversed(sizes):
        comps.append(idx % sz)
        idx = idx // sz
    comps = comps[::-1]
    flat = torch.zeros_like(comps[0])
    for a in range(D):
        flat = flat * tokens[a] + comps[a] * tile[a] + comps[D + a]
    return flat


def gna_mask_mod(tokens, tile, window, stride, causal, style, torch, device):
    """The timed GNA mask_mod: decode the permuted index into coordinates, then NATTEN's rule per axis.
    style 'constant': every number a Python int (compiled in; divisions by constants); 'tensor': read from a
    device tensor P (one kernel serves every config of a shape). Returns (mask_mod, P or None)."""
    D = len(tokens)
    vals = list(tokens) + list(tile) + list(window) + list(stride)
    if style == "tensor":
        P = torch.tensor(vals, dtype=torch.int32, device=device)
        get = lambda i: P[i]
    else:
        P = None
        get = lambda i: vals[i]
    caus = list(causal)

    def coords(idx):
        if D == 1:
            return [idx]
        t, r = [None] * D, [None] * D
        rem = idx
        for a in reversed(range(D)):
            T = get(D + a)
            t[a] = rem % T
            rem = rem // T
        for a in reversed(range(D)):
            R = get(a) // get(D + a)
            r[a] = rem % R if a > 0 else rem
            rem = rem // R
        return [r[a] * get(D + a) + t[a] for a in range(D)]

    def mask_mod(b, h, q_idx, kv_idx):
        qc, kc = coords(q_idx), coords(kv_idx)
        m = None
        for a in range(D):
            L, w, s = get(a), get(2 * D + a), get(3 * D + a)
            q, k = qc[a], kc[a]
            if caus[a]:
                leader = torch.minimum((q // s) * s + s - 1, L - 1) if style == "tensor" else torch.clamp((q // s) * s + s - 1, max=L - 1)
                ma = (k <= q) & (leader - k < w)
            else:
                if style == "tensor":
                    leader = torch.minimum((q // s) * s + s // 2, L - 1)
                    start = torch.minimum(torch.clamp(leader - w // 2, min=0), L - w)
                else:
                    leader = torch.clamp((q // s) * s + s // 2, max=L - 1)
                    start = torch.clamp(torch.clamp(leader - w // 2, min=0), max=L - w)
                ma = (start <= k) & (k < start + w)
            m = ma if m is None else (m & ma)
        return m

    return mask_mod, P


def window_reference(mask, n, torch, device):
    q = torch.arange(n, device=device)[:, None]
    k = torch.arange(n, device=device)[None, :]
    kind = mask["kind"]
    if kind == "sliding_window":
        return (k <= q) & (q - k < mask["window"])
    if kind == "block_causal":
        B = mask["block"]
        m = (k // B) <= (q // B)
        if mask.get("window"):
            m = m & ((q // B) - (k // B) < mask["window"])
        return m
    if kind == "document":
        doc = torch.repeat_interleave(torch.arange(len(mask["lengths"]), device=device),
                                      torch.tensor(mask["lengths"], device=device))
        m = doc[:, None] == doc[None, :]
        return m & (k <= q) if mask["causal"] else m
    if kind == "causal":
        return k <= q
    if kind == "strided":
        L = mask["stride"]
        if mask.get("pattern") == "fixed":
            return (k <= q) & (((k // L) == (q // L)) | (k % L >= L - mask["summary"]))
        # references.md [SparseTransformer §4.2]: A1 = {max(0, i - l) .. i}, A2 = {j : (i - j) mod l = 0}
        return (k <= q) & ((k >= q - L) | ((q - k) % L == 0))
    if kind == "a_shape":
        return (k <= q) & ((k < mask["sink"]) | (q - k < mask["window"]))
    if kind == "vertical_slash":
        v, sl = vs_lines(mask, n)
        is_v = torch.zeros(n, dtype=torch.bool, device=device)
        is_v[v] = True
        is_s = torch.zeros(n, dtype=torch.bool, device=device)
        is_s[sl] = True
        diff = (q - k).clamp(min=0)
        return (k <= q) & (is_v[k.expand_as(diff)] | is_s[diff])
    if kind == "all_of":
        out = None
        for part in mask["masks"]:
            r = window_reference(part, n, torch, device)
            out = r if out is None else out & r
        return out
    raise ValueError(kind)


def window_mask_mod(mask, n, style, torch, device):
    kind = mask["kind"]
    if kind == "causal":
        return (lambda b, h, q, kv: q >= kv), None
    if kind == "document":
        doc = torch.repeat_interleave(torch.arange(len(mask["lengths"]), device=device, dtype=torch.int32),
                                      torch.tensor(mask["lengths"], device=device)).to(torch.int32)
        if mask["causal"]:
            return (lambda b, h, q, kv: (doc[q] == doc[kv]) & (q >= kv)), doc
        return (lambda b, h, q, kv: doc[q] == doc[kv]), doc
    if kind == "vertical_slash":
        v, sl = vs_lines(mask, n)
        is_v = torch.zeros(n, dtype=torch.bool, device=device)
        is_v[v] = True
        is_s = torch.zeros(2 * n, dtype=torch.bool, device=device)    # index q - kv + n: never negative
        is_s[[o + n for o in sl]] = True
        return (lambda b, h, q, kv: (q >= kv) & (is_v[kv] | is_s[q - kv + n])), (is_v, is_s)
    if kind == "all_of":
        mods, params = [], []
        for part in mask["masks"]:
            mod, P = window_mask_mod(part, n, style, torch, device)
            mods.append(mod)
            params.append(P)
        a, b_ = mods
        return (lambda b, h, q, kv: a(b, h, q, kv) & b_(b, h, q, kv)), params
    if kind == "per_head":
        (g0, g1) = mask["groups"]
        m0, _ = window_mask_mod(g0["mask"], n, style, torch, device)
        m1, P = window_mask_mod(g1["mask"], n, style, torch, device)
        H0 = torch.tensor([g0["heads"]], dtype=torch.int32, device=device)[0] if style == "tensor" else g0["heads"]
        return (lambda b, h, q, kv: torch.where(h < H0, m0(b, h, q, kv), m1(b, h, q, kv))), P
    vals = [mask.get("window") or 0, mask.get("block") or 1]
    if kind == "strided":
        vals = [mask["stride"], mask.get("summary") or 0]
    if kind == "a_shape":
        vals = [mask["window"], mask["sink"]]
    if style == "tensor":
        P = torch.tensor(vals, dtype=torch.int32, device=device)
        W, B = P[0], P[1]
    else:
        P = None
        W, B = vals
    if kind == "sliding_window":
        return (lambda b, h, q, kv: (q >= kv) & (q - kv < W)), P
    if kind == "block_causal":
        if mask.get("window"):
            return (lambda b, h, q, kv: ((kv // B) <= (q // B)) & ((q // B) - (kv // B) < W)), P
        return (lambda b, h, q, kv: (kv // B) <= (q // B)), P
    if kind == "strided":
        L, C = W, B
        if mask.get("pattern") == "fixed":
            return (lambda b, h, q, kv: (q >= kv) & (((q // L) == (kv // L)) | (kv % L >= L - C))), P
        return (lambda b, h, q, kv: (q >= kv) & ((q - kv < L) | ((q - kv) % L == 0))), P
    if kind == "a_shape":
        Wn, S = W, B
        return (lambda b, h, q, kv: (q >= kv) & ((kv < S) | (q - kv < Wn))), P
    raise ValueError(kind)


def micro_mask_mod(op, k, n, torch, device):
    """A mask_mod that is true everywhere but does k chained operations of one kind per element."""
    consts = [3, 5, 7, 11, 13, 17, 19, 23]
    if op == "trivial":
        return lambda b, h, q, kv: (q + kv) >= 0
    if op in ("div_const", "div_tensor"):
        # the same chain; the divisors are Python ints (compiled in) or a device tensor (read at run time)
        divisors = consts if op == "div_const" else torch.tensor(consts, dtype=torch.int32, device=device)

        def mm(b, h, q, kv):
            x = q + kv
            for t in range(k):
                x = x // divisors[t] + kv
            return x >= 0
        return mm
    if op == "compare":
        def mm(b, h, q, kv):
            m = (q + kv) >= 0
            for t in range(k):
                m = m & ((q - kv) > -(n + consts[t]))
            return m
        return mm
    if op == "load":
        tab = torch.arange(n + 16, dtype=torch.int32, device=device)

        def mm(b, h, q, kv):
            x = q
            for t in range(k):
                x = x + tab[kv + t]
            return x >= 0
        return mm
    raise ValueError(op)


# ------------------------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------------------------
def bench(torch, fn, min_reps=10, max_reps=200, target_ms=300.0, warmup=2):
    """Median (and p10/p90) of per-call CUDA-event times after warm-up; reps sized to ~target_ms."""
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
    if est > 100:
        reps = 3
    st = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    en = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for i in range(reps):
        st[i].record()
        fn()
        en[i].record()
    torch.cuda.synchronize()
    ts = sorted(st[i].elapsed_time(en[i]) for i in range(reps))
    q = lambda f: ts[min(reps - 1, int(f * (reps - 1) + 0.5))]
    return {"ms": statistics.median(ts), "p10": q(0.1), "p90": q(0.9), "reps": reps}


def bench_graph(torch, calls, reps=20):
    """Per-call ms of `calls` (zero-arg callables) captured into one CUDA graph and replayed."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for c in calls[:4]:
            c()
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for c in calls:
            c()
    g.replay()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        g.replay()
        e1.record()
        e1.synchronize()
        ts.append(e0.elapsed_time(e1) / len(calls))
    ts.sort()
    return {"ms": statistics.median(ts), "p10": ts[len(ts) // 10], "p90": ts[(9 * len(ts)) // 10], "reps": reps,
            "calls": len(calls), "mode": "graph"}


def kernel_names(torch, fn):
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    return [ev.key for ev in prof.key_averages() if "CUDA" in str(getattr(ev, "device_type", ""))]


def gpu_state(torch):
    out = {}
    for key, f in (("sm_clock_mhz", "clock_rate"), ("temp_c", "temperature"), ("power_mw", "power_draw")):
        try:
            out[key] = getattr(torch.cuda, f)()
        except Exception:  # noqa: BLE001
            out[key] = None
    return out


def device_facts(torch):
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
    r = bench(torch, lambda: torch.mm(a, b), min_reps=20, max_reps=60, target_ms=300)
    facts["matmul_bf16_tflops"] = 2 * n ** 3 / (r["ms"] * 1e-3) / 1e12
    del a, b
    nbytes = 4 << 30
    src = torch.empty(nbytes // 4, device="cuda", dtype=torch.float32).uniform_()
    dst = torch.empty_like(src)
    r = bench(torch, lambda: dst.copy_(src), min_reps=10, max_reps=40, target_ms=300)
    facts["copy_bytes_per_s"] = 2 * nbytes / (r["ms"] * 1e-3)
    del src, dst
    # the launch overhead an empty kernel sees: a tiny elementwise op, eager and graph-replayed
    x = torch.zeros(1, device="cuda")
    facts["tiny_kernel_eager_us"] = bench(torch, lambda: x.add_(1), min_reps=200, max_reps=1000, target_ms=50)["ms"] * 1e3
    facts["tiny_kernel_graph_us"] = bench_graph(torch, [lambda: x.add_(1)] * 100)["ms"] * 1e3
    torch.cuda.empty_cache()
    return facts


def write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------------------------
# Runner
# ------------------------------------------------------------------------------------------------------------
class Runner:
    def __init__(self, args):
        import torch
        import torch.nn.functional as F
        from torch.nn.attention.flex_attention import BlockMask, create_block_mask, flex_attention
        self.torch, self.F = torch, F
        self.BlockMask, self.create_block_mask = BlockMask, create_block_mask
        dc = torch._dynamo.config
        for name, val in (("recompile_limit", 256), ("cache_size_limit", 256),
                          ("accumulated_recompile_limit", 4096), ("accumulated_cache_size_limit", 4096)):
            if hasattr(dc, name):
                setattr(dc, name, val)
        dc.automatic_dynamic_shapes = False
        self.flex = torch.compile(flex_attention, dynamic=False)
        self.args = args
        self.t0 = time.time()
        self.baselines = {}
        self.tensor_mods = {}

    def log(self, *a):
        print(f"[{time.time() - self.t0:7.1f}s]", *a, flush=True)

    def qkv(self, cfg, q_len=None):
        torch = self.torch
        n = cfg["tokens"][0] if len(cfg["tokens"]) == 1 else math.prod(cfg["tokens"])
        ql = n if q_len is None else q_len
        g = torch.Generator(device="cuda").manual_seed(1)
        shape = lambda h, l: (cfg["batch"], h, l, cfg["head_dim"])
        q = torch.randn(shape(cfg["heads"], ql), device="cuda", dtype=torch.bfloat16, generator=g)
        k = torch.randn(shape(cfg.get("kv_heads", cfg["heads"]), n), device="cuda", dtype=torch.bfloat16, generator=g)
        v = torch.randn_like(k)
        return q, k, v

    def baseline(self, cfg, q, k, v, kinds=("sdpa_dense", "flex_dense", "sdpa_causal")):
        """Dense baselines of a shape, measured once per shape and shared by its configs."""
        key = (cfg["batch"], cfg["heads"], cfg["head_dim"], q.shape[2])
        base = self.baselines.setdefault(key, {})
        F = self.F
        for kind in kinds:
            if kind in base:
                continue
            try:
                if kind == "sdpa_dense":
                    base[kind] = bench(self.torch, lambda: F.scaled_dot_product_attention(q, k, v))
                elif kind == "sdpa_causal":
                    base[kind] = bench(self.torch, lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
                elif kind == "flex_dense":
                    t = time.time()
                    self.flex(q, k, v)
                    self.torch.cuda.synchronize()
                    first = time.time() - t
                    base[kind] = bench(self.torch, lambda: self.flex(q, k, v))
                    base[kind]["first_call_s"] = first
            except Exception as e:  # noqa: BLE001
                base[kind] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
        return base

    def block_counts(self, bm, heads=False):
        """Blocks of the first (batch, head); with `heads`, summed over the heads of a per-head block mask."""
        kv = (bm.kv_num_blocks[0] if heads else bm.kv_num_blocks[0, 0]).long()
        full = (bm.full_kv_num_blocks[0] if heads else bm.full_kv_num_blocks[0, 0]).long() \
            if bm.full_kv_num_blocks is not None else self.torch.zeros_like(kv)
        return {"q_blocks": int(kv.numel()), "partial": int(kv.sum()), "full": int(full.sum()),
                "worst_visited": int((kv + full).max()), "worst_partial": int(kv.max())}

    def timed_flex(self, q, k, v, bm):
        torch = self.torch
        t = time.time()
        self.flex(q, k, v, block_mask=bm)
        torch.cuda.synchronize()
        first = time.time() - t
        r = bench(torch, lambda: self.flex(q, k, v, block_mask=bm))
        r["first_call_s"] = first
        return r

    def make_block_mask(self, mod, n, build_time=False, heads=None):
        torch = self.torch
        bm = self.create_block_mask(mod, B=None, H=heads, Q_LEN=n, KV_LEN=n, device="cuda", BLOCK_SIZE=BLOCK,
                                    _compile=True)
        extra = {}
        if build_time:
            torch.cuda.synchronize()
            t = time.time()
            self.create_block_mask(mod, B=None, H=heads, Q_LEN=n, KV_LEN=n, device="cuda", BLOCK_SIZE=BLOCK,
                                   _compile=True)
            torch.cuda.synchronize()
            extra["block_mask_build_ms"] = (time.time() - t) * 1e3
        return bm, extra

    def check_mask(self, mod, ref, n, tile_perm=None):
        """The mask_mod against the reference on a sample of rows (all keys): True when identical."""
        torch = self.torch
        rows = torch.linspace(0, n - 1, steps=min(n, 96), device="cuda").long()
        kv = torch.arange(n, device="cuda")
        got = mod(0, 0, rows[:, None], kv[None, :])
        if tile_perm is not None:
            want = ref[tile_perm[rows]][:, tile_perm]
        else:
            want = ref[rows]
        return bool(torch.equal(got.bool(), want.bool()))

    def measure_masked(self, rec, cfg, q, k, v, mod, n, per_head=False):
        """Builds the block mask of `mod` (per head when `per_head`), times flex with it, and adds the dense
        baselines of the shape: the record's blocks, build time, measured and dense times."""
        bm, extra = self.make_block_mask(mod, n, build_time=True, heads=cfg["heads"] if per_head else None)
        rec.update(extra)
        rec["blocks"] = self.block_counts(bm, heads=per_head)
        rec["measured"] = self.timed_flex(q, k, v, bm)
        rec["measured_repeat"] = bench(self.torch, lambda: self.flex(q, k, v, block_mask=bm))["ms"]
        base = self.baseline(cfg, q, k, v)
        rec["dense"] = base["flex_dense"]
        rec["sdpa_dense"] = base["sdpa_dense"]
        rec["sdpa_causal"] = base["sdpa_causal"]

    def run_config(self, cfg):
        torch = self.torch
        fam = cfg["family"]
        rec = {k: v for k, v in cfg.items()}
        if fam == "sdpa":
            q, k, v = self.qkv(cfg)
            causal = cfg["mask"]["kind"] == "causal"
            fn = lambda: self.F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            rec["measured"] = bench(torch, fn)
            rec["kernels"] = kernel_names(torch, fn)[:4]
            base = self.baseline(cfg, q, k, v, kinds=("sdpa_dense",))
            rec["dense"] = base["sdpa_dense"]
        elif fam == "flex":
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            if cfg["mask"]["kind"] == "causal":
                bm, extra = self.make_block_mask(lambda b, h, qi, ki: qi >= ki, n, build_time=True)
                rec.update(extra)
                rec["blocks"] = self.block_counts(bm)
                rec["measured"] = self.timed_flex(q, k, v, bm)
            else:
                rec["measured"] = dict(self.baseline(cfg, q, k, v, kinds=("flex_dense",))["flex_dense"])
            base = self.baseline(cfg, q, k, v, kinds=("flex_dense", "sdpa_dense", "sdpa_causal"))
            rec["dense"] = base["flex_dense"]
            rec["sdpa_dense"] = base["sdpa_dense"]
            rec["sdpa_causal"] = base["sdpa_causal"]
        elif fam in ("window", "gna"):
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            style = cfg["mask_params"]
            m = cfg["mask"]
            if fam == "gna":
                mod, P = gna_mask_mod(cfg["tokens"], cfg["tile"], m["window"], m["stride"], m["causal"], style,
                                      torch, "cuda")
                if style == "tensor":
                    # one mask_mod (and so one compiled kernel) per shape: later configs write their numbers into P
                    shape_key = ("gna", tuple(cfg["tokens"]), tuple(m["causal"]), cfg["head_dim"], cfg["batch"],
                                 cfg["heads"])
                    if shape_key in self.tensor_mods:
                        mod, P0 = self.tensor_mods[shape_key]
                        P0.copy_(P)
                        P = P0
                    else:
                        self.tensor_mods[shape_key] = (mod, P)
                ref = gna_reference(cfg["tokens"], m["window"], m["stride"], m["causal"], torch, "cuda") if n <= 8192 else None
                perm = permuted_to_original(cfg["tokens"], cfg["tile"], torch, "cuda")
                rec["attended_pairs"] = None
            else:
                mod, P = window_mask_mod(m, n, style, torch, "cuda")
                if style == "tensor" and m["kind"] != "document":
                    shape_key = ("window", m["kind"], bool(m.get("window")) if m["kind"] == "block_causal" else False,
                                 n, cfg["head_dim"], cfg["batch"], cfg["heads"])
                    if shape_key in self.tensor_mods:
                        mod0, P0 = self.tensor_mods[shape_key]
                        P0.copy_(P)
                        mod, P = mod0, P0
                    else:
                        self.tensor_mods[shape_key] = (mod, P)
                ref = window_reference(m, n, torch, "cuda") if n <= 8192 else None
                perm = None
            if ref is not None:
                rec["mask_mod_matches_reference"] = self.check_mask(mod, ref, n, perm)
                rec["attended_pairs"] = int(ref.sum())
                del ref
            self.measure_masked(rec, cfg, q, k, v, mod, n)
        elif fam == "composed":
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            m = cfg["mask"]
            mod, _ = window_mask_mod(m, n, cfg["mask_params"], torch, "cuda")
            per_head = m["kind"] == "per_head"
            if n <= 8192:
                if per_head:
                    ok, pairs = True, 0
                    for g, h in ((m["groups"][0], 0), (m["groups"][1], cfg["heads"] - 1)):
                        ref = window_reference(g["mask"], n, torch, "cuda")
                        rows = torch.linspace(0, n - 1, steps=min(n, 96), device="cuda").long()
                        kv = torch.arange(n, device="cuda")
                        got = mod(0, torch.tensor(h, device="cuda"), rows[:, None], kv[None, :])
                        ok = ok and bool(torch.equal(got.bool(), ref[rows].bool()))
                        pairs += g["heads"] * int(ref.sum())
                        del ref
                    rec["mask_mod_matches_reference"] = ok
                    rec["attended_pairs"] = pairs / cfg["heads"]
                else:
                    ref = window_reference(m, n, torch, "cuda")
                    rec["mask_mod_matches_reference"] = self.check_mask(mod, ref, n)
                    rec["attended_pairs"] = int(ref.sum())
                    del ref
            self.measure_masked(rec, cfg, q, k, v, mod, n, per_head=per_head)
        elif fam == "radial_vs" and cfg["mask"]["kind"] == "radial":
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            t = time.time()
            blocks = radial_block_mask(cfg["mask"], n, torch, "cuda")
            torch.cuda.synchronize()
            rec["block_mask_build_ms"] = (time.time() - t) * 1e3
            nb = blocks.shape[0]
            counts = blocks.sum(dim=1).to(torch.int32)
            order = torch.argsort((~blocks).to(torch.int8), dim=1, stable=True).to(torch.int32)
            zeros = torch.zeros_like(counts)
            bm = self.BlockMask.from_kv_blocks(zeros[None, None], order[None, None], counts[None, None],
                                               order[None, None], BLOCK_SIZE=BLOCK, mask_mod=None, seq_lengths=(n, n))
            rec["blocks"] = self.block_counts(bm)
            rec["attended_pairs"] = None
            rec["measured"] = self.timed_flex(q, k, v, bm)
            rec["measured_repeat"] = bench(torch, lambda: self.flex(q, k, v, block_mask=bm))["ms"]
            base = self.baseline(cfg, q, k, v)
            rec["dense"] = base["flex_dense"]
            rec["sdpa_dense"] = base["sdpa_dense"]
            rec["sdpa_causal"] = base["sdpa_causal"]
        elif fam == "radial_vs":
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            m = cfg["mask"]
            mod, _ = window_mask_mod(m, n, "tensor", torch, "cuda")
            if n <= 8192:
                ref = window_reference(m, n, torch, "cuda")
                rec["mask_mod_matches_reference"] = self.check_mask(mod, ref, n)
                rec["attended_pairs"] = int(ref.sum())
                del ref
            self.measure_masked(rec, cfg, q, k, v, mod, n)
        elif fam == "micro":
            q, k, v = self.qkv(cfg)
            n = q.shape[2]
            op, kk = cfg["micro"]["op"], cfg["micro"]["k"]
            if op == "all_full":
                rec["measured"] = dict(self.baseline(cfg, q, k, v, kinds=("flex_dense",))["flex_dense"])
            else:
                mod = micro_mask_mod(op, kk, n, torch, "cuda")
                nb = n // BLOCK
                kv_num = torch.full((1, 1, nb), nb, dtype=torch.int32, device="cuda")
                kv_idx = torch.arange(nb, dtype=torch.int32, device="cuda").repeat(nb, 1)[None, None]
                bm = self.BlockMask.from_kv_blocks(kv_num, kv_idx, None, None, BLOCK_SIZE=BLOCK, mask_mod=mod,
                                                   seq_lengths=(n, n))
                rec["blocks"] = self.block_counts(bm)
                rec["measured"] = self.timed_flex(q, k, v, bm)
            base = self.baseline(cfg, q, k, v, kinds=("flex_dense",))
            rec["dense"] = base["flex_dense"]
        elif fam == "decode":
            self.run_decode(cfg, rec)
        rec["gpu_after"] = gpu_state(torch)
        return rec

    def run_decode(self, cfg, rec):
        torch, F = self.torch, self.F
        b, h, hk, d, L = cfg["batch"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["tokens"][0]
        kv_bytes = 2 * b * hk * L * d * 2
        l2 = torch.cuda.get_device_properties(0).L2_cache_size
        copies = int(min(16, max(1, math.ceil(4 * l2 / kv_bytes))))
        q = torch.randn(b, h, 1, d, device="cuda", dtype=torch.bfloat16)
        kvs = [(torch.randn(b, hk, L, d, device="cuda", dtype=torch.bfloat16),
                torch.randn(b, hk, L, d, device="cuda", dtype=torch.bfloat16)) for _ in range(copies)]
        calls = [(lambda kk=kk, vv=vv: F.scaled_dot_product_attention(q, kk, vv, enable_gqa=(h != hk))) for kk, vv in kvs]
        calls = (calls * math.ceil(32 / len(calls)))[:32]
        try:
            rec["measured"] = bench_graph(torch, calls)
        except Exception as e:  # noqa: BLE001
            rec["graph_error"] = f"{type(e).__name__}: {str(e)[:200]}"
            torch.cuda.synchronize()
            rec["measured"] = bench(torch, calls[0])
            rec["measured"]["mode"] = "eager"
        rec["kernels"] = kernel_names(torch, calls[0])[:6]
        rec["kv_bytes"] = kv_bytes
        rec["kv_copies"] = copies
        rec["achieved_bytes_per_s"] = kv_bytes / (rec["measured"]["ms"] * 1e-3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--resume")
    ap.add_argument("--deadline-s", type=float, default=540)
    ap.add_argument("--held-out-all", action="store_true",
                    help="mark the file `held_out: all` (measured after the profiles were fitted: nothing trains)")
    args = ap.parse_args()
    cfgs = make_configs(args.seed)
    fams = args.families.split(",")
    cfgs = [c for c in cfgs if c["family"] in fams and (not args.only or any(s in c["id"] for s in args.only))]
    cfgs.sort(key=lambda c: fams.index(c["family"]))  # the families in the order --families gives them
    if args.list:
        for c in cfgs:
            print(c["family"], c["id"])
        counts = {}
        for c in make_configs(args.seed):
            counts[c["family"]] = counts.get(c["family"], 0) + 1
        print("total", sum(counts.values()), counts)
        return
    doc = {"attnsim_gpu_runs": 1, "seed": args.seed, "argv": sys.argv[1:], "configs": [], "errors": []}
    if args.held_out_all:
        doc["held_out"] = "all"
    done = set()
    if args.resume and os.path.exists(args.resume):
        old = json.load(open(args.resume))
        doc["configs"] = old.get("configs", [])
        done = {c["id"] for c in doc["configs"]}
    import torch
    r = Runner(args)
    doc["device"] = device_facts(torch)
    doc["device"]["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    r.log("device", json.dumps(doc["device"]))
    for cfg in cfgs:
        if cfg["id"] in done:
            continue
        if time.time() - r.t0 > args.deadline_s:
            r.log("deadline reached; stopping before", cfg["id"])
            doc["stopped_before"] = cfg["id"]
            break
        t = time.time()
        try:
            rec = r.run_config(cfg)
            doc["configs"].append(rec)
            r.log(cfg["id"], f"{rec['measured']['ms']:.4f} ms", f"dense {rec.get('dense', {}).get('ms', float('nan')):.4f} ms",
                  f"({time.time() - t:.1f} s)", "" if rec.get("mask_mod_matches_reference", True) else "MASK MISMATCH")
        except Exception as e:  # noqa: BLE001
            doc["errors"].append({"id": cfg["id"], "error": f"{type(e).__name__}: {str(e)[:500]}"})
            r.log("ERROR", cfg["id"], type(e).__name__, str(e)[:300])
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
        doc["elapsed_s"] = time.time() - r.t0
        if args.out:
            write_json(args.out, doc)
    r.log("done", len(doc["configs"]), "configs,", len(doc["errors"]), "errors")


if __name__ == "__main__":
    main()
