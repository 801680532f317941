"""How much DRAM bandwidth n SMs can draw: a Triton kernel whose n CTAs (one per SM) each stream a contiguous share
of a 4 GiB bf16 buffer (a sum, so nothing is written back), for n = 1 … all SMs. Self-contained (torch + Triton).

    python3 validation/gpu/sm_bandwidth_bench.py --out OUT.json
"""
import argparse, json, time
import torch, triton, triton.language as tl


@triton.jit
def stream(x_ptr, out_ptr, per_cta, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    base = pid.to(tl.int64) * per_cta
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for off in range(0, per_cta, BLOCK):
        acc += tl.load(x_ptr + base + off + tl.arange(0, BLOCK)).to(tl.float32)
    tl.store(out_ptr + pid, tl.sum(acc))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    props = torch.cuda.get_device_properties(0)
    sms = props.multi_processor_count
    n_elems = 2 * 1024 ** 3  # 4 GiB of bf16
    x = torch.ones(n_elems, device="cuda", dtype=torch.bfloat16)
    out = torch.empty(sms * 8, device="cuda", dtype=torch.float32)
    rows = []
    for ctas in [1, 2, 4, 8, 16, 32, 64, 96, 132, 264, 528]:
        for warps, stages, BLOCK in ((4, 1, 4096), (4, 3, 4096), (8, 4, 8192)):
            # each CTA streams at most 64 MiB (a multiple of every BLOCK) so few-CTA runs stay short; total bytes = ctas * per_cta * 2
            per_cta = min(n_elems // ctas, 32 * 1024 ** 2) // 8192 * 8192
            f = lambda: stream[(ctas,)](x, out, per_cta, BLOCK=BLOCK, num_warps=warps, num_stages=stages)
            f(); torch.cuda.synchronize()
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            ts = []
            for _ in range(5):
                s.record(); f(); e.record(); torch.cuda.synchronize()
                ts.append(s.elapsed_time(e) * 1e-3)
            t = sorted(ts)[len(ts) // 2]
            bytes_ = ctas * per_cta * 2
            rows.append({"ctas": ctas, "warps": warps, "stages": stages, "block_elems": BLOCK, "bytes": bytes_, "s": t, "bytes_per_s": bytes_ / t,
                         "per_cta_bytes_per_s": bytes_ / t / ctas})
            print(f"{ctas:4d} CTAs x {warps} warps, {stages} stages, {BLOCK}-element loads: {bytes_ / t / 1e9:8.1f} GB/s total, {bytes_ / t / ctas / 1e9:7.1f} GB/s per CTA", flush=True)
    doc = {"device": props.name, "sms": sms, "torch": torch.__version__, "triton": triton.__version__,
           "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": rows}
    if args.out:
        json.dump(doc, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
