#!/bin/bash
# Incidents, emergency-account uses, the contact chart, the BCP and drills
# over HTTP: a ransomware drill opened and triaged, action cards ticked, a
# report draft, an announcement, an emergency account used → the dashboard
# alert → close refused (409) until the account is disabled; roles (a
# vendor is refused, an auditor reads but does not write, staff record but
# do not close), CSRF; the PDFs.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

mamori demo >/dev/null
mamori account add login=emg-api kind=emergency system=電子カルテシステム >/dev/null
start_server
admin_setup

api GET /api/v1/incidents/catalog
expect_status 200 "the triage catalog"
same "$(jget categories.1.name)" "cyberattack" "categories in order"
same "$(jget announcements.0.code)" "1" "announcement templates in the catalog"

api POST /api/v1/incidents '{"title":"ランサムウェア訓練","category":"cyberattack","drill":true,"answers":{"scope":"local","spread":true,"devices":["MH-SV-001"]}}'
expect_status 201 "open an incident (a drill)"
same "$(jget incident.level)" "4" "proposed L4"
same "$(jget incident.drill)" "true" "marked as a drill"
ID=$(jget incident.id)
api POST /api/v1/incidents '{"title":"x","category":"weather","answers":{"scope":"local"}}'
expect_status 422 "an unknown category"
same "$(jget error.field)" "category" "the field is named"
api POST /api/v1/incidents '{"title":"x","category":"power","answers":{"scope":"local","spread":true}}'
expect_status 422 "a check the category does not ask"

api POST "/api/v1/incidents/$ID/triage" '{"answers":{"scope":"local","spread":true,"outage":true,"devices":["MH-SV-001"]}}'
expect_status 200 "triage again"
same "$(jget incident.level)" "5" "L5 after the outage"
api POST "/api/v1/incidents/$ID/actions" '{"action":"net_disconnect","by":"情報システム室 佐藤","at":"2026-01-10T09:05:00+09:00"}'
expect_status 200 "tick an action"
same "$(jget actions.0.done)" "true" "ticked"
same "$(jget actions.0.by)" "情報システム室 佐藤" "by whom"
same "$(jget actions.0.at)" "2026-01-10T00:05:00Z" "when"
api POST "/api/v1/incidents/$ID/actions" '{"action":"nothing"}'
expect_status 422 "an unknown card"
api GET "/api/v1/incidents/$ID/drafts/mhlw"
expect_status 200 "the report draft"
has "$T/body" "【訓練】"
has "$T/body" "ネットワークの切り離し"
api POST "/api/v1/incidents/$ID/notifications" "{\"authority\":\"mhlw\",\"channel\":\"電話\",\"text\":\"第一報\"}"
expect_status 200 "a report recorded"
same "$(jget notifications.0.authority)" "mhlw" "the authority"
api POST "/api/v1/incidents/$ID/announcements" '{"code":"1","by":"医療サービス課長"}'
expect_status 200 "an announcement recorded"
same "$(jget announcements.next)" "2" "the next due is the 60-minute one"

# the emergency account: used → alert on the dashboard
api GET /api/v1/dashboard
lacks "$T/body" '"code":"emergency_use"'
api POST "/api/v1/incidents/$ID/emergency-uses" '{"account":"emg-api","used_by":"救急外来 医師"}'
expect_status 200 "an emergency use recorded"
api GET /api/v1/dashboard
has "$T/body" '"code":"emergency_use"'
has "$T/body" "#/incidents?tab=emergency"
api POST /api/v1/emergency-uses '{"account":"emg-api"}'
expect_status 422 "outside an incident without a reason"
api GET /api/v1/emergency-uses
expect_status 200 "the uses and the emergency accounts"
has "$T/body" "emg-api"

# close: refused until recovery, review, approval and the account disabled
api POST "/api/v1/incidents/$ID/close" '{}'
expect_status 409 "close refused"
has "$T/body" "正常復帰"
api POST "/api/v1/incidents/$ID/recover" '{}'
expect_status 200 "return to normal"
api POST "/api/v1/incidents/$ID/review" '{"causes":"訓練: VPN 装置の脆弱性","measures":"パッチ適用"}'
expect_status 200 "the review"
api POST "/api/v1/incidents/$ID/approve" '{"by":"院長 山田"}'
expect_status 200 "the approval"
api POST "/api/v1/incidents/$ID/close" '{}'
expect_status 409 "close still refused"
has "$T/body" "emg-api"
same "$(curl -s -o "$T/report.pdf" -w '%{http_code} %{content_type}' -b "$JAR" "$BASE/api/v1/incidents/$ID/report")" \
	"200 application/pdf" "the management report"
