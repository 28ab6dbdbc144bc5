#!/bin/bash
# A resend is recognised: the same message from the same sender address is
# stored again and marked duplicate (flag 0x10000, 重複), also after serve
# restarts (the window is refilled from the vault under a new secret); the
# same message from another address (127.0.0.2) and another message are
# not marked.  Every event is kept, and "mamori log verify" passes.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

trap 'stop_server; rm -rf "$T"' EXIT

# send FROM TEXT: one LF-framed syslog message over TCP from address FROM.
send() {
	python3 - "$TCP" "$1" "$2" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[2], 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"<134>1 2026-11-21T01:00:00Z ehr-ap01 ehr - AUDIT - " + sys.argv[3].encode() + b"\n")
s.close()
PY
}

# wait_events N: until "log search" shows N events (at most 15 s); they
# are in $T/events as JSON.
wait_events() {
	for _ in $(seq 1 75); do
		"$MAMORI" log search --format json --limit 100 >"$T/events" 2>/dev/null &&
			[ "$(python3 -c "import json; print(len(json.load(open('$T/events'))['events']))")" -ge "$1" ] &&
			break
		sleep 0.2
	done
}

# marked FROM TEXT: "duplicates/all" of the events with that peer and message.
marked() {
	python3 - "$T/events" "$1" "$2" <<'PY'
import json, sys
ev = [e for e in json.load(open(sys.argv[1]))["events"]
      if e["peer"] == sys.argv[2] and e["message"].endswith(" " + sys.argv[3])]
print(f"{sum(1 for e in ev if e['flags'] & 0x10000)}/{len(ev)}")
PY
}

mamori init >/dev/null
start_log_server || { not_ok "serve started"; done_testing; }
send 127.0.0.1 "t0135 same"
send 127.0.0.1 "t0135 same"
send 127.0.0.2 "t0135 same"
send 127.0.0.1 "t0135 other"
wait_events 4
same "$(marked 127.0.0.1 "t0135 same")" "1/2" "the resent message is kept and marked once"
same "$(marked 127.0.0.2 "t0135 same")" "0/1" "the same text from another address is not marked"
same "$(marked 127.0.0.1 "t0135 other")" "0/1" "another message is not marked"

stop_server
start_log_server || { not_ok "serve started again"; done_testing; }
send 127.0.0.1 "t0135 same"
send 127.0.0.2 "t0135 other"
wait_events 6
same "$(marked 127.0.0.1 "t0135 same")" "2/3" "after a restart the resend is still recognised"
same "$(marked 127.0.0.2 "t0135 other")" "0/1" "and a message new from that address is not"
stop_server
run 0 mamori log verify
done_testing
