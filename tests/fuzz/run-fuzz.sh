#!/bin/bash
# Runs one libFuzzer target for a bounded time over its seed corpus.
# New inputs go to a temporary directory, never into the source tree.
# Usage: run-fuzz.sh TARGET CORPUS_DIR   (FUZZ_SECONDS overrides the time)
set -eu
target=$1
corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$target" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 -timeout=10 \
	-print_final_stats=1 "$work" "$corpus" 2>&1 | tail -n 15
exit "${PIPESTATUS[0]}"
