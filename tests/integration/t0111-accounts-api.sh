#!/bin/bash
# The account inventory over HTTP against the real server on the demo
# hospital: the list with its filters and paging, the detail with history,
# add / edit with field errors, disable and rotate of an emergency account,
# the CSV import with a dry-run preview and line-numbered problems, the
# export, the unused-days setting, and who may do what (staff and auditor
# read, vendors are refused, CSRF required).
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

start_server
admin_setup

py() {
	desc=$1
	shift
	if python3 -c "
import json
d = json.load(open('$T/body'))
$*
" 2>"$T/pyerr"; then ok "$desc"; else
		not_ok "$desc"
		sed 's/^/    /' "$T/pyerr" | tail -5
	fi
}

# ---- list, filters, paging ------------------------------------------------
api GET "/api/v1/accounts?limit=10"
expect_status 200 "list"
py "paged: 10 of the demo's accounts" "
assert d['total'] >= 50 and len(d['items']) == 10 and d['limit'] == 10, (d['total'], len(d['items']))
assert d['unused_days'] == 90"
api GET "/api/v1/accounts?limit=10&offset=10"
py "the second page starts where the first ended" "assert d['offset'] == 10 and len(d['items']) == 10"
api GET "/api/v1/accounts?retired=1&status=enabled"
py "retired holders still enabled: the demo's nurse" "
assert [a['login'] for a in d['items']] == ['n-sasaki'], d['items']
assert d['items'][0]['flags'] == ['retired'], d['items'][0]['flags']"
api GET "/api/v1/accounts?unused=1"
py "unused accounts carry their idle days" "
assert d['total'] >= 3
assert all('unused' in a['flags'] and a['idle_days'] > 90 for a in d['items'])"
api GET "/api/v1/accounts?kind=emergency"
py "two emergency accounts with who and how" "
assert d['total'] == 2
assert all(a['emergency_users'] and a['emergency_procedure'] for a in d['items'])"
EHR_EMERGENCY=$(python3 -c "import json; print([a['id'] for a in json.load(open('$T/body'))['items'] if a['login']=='ehr-emergency'][0])")
api GET "/api/v1/accounts?kind=%E7%A4%BE%E9%95%B7"
expect_status 422 "an unknown kind"
api GET "/api/v1/accounts?limit=9999"
expect_status 422 "a page too large"

# ---- disable and rotate an emergency account ------------------------------
api POST "/api/v1/accounts/$EHR_EMERGENCY/rotate" '{"note":"使用後の変更"}'
expect_status 200 "rotate"
py "rotated: the moment in RFC 3339" "
import re
assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$', d['account']['credential_rotated_on']), d['account']
assert d['history'][-1]['action'] == 'account.rotate'"
api POST "/api/v1/accounts/$EHR_EMERGENCY/disable" '{"note":"BCP 訓練後"}'
expect_status 200 "disable"
py "disabled with its moment" "assert d['account']['status'] == 'disabled' and d['account']['disabled_at']"
api POST "/api/v1/accounts/$EHR_EMERGENCY/disable" '{}'
expect_status 409 "disabling twice is a conflict"
api POST "/api/v1/accounts/$EHR_EMERGENCY/enable" '{}'
expect_status 200 "enable"
api POST "/api/v1/accounts/$EHR_EMERGENCY/rotate" '{"date":"2199-01-01"}'
expect_status 422 "a rotation in the future"
CSRF=
api POST "/api/v1/accounts/$EHR_EMERGENCY/disable" '{}'
expect_status 403 "no CSRF token, no change"
as_admin

# ---- add and edit -------------------------------------------------------------
api POST /api/v1/accounts '{"system":"電子カルテシステム","login":"api-user","holder":"API 太郎","admin":false,"two_factor":true}'
expect_status 201 "add"
NEW=$(jget account.id)
api POST /api/v1/accounts '{"system":"電子カルテシステム","login":"api-user"}'
expect_status 409 "the same login twice"
api POST /api/v1/accounts '{"login":"nowhere"}'
expect_status 422 "no system or device"
same "$(jget error.field)" "system" "the field at fault"
api POST /api/v1/accounts '{"system":"PACS","login":"x","last_used_on":"昨日"}'
expect_status 422 "a bad date"
same "$(jget error.field)" "last_used_on" "the date field named"
api PATCH "/api/v1/accounts/$NEW" '{"holder_status":"退職"}'
expect_status 200 "edit"
py "the detail has the flag and both history entries" "
assert 'retired' in d['account']['flags']
assert [h['action'] for h in d['history']] == ['account.add', 'account.edit']"
api GET /api/v1/accounts/999999
expect_status 404 "no such account"

