"""Shared fixtures: the repository root and the attnsim binary (ATTNSIM_BINARY, else find_binary's search).

`swift test` runs this suite with ATTNSIM_BINARY set to the attnsim it built (PythonPackageTests.swift); by hand:
    ATTNSIM_BINARY=.build/release/attnsim python3 -m pytest python/tests -q
"""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / "python"
if str(PYTHON) not in sys.path:  # the checkout's package, installed or not
    sys.path.insert(0, str(PYTHON))

import attnsim  # noqa: E402


@pytest.fixture(scope="session")
def binary() -> str:
    return attnsim.find_binary(build=False)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def examples() -> Path:
    return PYTHON / "examples"
