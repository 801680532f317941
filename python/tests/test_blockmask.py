"""block_mask_to_file against an independent brute force: element masks written as Python predicates, their
full/partial block lists counted element by element here, and the files round-tripped through `attnsim simulate`."""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

np = pytest.importorskip("numpy")

import attnsim  # noqa: E402
from attnsim import blockmask  # noqa: E402


def element_mask(n_q, n_kv, attends):
    return [[bool(attends(q, kv)) for kv in range(n_kv)] for q in range(n_q)]


def brute_force(mask, bq, bk):
    """Per Q block: KV blocks whose every element attends (full; a block past a ragged end counts its padding as
    not attending, so it is never full) and those where some do (partial)."""
    n_q, n_kv = len(mask), len(mask[0])
    nq, nk = -(-n_q // bq), -(-n_kv // bk)
    full, partial = [[] for _ in range(nq)], [[] for _ in range(nq)]
    for qb in range(nq):
        for kb in range(nk):
            count = sum(mask[q][kv] for q in range(qb * bq, min(n_q, qb * bq + bq))
                        for kv in range(kb * bk, min(n_kv, kb * bk + bk)))
            if count == bq * bk:
                full[qb].append(kb)
            elif count > 0:
                partial[qb].append(kb)
    return full, partial


def torch_layout(per_head_lists, nk):
    """kv_num_blocks [1, H, Q] / kv_indices [1, H, Q, KV] as create_block_mask lays them out; past the count the
    index rows hold junk (here: descending indices), which the converter must ignore."""
    H, nq = len(per_head_lists), len(per_head_lists[0])
    num = np.zeros((1, H, nq), dtype=np.int32)
    idx = np.zeros((1, H, nq, nk), dtype=np.int32)
    for h, lists in enumerate(per_head_lists):
        for q, row in enumerate(lists):
            num[0, h, q] = len(row)
            idx[0, h, q] = list(reversed(row)) + list(range(nk - 1, -1, -1))[: nk - len(row)]
    return num, idx


CASES = {
    "causal": (512, 64, 64, lambda q, kv: q >= kv),
    "sliding window 100, ragged": (300, 64, 64, lambda q, kv: q >= kv and q - kv < 100),
    "documents 120/200/192": (512, 64, 64, lambda q, kv: (q >= 120) + (q >= 320) == (kv >= 120) + (kv >= 320)),
    "causal, Q 32 x KV 64 blocks": (256, 32, 64, lambda q, kv: q >= kv),
    "strided 16": (256, 32, 32, lambda q, kv: q >= kv and (q - kv) % 16 == 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_numpy_blockmask_matches_brute_force(name, tmp_path):
    n, bq, bk, attends = CASES[name]
    mask = element_mask(n, n, attends)
    full, partial = brute_force(mask, bq, bk)
    nk = -(-n // bk)
    fn, fi = torch_layout([full], nk)
    kn, ki = torch_layout([partial], nk)
    bm = SimpleNamespace(BLOCK_SIZE=(bq, bk), seq_lengths=(n, n), kv_num_blocks=kn, kv_indices=ki,
                         full_kv_num_blocks=fn, full_kv_indices=fi)
    doc = attnsim.block_mask_to_file(bm, tmp_path / "mask.json")
    assert doc["full"] == full and doc["partial"] == partial and doc["heads"] is None
    assert doc["block_size"] == [bq, bk]
    assert json.loads((tmp_path / "mask.json").read_text()) == doc
    # the same from nested lists
    lists = SimpleNamespace(**{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in vars(bm).items()})
    assert attnsim.blockmask_to_dict(lists) == {k: v for k, v in doc.items()}
    # and from the element mask directly
    dense = attnsim.block_mask_from_dense(np.array(mask), (bq, bk))
    doc2 = attnsim.block_mask_to_file(dense, tmp_path / "dense.json")
    assert doc2["full"] == full and doc2["partial"] == partial
    assert doc2["attended_pairs"] == sum(map(sum, mask))


def test_without_full_blocks_everything_is_partial():
    n, b = 256, 64
    full, partial = brute_force(element_mask(n, n, lambda q, kv: q >= kv), b, b)
    every = [sorted(f + p) for f, p in zip(full, partial)]
    kn, ki = torch_layout([every], n // b)
    bm = SimpleNamespace(BLOCK_SIZE=b, seq_lengths=(n, n), kv_num_blocks=kn, kv_indices=ki,
                         full_kv_num_blocks=None, full_kv_indices=None)
    doc = attnsim.blockmask_to_dict(bm)
    assert doc["full"] == [[] for _ in every] and doc["partial"] == every


def test_heads_and_batch(tmp_path):
    n, b = 256, 64
    windows = [32, 100, 256]
    masks = [element_mask(n, n, lambda q, kv, w=w: q >= kv and q - kv < w) for w in windows]
    per_head = [brute_force(m, b, b) for m in masks]
    dense = attnsim.block_mask_from_dense(np.array(masks), b)
    doc = attnsim.block_mask_to_file(dense, tmp_path / "heads.json")
    assert "full" not in doc and len(doc["heads"]) == 3
    for h, (full, partial) in enumerate(per_head):
        assert doc["heads"][h] == {"full": full, "partial": partial}
    assert doc["attended_pairs"] == [sum(map(sum, m)) for m in masks]
    # identical heads collapse to the top-level lists
    same = attnsim.blockmask_to_dict(attnsim.block_mask_from_dense(np.array([masks[1]] * 4), b))
    assert same["heads"] is None and same["full"] == per_head[1][0]
    # batch: two entries with different masks; batch=1 picks the second, batch=2 is out of range
    f0, p0 = per_head[0]
    f1, p1 = per_head[2]
    fn, fi = (np.concatenate(a) for a in zip(torch_layout([f0], n // b), torch_layout([f1], n // b)))
    kn, ki = (np.concatenate(a) for a in zip(torch_layout([p0], n // b), torch_layout([p1], n // b)))
    bm = SimpleNamespace(BLOCK_SIZE=(b, b), seq_lengths=(n, n), kv_num_blocks=kn, kv_indices=ki,
                         full_kv_num_blocks=fn, full_kv_indices=fi)
    assert attnsim.blockmask_to_dict(bm, batch=1)["full"] == f1
    assert attnsim.blockmask_to_dict(bm, batch=0)["partial"] == p0
    with pytest.raises(ValueError, match="batch 2 out of range"):
        attnsim.blockmask_to_dict(bm, batch=2)


def test_overlapping_full_and_partial_is_refused(tmp_path):
    kn, ki = torch_layout([[[0], [1]]], 2)
    bm = SimpleNamespace(BLOCK_SIZE=64, seq_lengths=(128, 128), kv_num_blocks=kn, kv_indices=ki,
                         full_kv_num_blocks=kn, full_kv_indices=ki)
    with pytest.raises(ValueError, match="both full and partial"):
        attnsim.block_mask_to_file(bm, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("name,doc,tokens,expect", blockmask._validator_cases(), ids=lambda x: str(x)[:30])
def test_validator_cases(name, doc, tokens, expect):
    errors, _ = blockmask.validate_doc(doc, tokens)
    if expect is None:
        assert not errors, name
    else:
        assert any(expect in e for e in errors), (name, errors)


def test_attnsim_reads_the_file(binary, tmp_path):
    n, heads, head_dim = 512, 4, 64
    mask = element_mask(n, n, lambda q, kv: q >= kv and q - kv < 200)
    pairs = sum(map(sum, mask))
    attnsim.block_mask_to_file(attnsim.block_mask_from_dense(np.array(mask), 64), tmp_path / "mask.json")
    workload = {"attnsim": 1, "name": "window-200",
                "problem": {"batch": 1, "heads": heads, "head_dim": head_dim, "tokens": n, "dtype": "bf16"},
                "mask": {"kind": "block", "file": str(tmp_path / "mask.json")}}
    r = attnsim.simulate("h100", workload, binary=binary)
    assert r.flops.dense == 4 * heads * n * n * head_dim
    assert r.flops.effective == pytest.approx(4 * heads * pairs * head_dim)  # exact: attended_pairs is in the file
    assert r.bounds.flop_speedup == pytest.approx(n * n / pairs)


def test_the_script_runs_from_the_checkout_without_installing(repo, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-S", str(repo / "scripts/blockmask_to_json.py"), "--validate",
                          str(repo / "workloads/masks/causal-8k-b128.json"), "--tokens", "8192"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "OK, block_size [128, 128], 64 Q blocks, all heads: full 2016, partial 64" in out.stdout
