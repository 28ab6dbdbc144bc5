#!/bin/bash
# mamori demo: the fictional hospital that "make run" shows.
. "$(dirname "$0")/lib.sh"

run 0 mamori demo
has "$T/out" "みまもり総合病院"
cp "$T/out" demo.out
run 0 mamori asset list --format json
n=$(grep -c '"id"' "$T/out")
check "about 300 devices ($n)" test "$n" -ge 280 -a "$n" -le 320
has "$T/out" '"os": "Windows 10 Pro"'
has "$T/out" '"os": "Windows 11 Pro"'
has "$T/out" '"kind": "server"'
has "$T/out" '"kind": "network"'
has "$T/out" '"kind": "printer"'
has "$T/out" '"kind": "medical"'
has "$T/out" '"model": "FortiGate 100F"'
has "$T/out" '"status": "disposed"'
has "$T/out" '"status": "retired"'
has "$T/out" '"system": "PACS"'
no_owner=$(python3 -c "import json,sys; d=json.load(open('$T/out')); print(sum(1 for x in d if 'owner' not in x))")
check "some devices have no owner ($no_owner)" test "$no_owner" -ge 1
no_ip=$(python3 -c "import json,sys; d=json.load(open('$T/out')); print(sum(1 for x in d if 'ip' not in x))")
check "a device has no IP ($no_ip)" test "$no_ip" -ge 1
remote=$(python3 -c "import json,sys; d=json.load(open('$T/out')); print(len({x['vendor'] for x in d if x.get('remote_maintenance')}))")
same "$remote" "2" "two vendors maintain remotely"
run 0 sqlite3 "$MAMORI_DB" "SELECT COUNT(*) FROM vendor; SELECT COUNT(*) FROM system; SELECT COUNT(*) FROM contract WHERE remote_maintenance = 1"
same "$(tr '\n' ' ' <"$T/out")" "3 4 2 " "3 vendors, 4 systems, 2 remote-maintenance contracts"
run 0 mamori asset list --kind medical
has "$T/out" "医療機器"
# The access logs of the demo: stored, intact, one alert of each kind.
has demo.out "アクセスログ"
run 0 mamori log verify
has "$T/out" "検証済み"
run 0 mamori log alerts --format json
for kind in emergency_use retired_login off_hours failed_burst watched_patient; do
	n=$(python3 -c "import json,sys; d=json.load(open('$T/out')); a=d['alerts'] if isinstance(d, dict) else d; print(sum(1 for x in a if x['kind'] == '$kind'))")
	same "$n" "1" "one $kind alert"
done
run 0 mamori log search --patient 0000012345 --format json
has "$T/out" '"user": "u0135"'
run 0 mamori log checkpoint
has "$T/out" "mamori.local/"
run 2 mamori demo
has "$T/err" "既に機器が"
run 0 mamori --db "$T/nologs.db" demo --no-logs
has "$T/out" "アクセスログなし"
check "no vault without the logs" test ! -e "$T/nologs.logs"
run 0 mamori journal verify

# Deterministic: a second demo store has the same ledger.
run 0 mamori --db "$T/again.db" demo
mamori asset export --format json -o a.json
mamori --db "$T/again.db" asset export --format json -o b.json
check "the demo is the same every time" cmp -s a.json b.json
done_testing
