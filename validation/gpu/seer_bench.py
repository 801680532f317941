"""Block-sparse attention kernels and SeerAttention's gate, timed on this GPU (references.md [SeerAttention]).

Two dedicated block-sparse FlashAttention-2-style Triton kernels, written here from SeerAttention's description
(its code is not imported): 64 x 64 tiles, online softmax, causal, the diagonal block always kept and masked
element-wise, every other kept block computed unmasked.
- `scan` (SeerAttention's prefill kernel at aba03e3, seer_attn/kernels/block_sparse_attn.py: num_warps 4,
  num_stages 2): reads a boolean block mask [B, H, nb, nb] and walks every causal column block of its row,
  loading one mask bit per block and computing the kept ones.
- `lut` (SeerAttention's first kernel, f0884ce, and the CUDA kernel its efficiency benchmark times): reads each
  row's kept column blocks as a list of indices and a count, and visits only those (num_stages 3).

Masks as SeerAttention's eval/efficiency/benchmark_sparse_attn.py draws them: per row of blocks, of the r + 1
causal column blocks max(1, int(density x (r + 1))) are kept, the diagonal always, the others at random, per head.
The dense baseline of the same kernel is density 1. FlashAttention-2 (SDPA's flash backend, causal) is timed beside.

The gate: SeerAttention's AttnGate (seer_attn/prefill_sparse/attn_gate.py, default Qavg_Kmaxminavg, hidden 128,
block 64, threshold method): Q average-pooled per 64-token block; K max-, min- and average-pooled and concatenated
(3 x head_dim), repeated to the query heads and projected per head to 128 (einsum); RoPE at each block's first
position (rotate-half in PyTorch here; SeerAttention uses flash-attn's fused rotary kernel); block scores
q k^T / sqrt(128), block-causal mask, softmax, threshold, the last two block rows dense, tril. One call per layer,
batched over heads, eager PyTorch.

Usage: python seer_bench.py --out results.json [--seconds 300]
Records: `attnsim_gpu_runs` format (validation/gpu/README.md): id, family, workload_yaml, measured.ms, dense.ms
(same kernel at density 1), blocks, fa2_ms; gate records: gate_ms (CUDA events around the eager call, median).
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
import triton
import triton.language as tl

BLOCK = 64


@triton.jit
def _row_step(q, k_base, v_base, start_n, offs_n, offs_d, skn, svn, m_i, l_i, acc, scale):
    k = tl.load(k_base + (start_n + offs_n)[None, :] * skn + offs_d[:, None])
    qk = tl.dot(q, k) * scale
    m_new = tl.maximum(m_i, tl.max(qk, 1))
    p = tl.math.exp2(qk - m_new[:, None])
    alpha = tl.math.exp2(m_i - m_new)
    l_i = l_i * alpha + tl.sum(p, 1)
    acc = acc * alpha[:, None]
    v = tl.load(v_base + (start_n + offs_n)[:, None] * svn + offs_d[None, :])
    acc = tl.dot(p.to(v.dtype), v, acc)
    return m_new, l_i, acc


@triton.jit
def _bsa_kernel(Q, K, V, Out, Mask, Lut, Count, sm_scale, n_ctx, H, KV_REP,
                sqb, sqh, sqm, skb, skh, skn, svb, svh, svn, sob, soh, som,
                smb, smh, smm, slb, slh, slm,
                BLOCK_M: tl.constexpr, HEAD_DIM: tl.constexpr, USE_LUT: tl.constexpr):
    start_m = tl.program_id(0)
    off_hz = tl.program_id(1)
    off_b = off_hz // H
    off_h = off_hz % H
    off_kh = off_h // KV_REP
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + off_b * sqb + off_h * sqh + offs_m[:, None] * sqm + offs_d[None, :],
                mask=offs_m[:, None] < n_ctx, other=0.0)
    k_base = K + off_b * skb + off_kh * skh
    v_base = V + off_b * svb + off_kh * svh
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], tl.float32)
    scale = sm_scale * 1.44269504
    if USE_LUT:
        lut = Lut + off_b * slb + off_h * slh + start_m * slm
        count = tl.load(Count + off_hz * tl.num_programs(0) + start_m)
        for i in range(0, count):
            col = tl.load(lut + i)
            m_i, l_i, acc = _row_step(q, k_base, v_base, col * BLOCK_M, offs_n, offs_d, skn, svn, m_i, l_i, acc,
                                      scale)
    else:
        mask_row = Mask + off_b * smb + off_h * smh + start_m * smm
        for col in range(0, start_m):
            keep = tl.load(mask_row + col)
            if keep:
                m_i, l_i, acc = _row_step(q, k_base, v_base, col * BLOCK_M, offs_n, offs_d, skn, svn, m_i, l_i,
                                          acc, scale)
    # the diagonal block: always kept, masked element-wise (and at the sequence end)
    start_n = start_m * BLOCK_M
    kv_ok = (start_n + offs_n) < n_ctx
    k = tl.load(k_base + (start_n + offs_n)[None, :] * skn + offs_d[:, None], mask=kv_ok[None, :], other=0.0)
    qk = tl.dot(q, k) * scale
    qk = tl.where((offs_m[:, None] >= (start_n + offs_n)[None, :]) & kv_ok[None, :], qk, float("-inf"))
    m_new = tl.maximum(m_i, tl.max(qk, 1))
    p = tl.math.exp2(qk - m_new[:, None])
    alpha = tl.math.exp2(m_i - m_new)
    l_i = l_i * alpha + tl.sum(p, 1)
    acc = acc * alpha[:, None]
    v = tl.load(v_base + (start_n + offs_n)[:, None] * svn + offs_d[None, :], mask=kv_ok[:, None], other=0.0)
    acc = tl.dot(p.to(v.dtype), v, acc)
    acc = acc / l_i[:, None]
    tl.store(Out + off_b * sob + off_h * soh + offs_m[:, None] * som + offs_d[None, :],
             acc.to(Out.dtype.element_ty), mask=offs_m[:, None] < n_ctx)


def block_sparse_attention(q, k, v, mask, lut, count, variant):
    """q: [B, H, N, D]; k, v: [B, Hk, N, D]; mask: bool [B, H, nb, nb]; lut/count from `to_lut`."""
    b, h, n, d = q.shape
    out = torch.empty_like(q)
    nb = triton.cdiv(n, BLOCK)
    use_lut = variant == "lut"
    _bsa_kernel[(nb, b * h)](
        q, k, v, out, mask, lut, count, 1.0 / math.sqrt(d), n, h, h // k.shape[1],
        *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *out.stride()[:3],
        *mask.stride()[:3], *lut.stride()[:3],
        BLOCK_M=BLOCK, HEAD_DIM=d, USE_LUT=use_lut, num_warps=4, num_stages=3 if use_lut else 2)
    return out


def random_block_mask(b, h, n, density, seed, block=BLOCK, device="cuda"):
    """benchmark_sparse_attn.py's rule: row r keeps max(1, int(density x (r + 1))) of its causal blocks; here the
    diagonal is always one of them and the rest are drawn at random per head. `block` tokens per block (this
    file's kernels: 64; backward_bench.py's FlexAttention masks: 128)."""
    nb = (n + block - 1) // block
    g = torch.Generator(device=device).manual_seed(seed)
    rows = torch.arange(nb, device=device)
    keep = torch.clamp((density * (rows + 1).double()).floor().long(), min=1)  # kept per row, diagonal included
    scores = torch.rand((b, h, nb, nb), device=device, generator=g)
    below = rows[None, :] < rows[:, None]                                      # columns before the diagonal
    scores = torch.where(below, scores, -1.0)
    rank = scores.argsort(-1, descending=True).argsort(-1)                     # 0 = highest score in the row
    mask = (rank < (keep - 1)[:, None]) & below
    mask |= torch.eye(nb, dtype=torch.bool, device=device)
    return mask, keep


def to_lut(mask):
    """Each row's kept column blocks before the diagonal, ascending, padded; and their count."""
    b, h, nb, _ = mask.shape
    cols = torch.arange(nb, device=mask.device, dtype=torch.int32)
    off = mask & (cols[None, :] < cols[:, None])
    count = off.sum(-1).to(torch.int32)
    width = max(int(count.max().item()), 1)
    key = torch.where(off, cols, torch.iinfo(torch.int32).max)
    lut = key.sort(-1).values[..., :width].contiguous()
    return lut, count.contiguous()


