#!/bin/sh
# logalerts.setup.sh MAMORI DB - run by run.sh before the server of
# logalerts.test.mjs starts: settings, a watched patient, an emergency
# account, and access-log events imported into a new vault that raise
# seven alerts (2 emergency-account uses, the retired nurse's log-in, 2
# off-hours accesses, a burst of failed log-ins, a watched-patient access).
# this test brings its own access logs: the demo starts without its own
# (its vault, its alerts and its watched patient)
# demo-args: --no-logs
set -eu
bin=$1
db=$2
dir=$(dirname "$db")
export TZ=Asia/Tokyo
"$bin" --db "$db" log settings set logs.burst_failures 5 >/dev/null
"$bin" --db "$db" log watch add P-777 --reason VIP >/dev/null
"$bin" --db "$db" account add login=emg-er kind=emergency system=電子カルテシステム holder=救急外来 >/dev/null
python3 - "$dir/events.jsonl" <<'PY'
import json, sys
ev = []
add = lambda **k: ev.append(k)
add(time='2026-11-20T10:00:00+09:00', user='emg-er', action='login', result='成功', host='EHR-T01')
add(time='2026-11-20T14:00:00+09:00', user='emg-er', action='login', result='成功', host='EHR-T02')
add(time='2026-11-20T10:05:00+09:00', user='n-sasaki', action='login', result='成功')
add(time='2026-11-20T07:00:00+09:00', user='dr-early', action='view', patient='P-2')
add(time='2026-11-21T12:00:00+09:00', user='dr-weekend', action='view', patient='P-3')
for s in range(5):
    add(time='2026-11-20T12:00:%02d+09:00' % s, user='admin', action='login', result='失敗', source='192.0.2.7')
add(time='2026-11-20T11:00:00+09:00', user='nurse-a', action='view', patient='P-777')
with open(sys.argv[1], 'w', encoding='utf-8') as f:
    for e in ev:
        f.write(json.dumps(e, ensure_ascii=False) + '\n')
PY
"$bin" --db "$db" log import "$dir/events.jsonl"
