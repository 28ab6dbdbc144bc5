#!/bin/bash
# The checklist over HTTP against the real server: opening the facility's
# sheet, answers with the 目標日 rules and their errors, the gate, the
# vendor checklist round trip (request → vendor answers and submits →
# officer returns → vendor resubmits → accept), vendor isolation, roles and
# CSRF, the official wording in the journal, the exports and the evidence
# documents.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

start_server
admin_setup
api GET /api/v1/session
expect_status 200 "admin signed in and enrolled"

# py EXPR...: a python3 assertion over the JSON in $T/body (as d).
py() {
	desc=$1
	shift
	if python3 -c "
import json, sys
d = json.load(open('$T/body'))
items = [it for s in d.get('sections', []) for it in s['items']]
def item(i): return next(x for x in items if x['id'] == i)
$*
" 2>"$T/pyerr"; then ok "$desc"; else
		not_ok "$desc"
		sed 's/^/    /' "$T/pyerr" | tail -5
	fi
}

fy=$(python3 -c 'import datetime; d = datetime.date.today(); print(d.year if d.month >= 4 else d.year - 1)')
in_fy="$((fy + 1))-03-01"
after_fy="$((fy + 1))-06-01"

# ---- the list before anything is opened --------------------------------
as_admin
api GET /api/v1/checklists
expect_status 200 "list of sheets"
same "$(jget fiscal_year)" "$fy" "the current fiscal year is the default"
same "$(jget facility_sheet)" "" "no sheet yet"
py "editions with item and 文言未確認 counts" "
e = {x['id']: x for x in d['editions']}
assert e['r7-iryo']['items'] > 10 and e['r7-iryo']['unconfirmed'] > 0, e['r7-iryo']
assert e['r7-iryo']['label'] == '令和7年度 医療機関確認用', e['r7-iryo']['label']
assert d['edition']['form'] == 'iryo'
assert len(d['vendors']) >= 2 and all(v['contracts'] > 0 and v['sheet'] is None for v in d['vendors'])"
api GET "/api/v1/checklists?fiscal_year=abc"
expect_status 422 "a fiscal year that is not a year"

# ---- opening the facility's sheet ----------------------------------------
CSRF=
api POST /api/v1/checklists "{\"fiscal_year\":$fy}"
expect_status 403 "opening without the CSRF token"
same "$(jget error.code)" "csrf" "csrf"
as_admin
api POST /api/v1/checklists "{\"fiscal_year\":$fy}"
expect_status 201 "the officer opens the facility's sheet"
sheet=$(jget id)
api POST /api/v1/checklists "{\"fiscal_year\":$fy}"
expect_status 200 "opening again finds the same sheet"
same "$(jget id)" "$sheet" "same id"
api GET /api/v1/checklists
same "$(jget facility_sheet.id)" "$sheet" "the list names the facility's sheet"

api GET "/api/v1/checklists/$sheet"
expect_status 200 "the sheet's view"
py "view: sections, items with answers × 3 and evidence" "
assert d['sheet']['status'] == 'open'
assert all(len(it['answers']) == 3 for it in items)
ev = [it for it in items if it.get('evidence')]
assert ev and all(x['evidence']['outcome'] in ('supports', 'contradicts', 'no_data') for x in ev)
assert any(it['unconfirmed'] for it in items)"
ledger_item=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(next(it['id'] for s in d['sections'] for it in s['items'] if (it.get('evidence') or {}).get('rule') == 'ledger'))")
other_item=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(next(it['id'] for s in d['sections'] for it in s['items'] if not it.get('evidence')))")
unconf_item=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(next(it['id'] for s in d['sections'] for it in s['items'] if it['unconfirmed'] and not it['wording']))")

