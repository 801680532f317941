"""Microbenchmarks of eager PyTorch dispatch on this GPU, the inputs of attnsim's model of per-call estimators
(MInference's pattern search, SeerAttention's gate), and a census of the operations those estimators run.

Nothing here times an estimator: `estimator_bench.py` and `seer_bench.py` do, and those runs are held out.

1. Host cost of one eager operation: chains of operations on tiny tensors (the GPU never binds: each kernel is a
   few microseconds of GPU time, the host takes longer to issue it), timed on the host with time.perf_counter,
   and the kernels each operation launches (torch.profiler). Operations: in-place add (1 kernel), a slice (a view,
   no kernel), where, softmax, a row sum, zeros, cat, and torch.topk on one row of n values for n from 1K to 1M
   (one kernel on its single-block path, several on its multi-block radix-select path).
2. GPU time of one tiny kernel issued back to back: a CUDA graph of 1000 in-place adds on one element, replayed.
3. Census: the top-level (Python-issued) aten operations, all aten operations (nested ones too: an einsum
   dispatches its permutes, reshapes and bmm) and kernels of one head of MInference's estimate
   (estimator_bench.estimate) and of one SeerAttention gate call (seer_bench.gate), from torch.profiler.

Usage: python eager_micro.py --out results.json
"""
import argparse
import json
import time

import torch


def host_per_call(fn, calls=2000):
    for _ in range(100):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    host = (time.perf_counter() - start) / calls
    torch.cuda.synchronize()
    return host


def census(fn):
    """Top-level aten operations (no CPU parent) and CUDA kernels of one call of fn."""
    from torch.profiler import profile, ProfilerActivity
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    events = prof.events()
    kernels = [e for e in events if e.device_type == torch.autograd.DeviceType.CUDA]
    top = [e for e in events if e.device_type == torch.autograd.DeviceType.CPU and e.cpu_parent is None
           and e.name.startswith("aten::")]
    names = {}
    for e in top:
        names[e.name] = names.get(e.name, 0) + 1
    every = [e for e in events if e.device_type == torch.autograd.DeviceType.CPU and e.name.startswith("aten::")]
    return {"top_level_ops": len(top), "all_ops": len(every), "kernels": len(kernels), "ops_by_name": names,
            "kernel_names": sorted({e.name[:50] for e in kernels})}


def gpu_per_kernel(count=1000):
    x = torch.zeros(1, device="cuda")
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            x.add_(1)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(count):
            x.add_(1)
    times = []
    for _ in range(21):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1e3 / count)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--census-tokens", default="4096,16384,32768,131072")
    args = parser.parse_args()
    torch.manual_seed(0)
    began = time.time()
    ops = []
    x = torch.zeros(64, device="cuda")
    y = torch.ones(64, device="cuda")
    cond = torch.rand(64, device="cuda") > 0.5
    m = torch.rand(64, 64, device="cuda")
    simple = {
        "add_": lambda: x.add_(1),
        "slice": lambda: x[1:],
        "where": lambda: torch.where(cond, x, y),
        "softmax_fp32": lambda: torch.softmax(m, dim=-1, dtype=torch.float32),
        "sum_rows": lambda: m.sum(-2, keepdim=True),
        "zeros": lambda: torch.zeros((1, 1, 8, 8), device="cuda"),
        "cat": lambda: torch.cat((x, y), -1),
    }
    for name, fn in simple.items():
        record = {"op": name, "host_us": host_per_call(fn) * 1e6}
        record.update(census(fn))
        ops.append(record)
        print(json.dumps(record), flush=True)
    for n in [1024, 4096, 16384, 20000, 32768, 131072, 1048576]:
        for k in [100, 1000, 6096]:
            row = torch.rand(1, 1, 1, n, device="cuda")
            kk = min(k, n)
            fn = lambda: torch.topk(row, kk, -1)
            record = {"op": "topk", "n": n, "k": kk, "host_us": host_per_call(fn, 300) * 1e6}
            record.update(census(fn))
            # its GPU time alone: events around a chain of 20 calls (the host is ahead once the queue fills)
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            for _ in range(20):
                fn()
            end.record()
            torch.cuda.synchronize()
            record["chain_us_per_call"] = start.elapsed_time(end) * 1e3 / 20
            ops.append(record)
            print(json.dumps({k2: v for k2, v in record.items() if k2 != "kernel_names"}), flush=True)
    gap = gpu_per_kernel()
    print(json.dumps({"gpu_us_per_tiny_kernel": gap}), flush=True)
    censuses = []
    import estimator_bench
    for n in [int(t) for t in args.census_tokens.split(",")]:
        q = torch.randn(1, 1, n, 128, device="cuda", dtype=torch.bfloat16)
        k = torch.randn(1, 1, n, 128, device="cuda", dtype=torch.bfloat16)
        for vertical, slash in [(1000, 6096), (100, 800)]:
            record = {"estimator": "minference", "tokens": n, "vertical": vertical, "slash": slash}
            record.update(census(lambda: estimator_bench.estimate(q, k, vertical, slash)))
            censuses.append(record)
            print(json.dumps({k2: v for k2, v in record.items() if k2 not in ("kernel_names",)}), flush=True)
    try:
        import seer_bench
        for n in [8192, 32768, 131072]:
            inputs = seer_bench.gate_inputs(n, heads=32, kv_heads=8, head_dim=128)
            record = {"estimator": "seer_gate", "tokens": n}
            record.update(census(lambda: seer_bench.gate(*inputs)))
            censuses.append(record)
            print(json.dumps({k2: v for k2, v in record.items() if k2 not in ("kernel_names",)}), flush=True)
    except Exception as error:  # the gate census is recorded as missing, not fatal
        censuses.append({"estimator": "seer_gate", "error": str(error)[:300]})
    props = torch.cuda.get_device_properties(0)
    with open(args.out, "w") as f:
        json.dump({"attnsim_eager_micro": 1, "device": {"name": props.name, "sms": props.multi_processor_count,
                   "torch": torch.__version__}, "ops": ops, "gpu_us_per_tiny_kernel": gap, "census": censuses,
                   "elapsed_s": time.time() - began}, f, indent=1)


if __name__ == "__main__":
    main()
