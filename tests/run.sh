#!/bin/sh
# make check: builds mamori twice and runs every suite (unit, integration,
# fuzz) on both builds, then prints one closing line "N passed, N failed"
# counting individual checks (cmocka cases, integration checks, fuzz runs).
#
#   1. BUILD     gcc, -O2, the libFuzzer targets replay their corpus
#   2. SANBUILD  clang, AddressSanitizer + UndefinedBehaviorSanitizer, the
#                libFuzzer targets fuzz for a bounded time
#
# Usage: tests/run.sh BUILD_DIR SAN_BUILD_DIR
set -u
build=${1:-build}
sanbuild=${2:-build-san}
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
failed_names=""

setup() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		"$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
		rm -f "$dir.setup.log"
	fi
	ninja -C "$dir" >/dev/null || ninja -C "$dir"
}

count() {
	dir=$1
	label=$2
	log="$dir/meson-logs/testlog.json"
	[ -f "$log" ] || return
	set -- $(python3 - "$log" <<'PY'
# Counts individual checks: cmocka test cases, integration-test checks
# ("# N passed, M failed"), and one per other test (fuzz targets).  A test
# whose process failed counts at least one failure even when its output
# cannot be parsed.
import json, re, sys
ok = bad = 0
names = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    out = t.get("stdout") or ""
    passed = failed = None
    m = re.search(r"^# (\d+) passed, (\d+) failed", out, re.M)
    if m:
        passed, failed = int(m.group(1)), int(m.group(2))
    else:
        m = re.search(r"\[==========\] (\d+) test\(s\) run", out)
        if m:
            run = int(m.group(1))
            f = re.search(r"\[  FAILED  \] (\d+) test", out)
            failed = int(f.group(1)) if f else 0
            passed = run - failed
    result_ok = t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
    if passed is None:
        passed, failed = (1, 0) if result_ok else (0, 1)
    elif not result_ok and failed == 0:
        failed = 1
    ok += passed
    bad += failed
    if not result_ok:
        names.append(t.get("name", "?").replace(" ", "_"))
print(ok, bad, *names)
PY
)
	p=$1
	f=$2
	shift 2
	echo "$label: $p passed, $f failed"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	for n in "$@"; do failed_names="$failed_names $label:$n"; done
}

run_suite() {
	dir=$1
	label=$2
	echo "== $label ($dir) =="
	meson test -C "$dir" --print-errorlogs --num-processes 2 --no-rebuild || true
	count "$dir" "$label"
}

if setup "$build" meson setup "$build" --buildtype=debugoptimized; then
	run_suite "$build" "gcc"
else
	echo "build failed: $build"
	total_fail=$((total_fail + 1))
	failed_names="$failed_names build:$build"
fi

if setup "$sanbuild" env CC=clang meson setup "$sanbuild" --buildtype=debug \
	-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true; then
	run_suite "$sanbuild" "clang+asan+ubsan"
else
	echo "build failed: $sanbuild"
	total_fail=$((total_fail + 1))
	failed_names="$failed_names build:$sanbuild"
fi

echo
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