def timed(fn, seconds=0.3, min_reps=3, max_reps=50):
    fn()
    torch.cuda.synchronize()
    times = []
    began = time.time()
    while len(times) < max_reps and (len(times) < min_reps or time.time() - began < seconds):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2], len(times)


def check(variant):
    """Against SDPA's math path with the element mask the blocks and causality give (n not a multiple of 64)."""
    torch.manual_seed(0)
    b, h, n, d = 1, 4, 2000, 128
    q, k, v = (torch.randn(b, h, n, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    mask, _ = random_block_mask(b, h, n, 0.4, seed=1)
    lut, count = to_lut(mask)
    out = block_sparse_attention(q, k, v, mask, lut, count, variant)
    idx = torch.arange(n, device="cuda")
    allowed = mask[:, :, idx // BLOCK][:, :, :, idx // BLOCK] & (idx[None, :] <= idx[:, None])
    ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(), attn_mask=allowed)
    return float((out.float() - ref).abs().max())


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), -1)
    return x * cos + rotated * sin


def gate_inputs(n, heads, kv_heads, head_dim, hidden=128):
    q = torch.randn(1, n, heads, head_dim, device="cuda", dtype=torch.bfloat16)
    k = torch.randn(1, n, kv_heads, head_dim, device="cuda", dtype=torch.bfloat16)
    weight = torch.randn(heads, 3 * head_dim, hidden, device="cuda", dtype=torch.bfloat16) / math.sqrt(3 * head_dim)
    nb = (n + BLOCK - 1) // BLOCK
    pos = torch.arange(nb, device="cuda").float()[:, None] * BLOCK
    freq = 1.0 / (10000 ** (torch.arange(0, hidden, 2, device="cuda").float() / hidden))
    angle = torch.cat((pos * freq, pos * freq), -1)
    cos = angle.cos()[None, :, None, :].to(torch.bfloat16)
    sin = angle.sin()[None, :, None, :].to(torch.bfloat16)
    causal = torch.triu(torch.full((nb, nb), torch.finfo(torch.bfloat16).min, device="cuda",
                                   dtype=torch.bfloat16), 1)
    return q, k, weight, cos, sin, causal, 5e-4


