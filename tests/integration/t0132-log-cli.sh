#!/bin/bash
# mamori log: the access-log vault from the command line, no server.  A
# syslog file (EHR audit events in RFC 5424 structured data, sshd lines,
# one line that is no syslog at all) and a CSV audit export of an EHR with
# a column mapping are imported; search by each filter, combined, paged,
# by time range, as CSV and JSON; verify; prove and verify-proof in a
# directory with no database (only the proof and the off-host checkpoint);
# a flipped byte in a segment and an altered index row caught by verify
# (and a proof made after the tampering refused by the saved checkpoint);
# a bad input file refused whole with FILE:LINE.
. "$(dirname "$0")/lib.sh"
export TZ=Asia/Tokyo

# json EXPR: evaluates a Python expression over the JSON in $T/out (as j).
json() { python3 -c "import json,sys; j=json.load(open('$T/out')); print($1)"; }
count() { mamori log search "$@" --format json --limit 1000 >"$T/out" 2>"$T/err" && json "len(j['events'])"; }

run 0 mamori init --name "テスト病院" --type hospital
run 2 mamori log search
has "$T/err" "ログ保管庫"

cat >ehr.log <<'EOF'
<110>1 2026-11-20T09:00:01+09:00 ehr-app01 EHR 4123 AUDIT [ehrAudit@32473 user="D001" patient="P0001" action="view" result="success" terminal="WS-101"] 診療録参照
<110>1 2026-11-20T09:05:00+09:00 ehr-app01 EHR 4123 AUDIT [ehrAudit@32473 user="D001" patient="P0002" action="update" result="success" terminal="WS-101"] 診療録更新
<110>1 2026-11-20T10:00:00+09:00 ehr-app02 EHR 4123 AUDIT [ehrAudit@32473 user="N002" patient="P0001" action="view" result="success" terminal="WS-201"] 参照
<110>1 2026-11-20T23:30:00+09:00 ehr-app02 EHR 4123 AUDIT [ehrAudit@32473 user="N002" patient="P0003" action="print" result="failure" terminal="WS-201"] 印刷失敗ZQX
<38>1 2026-11-20T11:00:00+09:00 db01 sshd 812 - - Accepted password for admin1 from 10.0.0.5 port 50122 ssh2
<38>1 2026-11-20T11:01:00+09:00 db01 sshd 813 - - Failed password for root from 10.0.0.66 port 50123 ssh2
this line is not syslog at all
EOF

run 0 mamori log import ehr.log --dry-run
run 2 mamori log search
has "$T/err" "ログ保管庫"
run 0 mamori log import ehr.log
has "$T/out" "7"
check "the vault is beside the database" test -d "$T/mamori.logs"

cat >ehr.csv <<'EOF'
日時,利用者ID,患者ID,端末,操作,結果,内容
2026-11-21 08:00:00,D001,P0001,WS-102,view,success,外来診察
2026-11-21 08:10:00,D003,P0004,WS-103,update,success,処方
2026-11-21 08:20:00,D003,P0001,WS-103,view,failure,権限なし
EOF
run 0 mamori log import ehr.csv --format csv --map time=日時,user=利用者ID,patient=患者ID,host=端末,action=操作,result=結果
has "$T/out" "3"

# ---- search ------------------------------------------------------------------
same "$(count)" 10 "all ten events"
same "$(count --patient P0001)" 4 "patient P0001: two syslog events and two CSV rows"
same "$(count --user D001)" 3 "user D001"
same "$(count --user D001 --patient P0001)" 2 "user and patient combined"
same "$(count --host ehr-app02)" 2 "by host"
same "$(count --action print)" 1 "by action"
same "$(count --result failure --host ehr-app02)" 1 "by result and host"
same "$(count --user N002 --from '2026-11-20 09:30' --to 2026-11-20)" 2 "a time range in local time (--to a date: that whole day)"
same "$(count --from 2026-11-21)" 3 "from a date: the CSV rows of the 21st"
same "$(count --from 2026-11-20T00:00:00Z --to 2026-11-20T01:00:00Z)" 2 "RFC 3339 bounds"
same "$(count --patient NOBODY)" 0 "an unknown patient finds nothing"
run 2 mamori log search --result maybe
run 2 mamori log search --from yesterday
has "$T/err" "日時が読めません"

run 0 mamori log search --patient P0001 --format json
same "$(json "[e['seq'] for e in j['events']]")" "[9, 7, 2, 0]" "newest first"
same "$(json "j['events'][0]['user'], j['events'][0]['result'], j['events'][0]['via']")" "D003 failure file" "a CSV row's fields"
run 0 mamori log search --patient P0001 --limit 2
has "$T/out" "続きは --before 7"
has "$T/out" "D003"
run 0 mamori log search --patient P0001 --limit 2 --before 7 --format json
same "$(json "[e['seq'] for e in j['events']], j['next']")" "[2, 0] None" "the next page by the cursor"

run 0 mamori log search --format json --limit 1000
same "$(json "[b['label'] for e in j['events'] for b in e['badges']]")" "['形式不正']" "the line that is no syslog is kept, flagged 形式不正"
same "$(json "[e['message'] for e in j['events'] if e['badges']]")" "['this line is not syslog at all']" "…with its bytes"

