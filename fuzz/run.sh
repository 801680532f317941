#!/bin/sh
# Builds the libFuzzer target and fuzzes attnsim's loaders, mapping files and command lines (fuzz/README.md).
#   [FUZZ_MODE=loaders|mapping|arguments] fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# default 660 s, one process on one core, every mode (FUZZ_MODE holds the run to one).
# New inputs go to $FUZZ_WORK (default /tmp/attnsim-fuzz[/MODE]/corpus), findings to $FUZZ_WORK/../artifacts/.
# Fork mode with one child: a crash or an out-of-memory stops the run; an input over the 10 s timeout is saved
# (timeout-*) and the run goes on, so one slow input (see known-crashes/) does not end a long run.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-660}
[ $# -gt 0 ] && shift
work=${FUZZ_WORK:-/tmp/attnsim-fuzz${FUZZ_MODE:+/$FUZZ_MODE}/corpus}
artifacts=$(dirname "$work")/artifacts
mkdir -p "$work" "$artifacts"
ATTNSIM_FUZZ=1 swift build --scratch-path .build-fuzz -c release -Xswiftc -sanitize=fuzzer --product AttnSimFuzz
# The Swift runtime's backtracer would catch the trap first and libFuzzer would not save the input.
SWIFT_BACKTRACE=enable=no exec .build-fuzz/release/AttnSimFuzz \
    -fork=1 -ignore_timeouts=1 -ignore_ooms=0 -ignore_crashes=0 \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -dict=fuzz/attnsim.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$@" "$work" fuzz/corpus
