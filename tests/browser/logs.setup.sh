#!/bin/sh
# logs.setup.sh MAMORI DB - run by run.sh before the server of
# logs.test.mjs starts: imports 130 access-log events into a new vault
# (120 EHR audit events, 80 of them of patient 0000123456, so that its list
# has two pages of 50; ten of them failed), and a line that is no syslog.
# this test brings its own access logs: the demo starts without its own
# (its vault, its alerts and its watched patient)
# demo-args: --no-logs
set -eu
bin=$1
db=$2
dir=$(dirname "$db")
python3 - "$dir/ehr-audit.log" <<'PY'
import sys
out = open(sys.argv[1], 'w', encoding='utf-8')
for i in range(120):
    patient = '0000123456' if i % 3 != 2 else '0000765432'
    user = ['D12345', 'N20001', 'D54321'][i % 3]
    action = ['view', 'update', 'print'][i % 3]
    result = 'failure' if i % 12 == 0 else 'success'
    out.write('<110>1 2026-11-20T%02d:%02d:00+09:00 ehr-app01 EHR 4123 AUDIT '
              '[ehrAudit@32473 user="%s" patient="%s" action="%s" result="%s" terminal="WS-3F-%03d"] 診療録 %d\n'
              % (8 + i // 60, i % 60, user, patient, action, result, i % 7, i))
out.write('this line is not syslog at all\n')
PY
"$bin" --db "$db" log import "$dir/ehr-audit.log"
"$bin" --db "$db" log checkpoint --new >/dev/null
