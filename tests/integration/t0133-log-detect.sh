#!/bin/bash
# Detections of the access-log vault end to end: settings, a watched
# patient, an emergency account, a long-unused account; events fed through
# "mamori log import" (JSON Lines); the alerts they raise (one per rule and
# dedup window) in "mamori log alerts --format json" and in the journal;
# acknowledgement from the CLI and over HTTP; the watch list and settings
# over HTTP with their validation and roles; the dashboard's "logs" block.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

export TZ=Asia/Tokyo

py() {
	desc=$1
	file=$2
	shift 2
	if python3 -c "
import json
d = json.load(open('$file'))
$*
" 2>"$T/pyerr"; then ok "$desc"; else
		not_ok "$desc"
		sed 's/^/    /' "$T/pyerr" | tail -5
	fi
}

run 0 mamori demo --no-logs
# ---- settings ----------------------------------------------------------------
run 0 mamori log settings set logs.hours "8:30-18:00"
run 0 mamori log settings set logs.workdays "月-金"
run 0 mamori log settings set logs.burst_failures 5
run 0 mamori log settings set logs.burst_seconds 30
run 2 mamori log settings set logs.hours "18:00-18:00"
has "$T/err" "業務時間「18:00-18:00」が読めません"
run 2 mamori log settings set logs.colour red
has "$T/err" "設定項目「logs.colour」はありません"
run 0 mamori log settings show --format json
cp "$T/out" "$T/settings.json"
py "settings stored normalised" "$T/settings.json" "
assert d['logs.hours'] == '08:30-18:00', d
assert d['logs.workdays'] == 'mon-fri', d
assert d['logs.burst_failures'] == 5 and d['logs.burst_seconds'] == 30, d"

# ---- watched patient, emergency account, long-unused account ------------------
run 0 mamori log watch add P-777 --reason VIP --note 理事長
run 2 mamori log watch add P-777 --reason 職員
has "$T/err" "すでに登録されています"
run 2 mamori log watch add P-778
has "$T/err" "--reason"
run 0 mamori account add login=emg-er kind=emergency system=電子カルテシステム holder=救急外来
run 0 mamori account add login=old-user system=電子カルテシステム holder="古井 一郎" last_used_on=2026-01-05

# ---- events -------------------------------------------------------------------
{
	# emergency account: every successful log-in (two), its other events not again
	echo '{"time":"2026-11-20T10:00:00+09:00","user":"emg-er","action":"login","result":"成功","host":"EHR-T01"}'
	echo '{"time":"2026-11-20T10:01:00+09:00","user":"emg-er","action":"view","patient":"P-1","host":"EHR-T01"}'
	echo '{"time":"2026-11-20T14:00:00+09:00","user":"emg-er","action":"login","result":"成功","host":"EHR-T02"}'
	# the demo's retired nurse logs in (twice the same day: one alert)
	echo '{"time":"2026-11-20T10:05:00+09:00","user":"n-sasaki","action":"login","result":"成功"}'
	echo '{"time":"2026-11-20T11:05:00+09:00","user":"n-sasaki","action":"login","result":"成功"}'
	# unused since January
	echo '{"time":"2026-11-20T09:00:00+09:00","user":"old-user","action":"login","result":"成功"}'
	# off hours: 08:29:59 and 18:00:00 are outside, 08:30:00 and 17:59:59 inside
	echo '{"time":"2026-11-20T08:29:59+09:00","user":"dr-early","action":"view","patient":"P-2"}'
	echo '{"time":"2026-11-20T08:30:00+09:00","user":"dr-ontime","action":"view","patient":"P-2"}'
	echo '{"time":"2026-11-20T17:59:59+09:00","user":"dr-late","action":"view","patient":"P-2"}'
	echo '{"time":"2026-11-20T18:00:00+09:00","user":"dr-late","action":"view","patient":"P-2"}'
	echo '{"time":"2026-11-20T23:00:00+09:00","user":"dr-late","action":"view","patient":"P-3"}'
	# five failed log-ins from one source within 30 s, then a sixth: one alert
	for s in 00 05 10 15 20 25; do
		echo "{\"time\":\"2026-11-20T12:00:$s+09:00\",\"user\":\"admin\",\"action\":\"login\",\"result\":\"失敗\",\"source\":\"192.0.2.7\"}"
	done
	# four from another: none
	for s in 00 05 10 15; do
		echo "{\"time\":\"2026-11-20T12:00:$s+09:00\",\"user\":\"admin\",\"action\":\"login\",\"result\":\"失敗\",\"source\":\"192.0.2.8\"}"
	done
	# the watched patient: one alert per user and day
	echo '{"time":"2026-11-20T11:00:00+09:00","user":"nurse-a","action":"view","patient":"P-777"}'
	echo '{"time":"2026-11-20T11:30:00+09:00","user":"nurse-a","action":"print","patient":"P-777"}'
	echo '{"time":"2026-11-20T11:40:00+09:00","user":"nurse-b","action":"view","patient":"P-777"}'
} >"$T/events.jsonl"
run 0 mamori log import "$T/events.jsonl"
has "$T/out" "取り込みました: 24 件"