# ---- answers -------------------------------------------------------------
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$ledger_item\",\"round\":1,\"answer\":\"yes\"}"
expect_status 200 "はい saved"
py "the answer comes back in the view (without evidence)" "
a = item('$ledger_item')['answers'][0]
assert a['answer'] == 'yes' and a['confirmed_on'] and a['updated_by'] == 'web:admin', a
assert not any(it.get('evidence') for it in items)
assert d['sheet']['progress']['answered'] == 1"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":1,\"answer\":\"no\"}"
expect_status 422 "いいえ without 目標日"
same "$(jget error.field)" "target_on" "the error names target_on"
has "$T/body" "目標日"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":1,\"answer\":\"no\",\"target_on\":\"$after_fy\"}"
expect_status 422 "目標日 after the fiscal year"
same "$(jget error.field)" "target_on" "target_on again"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":1,\"answer\":\"no\",\"target_on\":\"$in_fy\",\"note\":\"予算申請中\"}"
expect_status 200 "いいえ with a 目標日 in the year"
py "いいえ stored with its 目標日 and note" "
a = item('$other_item')['answers'][0]
assert a['answer'] == 'no' and a['target_on'] == '$in_fy' and a['note'] == '予算申請中', a"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":2,\"answer\":\"yes\",\"confirmed_on\":\"2999-01-01\"}"
expect_status 422 "確認日 in the future"
same "$(jget error.field)" "confirmed_on" "confirmed_on named"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":4,\"answer\":\"yes\"}"
expect_status 422 "round 4"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":1,\"answer\":\"maybe\"}"
expect_status 422 "an answer that is neither"
api PUT "/api/v1/checklists/$sheet/answers" '{"item_id":"no-such-item","round":1,"answer":"yes"}'
expect_status 422 "an unknown item"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$other_item\",\"round\":2,\"answer\":\"yes\"}"
expect_status 200 "2回目"
api DELETE "/api/v1/checklists/$sheet/answers?item_id=$other_item&round=2"
expect_status 200 "2回目 cleared"
py "only 1回目 remains" "
a = item('$other_item')['answers']
assert a[0] and a[1] is None, a"

# The ledger evidence of the demo hospital contradicts a はい: findings say so.
api GET "/api/v1/checklists/$sheet"
py "the はい on the ledger item is contradicted by the evidence" "
it = item('$ledger_item')
assert it['evidence']['outcome'] == 'contradicts', it['evidence']
assert any(r['link'] and r['link'].startswith('#/assets/') for r in it['evidence']['reasons'])"

# ---- the gate (an imported edition with a gate item) -----------------------
gate_form=$(python3 - "$MAMORI_SRCDIR" <<'PY'
import json, sys
e = json.load(open(sys.argv[1] + "/catalog/checklist/r6-iryo.json"))
print("yes" if any(it.get("gate") for it in e["items"]) else "")
PY
)
if [ -n "$gate_form" ]; then
	# r6 (令和6年度) has the 医療情報システムの有無 gate
	api POST /api/v1/checklists "{\"fiscal_year\":2024}"
	expect_status 201 "a 令和6年度 sheet (the edition with the gate)"
	s6=$(jget id)
	api GET "/api/v1/checklists/$s6"
	gate=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(next(it['id'] for s in d['sections'] for it in s['items'] if it['gate']))")
	rest=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(next(it['id'] for s in d['sections'] for it in s['items'] if not it['gate'] and it['needed']))")
	api PUT "/api/v1/checklists/$s6/answers" "{\"item_id\":\"$gate\",\"round\":1,\"answer\":\"no\",\"target_on\":\"2025-03-01\",\"confirmed_on\":\"2024-06-01\"}"
	expect_status 200 "the gate answered いいえ"
	py "the round is skipped by the gate" "assert d['gate_no'][0] is True and d['gate_no'][1] is False"
	api PUT "/api/v1/checklists/$s6/answers" "{\"item_id\":\"$rest\",\"round\":1,\"answer\":\"yes\",\"confirmed_on\":\"2024-06-01\"}"
	expect_status 422 "another item of that round cannot be answered (確認不要)"
	api PUT "/api/v1/checklists/$s6/answers" "{\"item_id\":\"$rest\",\"round\":2,\"answer\":\"yes\",\"confirmed_on\":\"2024-07-01\"}"
	expect_status 200 "the next round can"
fi

