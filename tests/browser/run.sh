#!/bin/sh
# tests/browser/run.sh MAMORI_BINARY - the web UI in headless Chromium.
#
# For each tests/browser/*.test.mjs: makes a temporary directory, creates
# the demo hospital in it ("mamori demo"), starts "mamori serve" on a free
# loopback port, takes the one-time administrator password it prints, runs
# the file (node's test runner driving Debian's /usr/bin/chromium through
# playwright-core), stops the server; at the end removes everything.
# Screenshots of every main screen go to tests/artifacts/browser/.
#
# The last line is "# N passed, M failed"; the exit status is 0 only when
# every test passed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/browser/run.sh MAMORI_BINARY" >&2
	exit 2
fi
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
artifacts=$root/tests/artifacts/browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

fail_setup() {
	echo "browser tests: $*" >&2
	echo "# 0 passed, 1 failed"
	exit 1
}

[ -x "$bin" ] || fail_setup "$1 is not an executable mamori binary"

# What the tests need beside the binary: Chromium, oathtool, node and
# playwright-core (node_modules is not committed: npm ci installs the
# version package-lock.json pins).
need_pkgs=""
[ -x "$CHROMIUM" ] || need_pkgs="$need_pkgs chromium"
command -v oathtool >/dev/null 2>&1 || need_pkgs="$need_pkgs oathtool"
command -v node >/dev/null 2>&1 || need_pkgs="$need_pkgs nodejs npm"
if [ -n "$need_pkgs" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "browser tests: installing$need_pkgs" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null 2>&1 ||
			fail_setup "could not install$need_pkgs"
	else
		fail_setup "missing:$need_pkgs (apt-get install$need_pkgs)"
	fi
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
		fail_setup "npm ci in tests/browser failed (playwright-core)"
fi
mkdir -p "$artifacts" || fail_setup "cannot create $artifacts"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-browser.XXXXXX") || fail_setup "mktemp failed"
server_pid=""
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=""
	fi
}
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each test file gets a demo hospital and a server of its own (in
# $tmp/<file>/), so that files do not depend on each other's order or on the
# administrator's password another file chose.
start_server() {
	dir=$1
	mkdir -p "$dir" || fail_setup "cannot create $dir"
	# A setup script may ask for other demo options: "# demo-args: --no-logs".
	demo_args=""
	if [ -f "$here/$name.setup.sh" ]; then
		demo_args=$(sed -n 's/^# demo-args: *//p' "$here/$name.setup.sh" | head -n 1)
	fi
	# shellcheck disable=SC2086 # the options are words
	"$bin" --db "$dir/mamori.db" demo $demo_args >"$dir/demo.log" 2>&1 || {
		cat "$dir/demo.log" >&2
		fail_setup "mamori demo failed"
	}
	# A test file may prepare its database first: <name>.setup.sh MAMORI DB.
	if [ -f "$here/$name.setup.sh" ]; then
		sh "$here/$name.setup.sh" "$bin" "$dir/mamori.db" >"$dir/setup.log" 2>&1 || {
			cat "$dir/setup.log" >&2
			fail_setup "$name.setup.sh failed"
		}
	fi
	# A free port: bind to port 0 and let the kernel choose.  (A tiny window
	# remains in which someone else could take it; serve then fails and we say so.)
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') ||
		fail_setup "no free port"
	"$bin" --db "$dir/mamori.db" serve --listen "127.0.0.1:$port" >"$dir/serve.out" 2>"$dir/serve.err" &
	server_pid=$!
	password=""
	i=0
	while [ $i -lt 100 ]; do
		password=$(sed -n 's/^ *初回パスワード: *//p' "$dir/serve.out" | head -n 1)
		if [ -n "$password" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			server_pid=""
			cat "$dir/serve.out" "$dir/serve.err" >&2
			fail_setup "mamori serve exited"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$password" ] || fail_setup "mamori serve printed no one-time password"
}

rc=0
: >"$tmp/tap.txt"
for file in "$here"/*.test.mjs; do
	name=$(basename "$file" .test.mjs)
	start_server "$tmp/$name"
	MAMORI_URL="http://127.0.0.1:$port/" MAMORI_ADMIN_PASSWORD="$password" \
	MAMORI_ARTIFACTS="$artifacts" MAMORI_TMP="$tmp/$name" \
		node --test --test-reporter=tap "$file" >"$tmp/$name/tap.txt" 2>&1 || rc=1
	stop_server
	echo "# $name.test.mjs"
	cat "$tmp/$name/tap.txt"
	cat "$tmp/$name/tap.txt" >>"$tmp/tap.txt"
	if grep -qE '^ *not ok [0-9]+ ' "$tmp/$name/tap.txt"; then
		echo "--- server log of $name (last 40 lines) ---"
		tail -n 40 "$tmp/$name/serve.err"
	fi
done

# Count every test and subtest ("ok N - …" / "not ok N - …" at any depth).
passed=$(grep -cE '^ *ok [0-9]+ ' "$tmp/tap.txt")
failed=$(grep -cE '^ *not ok [0-9]+ ' "$tmp/tap.txt")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "screenshots: $artifacts"
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
