#!/bin/bash
# The access-log receivers of "mamori serve": logger sends over UDP (RFC
# 5424 and 3164, an sshd line, an EHR audit line with structured data, a
# line with a bad PRI); an rsyslogd of the test's own forwards over TCP
# (omfwd, octet-counted and LF framing) and over RELP (omrelp).  Every
# message is found exactly once by "mamori log search", with its fields
# and flags; "mamori log verify" passes; SIGTERM leaves a final checkpoint
# that covers every event.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

require_rsyslog

RS_PID=
cleanup() {
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null && wait "$RS_PID" 2>/dev/null
	stop_server
	rm -rf "$T"
}
trap cleanup EXIT

# What a failed run needs to be understood: the server's and rsyslogd's
# messages and the events as searched.
diagnose() {
	[ "$n_fail" -eq 0 ] && return
	echo "# serve.err:"
	sed 's/^/#   /' "$T/serve.err" 2>/dev/null | head -40
	echo "# rsyslogd:"
	sed 's/^/#   /' "$T/rs/out" 2>/dev/null | head -20
	echo "# events ($(wc -l <"$T/events" 2>/dev/null) lines):"
	cut -c1-600 "$T/events" 2>/dev/null | sed 's/^/#   /' | head -70
}

mamori init >/dev/null
start_log_server --checkpoint-interval 3600
has "$T/serve.err" "ログ受信: UDP 127.0.0.1:$UDP, TCP 127.0.0.1:$TCP, RELP 127.0.0.1:$RELP → $T/mamori.logs"

# ---- UDP straight from logger --------------------------------------------------
logger --server 127.0.0.1 --port "$UDP" --udp --rfc5424 -t sshd \
	"Accepted password for yamada from 192.0.2.10 port 51234 ssh2 t0130-sshd"
logger --server 127.0.0.1 --port "$UDP" --udp --rfc3164 -t app "t0130-udp-3164"
logger --server 127.0.0.1 --port "$UDP" --udp --rfc5424 -t EHR --msgid AUDIT \
	--sd-id ehrAudit@32473 --sd-param 'user="D12345"' --sd-param 'patient="0001234567"' \
	--sd-param 'action="view"' --sd-param 'result="success"' --sd-param 'terminal="WS-3F-012"' \
	"t0130-ehr 診療録参照"
printf '<999>t0130-badpri no valid priority' >"/dev/udp/127.0.0.1/$UDP"

# ---- TCP and RELP through rsyslog ------------------------------------------------
mkdir -p "$T/rs"
cat >"$T/rs/rsyslog.conf" <<EOF
global(workDirectory="$T/rs")
module(load="imuxsock" SysSock.Use="off")
module(load="omrelp")
template(name="p5424" type="string"
	string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")
ruleset(name="oc") {
	action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp" TCP_Framing="octet-counted" template="p5424")
}
ruleset(name="lf") {
	action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp" template="RSYSLOG_ForwardFormat")
}
ruleset(name="relp") {
	action(type="omrelp" target="127.0.0.1" port="$RELP" template="p5424")
}
input(type="imuxsock" Socket="$T/rs/oc.sock" Ruleset="oc")
input(type="imuxsock" Socket="$T/rs/lf.sock" Ruleset="lf")
input(type="imuxsock" Socket="$T/rs/relp.sock" Ruleset="relp")
EOF
"$RSYSLOGD" -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslogd.pid" >"$T/rs/out" 2>&1 &
RS_PID=$!
for _ in $(seq 1 100); do [ -S "$T/rs/relp.sock" ] && break; sleep 0.1; done
for kind in oc lf relp; do
	seq 1 20 | sed "s/^/t0130-$kind-/" | logger -u "$T/rs/$kind.sock" -t fwd -f /dev/stdin
done

# All events, oldest first, as JSON lines (paged through "log search").
all_events() {
	python3 - "$MAMORI" <<'EOF'
import json, subprocess, sys
before, out = None, []
while True:
    cmd = [sys.argv[1], "log", "search", "--format", "json", "--limit", "1000"]
    if before is not None:
        cmd += ["--before", str(before)]
    page = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)
    out += page["events"]
    if page["next"] is None:
        break
    before = page["next"]
for e in reversed(out):
    print(json.dumps(e, ensure_ascii=False))
EOF
}

