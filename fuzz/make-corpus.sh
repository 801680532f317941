#!/bin/sh
# Rebuilds fuzz/corpus/ (the seed corpus) from the repository's files, fuzz/handwritten/ and fuzz/regressions/.
# Each seed starts with FuzzEntry's selector byte (Sources/AttnSimFuzzing/FuzzEntry.swift):
#   0x00 0x04 0x08 0x0c  hardware file, simulated with fixed workload 0..3
#   0x03                 workload file, simulated on every fixed hardware
#   0x02                 sweep spec
#   0x06                 SpAtten pruning trace (CSV)
#   0x0e                 block-mask file (JSON)
#   0x0a + 32 k          spatial mapping file, fed back on FuzzEntry.mappingPairs[k] (k = 0..7)
#   0x1a + 32 k          command line (one argument a line) after FuzzEntry.commands[k]
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
for f in fuzz/mappings/*.yaml; do         # written by `attnsim map HW WL --write-mapping`; on every fixed pair
    for k in 0 1 2 3 4 5 6 7; do seed "$(printf '%02x' $((0x0a + 32 * k)))" "$f" "mapping-$(basename "$f" .yaml)-$k"; done
done
for f in fuzz/argv/*.args; do             # the name starts with the subcommand (FuzzEntry.commands)
    n=$(basename "$f" .args)
    case "$n" in gna-*) k=0 ;; simulate-*) k=1 ;; map-*) k=2 ;; cascade-*) k=3 ;; hw-show-*) k=4 ;;
        spatial-sweep-*) k=5 ;; crosscheck-gpu-*) k=6 ;; root-*) k=7 ;; *) echo "fuzz/argv/$n: unknown command" >&2; exit 1 ;; esac
    seed "$(printf '%02x' $((0x1a + 32 * k)))" "$f" "argv-$n"
done
for f in fuzz/regressions/*; do          # already with their selector byte; libFuzzer's -max_len is 8192
    if [ "$(wc -c < "$f")" -le 8192 ]; then cp "$f" "$out/regression-$(basename "$f")"; fi
done
echo "$(ls "$out" | wc -l) seeds in $out"
