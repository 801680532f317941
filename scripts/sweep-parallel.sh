#!/usr/bin/env bash
# Fan a sweep out over GNU parallel: N shards, each `attnsim sweep --shard I/N` into its own folder (locally, or
# on other machines with parallel's --sshlogin), then `attnsim merge` checks every point arrived exactly once.
#
#   scripts/sweep-parallel.sh SPEC OUT [SHARDS] [-- extra GNU parallel options, e.g. --sshlogin 4/host1,4/host2]
#
# Each shard resumes where it stopped, so rerunning the same command after an interruption finishes the missing
# points only. Needs GNU parallel (Debian/Ubuntu: apt-get install parallel) and a built attnsim
# (ATTNSIM=path, default: .build/release/attnsim, built with `swift build -c release` if missing).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 SPEC OUT [SHARDS] [-- parallel options]" >&2
    exit 2
fi
spec=$1; out=$2; shift 2
shards=$(nproc)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then shards=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
command -v parallel >/dev/null || { echo "$0: GNU parallel is not installed (apt-get install parallel)" >&2; exit 3; }
attnsim=${ATTNSIM:-.build/release/attnsim}
if [ ! -x "$attnsim" ]; then swift build -c release >&2; fi
mkdir -p "$out"
# One worker thread per shard: the shards are the parallelism.
seq 0 $((shards - 1)) | parallel --halt now,fail=1 "$@" \
    "$attnsim" sweep "$spec" --out "$out/shard-{}" --shard "{}/$shards" --jobs 1
"$attnsim" merge "$out"/shard-* --out "$out/merged"
echo "$0: $shards shards merged into $out/merged" >&2