# ---- import ---------------------------------------------------------------------
good=$'ログインID,利用者,職種,管理者権限,最終利用日\r\nimp-1,取込 一郎,医師,なし,2026-01-05\r\nimp-2,取込 二郎,看護師,あり,2026-01-06\r\napi-user,API 太郎,医師,なし,2026-01-07\r\n'
bad=$'ログインID,最終利用日\r\nimp-3,2026-02-30\r\n'
CT=(-H 'Content-Type: text/csv' -H "X-CSRF-Token: $CSRF" -H 'X-Filename: %E5%88%A9%E7%94%A8%E8%80%85.csv')
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" "${CT[@]}" --data-binary "$good" "$BASE/api/v1/accounts/import?dry_run=1&system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86")
expect_status 200 "import dry run"
py "preview: two adds and one update of the account made above" "
assert d['dry_run'] and d['added'] == 2 and d['updated'] == 1, d
u = [c for c in d['changes'] if c['action'] == 'update'][0]
assert u['line'] == 4 and 'last_used_on' in u['fields'] and u['key'] == '電子カルテシステム/api-user', u"
api GET "/api/v1/accounts?q=imp-"
py "the dry run stored nothing" "assert d['total'] == 0"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" "${CT[@]}" --data-binary "$bad" "$BASE/api/v1/accounts/import?system=PACS")
expect_status 422 "a bad file"
py "problems named FILE:LINE: COLUMN" "assert d['problems'][0].startswith('利用者.csv:2: 最終利用日: '), d['problems']"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" "${CT[@]}" --data-binary "$good" "$BASE/api/v1/accounts/import?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86")
expect_status 200 "import"
api GET "/api/v1/accounts?q=imp-"
py "imported" "assert d['total'] == 2"

# ---- export and settings --------------------------------------------------------------
STATUS=$(curl -s -o "$T/export.csv" -w '%{http_code}' -b "$JAR" "$BASE/api/v1/accounts/export?kind=emergency&encoding=cp932")
same "$STATUS" "200" "export"
check "the export is CP932 with the Japanese header" sh -c "iconv -f CP932 -t UTF-8 '$T/export.csv' | head -1 | grep -q '^システム,機器,ログインID'"
check "the export has only the filtered rows" test "$(iconv -f CP932 -t UTF-8 "$T/export.csv" | wc -l)" -eq 3
api PUT /api/v1/accounts/settings '{"unused_days":30}'
expect_status 200 "settings"
api GET "/api/v1/accounts?unused=1"
py "more accounts are unused at 30 days" "assert d['unused_days'] == 30 and d['total'] > 3"
api PUT /api/v1/accounts/settings '{"unused_days":0}'
expect_status 422 "0 days is refused"

# ---- roles --------------------------------------------------------------------------
new_user kango staff
api GET /api/v1/accounts
expect_status 200 "staff reads"
api POST "/api/v1/accounts/$NEW/disable" '{}'
expect_status 403 "staff may not disable"
new_user kansa auditor
api GET "/api/v1/accounts/$NEW"
expect_status 200 "the auditor reads the detail"
api PATCH "/api/v1/accounts/$NEW" '{"note":"x"}'
expect_status 403 "the auditor may not edit"
new_user hokuto vendor "北斗メディカルシステムズ株式会社"
api GET /api/v1/accounts
expect_status 403 "a vendor sees no accounts"
api GET "/api/v1/accounts/$EHR_EMERGENCY"
expect_status 403 "nor one account"

as_admin
api GET "/api/v1/journal?action=account."
expect_status 200 "journal"
run 0 mamori journal verify
done_testing