WANT=$((4 + 3 * 20))
for _ in $(seq 1 150); do
	all_events >"$T/events" 2>/dev/null
	[ "$(wc -l <"$T/events")" -ge "$WANT" ] && break
	sleep 0.2
done
same "$(wc -l <"$T/events")" "$WANT" "every message stored ($WANT events)"

# What the checks below look up, read from the events once: for each
# marker (an exact word of the message), the events by way of arrival and
# the fields of the first event that has it.
python3 - "$T/events" >"$T/facts" <<'EOF'
import json, re, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
markers = ["t0130-sshd", "t0130-udp-3164", "t0130-ehr", "t0130-badpri"]
markers += [f"t0130-{k}-{i}" for k in ("oc", "lf", "relp") for i in range(1, 21)]
for m in markers:
    pat = re.compile(re.escape(m) + r"(?![0-9])")
    hits = [e for e in events if pat.search(e["message"])]
    for via in ("udp", "tcp", "relp"):
        print("count", m, via, sum(1 for e in hits if e["via"] == via))
    for name in ("user", "patient", "action", "result", "peer", "flags"):
        v = hits[0].get(name) if hits else None
        print("field", name, m, "" if v is None else v)
EOF
# count MARKER VIA: events whose message has MARKER and came by VIA.
count() { awk -v m="$1" -v v="$2" '$1 == "count" && $2 == m && $3 == v { print $4 }' "$T/facts"; }
# field FIELD MARKER: a field of the first event whose message has MARKER.
field() {
	awk -v f="$1" -v m="$2" '$1 == "field" && $2 == f && $3 == m { sub(/^field [^ ]+ [^ ]+ ?/, ""); print }' "$T/facts"
}
same "$(count t0130-sshd udp)" 1 "the sshd line once, by UDP"
same "$(count t0130-udp-3164 udp)" 1 "the RFC 3164 line once"
same "$(count t0130-ehr udp)" 1 "the EHR line once"
same "$(count t0130-badpri udp)" 1 "the bad-PRI line once (kept)"
bad=0
for kind in oc lf relp; do
	via=tcp
	[ $kind = relp ] && via=relp
	for i in $(seq 1 20); do
		[ "$(count "t0130-$kind-$i" $via)" = 1 ] || { bad=$((bad + 1)); echo "    t0130-$kind-$i: $(count "t0130-$kind-$i" $via)"; }
	done
done
same "$bad" 0 "each of the 60 forwarded messages exactly once (octet-counted, LF, RELP)"

same "$(field user t0130-sshd)" "yamada" "sshd: user extracted"
same "$(field action t0130-sshd)" "login" "sshd: action"
same "$(field result t0130-sshd)" "success" "sshd: result"
same "$(field peer t0130-sshd)" "127.0.0.1" "peer is the sender's address"
same "$(field user t0130-ehr)" "D12345" "EHR SD: user"
same "$(field patient t0130-ehr)" "0001234567" "EHR SD: patient"
same "$(field action t0130-ehr)" "view" "EHR SD: action"
flags=$(field flags t0130-badpri)
check "bad PRI flagged (flags $flags has SYSLOG_F_BAD_PRI)" test $((flags & 2)) -eq 2
flags=$(field flags t0130-relp-7)
check "a clean RELP message is not marked duplicate" test $((flags & 65536)) -eq 0

run 0 mamori log verify

# one writer: an import while serve receives is refused, nothing appended
printf '<13>1 2026-11-21T10:00:00Z host app - - - t0130-import\n' >one.log
run 2 mamori log import one.log
has "$T/err" "書き込み中"
# a checkpoint asked for while serve writes: serve signs it at once
run 0 mamori log checkpoint --new
has "$T/out" "mamori-time"
same "$(sed -n 2p "$T/out")" "$WANT" "the requested checkpoint covers every event"
check "the request was taken" test ! -e "$T/mamori.logs/checkpoint.request"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
same "$?" 0 "serve stops on SIGTERM with exit 0"
SERVER_PID=
has "$T/serve.err" "ログ受信を止めました"
run 0 mamori log checkpoint
python3 - "$T/out" "$WANT" <<'EOF' && ok "the final checkpoint covers all $WANT events" || not_ok "final checkpoint size"
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.startswith("mamori.local/"))
sys.exit(0 if int(lines[i + 1]) == int(sys.argv[2]) else 1)
EOF
run 0 mamori log verify

diagnose
done_testing