pdftotext "$T/report.pdf" - | grep -q "院長 山田" && ok "the report names the approver" || not_ok "the report names the approver"
mamori account disable emg-api >/dev/null
api POST "/api/v1/incidents/$ID/close" '{}'
expect_status 200 "closed once the account is disabled"
same "$(jget incident.status)" "closed" "status closed"
api GET /api/v1/dashboard
lacks "$T/body" '"code":"emergency_use"'
api POST /api/v1/incidents/verify '{}'
same "$(jget intact)" "true" "the timelines verify"

# contacts and BCP
api GET /api/v1/contacts
expect_status 200 "the contact chart"
same "$(jget nodes.0.role)" "発見者・各部署の責任者" "the first caller"
api POST /api/v1/contacts '{"side":"external","role":"情報セキュリティ専門家","parent":"#3"}'
expect_status 201 "add a contact"
CID=$(jget id)
api PATCH "/api/v1/contacts/$CID" '{"phone":"03-0000-0001 (例)"}'
expect_status 200 "change it"
api POST /api/v1/contacts '{"side":"external"}'
expect_status 422 "a contact without a role"
api DELETE "/api/v1/contacts/$CID"
expect_status 204 "remove it"
api GET /api/v1/bcp
expect_status 200 "the BCP data"
same "$(jget systems.0.priority)" "1" "priorities"
SID=$(jget systems.3.id)
api PUT "/api/v1/bcp/systems/$SID" '{"priority":2,"tolerable_downtime":"12時間"}'
expect_status 200 "a system's priority"
api POST /api/v1/bcp/backups '{"system":"PACS","frequency":"週次","media":"worm"}'
expect_status 201 "a backup plan"
api POST /api/v1/bcp/backups '{"system":"PACS","frequency":"週次","media":"paper"}'
expect_status 422 "a bad media"
api PUT /api/v1/bcp/templates/3 '{"text":"復旧は15時の見込みです。"}'
expect_status 200 "an announcement template"
api PUT /api/v1/bcp/templates/9 '{"text":"x"}'
expect_status 422 "no template 9"
api POST /api/v1/drills "{\"title\":\"ランサムウェア訓練\",\"done_on\":\"2026-01-10\",\"findings\":\"連絡網\",\"incident\":$ID}"
expect_status 201 "a drill recorded"
for p in /api/v1/bcp/export /api/v1/bcp/kit /api/v1/contacts/chart; do
	same "$(curl -s -o "$T/x.pdf" -w '%{http_code} %{content_type}' -b "$JAR" "$BASE$p")" "200 application/pdf" "$p is a PDF"
done

# roles and CSRF
api GET /api/v1/users
api POST /api/v1/users '{"name":"kansa","role":"auditor"}'
otp_a=$(jget one_time_password)
api POST /api/v1/users '{"name":"kango","role":"staff"}'
otp_s=$(jget one_time_password)
api POST /api/v1/users '{"name":"gyosha","role":"vendor","vendor":"北斗メディカルシステムズ株式会社"}'
otp_v=$(jget one_time_password)
first() {
	JAR="$T/jar-$1"
	signin "$1" "$2"
	api POST /api/v1/password "{\"current\":\"$2\",\"new\":\"Zq7-$(printf '%s' "$1" | md5sum | cut -c1-8)-Pw!\"}"
}
first gyosha "$otp_v"
api GET /api/v1/incidents
expect_status 403 "a vendor may not read incidents"
first kansa "$otp_a"
api GET "/api/v1/incidents/$ID"
expect_status 200 "the auditor reads"
api POST /api/v1/incidents '{"title":"x","category":"power","answers":{"scope":"local"}}'
expect_status 403 "the auditor does not write"
first kango "$otp_s"
api POST /api/v1/incidents '{"title":"停電","category":"power","answers":{"scope":"local"}}'
expect_status 201 "staff open an incident"
SID2=$(jget incident.id)
api POST "/api/v1/incidents/$SID2/close" '{}'
expect_status 403 "staff do not close"
CSRF=
api POST "/api/v1/incidents/$SID2/notes" '{"text":"x"}'
expect_status 403 "no CSRF token"

done_testing
