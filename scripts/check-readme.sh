#!/usr/bin/env bash
# Re-runs every `$ attnsim …` example of README.md and compares what it prints with the README's text.
#
#   scripts/check-readme.sh [--fast] [ATTNSIM]
#
# ATTNSIM is the binary to run; without it the script builds one (`swift build -c release`) and runs
# .build/release/attnsim. --fast skips the examples marked `slow` below (`swift test` runs the check this way with
# the debug binary it built: ReadmeExamplesTests). Exit status: 0 every example matched, 1 one or more did not (a
# unified diff per example on stdout), 2 bad arguments or no binary.
#
# Which examples. Every ```text block of README.md whose first line starts with `$ attnsim ` (or with
# `$ swift build -c release && .build/release/attnsim `: the build is this script's, done once). In such a block every
# line that starts with `$ ` is a command, continued on the next line after a trailing `\`, and the lines up to the
# next command are its expected output: stdout and stderr together. A block whose last line is `...` shows the
# beginning of the output only: there the output must start with the block's lines. Commands in other blocks are
# listed as not checked.
#
# How. Each block runs from a fresh twin of the repository root: a scratch folder holding copies of hardware/,
# workloads/, sweeps/, validation/, data/ and bench/ and the files in scripts/readme-fixtures/ (those the README names
# but the repository does not ship, such as my-gpu.yaml). Commands that write files (`sweep --out runs/strides`,
# `calibrate --out hardware/host-calibrated.yaml`) write there, print the README's relative paths, and leave the
# repository, and the next block (crosscheck reads the committed hardware/host-calibrated.yaml), alone. Each command
# has a timeout of 300 s.
#
# Masking. Every line loses its trailing blanks, and the scratch folder's absolute path, wherever printed, is removed.
# Beyond that a command is compared as RULES below says, the first rule whose pattern matches the command applying:
#   exact       simulate, map, gna, cascade, hw show, spatial-sweep, crosscheck-gpu: deterministic, byte for byte.
#   progress    sweep: exact, except that progress lines `N/M points (P %), R points/s[, ETA …]` are dropped on
#               both sides (how many a run prints depends on its speed).
#   structural  calibrate, crosscheck: they time this machine. On both sides a date becomes DATE, a number with
#               its sign and its unit, if any (s, Hz, B, iB, B/s, FLOP/s, with a k/M/G/T prefix), becomes N, and runs
#               of blanks become one blank (column widths follow the numbers); the rest (every line, label, column,
#               workload name) must match.
#               calibrate also drops its two warnings about the host, which only some runs print: that the
#               build is a debug one, and that other processes took N % of the CPU time meanwhile. crosscheck
#               drops its progress lines `[i/n] WORKLOAD` and the names listed after "bound below a measured
#               speedup N workload(s):" (which measured speedups beat a bound, if any, depends on the host's load).
#   skip        bench (about 90 s on 2 cores: 26 cases, each to its sample count, one of them a 19 s sweep) and the
#               `sed` that prints the file calibrate wrote (its name, cache list and sources describe the host).
#   slow        with --fast, also sweep (thousands of event simulations), calibrate and crosscheck (CPU kernels), which a
#               debug build runs unoptimized for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
binary=
for argument in "$@"; do
    case $argument in
        --fast) fast=1 ;;
        -*) echo "usage: $0 [--fast] [ATTNSIM]" >&2; exit 2 ;;
        *) binary=$argument ;;
    esac
done
if [[ -z $binary ]]; then
    swift build -c release >&2
    binary=.build/release/attnsim
fi
if [[ ! -x $binary ]]; then
    echo "check-readme: $binary: not an executable" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

exec python3 - "$binary" "$fast" <<'PY'
import difflib, os, re, shlex, shutil, subprocess, sys, tempfile, time

binary, fast = sys.argv[1], sys.argv[2] == "1"
TIMEOUT = 300
INPUTS = ["hardware", "workloads", "sweeps", "validation", "data", "bench"]
FIXTURES = "scripts/readme-fixtures"

NUMBER = r"[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
UNITS = r"(?: ?[kMGT]?(?:FLOP/s|B/s|Hz|iB|B|s))?"
DATE = (r"\b\d{4}-\d{2}-\d{2}\b", "DATE")
PROGRESS = r"^\d+/\d+ points \(\d+ %\), [\d.]+ points/s(?:, ETA .*)?$"

# (pattern on the command, how, details). `drop`: regexes of whole lines removed on both sides; `masks`: (regex,
# replacement) applied in order on both sides; `status`: the exit status the README states; `slow`: the reason
# --fast skips it; `reason`: why a skipped command is skipped.
RULES = [
    (r"^attnsim bench\b", "skip",
     {"reason": "times the host for about 90 s on 2 cores (26 cases to their sample counts, one of them a 19 s "
                "sweep); BenchCLITests runs `attnsim bench --filter`"}),
    (r"^sed ", "skip",
     {"reason": "prints the hardware file calibrate wrote, whose name, cache list and sources describe the host"}),
    (r"^attnsim sweep ", "progress",
     {"drop": [PROGRESS],
      "slow": "event simulations (6,006 strides; 28 bandwidths of BERT and HunyuanVideo): seconds in a release build, far longer in a debug one"}),
    (r"^attnsim calibrate\b", "structural",
     {"drop": [r"^attnsim calibrate: warning: this is a debug build; .*$",
               r"^attnsim calibrate: warning: other processes took \d+ % of the CPU time meanwhile; .*$"],
      "masks": [DATE, (NUMBER + UNITS, "N")],
      "slow": "a debug build times unoptimized kernels: minutes instead of ~5 s"}),
    (r"^attnsim crosscheck ", "structural",
     {"drop": [r"^\[\d+/\d+\] \S+$"],
      "masks": [DATE, (r"(bound below a measured speedup .*workload\(s\)): .*$", r"\1"), (NUMBER + UNITS, "N")],
      "slow": "runs the CPU kernels on 22 workloads: ~30 s in a release build, unoptimized kernels in a debug one"}),
    (r"^attnsim hw show my-gpu\.yaml$", "exact", {"status": 2}),
    (r"^attnsim simulate bert-base-1k h100$", "exact", {"status": 2}),
    (r"^attnsim ", "exact", {}),
]