run 0 mamori log alerts --all --format json
cp "$T/out" "$T/alerts.json"
py "one alert per rule and window" "$T/alerts.json" "
from collections import Counter
c = Counter(a['kind'] for a in d)
want = {'emergency_use': 2, 'retired_login': 1, 'unused_login': 1, 'off_hours': 2,
        'failed_burst': 1, 'watched_patient': 2}
assert c == Counter(want), c"
py "off hours: the boundaries" "$T/alerts.json" "
u = sorted(a['user'] for a in d if a['kind'] == 'off_hours')
assert u == ['dr-early', 'dr-late'], u
l = [a for a in d if a['kind'] == 'off_hours' and a['user'] == 'dr-late'][0]
assert l['at'] == '2026-11-20T09:00:00.000000Z', l"
py "alerts carry event time, seq, severity and a Japanese detail" "$T/alerts.json" "
e = [a for a in d if a['kind'] == 'emergency_use']
assert all(a['severity'] == 'high' for a in e)
assert sorted(a['at'] for a in e) == ['2026-11-20T01:00:00.000000Z', '2026-11-20T05:00:00.000000Z'], e
assert all('緊急用アカウント「emg-er」' in a['detail'] for a in e), e
b = [a for a in d if a['kind'] == 'failed_burst'][0]
assert b['source'] == '192.0.2.7' and '5 回' in b['detail'], b
w = [a for a in d if a['kind'] == 'watched_patient']
assert sorted(a['user'] for a in w) == ['nurse-a', 'nurse-b'] and all('VIP' in a['detail'] for a in w), w
assert all(a['ack_at'] is None for a in d)"

# ---- the journal: one entry per alert, by mamori-log ----------------------------
run 0 mamori journal show --action log.alert --format json
cp "$T/out" "$T/journal.json"
py "a journal entry per alert, by mamori-log" "$T/journal.json" "
e = [x for x in d if x['action'] == 'log.alert']
assert len(e) == 9, len(e)
assert all(x['actor'] == 'mamori-log' and x['entity_type'] == 'log_alert' for x in e), e[0]"
run 0 mamori journal verify

# ---- importing the same events again raises nothing new for the day's windows --
run 0 mamori log alerts --format csv
has "$T/out" "番号,発生時刻,種類,重要度,利用者,患者ID,端末/ホスト,接続元,内容,確認"
has "$T/out" "緊急用アカウントの使用"
run 0 mamori log alerts --kind retired_login
has "$T/out" "n-sasaki"
has "$T/out" "(1 件表示 / 該当 1 件"
# the table in local time, as "log search" shows events (JSON keeps UTC)
has "$T/out" "2026-11-20 10:05:00"
lacks "$T/out" "2026-11-20T01:05:00"
run 2 mamori log alerts --kind nope

# ---- acknowledge from the CLI ----------------------------------------------------
RET=$(python3 -c "import json; print([a['id'] for a in json.load(open('$T/alerts.json')) if a['kind']=='retired_login'][0])")
run 0 mamori log alerts ack "$RET" --note "本人に確認済"
has "$T/out" "1 件の警告を確認済にしました"
run 2 mamori log alerts ack "$RET"
has "$T/err" "確認済にしています"
run 0 mamori log alerts --format json
py "the acknowledged alert is no longer open" "$T/out" "
assert len(d) == 8 and all(a['kind'] != 'retired_login' for a in d), len(d)"
run 0 mamori journal show --action log.alert_ack --format json
py "the acknowledgement is journaled with its note" "$T/out" "
assert len(d) == 1 and d[0]['actor'].startswith('cli:'), d
assert json.loads(d[0]['after'])['note'] == '本人に確認済' if isinstance(d[0]['after'], str) else d[0]['after']['note'] == '本人に確認済', d[0]"
run 0 mamori log watch list
has "$T/out" "P-777"
has "$T/out" "VIP"

# ---- over HTTP ---------------------------------------------------------------------
start_server
admin_setup
api GET "/api/v1/logs/alerts?state=all&limit=5"
expect_status 200 "alerts"
py "paged, newest first, with the total" "$T/body" "
assert d['total'] == 9 and len(d['items']) == 5 and d['limit'] == 5, (d['total'], len(d['items']))
ats = [a['at'] for a in d['items']]
assert ats == sorted(ats, reverse=True), ats"
api GET "/api/v1/logs/alerts?kind=watched_patient&user=nurse-b"
py "filters combine" "$T/body" "assert d['total'] == 1 and d['items'][0]['patient'] == 'P-777', d"
api GET "/api/v1/logs/alerts?state=maybe"
expect_status 422 "a bad state"
api GET "/api/v1/logs/alerts?since=yesterday"
expect_status 422 "a bad time"
BURST=$(python3 -c "import json; print([a['id'] for a in json.load(open('$T/alerts.json')) if a['kind']=='failed_burst'][0])")
api POST "/api/v1/logs/alerts/$BURST/ack" '{"note":"遮断済"}'
expect_status 200 "ack"
api POST "/api/v1/logs/alerts/$BURST/ack" '{}'
expect_status 409 "ack twice"
api POST "/api/v1/logs/alerts/99999/ack" '{}'
expect_status 404 "ack an unknown alert"
api GET "/api/v1/logs/alerts"
py "two acknowledged, seven open" "$T/body" "assert d['total'] == 7, d['total']"

