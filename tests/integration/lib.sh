# lib.sh - helpers for the integration tests (sourced by tNNNN-*.sh).
#
# Each test runs the real binary ($MAMORI, set by meson) in a fresh temporary
# directory that is removed at exit, counts its checks and exits non-zero
# when any failed.  Checks print "ok N - what" / "not ok N - what" lines.

set -u
: "${MAMORI:?MAMORI must name the mamori binary (run through meson test)}"
MAMORI=$(readlink -f "$MAMORI")
: "${MAMORI_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

TESTDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mamori-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export MAMORI_DB="$T/mamori.db"
unset LANG LC_ALL
n_ok=0
n_fail=0

ok() {
	n_ok=$((n_ok + 1))
	echo "ok $((n_ok + n_fail)) - $*"
}

not_ok() {
	n_fail=$((n_fail + 1))
	echo "not ok $((n_ok + n_fail)) - $*"
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run EXPECTED_EXIT COMMAND...: runs COMMAND with stdout in $T/out and
# stderr in $T/err; records a failure when the exit code differs.
run() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "exit $want: $*"
	else
		not_ok "exit $got (wanted $want): $*"
		sed 's/^/    stdout: /' "$T/out" | head -20
		sed 's/^/    stderr: /' "$T/err" | head -20
	fi
}

# has FILE TEXT: passes when FILE contains TEXT (fixed string).
has() {
	if grep -qF -- "$2" "$1"; then
		ok "$(basename "$1") has: $2"
	else
		not_ok "$(basename "$1") lacks: $2"
		sed 's/^/    | /' "$1" | head -20
	fi
}

lacks() {
	if grep -qF -- "$2" "$1"; then
		not_ok "$(basename "$1") should not have: $2"
		sed 's/^/    | /' "$1" | head -20
	else
		ok "$(basename "$1") lacks: $2"
	fi
}

# same A B DESCRIPTION: the two strings are equal.
same() {
	if [ "$1" = "$2" ]; then ok "$3"; else
		not_ok "$3"
		echo "    got:  $1"
		echo "    want: $2"
	fi
}

mamori() {
	"$MAMORI" "$@"
}

done_testing() {
	echo "# $n_ok passed, $n_fail failed"
	[ "$n_fail" -eq 0 ]
	exit $?
}
