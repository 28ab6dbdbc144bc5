#!/bin/bash
# bench/logs: the access-log vault against rsyslog 8, side by side in one run.
#
#   1. ingest: N (default 1,000,000) RFC 5424 EHR audit events sent over one
#      TCP connection on loopback (RFC 6587 octet counting) into
#        - rsyslog (imtcp -> omfile, one RFC 5424 line per event with its
#          structured data, so that the patient can be grepped), and
#        - mamori serve --syslog-tcp (parsed, fields extracted, indexed, in the
#          Merkle tree, durable and signed in a checkpoint at shutdown);
#      timed from the first byte sent until rsyslog's file holds every line /
#      until mamori has exited after its final checkpoint.
#   2. search: every event of one patient among SEARCH_N (default
#      10,000,000) events: `mamori log search --patient` (a whole process)
#      and the same search through the API of a running server, versus
#      `grep -F` over rsyslog's output file (medians of 5, warm cache).
#   3. verify: `mamori log verify` of the SEARCH_N events (every leaf, the
#      tree, the checkpoints, every index row and search-index window)
#      versus `sha256sum` and `openssl dgst -sha256` of the same segment
#      files (plain hashing, no tree, no checks).
# Prints rates and ratios.  Not a test: it never fails a build.
#
# Usage: bench/logs/run.sh [MAMORI_BINARY]   (default build/mamori)
#   N=…, SEARCH_N=…   the sizes above
#   ROUNDS=3          the ingest pair three times, taking turns (a shared
#                     machine's speed drifts within minutes), with the median
#   PARTS=ingest      only part 1 (no 10M events generated)
set -eu
MAMORI=$(readlink -f "${1:-$(dirname "$0")/../../build/mamori}")
cd "$(dirname "$0")/../.."
N=${N:-1000000}
SEARCH_N=${SEARCH_N:-10000000}
ROUNDS=${ROUNDS:-1}
PARTS=${PARTS:-ingest,search,verify}
W=$(mktemp -d -p "${BENCH_TMP:-/var/tmp}")
SERVER_PID=
RS_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

for tool in rsyslogd cc ss python3 sha256sum openssl curl; do
	command -v "$tool" >/dev/null || { echo "bench/logs: $tool is missing (apt-get install rsyslog gcc iproute2)"; exit 3; }
done
cc -O2 -o "$W/gen" bench/logs/gen.c
cc -O2 -o "$W/send" bench/logs/send.c
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits until no connection to local port $1 is left (the receiver has read
# everything the sender wrote and closed its end).
wait_drained() { while [ -n "$(ss -Htn "( sport = :$1 )" | grep -v LISTEN)" ]; do sleep 0.01; done; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# rsyslog: imtcp -> omfile.  Returns when the file holds $2 lines.
rsyslog_ingest() { # events-file count out-file
	local port conf
	port=$(free_port)
	conf="$W/rsyslog.conf"
	mkdir -p "$W/rs"
	cat >"$conf" <<CONF
global(workDirectory="$W/rs")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="vault")
ruleset(name="vault") { action(type="omfile" file="$3" template="RSYSLOG_SyslogProtocol23Format") }
CONF
	rsyslogd -n -f "$conf" -i "$W/rs/pid" 2>>"$W/rs/err" &
	RS_PID=$!
	while ! ss -Htln "( sport = :$port )" | grep -q .; do sleep 0.05; done
	local s e
	s=$(now)
	"$W/send" 127.0.0.1 "$port" "$1" >/dev/null
	wait_drained "$port"
	while [ "$(lines "$3")" -lt "$2" ]; do sleep 0.02; done
	e=$(now)
	kill "$RS_PID"; wait "$RS_PID" 2>/dev/null || true; RS_PID=
	python3 -c "print($e - $s)"
}

# mamori: serve --syslog-tcp, then SIGTERM once the connection is drained;
# serve commits, signs a final checkpoint and exits.
mamori_ingest() { # events-file db
	local port hport s e
	port=$(free_port)
	hport=$(free_port)
	"$MAMORI" --db "$2" init --name "ベンチマーク病院" >/dev/null
	"$MAMORI" --db "$2" serve --quiet --listen "127.0.0.1:$hport" --syslog-tcp "127.0.0.1:$port" \
		>"$W/serve.out" 2>"$W/serve.err" &
	SERVER_PID=$!
	while ! ss -Htln "( sport = :$port )" | grep -q .; do sleep 0.05; done
	s=$(now)
	"$W/send" 127.0.0.1 "$port" "$1" >/dev/null
	wait_drained "$port"
	kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
	e=$(now)
	python3 -c "print($e - $s)"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

case "$PARTS" in *search* | *verify*) GEN_N=$SEARCH_N ;; *) GEN_N=$N ;; esac
echo "== generating $GEN_N events"
"$W/gen" "$GEN_N" >"$W/all.log"
head -n "$N" "$W/all.log" >"$W/ingest.log"
sync # the generated file's write-back would otherwise run during the first rounds
echo "   $(du -h "$W/all.log" | cut -f1) of RFC 5424 EHR audit events ($(head -c 200 "$W/all.log" | head -1 | cut -c1-100)…)"

echo "== 1. ingest: $N events over TCP ($ROUNDS round(s))"
for round in $(seq "$ROUNDS"); do
	t_rs=$(rsyslog_ingest "$W/ingest.log" "$N" "$W/rs-ingest.txt")
	t_mm=$(mamori_ingest "$W/ingest.log" "$W/ingest.db")
	got=$("$MAMORI" --db "$W/ingest.db" log checkpoint | sed -n 2p)
	r_rs=$(python3 -c "print(round($N / $t_rs))")
	r_mm=$(python3 -c "print(round($N / $t_mm))")
	printf '   rsyslog imtcp->omfile: %8.2f s  %9d events/s\n' "$t_rs" "$r_rs"
	printf '   mamori (checkpoint %s): %8.2f s  %9d events/s\n' "$got" "$t_mm" "$r_mm"
	echo "   mamori / rsyslog: $(ratio "$r_mm" "$r_rs")x"
	ratio "$r_mm" "$r_rs" >>"$W/ratios"
	rm -rf "$W/ingest.db" "$W/ingest.logs" "$W/rs-ingest.txt"