api GET /api/v1/logs/watch
expect_status 200 "watch list"
py "the watched patient with its alerts" "$T/body" "
w = d['items'][0]
assert w['patient'] == 'P-777' and w['reason'] == 'VIP' and w['alerts'] == 2, w"
api POST /api/v1/logs/watch '{"patient":"S-0001","reason":"職員"}'
expect_status 201 "watch add"
WID=$(jget id)
api POST /api/v1/logs/watch '{"patient":"S-0001","reason":"職員"}'
expect_status 409 "watch add twice"
api POST /api/v1/logs/watch '{"patient":"S-0002"}'
expect_status 422 "watch add without a reason"
api DELETE "/api/v1/logs/watch/$WID"
expect_status 204 "watch remove"
api DELETE "/api/v1/logs/watch/$WID"
expect_status 404 "watch remove again"

api GET /api/v1/logs/settings
py "settings" "$T/body" "assert d['logs.hours'] == '08:30-18:00' and d['accounts.unused_days'] == 90, d"
api PUT /api/v1/logs/settings '{"logs.hours":"07:00-20:00","logs.burst_failures":"abc"}'
expect_status 422 "a bad value: nothing changes"
py "the error names the field" "$T/body" "assert d['error']['field'] == 'logs.burst_failures', d"
api GET /api/v1/logs/settings
py "all or nothing" "$T/body" "assert d['logs.hours'] == '08:30-18:00', d"
api PUT /api/v1/logs/settings '{"logs.hours":"07:00-20:00","logs.burst_failures":8,"logs.emergency_users":"bcp1, bcp2"}'
expect_status 200 "settings changed"
py "settings answered" "$T/body" "assert d['logs.hours'] == '07:00-20:00' and d['logs.burst_failures'] == 8 and d['logs.emergency_users'] == 'bcp1,bcp2', d"
CSRF_SAVED=$CSRF
CSRF=
api PUT /api/v1/logs/settings '{"logs.hours":"07:00-21:00"}'
expect_status 403 "CSRF token required"
CSRF=$CSRF_SAVED

api GET /api/v1/dashboard
py "the dashboard's logs block" "$T/body" "
l = d['logs']
assert l['open'] == 7 and l['total'] == 9, l
assert len(l['newest']) == 5 and l['href'] == '#/logalerts', l
k = {x['kind']: x for x in l['by_kind']}
assert k['failed_burst']['open'] == 0 and k['failed_burst']['total'] == 1, k"

# staff read alerts and settings but neither acknowledge nor see the watch list
api POST /api/v1/users '{"name":"kango","role":"staff"}'
expect_status 201 "a staff user"
OTP=$(jget one_time_password)
JAR="$T/jar-kango"
signin kango "$OTP"
api POST /api/v1/password "{\"current\":\"$OTP\",\"new\":\"Zq7-Hoshi-2026!Pw\"}"
expect_status 204 "staff sets a password"
api GET /api/v1/logs/alerts
expect_status 200 "staff read alerts"
api POST "/api/v1/logs/alerts/$RET/ack" '{}'
expect_status 403 "staff may not acknowledge"
api GET /api/v1/logs/watch
expect_status 403 "staff do not see the watch list"
api PUT /api/v1/logs/settings '{"logs.hours":"07:00-21:00"}'
expect_status 403 "staff may not change settings"

# ---- live: an emergency log-in received over UDP by "mamori serve" ------------------
stop_server
UDP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$PORT" --syslog-udp "127.0.0.1:$UDP" >"$T/serve2.out" 2>"$T/serve2.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "ログ受信" "$T/serve2.err" && break; sleep 0.1; done
printf '%s' '<110>1 2026-11-22T10:00:00+09:00 ehr-app01 EHR 4123 AUDIT [ehrAudit@32473 user="emg-er" action="login" result="success" terminal="WS-1F-001"] t0133 緊急ログイン' \
	>"/dev/udp/127.0.0.1/$UDP"
as_admin
n=0
for _ in $(seq 1 100); do
	api GET "/api/v1/logs/alerts?kind=emergency_use&state=all"
	n=$(jget total)
	[ "$n" = 3 ] && break
	sleep 0.1
done
same "$n" 3 "the received log-in raised a third emergency-account alert"
py "the alert names the received event" "$T/body" "
a = d['items'][0]
assert a['user'] == 'emg-er' and a['at'] == '2026-11-22T01:00:00.000000Z', a"

done_testing
