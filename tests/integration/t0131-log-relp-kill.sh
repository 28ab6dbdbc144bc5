#!/bin/bash
# Nothing acknowledged over RELP is lost: rsyslog (omrelp) streams N
# numbered messages; "mamori serve" is killed with SIGKILL in the middle and
# restarted on the same port; rsyslog sends again what was not
# acknowledged.  Every number is then stored exactly once as an original
# event (a resend of one that was stored but not yet acknowledged is kept
# and marked LOG_F_DUPLICATE), and "mamori log verify" passes.  Every
# process started here is stopped by the test, with time limits.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

require_rsyslog

N=${T0131_N:-10000}
KILL_AT=$((N / 4))
RS_PID=
FEED_PID=
cleanup() {
	[ -n "$FEED_PID" ] && kill "$FEED_PID" 2>/dev/null
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null && wait "$RS_PID" 2>/dev/null
	if [ -n "${SERVER_PID:-}" ]; then kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT

mamori init >/dev/null
RELP=$(free_port)

serve() {
	"$MAMORI" serve --listen "127.0.0.1:$(free_port)" --relp "127.0.0.1:$RELP" \
		>>"$T/serve.out" 2>>"$T/serve.err" &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		[ "$(grep -c "ログ受信" "$T/serve.err" 2>/dev/null)" -ge "$1" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The number of events in the vault (its newest seq + 1; 0 when empty).
stored() {
	"$MAMORI" log search --format json --limit 1 2>/dev/null |
		python3 -c 'import json, sys
try:
    e = json.load(sys.stdin)["events"]
    print(e[0]["seq"] + 1 if e else 0)
except Exception:
    print(0)'
}

check "serve starts with --relp" serve 1

mkdir -p "$T/rs"
cat >"$T/rs/rsyslog.conf" <<EOF
global(workDirectory="$T/rs")
module(load="imuxsock" SysSock.Use="off")
module(load="omrelp")
template(name="p5424" type="string"
	string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")
input(type="imuxsock" Socket="$T/rs/relp.sock" RateLimit.Interval="0")
action(type="omrelp" target="127.0.0.1" port="$RELP" template="p5424"
	queue.type="LinkedList" queue.size="100000"
	action.resumeRetryCount="-1" action.resumeInterval="1")
EOF
"$RSYSLOGD" -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslogd.pid" >"$T/rs/out" 2>&1 &
RS_PID=$!
for _ in $(seq 1 100); do [ -S "$T/rs/relp.sock" ] && break; sleep 0.1; done

seq -f 't0131-msg-%06g' 1 "$N" | logger -u "$T/rs/relp.sock" -t stream -f /dev/stdin &
FEED_PID=$!

n=0
for _ in $(seq 1 600); do
	n=$(stored)
	[ "$n" -ge "$KILL_AT" ] && break
	sleep 0.1
done
check "some thousands stored before the kill ($n ≥ $KILL_AT)" test "$n" -ge "$KILL_AT"
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
sleep 1
check "serve restarts on the same RELP port" serve 2

# Wait (at most 3 minutes) until every number is there.
python3 - "$MAMORI" "$N" "$T/summary" <<'EOF'
import json, re, subprocess, sys, time
mamori, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pat = re.compile(r"t0131-msg-(\d{6})")
deadline = time.time() + 180
while True:
    before, events = None, []
    while True:
        cmd = [mamori, "log", "search", "--format", "json", "--limit", "1000"]
        if before is not None:
            cmd += ["--before", str(before)]
        r = subprocess.run(cmd, capture_output=True)
        if r.returncode != 0:
            break
        page = json.loads(r.stdout)
        events += page["events"]
        if page["next"] is None:
            break
        before = page["next"]
    orig, dup = {}, {}
    for e in events:
        m = pat.search(e["message"])
        if not m:
            continue
        k = int(m.group(1))
        d = dup if e["flags"] & 0x10000 else orig
        d[k] = d.get(k, 0) + 1
    missing = [k for k in range(1, n + 1) if k not in orig]
    if not missing or time.time() > deadline:
        break
    time.sleep(1)
twice = [k for k, c in orig.items() if c != 1]
unmarked = [k for k in dup if k not in orig]
with open(out, "w") as f:
    f.write(f"missing {len(missing)} {missing[:10]}\n")
    f.write(f"twice {len(twice)} {twice[:10]}\n")
    f.write(f"dup-without-original {len(unmarked)} {unmarked[:10]}\n")
    f.write(f"duplicates {sum(dup.values())}\n")
EOF
cat "$T/summary" | sed 's/^/# /'
has "$T/summary" "missing 0 []"
has "$T/summary" "twice 0 []"
has "$T/summary" "dup-without-original 0 []"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
same "$?" 0 "serve stops on SIGTERM"
SERVER_PID=
run 0 mamori log verify

done_testing
