"""Times MInference's per-step vertical-slash index estimation on this GPU (references.md [MInference]:
minference/modules/minference_forward.py, `vertical_and_slash_kernel` up to the sparse-attention call).

Per head, as MInference runs it (one head at a time, in eager PyTorch): the last 64 queries against every key
(einsum, scaled), the last 64 x 64 block masked causally, softmax in fp32, column sums -> the top `vertical` keys
(the first 30 forced), diagonal sums through a zero-padded strided view -> the top `slash` offsets (the 100 nearest
forced). Written here from that description; MInference is not imported.

Usage: python estimator_bench.py --out results.json [--tokens 4096,...] [--heads 32] [--head-dim 128]
       python estimator_bench.py --out unused --decompose decomposition.json [--tokens ...]
Writes one record per (tokens, vertical, slash): the median time of all heads' estimation (CUDA events around the
loop over heads, after warm-up), the time of one head, and the shapes.
"""
import argparse
import json
import math
import time

import torch

LAST_Q = 64


def estimate(q, k, vertical, slash, last_q=LAST_Q):
    """One head's estimation: q, k of shape (1, 1, n, d). Returns the vertical keys and slash offsets."""
    n, d = q.shape[2], q.shape[3]
    last_q = min(last_q, n)
    vertical, slash = min(n, max(vertical, 30)), min(n, max(slash, 50))
    qk = torch.einsum("bhmk,bhnk->bhmn", q[:, :, -last_q:, :], k) / math.sqrt(d)
    rows = torch.arange(last_q, device=q.device)
    causal = rows[:, None] >= rows[None, :]
    qk[:, :, :, -last_q:] = torch.where(causal, qk[:, :, :, -last_q:], -torch.inf)
    qk = torch.softmax(qk, dim=-1, dtype=torch.float32)
    columns = qk.sum(-2, keepdim=True)
    columns[..., :30] = torch.inf
    vertical_keys = torch.topk(columns, vertical, -1).indices
    m = qk.shape[2]
    zeros = torch.zeros((1, 1, m, m), device=q.device, dtype=qk.dtype)
    padded = torch.cat((zeros, qk, zeros), -1)
    width = 2 * m + n
    diagonals = padded.as_strided((1, 1, m, m + n), (m * width, m * width, width + 1, 1)).sum(2)[:, :, 1:]
    diagonals = diagonals[..., : -last_q + 1]
    diagonals[..., -100:] = torch.inf
    slash_offsets = (n - 1) - torch.topk(diagonals, slash, -1).indices
    return vertical_keys, slash_offsets


def timed(fn, reps):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(reps):
        torch.cuda.synchronize()
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2], times[0], times[-1]


def decompose(out, tokens, head_dim, vertical, slash):
    """Where one head's estimate spends its time: the host's dispatch of one eager operation (a chain of 2000 tiny
    in-place adds, timed on the host with the GPU idle), the kernels one head launches (torch.profiler), and the
    GPU time of one head replayed from a CUDA graph (no host dispatch)."""
    x = torch.zeros(1, device="cuda")
    for _ in range(200):
        x.add_(1)
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(2000):
        x.add_(1)
    host_op_us = (time.perf_counter() - t) / 2000 * 1e6
    torch.cuda.synchronize()
    records = []
    for n in tokens:
        q = torch.randn(1, 1, n, head_dim, device="cuda", dtype=torch.bfloat16)
        k = torch.randn(1, 1, n, head_dim, device="cuda", dtype=torch.bfloat16)
        for _ in range(3):
            estimate(q, k, vertical, slash)
        torch.cuda.synchronize()
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            estimate(q, k, vertical, slash)
            torch.cuda.synchronize()
        kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        gpu_us = sum(e.time_range.elapsed_us() for e in kernels)
        by_name = {}
        for e in kernels:
            by_name[e.name[:60]] = by_name.get(e.name[:60], 0) + e.time_range.elapsed_us()
        top = sorted(by_name.items(), key=lambda kv: -kv[1])[:6]
        graph_ms = None
        try:
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                for _ in range(2):
                    estimate(q, k, vertical, slash)
            torch.cuda.current_stream().wait_stream(stream)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                estimate(q, k, vertical, slash)
            graph_ms, _, _ = timed(graph.replay, 21)
        except Exception as error:  # a capture that fails is recorded, not fatal
            graph_ms = "capture failed: " + str(error)[:200]
        eager_ms, _, _ = timed(lambda: estimate(q, k, vertical, slash), 21)
        records.append({"tokens": n, "vertical": vertical, "slash": slash, "kernels": len(kernels),
                        "profiled_gpu_us": gpu_us, "top_kernels_us": top, "graph_ms": graph_ms, "eager_ms": eager_ms})
        print(json.dumps(records[-1]), flush=True)
        del q, k
    with open(out, "w") as f:
        json.dump({"attnsim_estimator_decomposition": 1, "host_op_us": host_op_us, "head_dim": head_dim,
                   "configs": records}, f, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--tokens", default="4096,8192,16384,32768,65536,131072,262144")
    parser.add_argument("--heads", type=int, default=32)
    parser.add_argument("--head-dim", type=int, default=128)
    parser.add_argument("--lines", default="1000:6096,500:700,100:800,3500:100")
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--decompose", help="also write the per-head decomposition to this file")
    args = parser.parse_args()
    if args.decompose:
        decompose(args.decompose, [int(x) for x in args.tokens.split(",")], args.head_dim, 1000, 6096)
        return
    torch.manual_seed(0)
    began = time.time()
    records = []
    props = torch.cuda.get_device_properties(0)
    for n in [int(x) for x in args.tokens.split(",")]:
        q = torch.randn(1, args.heads, n, args.head_dim, device="cuda", dtype=torch.bfloat16)
        k = torch.randn(1, args.heads, n, args.head_dim, device="cuda", dtype=torch.bfloat16)
        for pair in args.lines.split(","):
            if time.time() - began > args.seconds:
                break
            vertical, slash = (int(x) for x in pair.split(":"))

            def all_heads():
                for h in range(args.heads):
                    estimate(q[:, h : h + 1], k[:, h : h + 1], vertical, slash)

            def one_head():
                estimate(q[:, :1], k[:, :1], vertical, slash)

            for _ in range(2):
                all_heads()
            reps = 11 if n <= 65536 else 5
            ms, low, high = timed(all_heads, reps)
            head_ms, _, _ = timed(one_head, 21)
            records.append({"tokens": n, "heads": args.heads, "head_dim": args.head_dim, "last_q": LAST_Q,
                            "vertical": vertical, "slash": slash, "ms": ms, "min_ms": low, "max_ms": high,
                            "one_head_ms": head_ms, "reps": reps})
            print(json.dumps(records[-1]), flush=True)
        del q, k
        torch.cuda.empty_cache()
    with open(args.out, "w") as f:
        json.dump({"attnsim_estimator_runs": 1, "device": {"name": props.name, "sms": props.multi_processor_count,
                   "torch": torch.__version__}, "argv": vars(args), "configs": records,
                   "elapsed_s": time.time() - began}, f, indent=1)


if __name__ == "__main__":
    main()
