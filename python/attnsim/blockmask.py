"""Convert a PyTorch FlexAttention BlockMask into attnsim's block-mask JSON, and check the result.

The one implementation of the conversion: `attnsim.block_mask_to_file` (this package) and the command line
`python3 scripts/blockmask_to_json.py ...` (a thin wrapper that runs main() below from a checkout, without
installing; `python3 -m attnsim.blockmask ...` is the same once installed) both use it.

attnsim reads block-sparse masks (`mask: {kind: block, file: mask.json}`) in this format:

    { "attnsim_block_mask": 1,
      "block_size": [128, 128],            # [Q block tokens, KV block tokens]
      "full":    [[0, 3, 7], [1, 2], ...], # full[q]: KV blocks where every element of Q block q attends
      "partial": [[5], [], ...],           # partial[q] (optional): KV blocks with an element mask inside
      "heads":   null }                    # or a list of {"full": ..., "partial": ...}, one per head,
                                           # and then no top-level "full"/"partial"

One list per Q block (ceil(tokens / block_size[0]) of them); a KV block in neither list is skipped. Blocks are
over the 1-D token order. Indices out of range, duplicates, or a block in both lists are errors; lists are
sorted ascending.

How a BlockMask maps onto it (torch/nn/attention/flex_attention.py,
https://github.com/pytorch/pytorch/blob/main/torch/nn/attention/flex_attention.py, and
https://docs.pytorch.org/docs/stable/nn.attention.flex_attention.html):
  * `full_kv_num_blocks[b, h, q]` / `full_kv_indices[b, h, q, :n]` are the full blocks of Q block q;
  * `kv_num_blocks[b, h, q]` / `kv_indices[b, h, q, :n]` are the blocks on which the kernel applies mask_mod.
    When full blocks are given separately (create_block_mask's default), these are the PARTIAL blocks only:
    `_convert_mask_to_block_mask(..., separate_full_blocks=True)` sets
    `partial = (block_sum > 0) & (block_sum < Q_BLOCK*KV_BLOCK)` and `full = block_sum == Q_BLOCK*KV_BLOCK`,
    so kv_num_blocks does NOT include the full blocks. When a BlockMask has no full_kv_* tensors, kv_* hold every
    non-empty block; the converter then writes them all as partial (mask_mod applies to every one of them).
  * only the first `n` entries of an index row are meaningful; the rest is undefined and ignored.
  * BLOCK_SIZE is (Q_BLOCK_SIZE, KV_BLOCK_SIZE); seq_lengths is (Q_LEN, KV_LEN).
  * create_block_mask pads the element mask with False up to a multiple of the block size, so at a ragged end
    (tokens not a multiple of the block) the edge blocks are never full: they come out partial.

Batch: one batch index is converted (default 0, `--batch`); a BlockMask with batch dimension 1 is broadcast
and any index reads row 0. Heads: head dimension 1 (broadcast) gives `heads: null`; several heads that are all
identical are collapsed to the top-level lists (also `heads: null`); otherwise one {full, partial} per head.

Usage:
  python3 scripts/blockmask_to_json.py --recipe causal --tokens 8192 --block 128 --out mask.json
  python3 scripts/blockmask_to_json.py --recipe sliding_window --window 1024 --tokens 8192 --out m.json
  python3 scripts/blockmask_to_json.py --recipe document --lengths 3000,2000,3192 [--causal] --out m.json
  python3 scripts/blockmask_to_json.py --recipe gna2d --grid 64x128 --window2d 32x32 [--tile 8x16] --out m.json
  ... add --check to compare the result with a brute-force dense element mask (keep tokens small: N x N bools)
  python3 scripts/blockmask_to_json.py --validate mask.json [--tokens N]   # pure Python, no torch needed
  python3 scripts/blockmask_to_json.py --selftest [--device cuda]

Python API: block_mask_to_file(block_mask, path, *, batch=0) -> dict (convert, validate, write);
blockmask_to_dict(block_mask, batch=0, info=None) -> dict; block_mask_from_dense(mask, block_size) ->
BlockMaskArrays (a BlockMask's index arrays from an element mask, numpy, no torch); classify_dense(mask,
block_size) -> (full, partial); validate_doc(doc, tokens=None) -> (errors, warnings); validate_file(path,
tokens=None); write_json(doc, path). A "BlockMask" is a torch one or any object with its attributes
(BLOCK_SIZE, seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices) holding numpy arrays or
nested lists. torch is imported only by the recipes and the self test, numpy only by the functions that take
arrays, so --validate runs on plain Python.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile

FORMAT_VERSION = 1
TOP_KEYS = ("attnsim_block_mask", "block_size", "full", "partial", "heads", "attended_pairs")


# ---------------------------------------------------------------------------------------------------------------
# Pure-Python validator (no torch)
# ---------------------------------------------------------------------------------------------------------------
def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _check_lists(full, partial, nq, nkv, where, errors, warnings):
    """Check one {full, partial} pair. `where` is '' or ' (head h)'."""
    if not isinstance(full, list):
        errors.append(f"full{where}: expected a list of per-Q-block lists")
        return
    if partial is not None and not isinstance(partial, list):
        errors.append(f"partial{where}: expected a list of per-Q-block lists")
        return
    if nq is not None and len(full) != nq:
        errors.append(f"full{where}: {len(full)} Q-block lists, expected {nq}")
    if partial is not None and len(partial) != len(full):
        errors.append(f"partial{where}: {len(partial)} Q-block lists, but full has {len(full)}")
    for q in range(len(full)):
        rows = [("full", full[q])]
        if partial is not None and q < len(partial):
            rows.append(("partial", partial[q]))
        seen = {}
        for name, row in rows:
            if not isinstance(row, list):
                errors.append(f"Q block {q}{where}: {name} entry is not a list")
                continue
            mine = set()
            for x in row:
                if not _is_int(x):
                    errors.append(f"Q block {q}{where}: {name} has a non-integer index {x!r}")
                    continue
                if x < 0 or (nkv is not None and x >= nkv):
                    errors.append(f"Q block {q}{where}: {name} index {x} out of range [0, {nkv})")
                if x in mine:
                    errors.append(f"Q block {q}{where}: {name} lists KV block {x} twice")
                elif x in seen:
                    errors.append(f"Q block {q}{where}: KV block {x} is in both full and partial")
                mine.add(x)
            ints = [x for x in row if _is_int(x)]
            if ints != sorted(ints):
                warnings.append(f"Q block {q}{where}: {name} is not sorted ascending")
            for x in mine:
                seen[x] = name


def validate_doc(doc, tokens=None):
    """Check a parsed attnsim block-mask document. Returns (errors, warnings), lists of strings.

    tokens: sequence length, if known: then the number of Q-block lists must be ceil(tokens / block_size[0]) and
    KV indices must be < ceil(tokens / block_size[1]). Without it the KV bound is taken from the number of Q
    blocks (self-attention over one token sequence: ceil(nq * block_size[0] / block_size[1]), an upper bound
    when the two block sizes differ)."""
    errors, warnings = [], []
    if not isinstance(doc, dict):
        return ["top level: expected a JSON object"], warnings
    if doc.get("attnsim_block_mask") != FORMAT_VERSION or not _is_int(doc.get("attnsim_block_mask")):
        errors.append(f"attnsim_block_mask: expected {FORMAT_VERSION}, got {doc.get('attnsim_block_mask')!r}")
    for k in doc:
        if k not in TOP_KEYS:
            warnings.append(f"unknown top-level key {k!r}")
    bs = doc.get("block_size")
    if not (isinstance(bs, list) and len(bs) == 2 and all(_is_int(b) and b > 0 for b in bs)):
        errors.append(f"block_size: expected [q, kv] positive integers, got {bs!r}")
        return errors, warnings
    heads = doc.get("heads")
    if "heads" not in doc:
        warnings.append("heads missing (read as null)")
    if heads is None:
        if "full" not in doc:
            errors.append("full: missing (required when heads is null)")
            return errors, warnings
        pairs = [(doc["full"], doc.get("partial"), "")]
    elif isinstance(heads, list):
        if not heads:
            errors.append("heads: empty list")
        for k in ("full", "partial"):
            if k in doc:
                errors.append(f"{k}: must be absent at top level when heads is a list")
        pairs = []
        for h, e in enumerate(heads):
            if not isinstance(e, dict) or "full" not in e:
                errors.append(f"heads[{h}]: expected an object with 'full' (and optional 'partial')")
                continue
            for k in e:
                if k not in ("full", "partial"):
                    warnings.append(f"heads[{h}]: unknown key {k!r}")
            pairs.append((e["full"], e.get("partial"), f" (head {h})"))
    else:
        errors.append(f"heads: expected null or a list, got {type(heads).__name__}")
        return errors, warnings
    if tokens is not None:
        nq = -(-tokens // bs[0])
        nkv = -(-tokens // bs[1])
    else:
        nq = len(pairs[0][0]) if pairs and isinstance(pairs[0][0], list) else None
        nkv = None if nq is None else -(-(nq * bs[0]) // bs[1])
    for full, partial, where in pairs:
        _check_lists(full, partial, nq, nkv, where, errors, warnings)
    return errors, warnings


def validate_file(path, tokens=None):
    """validate_doc on a JSON file; a file that does not parse is one error."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{path}: cannot read JSON: {e}"], []
    return validate_doc(doc, tokens)


