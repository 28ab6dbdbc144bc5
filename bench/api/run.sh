#!/bin/bash
# bench/api: the JSON API under load.
#
# 100,000 devices (imported through "mamori asset import", as a large
# hospital would), the server on a loopback port, and wrk with 64
# connections against
#   1. the ledger list with a filter and a search (server-side paging),
#   2. one device's detail (with its history),
# and, side by side in the same run, nginx serving the same response bodies
# as static files: the ceiling of what an HTTP server does on this machine.
# Prints requests/s, p50 and p99 for each and the ratios.  Not a test: it
# never fails a build.
#
# Usage: bench/api/run.sh [MAMORI_BINARY]   (default build/mamori)
set -eu
MAMORI=$(readlink -f "${1:-$(dirname "$0")/../../build/mamori}")
cd "$(dirname "$0")/../.."
DEVICES=${DEVICES:-100000}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
W=$(mktemp -d)
SERVER_PID=
NGINX_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
export MAMORI_DB="$W/mamori.db"

for tool in wrk nginx curl python3; do
	command -v "$tool" >/dev/null || { echo "bench/api: $tool is missing (apt-get install wrk nginx-light)"; exit 3; }
done

echo "== $DEVICES devices"
"$MAMORI" init --name "ベンチマーク病院" >/dev/null
python3 - "$DEVICES" >"$W/devices.csv" <<'PY'
import sys
n = int(sys.argv[1])
depts = ["内科", "外科", "小児科", "放射線科", "臨床検査科", "薬剤部", "医事課", "看護部 4階東病棟"]
print("媒体名,申請者,OS,機器名,MACアドレス,IPアドレス,部署,種別")
for i in range(n):
    os_ = "Windows 10 Pro" if i % 3 == 0 else "Windows 11 Pro"
    print(f"B-{i:06d},職員 {i % 5000},{os_},ESPRIMO D7012,02:00:{(i>>16)&255:02x}:{(i>>8)&255:02x}:{i&255:02x}:01,"
          f"10.{(i>>16)&255}.{(i>>8)&255}.{i&255},{depts[i % len(depts)]},端末PC")
PY
start=$(date +%s.%N)
"$MAMORI" asset import "$W/devices.csv" >/dev/null
end=$(date +%s.%N)
python3 -c "print(f'import: {$DEVICES / ($end - $start):,.0f} rows/s ({$end - $start:.1f} s)')"
printf 'Sokutei-Pass-2026\n' | "$MAMORI" user add bench --role staff --password-stdin >/dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --quiet --listen "127.0.0.1:$PORT" >"$W/serve.out" 2>"$W/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
curl -s -c "$W/jar" -H 'Content-Type: application/json' \
	--data '{"name":"bench","password":"Sokutei-Pass-2026"}' "http://127.0.0.1:$PORT/api/v1/login" >/dev/null
TOKEN=$(awk '$6 == "mamori_session" {print $7}' "$W/jar")
[ -n "$TOKEN" ] || { echo "bench/api: could not sign in"; exit 3; }

LIST="/api/v1/assets?department=%E5%86%85%E7%A7%91&q=Windows%2010&sort=ip&limit=50&offset=500"
DETAIL="/api/v1/assets/54321"

# The same bodies, for nginx.
mkdir -p "$W/www"
chmod 755 "$W" "$W/www"
curl -s -b "$W/jar" "http://127.0.0.1:$PORT$LIST" >"$W/www/list.json"
curl -s -b "$W/jar" "http://127.0.0.1:$PORT$DETAIL" >"$W/www/detail.json"
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$W/nginx.conf" <<CONF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$NPORT; root $W/www; default_type application/json; }
}
CONF
nginx -c "$W/nginx.conf" -p "$W" &
NGINX_PID=$!
sleep 0.5

# run NAME URL [HEADER]: one wrk run; prints and remembers rps, p50, p99.
declare -A RPS P50 P99
run() {
	local name=$1 url=$2
	shift 2
	wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@" "$url" >"$W/wrk.$name" 2>&1
	RPS[$name]=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.$name")
	P50[$name]=$(awk '$1 == "50%" {print $2}' "$W/wrk.$name")
	P99[$name]=$(awk '$1 == "99%" {print $2}' "$W/wrk.$name")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/wrk.$name")
	printf '%-14s %10s req/s   p50 %8s   p99 %8s%s\n' "$name" "${RPS[$name]}" "${P50[$name]}" \
		"${P99[$name]}" "${non2xx:+   non-2xx: $non2xx}"
}

# Every request a different page (offsets 0..11999): the answer cache
# (512 slots) misses nearly always, so this measures the queries themselves.
cat >"$W/pages.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  local off = math.random(0, 11999)
  return wrk.format("GET", "/api/v1/assets?department=%E5%86%85%E7%A7%91&q=Windows%2010&sort=ip&limit=50&offset=" .. off)
end
LUA

echo "== wrk, $CONNS connections, $DURATION each"
run mamori-list-cold "http://127.0.0.1:$PORT/" -H "Cookie: mamori_session=$TOKEN" -s "$W/pages.lua"
run mamori-list "http://127.0.0.1:$PORT$LIST" -H "Cookie: mamori_session=$TOKEN"
run nginx-list "http://127.0.0.1:$NPORT/list.json"
run mamori-detail "http://127.0.0.1:$PORT$DETAIL" -H "Cookie: mamori_session=$TOKEN"
run nginx-detail "http://127.0.0.1:$NPORT/detail.json"

ms() { # wrk latency (us/ms/s) → milliseconds
	python3 -c "
v = '$1'
print(float(v[:-2]) / 1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1]) * 1000)"
}
echo "== ratios (mamori / nginx static); mamori-list repeats one query (cached until a change), mamori-list-cold asks a new page each time"
for what in list detail; do
	python3 -c "print(f'$what (cached): throughput {${RPS[mamori-$what]} / ${RPS[nginx-$what]}:.2f}x, p99 {$(ms "${P99[mamori-$what]}")} ms vs {$(ms "${P99[nginx-$what]}")} ms (goal: p99 < 20 ms)')"
done
python3 -c "print(f'list, uncached pages: throughput {${RPS[mamori-list-cold]} / ${RPS[nginx-list]}:.3f}x, p99 {$(ms "${P99[mamori-list-cold]}")} ms')"