# ---- official wording ------------------------------------------------------
api PUT "/api/v1/checklist-items/$unconf_item/wording" '{"wording":"管理者権限の対象者を明確にしている。"}'
expect_status 422 "wording without a source"
same "$(jget error.field)" "source" "source named"
api PUT "/api/v1/checklist-items/$unconf_item/wording" '{"wording":"管理者権限の対象者を明確にしている。","source":"001716187.xlsx 2ページ"}'
expect_status 200 "the officer records the official wording"
api PUT "/api/v1/checklist-items/no-such-item/wording" '{"wording":"x","source":"y"}'
check "an unknown item's wording is refused ($STATUS)" test "$STATUS" = 404 -o "$STATUS" = 422
api PUT "/api/v1/checklist-items/bad%20id/wording" '{"wording":"x","source":"y"}'
expect_status 404 "an item id with a space is no route"
api GET "/api/v1/checklists/$sheet"
py "the view carries the official wording" "
o = item('$unconf_item')['official_wording']
assert o['wording'] == '管理者権限の対象者を明確にしている。' and o['source'] == '001716187.xlsx 2ページ', o"
api GET "/api/v1/journal?entity_type=checklist_wording"
expect_status 200 "journal of wordings"
has "$T/body" "001716187.xlsx 2ページ"
has "$T/body" "\"entity_id\":\"$unconf_item\""
api GET "/api/v1/journal?entity_type=checklist&entity_id=$sheet"
has "$T/body" '"checklist.answer"'

# ---- exports ----------------------------------------------------------------
download() { # PATH FILE: sets STATUS and $T/headers
	STATUS=$(curl -s -D "$T/headers" -o "$2" -w '%{http_code}' -b "$JAR" "$BASE$1")
}
download "/api/v1/checklists/$sheet/export?format=xlsx" "$T/c.xlsx"
same "$STATUS" "200" "xlsx export"
has "$T/headers" "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
has "$T/headers" "filename*=UTF-8''"
check "the xlsx is a zip with xl/worksheets" sh -c "unzip -l '$T/c.xlsx' | grep -q 'xl/worksheets/'"
download "/api/v1/checklists/$sheet/export?format=csv&encoding=utf-8" "$T/c.csv"
same "$STATUS" "200" "csv export"
has "$T/headers" "text/csv; charset=utf-8"
check "the csv has the wording entered" grep -q "管理者権限の対象者を明確にしている" "$T/c.csv"
download "/api/v1/checklists/$sheet/export?format=csv&encoding=cp932" "$T/c-sjis.csv"
has "$T/headers" "charset=Shift_JIS"
download "/api/v1/checklists/$sheet/export?format=docx" "$T/x"
same "$STATUS" "422" "an unknown format"
download "/api/v1/checklists/pack?fiscal_year=$fy" "$T/pack.pdf"
same "$STATUS" "200" "the inspection pack"
has "$T/headers" "application/pdf"
check "the pack is a PDF" sh -c "head -c 5 '$T/pack.pdf' | grep -q '%PDF-'"
check "the pack has pages" test "$(stat -c %s "$T/pack.pdf")" -gt 5000
download "/api/v1/checklists/pack?fiscal_year=$((fy + 1))" "$T/none.pdf"
same "$STATUS" "404" "no pack for a year without a sheet"

# ---- vendor checklists ------------------------------------------------------
api GET /api/v1/checklists
v1=$(jget vendors.0.id)
v1name=$(jget vendors.0.name)
v2=$(jget vendors.1.id)
v2name=$(jget vendors.1.name)
api POST /api/v1/checklists/vendor-requests "{\"fiscal_year\":$fy,\"vendor_id\":$v1}"
expect_status 201 "request to $v1name"
vsheet=$(jget id)
api POST /api/v1/checklists/vendor-requests "{\"fiscal_year\":$fy,\"vendor_id\":$v1}"
expect_status 409 "a second request for the same vendor and year"
api POST /api/v1/checklists/vendor-requests "{\"fiscal_year\":$fy,\"vendor_id\":$v2}"
expect_status 201 "request to $v2name"
vsheet2=$(jget id)
api POST /api/v1/checklists/vendor-requests "{\"fiscal_year\":$fy}"
expect_status 422 "a request without vendor_id"
api GET /api/v1/checklists
py "the vendor rows show 依頼済" "
v = {x['id']: x for x in d['vendors']}
assert v[$v1]['sheet']['status'] == 'requested' and v[$v1]['sheet']['id'] == $vsheet"

