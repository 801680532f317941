# %% [markdown]
# # attnsim from Python: a tour
#
# Run it as a script (`python3 python/examples/tour.py`) or cell by cell (`# %%`) in VS Code, Jupyter (jupytext)
# or Spyder. It needs `pip install ./python[test]` (pandas, numpy) and finds the `attnsim` binary itself
# (ATTNSIM_BINARY, PATH, or this checkout's .build, built on first use). A few seconds end to end.

# %%
import os
import tempfile

import numpy as np

import attnsim

HERE = os.path.dirname(os.path.abspath(__file__))
print("attnsim binary:", attnsim.find_binary())

# %% [markdown]
# ## 1. One prediction, typed
# `simulate(hw, wl)` takes files or preset names (`attnsim hw list`, `attnsim workloads`) and returns a `Result`
# of frozen dataclasses, the fields those of docs/schema/result.schema.json.

# %%
r = attnsim.simulate("h100", os.path.join(HERE, "gna-64x64.yaml"))
s = r.simulated
print(f"{r.workload} on {r.hardware}: {s.time_s * 1e6:.1f} us ({s.model}), {s.speedup:.2f}x over dense, "
      f"bound by {s.bottleneck}")
print(f"kernel: {s.mapping.backend}, Q tile {s.mapping.q_tile}, KV tile {s.mapping.kv_tile}; "
      f"{r.tiles.visited} tiles visited of {r.tiles.q_tiles * r.tiles.kv_tiles_self_attention}")
print("utilization:", {unit: round(u, 3) for unit, u in s.utilization.items()})

# %% [markdown]
# ## 2. From the bound to the prediction
# The bounds say what no kernel beats; the waterfall (where the binary gives one) says what each effect costs.

# %%
for name, value in vars(r.bounds).items():
    if value is not None:
        print(f"  {name:<20} {value:7.2f}x")
print(f"  {'predicted':<20} {s.speedup:7.2f}x")
if s.waterfall is not None:
    for step in s.waterfall.steps:
        factor = "" if step.factor is None else f"x{step.factor:.3f}"
        speedup = "" if step.speedup is None else f"-> {step.speedup:.2f}x"
        print(f"  {step.label or step.name:<40} {factor:>8} {speedup}")

# %% [markdown]
# ## 3. A sweep, as a DataFrame
# `sweep(spec)` runs `attnsim sweep` (in a temporary folder unless `out=` names one, which then resumes) and
# returns one row per point: the axes as `axes.PATH`, the result's keys dotted (`simulated.speedup`).

# %%
df = attnsim.sweep(os.path.join(HERE, "gna-window.yaml"))
table = df.pivot(index="axes.mask.window", columns="hardware", values="simulated.speedup")
table["flop bound"] = df.groupby("axes.mask.window")["bounds.flop_speedup"].first()
table.index.name = "window"
print(table.round(2).to_string())

# %% [markdown]
# ## 4. A block mask from an element mask
# `block_mask_to_file` writes a FlexAttention BlockMask (torch's, or numpy arrays with its attributes) as a
# block-mask file; `block_mask_from_dense` makes those arrays from a boolean element mask, no torch needed.
# Here: causal attention within documents of 700, 1200 and 2196 tokens, in 128 x 128 blocks.

# %%
tokens, lengths = 4096, [700, 1200, 2196]
doc = np.repeat(np.arange(len(lengths)), lengths)
i = np.arange(tokens)
element_mask = (doc[:, None] == doc[None, :]) & (i[:, None] >= i[None, :])
folder = tempfile.mkdtemp(prefix="attnsim-tour-")
mask_doc = attnsim.block_mask_to_file(attnsim.block_mask_from_dense(element_mask, 128),
                                      os.path.join(folder, "mask.json"))
full = sum(map(len, mask_doc["full"]))
partial = sum(map(len, mask_doc["partial"]))
print(f"{len(mask_doc['full'])} Q blocks: {full} full, {partial} partial blocks, "
      f"{mask_doc['attended_pairs']} attended pairs ({element_mask.mean():.1%} of the matrix)")

# %%
workload = {"attnsim": 1, "name": "documents-4k",
            "problem": {"batch": 1, "heads": 16, "head_dim": 128, "tokens": tokens, "dtype": "bf16"},
            "mask": {"kind": "block", "file": os.path.join(folder, "mask.json")}}
r = attnsim.simulate("h100", workload)
print(f"{r.workload} on {r.hardware}: {r.simulated.speedup:.2f}x over dense "
      f"(FLOP bound {r.bounds.flop_speedup:.2f}x)")
