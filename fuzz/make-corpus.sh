#!/bin/sh
# Rebuilds fuzz/corpus/ (the seed corpus) from the repository's files, fuzz/handwritten/ and fuzz/regressions/.
# Each seed starts with FuzzEntry's selector byte (Sources/AttnSimFuzzing/FuzzEntry.swift):
#   0x00 0x04 0x08 0x0c  hardware file, simulated with fixed workload 0..3
#   0x03                 workload file, simulated on every fixed hardware
#   0x02                 sweep spec
#   0x06                 SpAtten pruning trace (CSV)
# Handwritten seeds are named after their selector: hw-*.yaml (0x00), wl-*.yaml (0x03), sweep-*.yaml (0x02).
set -eu
cd "$(dirname "$0")/.."
out=fuzz/corpus
rm -rf "$out" && mkdir -p "$out"
seed() { # selector-hex source name
    { printf "\\$(printf '%03o' "0x$1")"; cat "$2"; } > "$out/$3"
}
for f in hardware/*.yaml; do
    n=$(basename "$f" .yaml)
    for s in 00 04 08 0c; do seed "$s" "$f" "hw-$n-$s"; done
done
for f in workloads/*.yaml workloads/*/*.yaml; do
    seed 03 "$f" "wl-$(echo "$f" | sed 's|^workloads/||; s|/|-|g; s|\.yaml$||')"
done
for f in sweeps/*.yaml; do seed 02 "$f" "sweep-$(basename "$f" .yaml)"; done
for f in data/spatten-traces/*.csv; do   # the first 40 rows and the last line (the config name) of each trace
    { printf '\006'; head -41 "$f"; tail -1 "$f"; } > "$out/trace-$(basename "$f" .csv | cut -c1-40)"
done
for f in fuzz/handwritten/*.yaml; do
    n=$(basename "$f" .yaml)
    case "$n" in hw-*) s=00 ;; sweep-*) s=02 ;; *) s=03 ;; esac
    seed "$s" "$f" "hand-$n"
done
for f in workloads/masks/*.json; do      # block-mask files (selector 0x0e: 14 % 4 == 2, 14 / 4 % 4 == 3)
    seed 0e "$f" "blockmask-$(basename "$f" .json)"
done
for f in fuzz/regressions/*; do          # already with their selector byte; libFuzzer's -max_len is 8192
    if [ "$(wc -c < "$f")" -le 8192 ]; then cp "$f" "$out/regression-$(basename "$f")"; fi
done
echo "$(ls "$out" | wc -l) seeds in $out"