done
[ "$ROUNDS" -gt 1 ] && echo "   median of $ROUNDS: mamori / rsyslog $(sort -n "$W/ratios" | sed -n "$(((ROUNDS + 1) / 2))p")x"
rm -f "$W/ingest.log"
case "$PARTS" in *search* | *verify*) ;; *) exit 0 ;; esac

echo "== 2. search: one patient among $SEARCH_N events"
t_rs=$(rsyslog_ingest "$W/all.log" "$SEARCH_N" "$W/rs-all.txt")
t_mm=$(mamori_ingest "$W/all.log" "$W/all.db")
printf '   (loading: rsyslog %.1f s = %d events/s, mamori %.1f s = %d events/s)\n' \
	"$t_rs" "$(python3 -c "print(round($SEARCH_N / $t_rs))")" \
	"$t_mm" "$(python3 -c "print(round($SEARCH_N / $t_mm))")"
rm -f "$W/all.log"
want=$(grep -cF 'patient="P0000001"' "$W/rs-all.txt" || true)
median() { sort -n | sed -n 3p; }
t_grep=$(for _ in 1 2 3 4 5; do
	s=$(now); grep -F 'patient="P0000001"' "$W/rs-all.txt" >"$W/grep.out"; e=$(now)
	python3 -c "print(($e - $s) * 1000)"; done | median)
t_search=$(for _ in 1 2 3 4 5; do
	s=$(now); "$MAMORI" --db "$W/all.db" log search --patient P0000001 --limit 1000 --format json >"$W/search.out"; e=$(now)
	python3 -c "print(($e - $s) * 1000)"; done | median)
hits=$(python3 -c "import json,sys; d=json.load(open('$W/search.out')); print(len(d['events'] if isinstance(d, dict) else d))")
# the same through the API of a running server (what the UI does): the
# process and its open vault are warm, as they are in use
printf 'Sokutei-Pass-2026\n' | "$MAMORI" --db "$W/all.db" user add bench --role auditor --password-stdin >/dev/null
hport=$(free_port)
"$MAMORI" --db "$W/all.db" serve --quiet --listen "127.0.0.1:$hport" >"$W/serve.out" 2>"$W/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$hport/" && break; sleep 0.1; done
curl -s -c "$W/jar" -H 'Content-Type: application/json' \
	--data '{"name":"bench","password":"Sokutei-Pass-2026"}' "http://127.0.0.1:$hport/api/v1/login" >/dev/null
# (each of the server's 8 threads opens its own read-only handle on its
# first request, so the median is taken over requests 11-30)
api_ms() { # limit
	for _ in $(seq 30); do
		curl -s -b "$W/jar" -o "$W/api.json" -w '%{time_total}\n' \
			"http://127.0.0.1:$hport/api/v1/logs/events?patient=P0000001&limit=$1"
	done | tail -20 | python3 -c "import sys; v=sorted(float(x) for x in sys.stdin); print(v[10] * 1000)"
}
t_api=$(api_ms 1000)
api_hits=$(python3 -c "import json; print(len(json.load(open('$W/api.json'))['events']))")
t_api100=$(api_ms 100)
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
printf '   grep -F over rsyslog file: %9.1f ms  (%s lines)\n' "$t_grep" "$want"
printf '   mamori log search:         %9.1f ms  (%s events, the whole command incl. process start-up)\n' "$t_search" "$hits"
printf '   GET /api/v1/logs/events:   %9.1f ms  (%s events, all of the patient; HTTP on loopback included)\n' "$t_api" "$api_hits"
printf '   GET /api/v1/logs/events:   %9.1f ms  (first page of 100)\n' "$t_api100"
echo "   grep / mamori log search: $(ratio "$t_grep" "$t_search")x; grep / API: $(ratio "$t_grep" "$t_api")x"

echo "== 3. verify: $SEARCH_N events"
vault="$W/all.logs"
bytes=$(cat "$vault"/seg-*.log | wc -c)
s=$(now); sha256sum "$vault"/seg-*.log >/dev/null; e=$(now); t_sha=$(python3 -c "print($e - $s)")
s=$(now); openssl dgst -sha256 "$vault"/seg-*.log >/dev/null; e=$(now); t_ossl=$(python3 -c "print($e - $s)")
s=$(now); "$MAMORI" --db "$W/all.db" log verify >"$W/verify.out"; e=$(now); t_ver=$(python3 -c "print($e - $s)")
printf '   segments: %.2f GB\n' "$(python3 -c "print($bytes / 1e9)")"
printf '   sha256sum of the segments: %6.2f s  %5.2f GB/s\n' "$t_sha" "$(python3 -c "print($bytes / 1e9 / $t_sha)")"
printf '   openssl dgst -sha256:      %6.2f s  %5.2f GB/s (one core, SHA extensions)\n' "$t_ossl" "$(python3 -c "print($bytes / 1e9 / $t_ossl)")"
printf '   mamori log verify:         %6.2f s  %5.2f GB/s\n' "$t_ver" "$(python3 -c "print($bytes / 1e9 / $t_ver)")"
echo "   verify time / sha256sum: $(ratio "$t_ver" "$t_sha")x; / openssl: $(ratio "$t_ver" "$t_ossl")x"
sed 's/^/   | /' "$W/verify.out"