run 0 mamori log search --user D001 -o d001.csv
has "$T/err" "3 件"
same "$(head -c 3 d001.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "the CSV starts with a BOM (Excel)"
has d001.csv "連番,発生時刻,受信時刻,利用者,患者ID"
has d001.csv "成功"
same "$(wc -l <d001.csv | tr -d ' ')" 4 "heading and three events"
run 0 mamori log search -o all.csv
same "$(wc -l <all.csv | tr -d ' ')" 11 "an export to a file has every match"

run 0 mamori log show 3
has "$T/out" "印刷失敗ZQX"
has "$T/out" "N002"
run 0 mamori log show 3 --format json
same "$(json "j['patient'], j['action']")" "P0003 print" "show as JSON"
run 2 mamori log show 999

# ---- verify, checkpoint, proofs -----------------------------------------------
run 0 mamori log verify
has "$T/out" "検証済み: 10 件"
run 0 mamori log checkpoint
cp "$T/out" saved-checkpoint.txt
has saved-checkpoint.txt "mamori.local/"
run 0 mamori log checkpoint --vkey
cp "$T/out" vkey.txt
run 0 mamori log verify --checkpoint saved-checkpoint.txt
has "$T/out" "控えと一致"

run 0 mamori log prove 3 -o proof3.txt
has proof3.txt "MAMORI-LOG-PROOF 1"
run 0 mamori log prove 0 -o proof0.txt

mkdir elsewhere
cp proof3.txt proof0.txt saved-checkpoint.txt vkey.txt elsewhere/
(
	cd elsewhere || exit 1
	unset MAMORI_DB
	run 0 mamori log verify-proof proof3.txt --checkpoint saved-checkpoint.txt
	has "$T/out" "証明されました"
	has "$T/out" "P0003"
	run 0 mamori log verify-proof proof3.txt --vkey-file vkey.txt
	lacks "$T/err" "注意"
	run 0 mamori log verify-proof proof3.txt
	has "$T/err" "注意"
	check "verify-proof opened no database" test ! -e mamori.db -a ! -e mamori.logs
	# a forged record in the proof is not proven
	python3 - <<'PY'
import base64
lines = open('proof3.txt').read().split('\n')
for i, l in enumerate(lines):
    if l.startswith('record '):
        rec = base64.b64decode(l[7:]).replace(b'P0003', b'P0009')
        lines[i] = 'record ' + base64.b64encode(rec).decode()
open('forged.txt', 'w').write('\n'.join(lines))
PY
	run 1 mamori log verify-proof forged.txt --checkpoint saved-checkpoint.txt
	echo "not a proof" >junk.txt
	run 2 mamori log verify-proof junk.txt
	echo "$n_ok $n_fail" >counts
)
read -r sub_ok sub_fail <elsewhere/counts
n_ok=$((n_ok + sub_ok))
n_fail=$((n_fail + sub_fail))

# ---- tampering: a byte of a segment ------------------------------------------------
seg=$(ls "$T"/mamori.logs/seg-*.log | head -n 1)
check "a segment file" test -f "$seg"
flip() {
	python3 - "$seg" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'ZQX')
if i < 0:
    i = b.find(b'[QX')  # flipped before: put it back
assert i > 0
b[i] ^= 0x01
open(p, 'wb').write(bytes(b))
PY
}
flip
run 1 mamori log verify
has "$T/err" "連番 3"
run 0 mamori log verify-proof elsewhere/proof3.txt --checkpoint saved-checkpoint.txt
has "$T/out" "証明されました"
# a proof asked for now is refused (mamori never hands out a proof that
# does not hold), with or without the saved checkpoint
run 1 mamori log prove 3 -o proof3-after.txt
has "$T/err" "書き換えられています"
check "no proof file written" test ! -s proof3-after.txt
run 1 mamori log prove 3 --checkpoint saved-checkpoint.txt -o proof3-cp.txt
has "$T/err" "書き換えられています"
flip # put the byte back
run 0 mamori log verify --checkpoint saved-checkpoint.txt

# ---- tampering: a row of the index ---------------------------------------------------
check "sqlite3 is there" sh -c 'command -v sqlite3 >/dev/null'
sqlite3 "$T/mamori.logs/index.db" "UPDATE log_term SET value='P0009' WHERE value='P0003';"
run 1 mamori log verify
has "$T/err" "連番 3"
sqlite3 "$T/mamori.logs/index.db" "UPDATE log_term SET value='P0003' WHERE value='P0009';"
run 0 mamori log verify

# ---- bad input: nothing appended ---------------------------------------------------------
cat >bad.csv <<'EOF'
日時,利用者ID,患者ID,端末,操作,結果,内容
2026-11-21 09:00:00,D001,P0001,WS-102,view,success,ok
2026-11-21 09:10:00,D001,"P0001,WS-102,view,success,broken quote
EOF
run 2 mamori log import bad.csv --format csv --map time=日時,user=利用者ID,patient=患者ID,host=端末,action=操作,result=結果
has "$T/err" "bad.csv:3"
same "$(count)" 10 "nothing of the bad file was appended"
run 0 mamori log verify

done_testing