new_user vendor1 vendor "$v1name"
VJAR=$JAR
VCSRF=$CSRF
api GET /api/v1/checklists
expect_status 200 "the vendor lists its sheets"
py "only its own sheet, no vendors list, no facility sheet" "
assert [s['id'] for s in d['sheets']] == [$vsheet], d['sheets']
assert 'vendors' not in d and 'facility_sheet' not in d"
api GET "/api/v1/checklists/$vsheet2"
expect_status 404 "another vendor's sheet does not exist for it"
api GET "/api/v1/checklists/$sheet"
expect_status 404 "neither does the hospital's"
api GET "/api/v1/checklists/$sheet/export?format=csv"
expect_status 404 "nor its export"
api GET "/api/v1/checklists/pack?fiscal_year=$fy"
expect_status 403 "the pack is the hospital's"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$ledger_item\",\"round\":1,\"answer\":\"no\",\"target_on\":\"$in_fy\"}"
expect_status 404 "the vendor cannot answer the hospital's sheet"
api PUT "/api/v1/checklists/$vsheet2/answers" '{"item_id":"x","round":1,"answer":"yes"}'
check "nor another vendor's ($STATUS)" test "$STATUS" = 404 -o "$STATUS" = 422
api GET "/api/v1/checklists/$vsheet"
expect_status 200 "its own sheet"
py "without the hospital's evidence" "assert not any(it.get('evidence') for it in items)"
vitems=$(python3 -c "
import json; d = json.load(open('$T/body'))
print(' '.join(it['id'] for s in d['sections'] for it in s['items'] if it['needed']))")
api POST "/api/v1/checklists/$vsheet/submit" '{}'
expect_status 422 "submitting with items unanswered"
has "$T/body" "未回答"
CSRF=
api PUT "/api/v1/checklists/$vsheet/answers" '{"item_id":"x","round":1,"answer":"yes"}'
expect_status 403 "vendor answer without CSRF"
CSRF=$VCSRF
last=""
for it in $vitems; do
	api PUT "/api/v1/checklists/$vsheet/answers" "{\"item_id\":\"$it\",\"round\":1,\"answer\":\"yes\"}"
	[ "$STATUS" = 200 ] || not_ok "vendor answers $it: $STATUS $(head -c 200 "$T/body")"
	last=$it
done
ok "the vendor answers every item (1回目)"
api PUT "/api/v1/checklists/$vsheet/answers" "{\"item_id\":\"$last\",\"round\":1,\"answer\":\"no\",\"target_on\":\"$in_fy\",\"note\":\"次回更新で対応\"}"
expect_status 200 "one いいえ with its 目標日"
api POST "/api/v1/checklists/$vsheet/submit" '{}'
expect_status 200 "the vendor submits"
same "$(jget sheet.status)" "answered" "回答済"
api PUT "/api/v1/checklists/$vsheet/answers" "{\"item_id\":\"$last\",\"round\":1,\"answer\":\"yes\"}"
expect_status 409 "no changes after submitting"
api POST "/api/v1/checklists/$vsheet/review" '{"action":"accept"}'
expect_status 403 "the vendor cannot review itself"

# staff and auditors read but do not answer
new_user shokuin staff
api GET "/api/v1/checklists/$sheet"
expect_status 200 "staff reads the sheet"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$ledger_item\",\"round\":1,\"answer\":\"yes\"}"
expect_status 403 "staff cannot answer"
api POST /api/v1/checklists "{\"fiscal_year\":$fy}"
expect_status 403 "staff cannot open a sheet"
api PUT "/api/v1/checklist-items/$unconf_item/wording" '{"wording":"x","source":"y"}'
expect_status 403 "staff cannot record wordings"
new_user kansa auditor
api GET "/api/v1/checklists/pack?fiscal_year=$fy"
expect_status 200 "the auditor downloads the pack"
api PUT "/api/v1/checklists/$sheet/answers" "{\"item_id\":\"$ledger_item\",\"round\":1,\"answer\":\"yes\"}"
expect_status 403 "the auditor cannot answer"
api POST "/api/v1/checklists/$vsheet/review" '{"action":"accept"}'
expect_status 403 "the auditor cannot review"

# the officer returns it, the vendor resubmits, the officer accepts
new_user anzen officer
api POST /api/v1/totp/begin
api POST /api/v1/totp/confirm "{\"code\":\"$(totp "$(jget secret)")\"}"
expect_status 204 "the officer enrols an authenticator (required for officers)"
OJAR=$JAR
OCSRF=$CSRF
api POST "/api/v1/checklists/$vsheet/review" '{"action":"return"}'
expect_status 422 "returning needs a reason"
same "$(jget error.field)" "note" "note named"
api POST "/api/v1/checklists/$vsheet/review" '{"action":"return","note":"いいえの項目の目標日を前倒ししてください"}'
expect_status 200 "the officer returns it"
same "$(jget sheet.status)" "requested" "back to 依頼済"
same "$(jget sheet.review_note)" "いいえの項目の目標日を前倒ししてください" "with the reason"
api POST "/api/v1/checklists/$vsheet/review" '{"action":"accept"}'
expect_status 409 "accepting what is not answered"
JAR=$VJAR
CSRF=$VCSRF
api GET /api/v1/checklists
same "$(jget sheets.0.review_note)" "いいえの項目の目標日を前倒ししてください" "the vendor sees the reason"
api PUT "/api/v1/checklists/$vsheet/answers" "{\"item_id\":\"$last\",\"round\":1,\"answer\":\"no\",\"target_on\":\"$((fy + 1))-01-15\",\"note\":\"前倒しします\"}"
expect_status 200 "the vendor corrects the answer"
api POST "/api/v1/checklists/$vsheet/submit" '{}'
expect_status 200 "and submits again"
JAR=$OJAR
CSRF=$OCSRF
api POST "/api/v1/checklists/$vsheet/review" '{"action":"maybe"}'
expect_status 422 "an unknown review action"
api POST "/api/v1/checklists/$vsheet/review" '{"action":"accept"}'
expect_status 200 "the officer accepts"
same "$(jget sheet.status)" "reviewed" "確認済"
api POST "/api/v1/checklists/$sheet/review" '{"action":"accept"}'
expect_status 409 "the facility's own sheet is not reviewed"
JAR=$VJAR
CSRF=$VCSRF
api PUT "/api/v1/checklists/$vsheet/answers" "{\"item_id\":\"$last\",\"round\":1,\"answer\":\"yes\"}"
expect_status 409 "a reviewed sheet is read-only for the vendor"
api GET "/api/v1/checklists/$vsheet/export?format=xlsx"
expect_status 200 "the vendor exports its own sheet"
api GET /api/v1/documents
expect_status 403 "documents are the hospital's"

# ---- documents --------------------------------------------------------------
as_admin
api GET "/api/v1/journal?entity_type=checklist&entity_id=$vsheet&limit=1000"
has "$T/body" '"checklist.submit"'
has "$T/body" '"checklist.return"'
has "$T/body" '"checklist.accept"'
has "$T/body" '"web:vendor1"'
api POST /api/v1/documents '{"kind":"復元テスト","title":"電子カルテ 復元テスト","issued_on":"令和8年10月1日","offline":true,"vendor_id":'"$v1"'}'
expect_status 201 "a restore test, in Japanese words"
doc=$(jget document.id)
same "$(jget document.kind)" "restore_test" "kind canonical"
same "$(jget document.issued_on)" "2026-10-01" "和暦 date normalised"
same "$(jget document.vendor_name)" "$v1name" "vendor named"
api POST /api/v1/documents '{"kind":"diary","title":"x"}'
expect_status 422 "an unknown kind"
same "$(jget error.field)" "kind" "kind named"
api POST /api/v1/documents '{"kind":"bcp"}'
expect_status 422 "a document without a title"
api PATCH "/api/v1/documents/$doc" '{"reference":"情報システム室 書庫 A-3"}'
expect_status 200 "edit a document"
same "$(jget document.reference)" "情報システム室 書庫 A-3" "reference saved"
api PATCH /api/v1/documents/999999 '{"note":"x"}'
expect_status 404 "no such document"
api GET /api/v1/documents
expect_status 200 "documents list"
py "the list with labels and the kinds" "
assert any(x['id'] == $doc and x['kind_label'] == '復元テスト' for x in d['items'])
assert [k['value'] for k in d['kinds']] == ['mds', 'sds', 'contact_chart', 'bcp', 'rules', 'restore_test']"
JAR="$T/jar-shokuin"
api POST /api/v1/documents '{"kind":"bcp","title":"x"}'
expect_status 403 "staff cannot add documents"

run 0 "$MAMORI" journal verify

done_testing
