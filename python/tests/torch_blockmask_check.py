"""A manual check for a machine with torch (CI has none, so pytest does not collect this file): block_mask_to_file
on real create_block_mask BlockMasks (one mask for all heads, per-head windows; square and 64x128 blocks) writes
the same document as block_mask_from_dense on the same numpy element mask, then the converter's own self test
(create_block_mask against dense references) runs.

    python3 python/tests/torch_blockmask_check.py [DEVICE...]     # default: cuda (when available) and cpu

Last run: H200, torch 2.11.0+cu130: 12 of 12 comparisons (cuda and cpu) and the self test's 70 checks passed.
"""
import os
import sys
import tempfile

import numpy as np
import torch
from torch.nn.attention.flex_attention import create_block_mask

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from attnsim import blockmask as M  # noqa: E402

devices = sys.argv[1:] or (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]
n = 2048
i = np.arange(n)
causal = i[:, None] >= i[None, :]
windows = [128, 384, 640]
failed = 0
path = os.path.join(tempfile.mkdtemp(), "mask.json")
for device in devices:
    w = torch.tensor(windows, device=device)
    cases = [("causal", lambda b, h, q, kv: q >= kv, None, causal),
             ("sliding 300", lambda b, h, q, kv: (q >= kv) & (q - kv < 300), None,
              causal & (i[:, None] - i[None, :] < 300)),
             ("per-head windows", lambda b, h, q, kv: (q >= kv) & (q - kv < w[h]), 3,
              np.stack([causal & (i[:, None] - i[None, :] < x) for x in windows]))]
    for name, mask_mod, heads, dense in cases:
        for block in (128, (64, 128)):
            bm = create_block_mask(mask_mod, B=None, H=heads, Q_LEN=n, KV_LEN=n, device=device, BLOCK_SIZE=block)
            got = M.block_mask_to_file(bm, path)
            ok = got == M.blockmask_to_dict(M.block_mask_from_dense(dense, block))
            failed += not ok
            print("PASS" if ok else "FAIL", device, name, block, "per-head" if got["heads"] else "heads null")
print(f"torch BlockMask against numpy block_mask_from_dense: {failed} failed")
good, _ = M.selftest(devices[0])
sys.exit(1 if failed or not good else 0)
