#!/usr/bin/env bash
# Renders an `attnsim report` page in headless Chromium and checks that it reads: the inline script ran to the
# end (it sets data-ready="1" on <body>), no JavaScript error reached the console, and the screenshot is a
# non-empty PNG.
#
#   scripts/check-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
#
# Exit status: 0 passed, 1 failed, 2 bad arguments, 77 skipped (no Chromium and no way to install it).
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
report=$1
png=$2
size=${3:-1400x3000}
if [[ ! -s $report ]]; then
    echo "check-report: $report: missing or empty" >&2
    exit 2
fi

find_chromium() {
    for name in chromium chromium-browser google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if ! browser=$(find_chromium); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "check-report: installing chromium (apt-get)" >&2
        { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >/dev/null 2>&1 || true
    fi
    if ! browser=$(find_chromium); then
        echo "check-report: skipped: no chromium on PATH and it cannot be installed here" >&2
        exit 77
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run --disable-extensions
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0)

# 1. The DOM after the scripts ran, and the console output of that run.
timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.log" || true
# 2. The screenshot.
rm -f "$png"
timeout 120 "$browser" "${flags[@]}" --window-size="${size/x/,}" --screenshot="$png" "$url" >/dev/null 2>"$work/shot.log" || true

status=0
# Chromium logs the page's console as "...:CONSOLE:LINE] "message", source: file://..." (console.error too, at the
# same level), and an uncaught exception as "Uncaught ...". The report's script never logs, so any console
# message from the page is a failure.
if grep -hE 'Uncaught|CONSOLE[:(][0-9]+.*source: file://' "$work/dom.log" "$work/shot.log" | sort -u >"$work/errors.txt" \
    && [[ -s $work/errors.txt ]]; then
    echo "check-report: FAIL: JavaScript errors or console messages:" >&2
    cat "$work/errors.txt" >&2
    status=1
fi
if ! grep -q 'data-ready="1"' "$work/dom.html"; then
    echo "check-report: FAIL: the page's script did not finish (no data-ready=\"1\" on <body>)" >&2
    status=1
fi
if [[ ! -s $png ]] || [[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') != "89504e470d0a1a0a" ]]; then
    echo "check-report: FAIL: no PNG screenshot at $png" >&2
    tail -5 "$work/shot.log" >&2 || true
    status=1
fi
if [[ $status -eq 0 ]]; then
    echo "check-report: ok: script ran, no console errors, screenshot $png ($(wc -c <"$png") bytes)"
fi
exit $status