def examples(readme):
    """(block, line number, command, expected lines, prefix only) for every command of every checked block, and
    the unchecked commands."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    checked, unchecked, i = [], [], 0
    while i < len(lines):
        if lines[i].strip() != "```text":
            i += 1
            continue
        start = i + 1
        end = start
        while lines[end].strip() != "```":
            end += 1
        block = lines[start:end]
        i = end + 1
        first = normalize(block[0]) if block and block[0].startswith("$ ") else None
        is_checked = first is not None and first.startswith("attnsim ")
        prefix = bool(block) and block[-1].strip() == "..."
        if prefix:
            block = block[:-1]
        j = 0
        while j < len(block):
            if not block[j].startswith("$ "):
                j += 1
                continue
            number, command = start + j + 1, block[j][2:]
            while command.endswith("\\"):
                j += 1
                command = command[:-1].rstrip() + " " + block[j].strip()
            j += 1
            expected = []
            while j < len(block) and not block[j].startswith("$ "):
                expected.append(block[j])
                j += 1
            if is_checked:
                checked.append((start, number, normalize("$ " + command), expected, prefix and j == len(block)))
            else:
                unchecked.append((number, command))
    return checked, unchecked


def normalize(line):
    """`$ attnsim X` and `$ swift build -c release && .build/release/attnsim X` are both `attnsim X`."""
    command = line[2:].strip()
    build = "swift build -c release && .build/release/attnsim "
    return "attnsim " + command[len(build):] if command.startswith(build) else command


def rule(command):
    for pattern, how, details in RULES:
        if re.search(pattern, command):
            return how, details
    return "exact", {}


def masked(lines, how, details, scratch):
    out = []
    for line in lines:
        line = line.replace(scratch + "/", "").replace(scratch, ".").rstrip()
        if any(re.search(p, line) for p in details.get("drop", [])):
            continue
        for pattern, replacement in details.get("masks", []):
            line = re.sub(pattern, replacement, line)
        if how == "structural":
            line = re.sub(r"\s+", " ", line)
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def run(command, scratch):
    arguments = shlex.split(command)
    if arguments[0] == "attnsim":
        arguments[0] = binary
    started = time.monotonic()
    try:
        done = subprocess.run(arguments, cwd=scratch, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT)
        text, status = done.stdout.decode("utf-8", "replace"), done.returncode
    except subprocess.TimeoutExpired:
        text, status = f"check-readme: timed out after {TIMEOUT} s\n", None
    return text.split("\n"), status, time.monotonic() - started


def fresh_scratch():
    scratch = os.path.realpath(tempfile.mkdtemp(prefix="attnsim-readme-"))
    for folder in INPUTS:
        shutil.copytree(folder, os.path.join(scratch, folder), symlinks=True)
    for name in sorted(os.listdir(FIXTURES)):
        if name != "README.md":
            shutil.copy(os.path.join(FIXTURES, name), scratch)
    return scratch


checked, unchecked = examples("README.md")
scratch, scratch_block, failures = None, None, 0
try:
    for block, number, command, expected, prefix in checked:
        if block != scratch_block:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            scratch, scratch_block = fresh_scratch(), block
        how, details = rule(command)
        label = f"README.md:{number}: $ {command}"
        if how == "skip":
            print(f"skipped  {label}\n         ({details['reason']})")
            continue
        if fast and "slow" in details:
            print(f"skipped  {label}\n         (--fast: {details['slow']})")
            continue
        actual, status, seconds = run(command, scratch)
        want, got = masked(expected, how, details, scratch), masked(actual, how, details, scratch)
        if prefix:
            got = got[:len(want)]
        wanted_status = details.get("status", 0)
        if got == want and status == wanted_status:
            print(f"ok       {label}  ({how}, {seconds:.1f} s)")
            continue
        failures += 1
        print(f"FAILED   {label}  ({how}, {seconds:.1f} s)")
        if status != wanted_status:
            print(f"  exit status {status}, the README's is {wanted_status}")
        sys.stdout.writelines(difflib.unified_diff(
            [l + "\n" for l in want], [l + "\n" for l in got],
            f"README.md:{number} (expected{', masked' if how != 'exact' else ''})",
            f"attnsim output{' (masked)' if how != 'exact' else ''}"))
    for number, command in unchecked:
        print(f"unchecked README.md:{number}: $ {command}  (its block does not start with `$ attnsim`)")
finally:
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)

print(f"check-readme: {len(checked)} command(s), {failures} mismatch(es)")
sys.exit(1 if failures else 0)
PY