def gate(q, k, weight, cos, sin, causal, threshold):
    heads = q.shape[2]
    size = [BLOCK, 1, 1]
    qp = F.avg_pool3d(q, kernel_size=size, stride=size, ceil_mode=True)
    kp = torch.cat((F.max_pool3d(k, kernel_size=size, stride=size, ceil_mode=True),
                    -F.max_pool3d(-k, kernel_size=size, stride=size, ceil_mode=True),
                    F.avg_pool3d(k, kernel_size=size, stride=size, ceil_mode=True)), -1)
    b, nb, hk, c = kp.shape
    kp = kp[:, :, :, None, :].expand(b, nb, hk, heads // hk, c).reshape(b, nb, heads, c)
    kp = torch.einsum("bshi,hio->bsho", kp, weight)
    qp, kp = rope(qp, cos, sin), rope(kp, cos, sin)
    qp, kp = qp.transpose(1, 2), kp.transpose(1, 2)
    attn = torch.matmul(qp, kp.transpose(-1, -2)) * (kp.shape[-1] ** -0.5)
    attn = attn + causal
    attn = F.softmax(attn, dim=-1)
    mask = attn > threshold
    mask[:, :, -2:, :] = True
    mask.tril_()
    return mask


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, default=330)
    args = parser.parse_args()
    began = time.time()
    props = torch.cuda.get_device_properties(0)
    errors = {variant: check(variant) for variant in ("scan", "lut")}
    print(json.dumps({"check_max_abs_error": errors}), flush=True)
    configs = []
    # (tokens, head_dim, densities): SeerAttention's benchmark lengths and sparsities, plus head_dim 64 and 256
    plan = [(8192, 128, [1.0, 0.5, 0.3, 0.1]), (32768, 128, [1.0, 0.5, 0.3, 0.2, 0.1]),
            (131072, 128, [1.0, 0.5, 0.1]), (16384, 64, [1.0, 0.5, 0.1]), (16384, 128, [1.0, 0.3, 0.05]),
            (65536, 128, [1.0, 0.25, 0.1]), (16384, 256, [1.0, 0.5, 0.1])]
    heads = 32
    for n, d, densities in plan:
        if time.time() - began > args.seconds:
            break
        q, k, v = (torch.randn(1, heads, n, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        try:
            with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.FLASH_ATTENTION):
                fa2_ms, _ = timed(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
        except Exception as error:  # head_dim 256 may have no flash kernel here
            fa2_ms = None
            print(json.dumps({"fa2_error": str(error)[:200], "tokens": n, "head_dim": d}), flush=True)
        dense_ms = {}
        for density in densities:
            mask, keep = random_block_mask(1, heads, n, density, seed=n + d)
            lut, count = to_lut(mask)
            kept = int(keep.sum().item()) * heads
            for variant in ("scan", "lut"):
                if time.time() - began > args.seconds:
                    break
                try:
                    ms, reps = timed(lambda: block_sparse_attention(q, k, v, mask, lut, count, variant))
                except Exception as error:  # e.g. shared memory at head_dim 256
                    print(json.dumps({"error": str(error)[:300], "variant": variant, "tokens": n, "head_dim": d}),
                          flush=True)
                    continue
                if density == 1.0:
                    dense_ms[variant] = ms
                backend = "block-sparse-scan" if variant == "scan" else "block-sparse"
                cid = f"bsa-{variant}-n{n}-d{d}-density{density}"
                yaml = (f"attnsim: 1\nname: {cid}\n"
                        f"problem: {{batch: 1, heads: {heads}, head_dim: {d}, tokens: [{n}], dtype: bf16}}\n"
                        f"mask: {{kind: block, block: {BLOCK}, density: {density}, causal: true}}\n"
                        f"kernel: {{backend: {backend}, q_tile: [{BLOCK}], kv_tile: [{BLOCK}]}}\n")
                record = {"id": cid, "family": f"block_sparse_{variant}", "workload_yaml": yaml,
                          "measured": {"ms": ms, "reps": reps},
                          "dense": {"ms": dense_ms.get(variant)} if variant in dense_ms else None,
                          "blocks": {"kept": kept, "partial": (n + BLOCK - 1) // BLOCK * heads,
                                     "full": kept - (n + BLOCK - 1) // BLOCK * heads},
                          "fa2_ms": fa2_ms, "density": density}
                configs.append(record)
                print(json.dumps(record | {"workload_yaml": None}), flush=True)
        del q, k, v
        torch.cuda.empty_cache()
    gates = []
    for n in [8192, 16384, 32768, 65536, 131072]:
        inputs = gate_inputs(n, heads=32, kv_heads=8, head_dim=128)
        ms, reps = timed(lambda: gate(*inputs), seconds=0.3, min_reps=11)
        kept = gate(*inputs).sum().item()
        gates.append({"tokens": n, "heads": 32, "kv_heads": 8, "head_dim": 128, "block": BLOCK, "hidden": 128,
                      "gate_ms": ms, "reps": reps, "kept_blocks": kept})
        print(json.dumps(gates[-1]), flush=True)
        del inputs
        torch.cuda.empty_cache()
    with open(args.out, "w") as f:
        json.dump({"attnsim_gpu_runs": 1, "device": {"name": props.name, "sms": props.multi_processor_count,
                   "torch": torch.__version__, "triton": triton.__version__,
                   "date_utc": time.strftime("%Y-%m-%d", time.gmtime())},
                   "check_max_abs_error": errors, "configs": configs, "gates": gates,
                   "elapsed_s": time.time() - began}, f, indent=1)


if __name__ == "__main__":
    main()
