"""Finding (or building) the `attnsim` executable, and running it.

find_binary() looks, in this order, at:
  1. the `binary` argument;
  2. the ATTNSIM_BINARY environment variable;
  3. `attnsim` on PATH;
  4. a repository checkout: ATTNSIM_REPO, else the first folder at or above the current directory (then above
     this package's own files) holding a Package.swift that names attnsim; there .build/release/attnsim, then
     .build/debug/attnsim;
  5. otherwise it builds one in that checkout (`swift build -c release --product attnsim`, progress on stderr).
BinaryNotFoundError says what was tried when none of these works.

    >>> from attnsim import find_binary, run
    >>> find_binary()
    '/home/me/attnsim/.build/release/attnsim'
    >>> print(run(["hw", "list"]))
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Union

from .errors import BinaryNotFoundError, SimulationError

PathLike = Union[str, "os.PathLike[str]"]

def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _is_checkout(folder: Path) -> bool:
    package = folder / "Package.swift"
    try:
        return package.is_file() and "attnsim" in package.read_text(errors="replace")
    except OSError:
        return False


def find_repo(start: Optional[PathLike] = None) -> Optional[Path]:
    """The attnsim checkout: ATTNSIM_REPO, else the first folder at or above `start` (the current directory),
    then above this package's files (an editable install or a run from the repository), with a Package.swift
    naming attnsim; None when there is none."""
    env = os.environ.get("ATTNSIM_REPO")
    if env:
        return Path(env).resolve()
    for base in (Path(start) if start else Path.cwd(), Path(__file__).resolve().parent):
        for folder in (base.resolve(), *base.resolve().parents):
            if _is_checkout(folder):
                return folder
    return None


def build_binary(repo: PathLike) -> Path:
    """`swift build -c release --product attnsim` in the checkout, its output on stderr; the built executable."""
    repo = Path(repo)
    swift = shutil.which("swift")
    if swift is None:
        raise BinaryNotFoundError(f"no attnsim binary in {repo}/.build and no `swift` on PATH to build one; "
                                  "install Swift 6, or set ATTNSIM_BINARY to an attnsim executable")
    command = [swift, "build", "-c", "release", "--product", "attnsim"]
    print(f"attnsim: building the binary in {repo} ({' '.join(command[1:])}); this takes a few minutes",
          file=sys.stderr, flush=True)
    status = subprocess.call(command, cwd=repo, stdout=sys.stderr, stderr=sys.stderr)
    built = repo / ".build" / "release" / "attnsim"
    if status != 0 or not _executable(built):
        raise BinaryNotFoundError(f"`swift build -c release --product attnsim` in {repo} failed (status {status})")
    return built


def find_binary(binary: Optional[PathLike] = None, *, build: bool = True) -> str:
    """The path of an `attnsim` executable (see the module's docstring for the order); builds one when allowed
    and a checkout is found but not built."""
    if binary is not None:
        path = Path(binary)
        if not _executable(path):
            found = shutil.which(str(binary))
            if found is None:
                raise BinaryNotFoundError(f"attnsim binary {binary}: not an executable file")
            return found
        return os.path.abspath(path)
    env = os.environ.get("ATTNSIM_BINARY")
    if env:
        if not _executable(Path(env)):
            raise BinaryNotFoundError(f"ATTNSIM_BINARY={env}: not an executable file")
        return os.path.abspath(env)
    tried = ["the binary argument (not given)", "ATTNSIM_BINARY (not set)", "`attnsim` on PATH (none)"]
    found: Optional[Path] = None
    on_path = shutil.which("attnsim")
    if on_path:
        found = Path(on_path)
    else:
        repo = find_repo()
        if repo is None:
            tried.append("a checkout (ATTNSIM_REPO not set; no Package.swift naming attnsim at or above "
                         f"{os.getcwd()})")
        else:
            for config in ("release", "debug"):
                candidate = repo / ".build" / config / "attnsim"
                if _executable(candidate):
                    found = candidate
                    break
            if found is None:
                if build:
                    found = build_binary(repo)
                else:
                    tried.append(f"{repo}/.build/release/attnsim and .build/debug/attnsim (not built)")
    if found is None:
        raise BinaryNotFoundError("no attnsim binary found; tried " + "; ".join(tried)
                                  + ". Set ATTNSIM_BINARY, put attnsim on PATH, or run from a checkout.")
    return os.path.abspath(found)


def run(arguments: Sequence[PathLike], *, binary: Optional[PathLike] = None, cwd: Optional[PathLike] = None,
        stderr_to_terminal: bool = False) -> str:
    """Run `attnsim ARGUMENTS...` and return its stdout. A non-zero exit raises SimulationError carrying the
    binary's stderr (its messages name file, line, column and field). With stderr_to_terminal the binary's
    stderr (progress) goes to this process's stderr instead of into the error."""
    command: List[str] = [find_binary(binary)] + [os.fspath(a) for a in arguments]
    completed = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=None if stderr_to_terminal else subprocess.PIPE, text=True)
    if completed.returncode != 0:
        stderr = (completed.stderr or "").strip()
        raise SimulationError(
            f"attnsim {' '.join(command[1:])} exited with status {completed.returncode}"
            + (f":\n{stderr}" if stderr else " (its message is above)"),
            stderr=stderr, returncode=completed.returncode, command=command)
    return completed.stdout
