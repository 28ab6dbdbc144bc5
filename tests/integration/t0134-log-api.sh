#!/bin/bash
# /api/v1/logs against the real server: no vault yet (empty list, 404s),
# then a vault imported beside the demo database: search with filters and
# the cursor, bad filters refused (422), one event with its badges, its
# proof checked by 'mamori log verify-proof' without any database, the
# latest checkpoint, the CSV export (BOM, every match, journaled as
# log.export); an auditor reads, a vendor account is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_server.sh"
export TZ=Asia/Tokyo

mamori demo --no-logs >/dev/null
start_server
admin_setup
ADMIN_JAR=$JAR

api GET /api/v1/logs/events
expect_status 200 "search before any log"
same "$(jget vault) $(jget events)" "false []" "no vault: an empty list"
api GET /api/v1/logs/checkpoint
expect_status 404 "no vault: no checkpoint"
api POST /api/v1/logs/checkpoint
expect_status 404 "no vault: nothing to sign"
api GET /api/v1/logs/events/0
expect_status 404 "no vault: no event"

python3 - <<'EOF'
with open('ehr.log', 'w', encoding='utf-8') as out:
    for i in range(30):
        out.write('<110>1 2026-11-20T09:%02d:00+09:00 ehr-app01 EHR 4123 AUDIT [ehrAudit@32473 user="D%d" '
                  'patient="%s" action="view" result="%s" terminal="WS-1"] 参照 %d\n'
                  % (i, i % 3, 'P0001' if i % 2 else 'P0002', 'failure' if i == 7 else 'success', i))
    out.write('garbage without a priority\n')
EOF
run 0 mamori log import ehr.log

api GET "/api/v1/logs/events?patient=P0001&limit=10"
expect_status 200 "search by patient"
same "$(python3 -c "import json; d=json.load(open('$T/body')); print(len(d['events']), d['events'][0]['seq'], d['next'], d['vault'])")" "10 29 11 True" "newest first, a page of 10, the cursor"
api GET "/api/v1/logs/events?patient=P0001&limit=10&before=11"
same "$(python3 -c "import json; d=json.load(open('$T/body')); print([e['seq'] for e in d['events']], d['next'])")" "[9, 7, 5, 3, 1] None" "the last page"
api GET "/api/v1/logs/events?patient=P0001&result=failure"
same "$(python3 -c "import json; d=json.load(open('$T/body')); print([(e['seq'], e['user'], e['result']) for e in d['events']])")" "[(7, 'D1', 'failure')]" "patient and result combined"
api GET "/api/v1/logs/events?from=2026-11-20%2009:25&to=2026-11-20T00:28:00Z"
same "$(python3 -c "import json; d=json.load(open('$T/body')); print([e['seq'] for e in d['events']])")" "[27, 26, 25]" "a time range (local time and RFC 3339)"
api GET "/api/v1/logs/events?result=maybe"
expect_status 422 "a bad result"
api GET "/api/v1/logs/events?from=yesterday"
expect_status 422 "a bad time"
has "$T/body" "日時が読めません"
api GET "/api/v1/logs/events?limit=5000"
expect_status 422 "limit over 1000"

api GET /api/v1/logs/events/30
expect_status 200 "one event"
same "$(jget badges.0.label) $(jget message)" "形式不正 garbage without a priority" "the malformed line, kept with its badge"
api GET /api/v1/logs/events/99
expect_status 404 "beyond the tree"
api GET /api/v1/logs/events/0
expect_status 200 "the first event is 0"
same "$(jget seq) $(jget user)" "0 D0" "…with its fields"
api GET /api/v1/logs/events/007
expect_status 404 "a number written with leading zeros is not a seq"
api GET /api/v1/logs/events/x1
expect_status 404 "nor is a word"

# a checkpoint signed on request (no receivers here: the server signs it)
api POST /api/v1/logs/checkpoint
expect_status 201 "a checkpoint signed now"
same "$(jget size)" "31" "it covers every event"
has "$T/body" "mamori-time"
run 0 mamori journal show --action log.checkpoint --format json
has "$T/out" "log.checkpoint"
api GET /api/v1/logs/checkpoint
expect_status 200 "the latest checkpoint"
same "$(jget size) $(jget checkpoint.size)" "31 31" "its size"
python3 -c "import json,sys; d=json.load(open('$T/body')); open('checkpoint.txt','w').write(d['note']); open('vkey.txt','w').write(d['vkey'] + '\\n')"
api GET /api/v1/logs/events/7/proof
expect_status 200 "the proof of event 7"
cp "$T/body" proof7.txt
has proof7.txt "MAMORI-LOG-PROOF 1"
mkdir elsewhere && cp proof7.txt checkpoint.txt vkey.txt elsewhere/
(cd elsewhere && MAMORI_DB= "$MAMORI" log verify-proof proof7.txt --checkpoint checkpoint.txt --vkey-file vkey.txt >out 2>&1)
check "the downloaded proof checks on its own" test $? -eq 0
has elsewhere/out "証明されました"
check "no database was made to check it" test ! -e elsewhere/mamori.db

curl -s -D "$T/headers" -o export.csv -b "$JAR" "$BASE/api/v1/logs/events.csv?patient=P0002"
has "$T/headers" "text/csv"
same "$(head -c 3 export.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "the CSV starts with a BOM"
same "$(wc -l <export.csv | tr -d ' ')" 16 "heading and all 15 events of P0002"
api GET "/api/v1/journal?action=log.export"
same "$(jget items.0.action) $(jget items.0.actor) $(jget items.0.after.patient)" "log.export web:admin P0002" "the export is journaled with its filters"

# An export is streamed page by page: 2,500 events of one patient (three
# pages of the store) arrive whole and in order.
python3 - <<'EOF2'
with open('many.log', 'w') as out:
    for i in range(2500):
        out.write('<110>1 2026-11-21T10:00:00+09:00 ehr-app09 EHR 1 AUDIT [ehrAudit@32473 user="D9" patient="P0099" action="view" result="success"] n=%d\n' % i)
EOF2
run 0 mamori log import many.log
curl -s -o many.csv -b "$JAR" "$BASE/api/v1/logs/events.csv?patient=P0099"
same "$(wc -l <many.csv | tr -d ' ')" 2501 "every one of 2,500 events, past the store's page of 1,000"
same "$(sed -n '2p;$p' many.csv | grep -o ' n=[0-9][0-9]*' | tr '\n' ' ')" " n=2499  n=0 " "newest first, down to the first"

# ---- roles ----------------------------------------------------------------------
new_user kansa auditor
api GET "/api/v1/logs/events?user=D1"
expect_status 200 "an auditor searches"
api GET /api/v1/logs/events.csv
expect_status 200 "an auditor exports"
new_user sakura vendor "さくら医用画像株式会社"
api GET /api/v1/logs/events
expect_status 403 "a vendor account cannot search the access logs"
api GET /api/v1/logs/events/0/proof
expect_status 403 "…nor download proofs"

stop_server
done_testing