def block_counts(doc):
    """(full, partial) block totals, summed over heads when per-head; one Q-block list set per head."""
    if doc.get("heads") is None:
        sets = [(doc["full"], doc.get("partial") or [])]
    else:
        sets = [(e["full"], e.get("partial") or []) for e in doc["heads"]]
    return (sum(len(r) for f, _ in sets for r in f), sum(len(r) for _, p in sets for r in p))


def _pairs_line(doc):
    """The optional `attended_pairs` entry: the exact count of attended (query, key) pairs per head, which the
    blocks alone do not give when some are partial (attnsim then reports exact FLOPs and the FLOP bound)."""
    if doc.get("attended_pairs") is None:
        return ""
    return ',\n "attended_pairs": ' + json.dumps(doc["attended_pairs"])


def write_json(doc, path):
    """Write the document with one Q-block list per line (small, diff-friendly, still plain JSON)."""
    def rows(lists, ind):
        if not lists:
            return "[]"
        return "[\n" + ",\n".join(ind + json.dumps(r, separators=(", ", ": ")) for r in lists) + "\n" + ind[:-1] + "]"

    lines = ["{" + f'"attnsim_block_mask": {doc["attnsim_block_mask"]},',
             f' "block_size": {json.dumps(doc["block_size"])},']
    if doc.get("heads") is None:
        lines.append(f' "full": {rows(doc["full"], "  ")},')
        if "partial" in doc:
            lines.append(f' "partial": {rows(doc["partial"], "  ")},')
        lines.append(' "heads": null' + _pairs_line(doc) + '}')
    else:
        hs = []
        for e in doc["heads"]:
            s = '  {"full": ' + rows(e["full"], "    ")
            if "partial" in e:
                s += ',\n   "partial": ' + rows(e["partial"], "    ")
            hs.append(s + "}")
        lines.append(' "heads": [\n' + ",\n".join(hs) + "\n ]" + _pairs_line(doc) + "}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # never write something that is not JSON
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------------
# BlockMask -> dict
# ---------------------------------------------------------------------------------------------------------------
def _rows(num, idx, nq, nkv, what):
    """Per-Q-block sorted index lists from one [R] count row and [R, C] index rows (Python lists)."""
    out = []
    for q in range(nq):
        n = int(num[q]) if q < len(num) else 0
        r = sorted(int(x) for x in idx[q][:n])
        for x in r:
            if x < 0 or x >= nkv:
                raise ValueError(f"Q block {q}: {what} KV index {x} out of range [0, {nkv})")
        if len(set(r)) != len(r):
            raise ValueError(f"Q block {q}: {what} lists a KV block twice")
        out.append(r)
    return out


def _tolist(x):
    """A torch tensor (any device), numpy array or nested sequence as nested Python lists."""
    if hasattr(x, "detach"):
        x = x.detach().cpu()
    if hasattr(x, "tolist"):
        return x.tolist()
    return [_tolist(v) for v in x] if isinstance(x, (list, tuple)) else x


def _shape(x):
    """Shape of a tensor, array or rectangular nested list (the first entry's lengths for a list)."""
    if hasattr(x, "shape"):
        return tuple(int(n) for n in x.shape)
    shape = []
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    return tuple(shape)


def blockmask_to_dict(block_mask, batch=0, info=None):
    """attnsim block-mask dict of one batch entry of a FlexAttention BlockMask: a torch one, or any object with
    its attributes holding numpy arrays or nested lists (kv_num_blocks [B, H, Q], kv_indices [B, H, Q, KV],
    full_kv_num_blocks / full_kv_indices the same or None, BLOCK_SIZE an int or (Q, KV), seq_lengths (Q, KV)).

    info: optional dict, filled with what was decided (batch used, head handling, counts, seq_lengths)."""
    bs = block_mask.BLOCK_SIZE
    bs = (int(bs), int(bs)) if isinstance(bs, int) else (int(bs[0]), int(bs[1]))
    q_len, kv_len = (int(x) for x in block_mask.seq_lengths)
    nq, nkv = -(-q_len // bs[0]), -(-kv_len // bs[1])
    kvn, kvi = block_mask.kv_num_blocks, block_mask.kv_indices
    fn, fi = block_mask.full_kv_num_blocks, block_mask.full_kv_indices
    kvn_shape, kvi_shape = _shape(kvn), _shape(kvi)
    if len(kvn_shape) != 3 or len(kvi_shape) != 4:
        raise ValueError(f"expected kv_num_blocks [B,H,Q] and kv_indices [B,H,Q,KV], got "
                         f"{kvn_shape} and {kvi_shape}")
    B, H = kvn_shape[0], kvn_shape[1]
    if batch < 0 or (batch >= B and B != 1):
        raise ValueError(f"batch {batch} out of range: the BlockMask has batch dimension {B}")
    b = 0 if B == 1 else batch
    kvn_l, kvi_l = _tolist(kvn[b]), _tolist(kvi[b])
    has_full = fn is not None
    if has_full:
        fn_l, fi_l = _tolist(fn[b]), _tolist(fi[b])
    per_head = []
    for h in range(H):
        partial = _rows(kvn_l[h], kvi_l[h], nq, nkv, "partial")
        full = _rows(fn_l[h], fi_l[h], nq, nkv, "full") if has_full else [[] for _ in range(nq)]
        for q in range(nq):
            both = set(full[q]) & set(partial[q])
            if both:
                raise ValueError(f"Q block {q} (head {h}): KV blocks {sorted(both)} are both full and partial")
        per_head.append((full, partial))
    doc = {"attnsim_block_mask": FORMAT_VERSION, "block_size": [bs[0], bs[1]]}
    identical = all(p == per_head[0] for p in per_head[1:])
    if H == 1 or identical:
        doc["full"], doc["partial"] = per_head[0]
        doc["heads"] = None
        head_mode = "broadcast (head dim 1)" if H == 1 else f"{H} identical heads collapsed"
    else:
        doc["heads"] = [{"full": f, "partial": p} for f, p in per_head]
        head_mode = f"{H} heads written per head"
    if info is not None:
        nf, np_ = block_counts(doc)
        info.update({"batch_dim": B, "batch_used": b, "batch_requested": batch, "head_dim": H,
                     "heads": head_mode, "seq_lengths": [q_len, kv_len], "q_blocks": nq, "kv_blocks": nkv,
                     "full_kv_given": has_full, "full_blocks": nf, "partial_blocks": np_})
    return doc


class BlockMaskArrays:
    """A BlockMask's attributes as numpy arrays, without torch: what blockmask_to_dict and block_mask_to_file
    read. block_mask_from_dense builds one; `attended_pairs` (per head) is written to the file when set."""

    def __init__(self, BLOCK_SIZE, seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks=None,
                 full_kv_indices=None, attended_pairs=None):
        self.BLOCK_SIZE, self.seq_lengths = BLOCK_SIZE, seq_lengths
        self.kv_num_blocks, self.kv_indices = kv_num_blocks, kv_indices
        self.full_kv_num_blocks, self.full_kv_indices = full_kv_num_blocks, full_kv_indices
        self.attended_pairs = attended_pairs

    def __repr__(self):
        return (f"BlockMaskArrays(BLOCK_SIZE={self.BLOCK_SIZE}, seq_lengths={self.seq_lengths}, "
                f"heads={self.kv_num_blocks.shape[1]})")


def block_mask_from_dense(mask, block_size=128):
    """A BlockMask's arrays from a boolean element mask, as create_block_mask lays them out (full blocks in
    full_kv_*, partial ones in kv_*), in numpy: for users without torch. mask: [Q, KV] (one mask for every head)
    or [H, Q, KV] (per head); block_size: an int or (Q, KV).

        >>> import numpy as np, attnsim
        >>> i = np.arange(4096)
        >>> causal_window = (i[:, None] >= i[None, :]) & (i[:, None] - i[None, :] < 1000)
        >>> attnsim.block_mask_to_file(attnsim.block_mask_from_dense(causal_window, 128), "mask.json")
    """
    import numpy as np
    bs = _parse_pair(block_size)
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim == 2:
        mask = mask[None]
    if mask.ndim != 3:
        raise ValueError(f"expected a [Q, KV] or [H, Q, KV] element mask, got shape {mask.shape}")
    H, Nq, Nk = mask.shape
    nq, nk = -(-Nq // bs[0]), -(-Nk // bs[1])
    arrays = {}
    for name, lists_of in (("kv", 1), ("full_kv", 0)):
        num = np.zeros((1, H, nq), dtype=np.int32)
        idx = np.zeros((1, H, nq, nk), dtype=np.int32)
        for h in range(H):
            for q, row in enumerate(classify_dense(mask[h], bs)[lists_of]):
                rest = sorted(set(range(nk)) - set(row))
                num[0, h, q] = len(row)
                idx[0, h, q] = row + rest  # past num: unused, as in torch
        arrays[name] = (num, idx)
    return BlockMaskArrays(BLOCK_SIZE=(bs[0], bs[1]), seq_lengths=(Nq, Nk), kv_num_blocks=arrays["kv"][0],
                           kv_indices=arrays["kv"][1], full_kv_num_blocks=arrays["full_kv"][0],
                           full_kv_indices=arrays["full_kv"][1],
                           attended_pairs=[int(n) for n in mask.sum(axis=(1, 2))])


def block_mask_to_file(block_mask, path, *, batch=0, attended_pairs=None):
    """Write one batch entry of a FlexAttention BlockMask (torch, or any object with its attributes holding
    numpy arrays or nested lists; see blockmask_to_dict) as an attnsim block-mask file, for a workload's
    `mask: {kind: block, file: PATH}`. The document is validated before it is written; returns it.

    attended_pairs: the exact count of attended (query, key) pairs, one number or one per head (the blocks alone
    do not give it when some are partial); defaults to the block mask's own `attended_pairs` attribute, if any.

        >>> from torch.nn.attention.flex_attention import create_block_mask
        >>> bm = create_block_mask(lambda b, h, q, kv: q >= kv, None, None, 8192, 8192, device="cpu")
        >>> doc = attnsim.block_mask_to_file(bm, "causal.json")    # then: mask: {kind: block, file: causal.json}
    """
    doc = blockmask_to_dict(block_mask, batch=batch)
    pairs = attended_pairs if attended_pairs is not None else getattr(block_mask, "attended_pairs", None)
    if isinstance(pairs, (list, tuple)):
        pairs = [int(p) for p in pairs]
        if doc["heads"] is None and len(set(pairs)) == 1:
            pairs = pairs[0]
        elif doc["heads"] is None:  # the heads share their blocks but not their element counts: one entry each
            doc = {"attnsim_block_mask": doc["attnsim_block_mask"], "block_size": doc["block_size"],
                   "heads": [{"full": doc["full"], "partial": doc["partial"]} for _ in pairs]}
        if isinstance(pairs, list) and len(pairs) != len(doc["heads"]):
            raise ValueError(f"attended_pairs has {len(pairs)} entries but the mask has {len(doc['heads'])} heads")
    if pairs is not None:
        doc["attended_pairs"] = pairs if isinstance(pairs, list) else int(pairs)
    q_len, kv_len = (int(x) for x in block_mask.seq_lengths)
    errors, _ = validate_doc(doc, q_len if q_len == kv_len else None)
    if errors:
        raise ValueError("block mask: " + "; ".join(errors[:10]))
    write_json(doc, os.fspath(path))
    return doc


# ---------------------------------------------------------------------------------------------------------------
# Recipes: mask_mods and independent dense references
# ---------------------------------------------------------------------------------------------------------------
def _parse_pair(s):
    """'AxB', 'A', an int, or a 2-sequence -> [A, B] ('A' and an int give [A, A])."""
    if isinstance(s, (list, tuple)):
        a = [int(x) for x in s]
    elif isinstance(s, int):
        a = [s]
    else:
        a = [int(x) for x in str(s).lower().split("x")]
    if len(a) == 1:
        a = a * 2
    if len(a) != 2:
        raise ValueError(f"expected AxB, got {s!r}")
    return a


def _na_bounds(L, w, s):
    """Non-causal neighbourhood-attention window along one axis of length L (window w, stride s): inclusive
    [lo, hi] per coordinate, as Python lists. leader = min((i//s)*s + s//2, L-1),
    start = clamp(leader - w//2, 0, L - w)."""
    if not 1 <= w <= L:
        raise ValueError(f"window {w} must be in [1, {L}]")
    lo, hi = [], []
    for i in range(L):
        leader = min((i // s) * s + s // 2, L - 1)
        start = min(max(leader - w // 2, 0), L - w)
        lo.append(start)
        hi.append(start + w - 1)
    return lo, hi


def _tile_perm(grid, tile):
    """orig[p] = row-major original flat index of the token stored at position p, when the (H, W) grid is
    stored tile by tile (tiles row-major, tokens row-major inside a tile)."""
    (Hg, Wg), (th, tw) = grid, tile
    if Hg % th or Wg % tw:
        raise ValueError(f"grid {Hg}x{Wg} not divisible by tile {th}x{tw}")
    orig = []
    for ty in range(Hg // th):
        for tx in range(Wg // tw):
            for y in range(th):
                for x in range(tw):
                    orig.append((ty * th + y) * Wg + tx * tw + x)
    return orig


class Recipe:
    """A named mask: mask_mod(b, h, q_idx, kv_idx) for create_block_mask plus dense_reference() -> [N, N] bool
    written independently of the mask_mod (tril/band/block-diagonal/Kronecker products)."""

    def __init__(self, name, tokens, device, window=None, lengths=None, causal=None, grid=None, window2d=None,
                 stride2d=None, tile=None):
        import torch
        self.name, self.N, self.device = name, tokens, device
        self.desc = {"recipe": name, "tokens": tokens}
        dev = device
        if name == "causal":
            self.mask_mod = lambda b, h, q, kv: q >= kv
        elif name == "sliding_window":
            if not window or window < 1:
                raise ValueError("sliding_window needs --window W >= 1")
            W = int(window)
            self.W = W
            self.desc.update(window=W, causal=True)
            self.mask_mod = lambda b, h, q, kv: (q >= kv) & (q - kv < W)
        elif name == "document":
            if not lengths:
                raise ValueError("document needs --lengths a,b,c")
            if sum(lengths) != tokens or min(lengths) < 1:
                raise ValueError(f"document lengths {lengths} must be positive and sum to tokens {tokens}")
            self.lengths = list(lengths)
            self.causal = bool(causal)
            self.desc.update(lengths=self.lengths, causal=self.causal)
            doc = torch.repeat_interleave(torch.arange(len(lengths), device=dev),
                                          torch.tensor(lengths, device=dev)).to(torch.int32)
            self.doc_id = doc
            if self.causal:
                self.mask_mod = lambda b, h, q, kv: (doc[q] == doc[kv]) & (q >= kv)
            else:
                self.mask_mod = lambda b, h, q, kv: doc[q] == doc[kv]
        elif name == "gna2d":
            if causal:
                raise ValueError("gna2d is non-causal")
            grid = _parse_pair(grid) if grid else None
            if grid is None:
                side = int(math.isqrt(tokens))
                if side * side != tokens:
                    raise ValueError("gna2d needs --grid HxW when tokens is not a square")
                grid = [side, side]
            if grid[0] * grid[1] != tokens:
                raise ValueError(f"grid {grid} does not hold {tokens} tokens")
            w2 = _parse_pair(window2d) if window2d else None
            if w2 is None:
                raise ValueError("gna2d needs --window2d WHxWW")
            s2 = _parse_pair(stride2d) if stride2d else [1, 1]
            t2 = _parse_pair(tile) if tile else None
            self.grid, self.w2, self.s2, self.tile = grid, w2, s2, t2
            self.desc.update(grid=grid, window2d=w2, stride2d=s2, tile=t2)
            self.bounds = [_na_bounds(grid[a], w2[a], s2[a]) for a in range(2)]
            orig = _tile_perm(grid, t2) if t2 else list(range(tokens))
            self.orig = orig
            ys = [o // grid[1] for o in orig]
            xs = [o % grid[1] for o in orig]
            T = lambda v: torch.tensor(v, dtype=torch.int32, device=dev)
            cy, cx = T(ys), T(xs)
            loy, hiy = T([self.bounds[0][0][y] for y in ys]), T([self.bounds[0][1][y] for y in ys])
            lox, hix = T([self.bounds[1][0][x] for x in xs]), T([self.bounds[1][1][x] for x in xs])

            def gna_mask(b, h, q, kv):
                ky, kx = cy[kv], cx[kv]
                return (ky >= loy[q]) & (ky <= hiy[q]) & (kx >= lox[q]) & (kx <= hix[q])

            self.mask_mod = gna_mask
        else:
            raise ValueError(f"unknown recipe {name!r}")

    def dense_reference(self):
        import torch
        N, dev = self.N, self.device
        ones = torch.ones(N, N, dtype=torch.bool, device=dev)
        if self.name == "causal":
            return torch.tril(ones)
        if self.name == "sliding_window":
            return torch.tril(ones) & ~torch.tril(ones, diagonal=-self.W)
        if self.name == "document":
            m = torch.block_diag(*[torch.ones(n, n, dtype=torch.bool, device=dev) for n in self.lengths])
            return m & torch.tril(ones) if self.causal else m
        if self.name == "gna2d":
            ax = []
            for a in range(2):
                L = self.grid[a]
                lo, hi = self.bounds[a]
                m = torch.zeros(L, L, dtype=torch.bool, device=dev)
                for i in range(L):
                    m[i, lo[i]:hi[i] + 1] = True
                ax.append(m)
            m = (ax[0][:, None, :, None] & ax[1][None, :, None, :]).reshape(N, N)  # row-major order
            o = torch.tensor(self.orig, dtype=torch.long, device=dev)
            return m[o][:, o]
        raise AssertionError(self.name)

    def block_mask(self, block, B=None, H=None):
        from torch.nn.attention.flex_attention import create_block_mask
        return create_block_mask(self.mask_mod, B=B, H=H, Q_LEN=self.N, KV_LEN=self.N, device=self.device,
                                 BLOCK_SIZE=block)


# ---------------------------------------------------------------------------------------------------------------
# Brute-force check
# ---------------------------------------------------------------------------------------------------------------
def _block_sums(mask, bs):
    """[Q, KV] element mask (a torch tensor, which stays on its device, a numpy array or nested lists) -> [nq, nkv]
    nested lists of attended elements per block, the mask padded with False to a multiple of the block sizes
    first (as create_block_mask does)."""
    if hasattr(mask, "detach"):
        import torch
        import torch.nn.functional as F
        Nq, Nk = mask.shape
        nq, nk = -(-Nq // bs[0]), -(-Nk // bs[1])
        m = F.pad(mask, (0, nk * bs[1] - Nk, 0, nq * bs[0] - Nq))
        return m.view(nq, bs[0], nk, bs[1]).permute(0, 2, 1, 3).sum(dim=(-2, -1), dtype=torch.int64).cpu().tolist()
    import numpy as np
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"expected a [Q, KV] element mask, got shape {mask.shape}")
    Nq, Nk = mask.shape
    nq, nk = -(-Nq // bs[0]), -(-Nk // bs[1])
    m = np.zeros((nq * bs[0], nk * bs[1]), dtype=bool)
    m[:Nq, :Nk] = mask
    return m.reshape(nq, bs[0], nk, bs[1]).sum(axis=(1, 3), dtype=np.int64).tolist()


def classify_dense(mask, bs):
    """[Q, KV] bool element mask (torch, numpy or nested lists) -> (full, partial) per-Q-block sorted lists: a
    block is full iff every element attends, partial iff some do. The mask is padded with False to a multiple of
    the block sizes first (as create_block_mask does), so ragged edge blocks are never full."""
    area = bs[0] * bs[1]
    sums = _block_sums(mask, bs)
    full = [[k for k, n in enumerate(row) if n == area] for row in sums]
    part = [[k for k, n in enumerate(row) if 0 < n < area] for row in sums]
    return full, part


def compare_doc(doc, ref_full, ref_partial, head=None):
    """Differences between the doc's (one head's) lists and the reference lists, as strings naming Q blocks."""
    if doc.get("heads") is None:
        full, partial = doc["full"], doc.get("partial") or [[] for _ in doc["full"]]
    else:
        e = doc["heads"][head or 0]
        full, partial = e["full"], e.get("partial") or [[] for _ in e["full"]]
    diffs = []
    if len(full) != len(ref_full):
        return [f"{len(full)} Q blocks, reference has {len(ref_full)}"]
    for q in range(len(ref_full)):
        for name, got, want in (("full", full[q], ref_full[q]), ("partial", partial[q], ref_partial[q])):
            if sorted(got) != sorted(want):
                extra = sorted(set(got) - set(want))
                missing = sorted(set(want) - set(got))
                diffs.append(f"Q block {q}{'' if head is None else f' (head {head})'}: {name} has extra "
                             f"{extra[:8]} missing {missing[:8]}")
    return diffs


def check_recipe(recipe, block, path=None, log=print):
    """Build the BlockMask with create_block_mask, convert it, and compare with the brute-force dense mask
    (both the independent reference and the mask_mod evaluated element-wise). Returns a result dict."""
    import torch
    bs = _parse_pair(block)
    res = {**recipe.desc, "block_size": bs, "device": str(recipe.device)}
    bm = recipe.block_mask(tuple(bs))
    info = {}
    doc = blockmask_to_dict(bm, info=info)
    res["info"] = info
    problems = []
    # 1. the element mask: independent reference == mask_mod evaluated by broadcasting
    ref = recipe.dense_reference()
    doc["attended_pairs"] = int(ref.sum().item())
    ar = torch.arange(recipe.N, device=recipe.device)
    z = torch.zeros((), dtype=torch.long, device=recipe.device)
    mm = recipe.mask_mod(z, z, ar[:, None], ar[None, :])
    if not torch.equal(mm.to(torch.bool), ref):
        problems.append(f"mask_mod and dense reference disagree on {int((mm != ref).sum())} elements")
    # 2. block classification
    rf, rp = classify_dense(ref, bs)
    problems += compare_doc(doc, rf, rp)
    # 3. torch's own counts: kv_num_blocks must equal the partial count (full blocks counted separately)
    kv_sum = int(bm.kv_num_blocks[0, 0].sum())
    full_sum = int(bm.full_kv_num_blocks[0, 0].sum()) if bm.full_kv_num_blocks is not None else None
    ref_p, ref_f = sum(map(len, rp)), sum(map(len, rf))
    res["kv_num_blocks_sum"], res["full_kv_num_blocks_sum"] = kv_sum, full_sum
    res["ref_partial"], res["ref_full"] = ref_p, ref_f
    res["kv_num_blocks_is_partial_only"] = kv_sum == ref_p and full_sum == ref_f
    res["kv_num_blocks_includes_full"] = kv_sum == ref_p + ref_f and ref_f > 0
    if not res["kv_num_blocks_is_partial_only"]:
        problems.append(f"kv_num_blocks sum {kv_sum} / full {full_sum} vs reference partial {ref_p} / full {ref_f}")
    # 4. the written file validates and reads back equal
    tmpd = None
    if path is None:
        tmpd = tempfile.mkdtemp(prefix="bm2json-")
        path = os.path.join(tmpd, "mask.json")
    write_json(doc, path)
    errs, warns = validate_file(path, tokens=recipe.N)
    problems += [f"validator: {e}" for e in errs] + [f"validator warning: {w}" for w in warns]
    with open(path) as f:
        if json.load(f) != doc:
            problems.append("file does not read back equal to the dict")
    res["bytes"] = os.path.getsize(path)
    if tmpd:
        os.remove(path)
        os.rmdir(tmpd)
    res["full_blocks"], res["partial_blocks"] = block_counts(doc)
    res["problems"] = problems[:20]
    res["pass"] = not problems
    log(f"{'PASS' if res['pass'] else 'FAIL'} {json.dumps(recipe.desc)} block {bs[0]}x{bs[1]} on "
        f"{recipe.device}: full {res['full_blocks']} partial {res['partial_blocks']} (q blocks "
        f"{info['q_blocks']}), kv_num_blocks sum {kv_sum} = partial only: {res['kv_num_blocks_is_partial_only']}"
        + ("" if res["pass"] else "\n    " + "\n    ".join(problems[:10])))
    return res


# ---------------------------------------------------------------------------------------------------------------
# Self test
# ---------------------------------------------------------------------------------------------------------------
def _validator_cases():
    """Pure-Python negative/positive cases for validate_doc: (name, doc, tokens, expect_error_substring)."""
    good = {"attnsim_block_mask": 1, "block_size": [128, 128], "full": [[0], [0, 1]], "partial": [[], []],
            "heads": None}
    def mod(**kw):
        d = json.loads(json.dumps(good))
        d.update(kw)
        return d
    return [
        ("good", good, 256, None),
        ("good, tokens unknown", good, None, None),
        ("good, partial omitted", {k: v for k, v in good.items() if k != "partial"}, 256, None),
        ("wrong version", mod(attnsim_block_mask=2), 256, "attnsim_block_mask"),
        ("bad block_size", mod(block_size=[128]), 256, "block_size"),
        ("too few lists", mod(full=[[0]], partial=[[]]), 256, "expected 2"),
        ("partial count", mod(partial=[[]]), 256, "partial: 1 Q-block lists"),
        ("out of range", mod(full=[[0], [0, 2]]), 256, "Q block 1: full index 2 out of range"),
        ("out of range, tokens unknown", mod(full=[[0], [0, 2]]), None, "Q block 1: full index 2"),
        ("negative", mod(full=[[-1], [0]]), 256, "Q block 0: full index -1"),
        ("duplicate", mod(full=[[0, 0], [0]]), 256, "Q block 0: full lists KV block 0 twice"),
        ("overlap", mod(partial=[[], [1]]), 256, "Q block 1: KV block 1 is in both"),
        ("non-integer", mod(full=[[0.5], [0]]), 256, "non-integer"),
        ("bool index", mod(full=[[True], [0]]), 256, "non-integer"),
        ("heads + top-level", mod(heads=[{"full": [[0], [0]]}]), 256, "must be absent"),
        ("heads ok", {"attnsim_block_mask": 1, "block_size": [64, 128], "heads": [
            {"full": [[0], [0], [0, 1], [1]], "partial": [[], [], [], []]}, {"full": [[], [], [], []]}]}, 256, None),
        ("heads bad head", {"attnsim_block_mask": 1, "block_size": [128, 128], "heads": [
            {"full": [[0], [0]]}, {"full": [[0], [0]], "partial": [[], [0]]}]}, 256,
         "Q block 1 (head 1): KV block 0 is in both"),
        ("ragged tokens", mod(full=[[0], [0, 1]]), 200, None),
        ("ragged tokens, too many", mod(full=[[0], [0, 1]], partial=[[], []]), 100, "expected 1"),
    ]


def selftest(device, log=print):
    import torch
    passed, failed = 0, 0

    def ok(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            log(f"FAIL {what}")

    # pure-Python validator
    for name, doc, tokens, expect in _validator_cases():
        errs, warns = validate_doc(doc, tokens)
        if expect is None:
            ok(not errs, f"validator '{name}': unexpected errors {errs}")
        else:
            ok(any(expect in e for e in errs), f"validator '{name}': expected an error with {expect!r}, got {errs}")
    errs, warns = validate_doc({"attnsim_block_mask": 1, "block_size": [128, 128], "full": [[1, 0], [0]],
                                "partial": [[], []], "heads": None}, 256)
    ok(not errs and any("not sorted" in w for w in warns), f"validator: unsorted is a warning ({errs}, {warns})")
    log(f"validator cases: {passed} passed, {failed} failed")

    # recipes against brute force
    results = []
    cases = []
    for n in (1024, 2048, 4096):
        for block in (128, 64):
            cases += [("causal", n, block, {}),
                      ("sliding_window", n, block, {"window": n // 8}),
                      ("sliding_window", n, block, {"window": 300}),
                      ("document", n, block, {"lengths": [n // 2 - 77, n // 4, n - (n // 2 - 77) - n // 4]}),
                      ("document", n, block, {"lengths": [n // 2 - 77, n // 4, n - (n // 2 - 77) - n // 4],
                                              "causal": True})]
    cases += [("gna2d", 4096, 128, {"grid": "64x64", "window2d": "16x16"}),
              ("gna2d", 4096, 128, {"grid": "64x64", "window2d": "16x16", "tile": "8x16"}),
              ("gna2d", 4096, 128, {"grid": "64x64", "window2d": "40x48", "tile": "8x16"}),
              ("gna2d", 2048, 64, {"grid": "32x64", "window2d": "9x13", "stride2d": "2x4", "tile": "8x8"}),
              ("causal", 3000, 128, {}),                       # ragged end: edge blocks are partial
              ("document", 3000, 128, {"lengths": [1000, 2000]}),
              ("causal", 2048, (64, 128), {}),                 # unequal Q / KV block sizes
              ("sliding_window", 2048, (128, 64), {"window": 500})]
    for name, n, block, kw in cases:
        r = Recipe(name, n, device, **kw)
        res = check_recipe(r, block if isinstance(block, tuple) else (block, block), log=log)
        results.append(res)
        ok(res["pass"], f"recipe {name} {n} {block} {kw}")

    # the comparison itself catches a wrong doc, naming the Q block
    rr = Recipe("causal", 1024, device)
    d = blockmask_to_dict(rr.block_mask((128, 128)))
    rf, rp = classify_dense(rr.dense_reference(), (128, 128))
    d["full"][3] = d["full"][3][:-1]
    d["partial"][3] = sorted(d["partial"][3] + [2])
    diffs = compare_doc(d, rf, rp)
    ok(len(diffs) == 2 and all(x.startswith("Q block 3:") for x in diffs), f"compare_doc on a broken doc: {diffs}")

    # batch and heads handling
    from torch.nn.attention.flex_attention import create_block_mask
    n, bs = 1024, 128
    lens = torch.tensor([[256, 768], [512, 512]], device=device)
    docs = torch.stack([torch.repeat_interleave(torch.arange(2, device=device), l) for l in lens])
    bm = create_block_mask(lambda b, h, q, kv: docs[b, q] == docs[b, kv], B=2, H=None, Q_LEN=n, KV_LEN=n,
                           device=device, BLOCK_SIZE=bs)
    for bi in (0, 1):
        info = {}
        d = blockmask_to_dict(bm, batch=bi, info=info)
        L = lens[bi].tolist()
        ref = torch.block_diag(*[torch.ones(x, x, dtype=torch.bool, device=device) for x in L])
        rf, rp = classify_dense(ref, (bs, bs))
        diffs = compare_doc(d, rf, rp)
        ok(not diffs and info["batch_used"] == bi and d["heads"] is None, f"batch {bi}: {diffs[:3]} {info}")
    try:
        blockmask_to_dict(bm, batch=2)
        ok(False, "batch 2 of 2 should raise")
    except ValueError:
        ok(True, "")
    # per-head windows -> per-head output; same mask on every head -> collapsed
    Ws = torch.tensor([128, 384, 640], device=device)
    bm = create_block_mask(lambda b, h, q, kv: (q >= kv) & (q - kv < Ws[h]), B=None, H=3, Q_LEN=n, KV_LEN=n,
                           device=device, BLOCK_SIZE=bs)
    info = {}
    d = blockmask_to_dict(bm, info=info)
    ok(isinstance(d["heads"], list) and len(d["heads"]) == 3 and "full" not in d, f"per-head: {info}")
    ones = torch.ones(n, n, dtype=torch.bool, device=device)
    for h, W in enumerate(Ws.tolist()):
        rf, rp = classify_dense(torch.tril(ones) & ~torch.tril(ones, diagonal=-W), (bs, bs))
        diffs = compare_doc(d, rf, rp, head=h)
        ok(not diffs, f"per-head {h}: {diffs[:3]}")
    ok(not validate_doc(d, n)[0], "per-head doc validates")
    bm = create_block_mask(lambda b, h, q, kv: q >= kv, B=1, H=4, Q_LEN=n, KV_LEN=n, device=device,
                           BLOCK_SIZE=bs)
    info = {}
    d = blockmask_to_dict(bm, info=info)
    ok(d["heads"] is None and "collapsed" in info["heads"], f"identical heads collapse: {info}")
    # a BlockMask without full blocks: everything non-empty comes out partial
    from torch.nn.attention.flex_attention import BlockMask
    nq = n // bs
    dense = torch.tril(torch.ones(nq, nq, dtype=torch.int32, device=device))
    num = dense.sum(-1).to(torch.int32)[None, None]
    idx = torch.argsort(dense, dim=-1, descending=True, stable=True).to(torch.int32)[None, None]
    d = blockmask_to_dict(BlockMask.from_kv_blocks(num, idx, BLOCK_SIZE=bs, seq_lengths=(n, n)))
    ok(d["full"] == [[] for _ in range(nq)] and d["partial"] == [list(range(q + 1)) for q in range(nq)],
       "no full_kv_*: all non-empty blocks partial")
    # write_json round trip of a per-head doc
    tmpd = tempfile.mkdtemp(prefix="bm2json-")
    p = os.path.join(tmpd, "h.json")
    dh = {"attnsim_block_mask": 1, "block_size": [128, 128],
          "heads": [{"full": [[0], []], "partial": [[], [0, 1]]}, {"full": [[], [1]], "partial": [[0], [0]]}]}
    write_json(dh, p)
    with open(p) as f:
        ok(json.load(f) == dh and not validate_file(p, 256)[0], "per-head write/read/validate")
    os.remove(p)
    os.rmdir(tmpd)

    partial_only = all(r["kv_num_blocks_is_partial_only"] for r in results)
    log(f"kv_num_blocks counts partial blocks only (full blocks separate) in all {len(results)} recipe checks: "
        f"{partial_only}")
    log(f"selftest on {device} (torch {torch.__version__}): {passed} passed, {failed} failed")
    return failed == 0, {"passed": passed, "failed": failed, "recipes": results, "torch": torch.__version__,
                         "device": str(device), "kv_num_blocks_partial_only": partial_only}


# ---------------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", choices=["causal", "sliding_window", "document", "gna2d"])
    ap.add_argument("--tokens", type=int, help="sequence length N (Q_LEN = KV_LEN)")
    ap.add_argument("--block", default="128", help="block size: B or QxKV (default 128)")
    ap.add_argument("--window", type=int, help="sliding_window: keys per query, causal (q-W < kv <= q)")
    ap.add_argument("--lengths", help="document: comma-separated document lengths summing to --tokens")
    ap.add_argument("--causal", action="store_true", help="document: also causal inside each document")
    ap.add_argument("--grid", help="gna2d: HxW token grid (H*W = tokens)")
    ap.add_argument("--window2d", help="gna2d: neighbourhood window WHxWW (non-causal)")
    ap.add_argument("--stride2d", help="gna2d: GNA stride SHxSW (default 1x1)")
    ap.add_argument("--tile", help="gna2d: store tokens tile by tile (THxTW tiles); default row-major")
    ap.add_argument("--batch", type=int, default=0, help="batch index to convert (default 0)")
    ap.add_argument("--device", default=None, help="device for create_block_mask (default: cuda if available)")
    ap.add_argument("--out", help="write the JSON here")
    ap.add_argument("--check", action="store_true", help="compare with a brute-force dense element mask")
    ap.add_argument("--validate", metavar="FILE", help="validate a JSON file (pure Python; --tokens optional)")
    ap.add_argument("--selftest", action="store_true", help="validator cases + --check on several recipes")
    ap.add_argument("--selftest-json", help="with --selftest: write the results here")
    a = ap.parse_args(argv)

    if a.validate:
        errs, warns = validate_file(a.validate, a.tokens)
        for w in warns:
            print("warning:", w)
        for e in errs:
            print("error:", e)
        if not errs:
            with open(a.validate) as f:
                d = json.load(f)
            nf, np_ = block_counts(d)
            nq = len(d["full"]) if d.get("heads") is None else len(d["heads"][0]["full"])
            print(f"{a.validate}: OK, block_size {d['block_size']}, {nq} Q blocks, "
                  f"{'per-head ' + str(len(d['heads'])) if d.get('heads') else 'all heads'}: "
                  f"full {nf}, partial {np_}")
        return 0 if not errs else 1

    import torch
    device = a.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if a.selftest:
        good, res = selftest(device)
        if a.selftest_json:
            with open(a.selftest_json, "w") as f:
                json.dump(res, f, indent=1)
        return 0 if good else 1
    if not a.recipe or not a.tokens:
        ap.error("--recipe and --tokens are needed (or --validate / --selftest)")
    lengths = [int(x) for x in a.lengths.split(",")] if a.lengths else None
    r = Recipe(a.recipe, a.tokens, device, window=a.window, lengths=lengths, causal=a.causal, grid=a.grid,
               window2d=a.window2d, stride2d=a.stride2d, tile=a.tile)
    bs = _parse_pair(a.block)
    if a.check:
        if a.tokens > 16384:
            print(f"warning: --check builds a dense {a.tokens}x{a.tokens} mask", file=sys.stderr)
        res = check_recipe(r, bs, path=a.out)
        return 0 if res["pass"] else 1
    info = {}
    doc = blockmask_to_dict(r.block_mask(tuple(bs)), batch=a.batch, info=info)
    errs, _ = validate_doc(doc, a.tokens)
    if errs:
        print("\n".join(errs), file=sys.stderr)
        return 1
    if a.out:
        write_json(doc, a.out)
    print(json.dumps({**r.desc, **info, "out": a.out, "bytes": os.path.getsize(a.out) if a.out else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
