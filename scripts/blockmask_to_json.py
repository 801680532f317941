#!/usr/bin/env python3
"""Convert a PyTorch FlexAttention BlockMask into attnsim's block-mask JSON, and check the result.

A thin command-line wrapper: the converter, its format description and its options live in the Python package,
python/attnsim/blockmask.py (`attnsim.block_mask_to_file`), which this script runs from the checkout without
installing anything. `python3 scripts/blockmask_to_json.py --help` lists the options.

  python3 scripts/blockmask_to_json.py --recipe causal --tokens 8192 --block 128 --out mask.json [--check]
  python3 scripts/blockmask_to_json.py --validate mask.json [--tokens N]   # pure Python, no torch needed
  python3 scripts/blockmask_to_json.py --selftest [--device cuda]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from attnsim.blockmask import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
