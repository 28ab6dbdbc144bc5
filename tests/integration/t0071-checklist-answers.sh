#!/bin/bash
# Answering the checklist from the CLI, on the demo hospital: a sheet per
# fiscal year, はい/いいえ with 確認日 and 目標日 (inside the fiscal year),
# the evidence beside each item, findings (exit 1 when there are some), a
# vendor's 事業者確認用 from request to review, official wording, and a new
# edition imported from JSON.  Everything lands in the journal.
. "$(dirname "$0")/lib.sh"

run 0 mamori demo
run 2 mamori checklist status --year 2026
has "$T/err" "まだありません"
run 0 mamori checklist open --year 2026
has "$T/out" "令和8年度のチェックリスト #1 を開始しました"
run 0 mamori checklist open --year 2026
has "$T/out" "開始済み"

# はい, いいえ and the rules for dates.
run 0 mamori checklist answer 2-1 1 はい --year 2026 --date 2026-05-01
run 0 mamori checklist answer r7-iryo-3-3 1 yes --year 2026 --date 令和8年5月1日
run 2 mamori checklist answer 2-6 1 いいえ --year 2026 --date 2026-05-01
has "$T/err" "目標日"
run 2 mamori checklist answer 2-6 1 いいえ --year 2026 --date 2026-05-01 --target 2027-04-01
has "$T/err" "2027-04-01 は令和8年度 (2026-04-01〜2027-03-31) の外です"
run 0 mamori checklist answer 2-6 1 いいえ --year 2026 --date 2026-05-01 --target 2027-03-31 \
	--note "サポート終了の端末を更新" --link device:51 --link https://example.jp/plan
run 2 mamori checklist answer 2-6 1 いいえ --year 2026 --target 2027-03-01 --link "javascript:alert(1)"
has "$T/err" "根拠リンク"
run 2 mamori checklist answer 9-9 1 はい --year 2026
has "$T/err" "項目「9-9」"
run 2 mamori checklist answer 2-1 4 はい --year 2026
run 2 mamori checklist answer 2-1 1 たぶん --year 2026

run 0 mamori checklist status --year 2026 --format json
python3 - "$T/out" <<'PY' && ok "answers, evidence and 文言未確認 in the sheet's JSON" || not_ok "sheet JSON"
import json, sys
v = json.load(open(sys.argv[1]))
items = {i["id"]: i for s in v["sections"] for i in s["items"]}
a = items["r7-iryo-2-1"]["answers"]
assert a[0]["answer"] == "yes" and a[0]["confirmed_on"] == "2026-05-01" and a[1] is None, a
assert items["r7-iryo-3-3"]["answers"][0]["confirmed_on"] == "2026-05-01"
n = items["r7-iryo-2-6"]["answers"][0]
assert n["answer"] == "no" and n["target_on"] == "2027-03-31", n
assert n["links"] == ["device:51", "https://example.jp/plan"], n
# the demo ledger has devices without owner/IP: the 台帳 item is contradicted
ev = items["r7-iryo-2-1"]["evidence"]
assert ev["rule"] == "ledger" and ev["outcome"] == "contradicts", ev
assert any(r["link"].startswith("#/assets/") for r in ev["reasons"]), ev
# the demo has a contact chart and a BCP: supported; no 運用管理規程: contradicted
assert items["r7-iryo-3-1"]["evidence"]["outcome"] == "supports"
assert items["r7-iryo-3-3"]["evidence"]["outcome"] == "supports"
assert items["r7-iryo-3-4"]["evidence"]["outcome"] == "contradicts"
assert items["r7-iryo-2-2"]["evidence"]["outcome"] == "supports"
# the demo's account inventory has a shared administrator account (医事会計 recesv-admin)
ev = items["r7-iryo-2-4"]["evidence"]
assert ev["rule"] == "accounts_privilege" and ev["outcome"] == "contradicts", ev
assert any("recesv-admin" in r["text"] and r["link"].startswith("#/sysaccounts?id=") for r in ev["reasons"]), ev
assert items["r7-iryo-1-1"]["evidence"] is None
assert items["r7-iryo-2-4"]["unconfirmed"] is True
assert items["r7-iryo-2-8"]["unconfirmed"] is False
assert v["sheet"]["progress"]["answered"] == 3, v["sheet"]["progress"]
PY

run 0 mamori checklist evidence 2-13 --year 2026
has "$T/out" "接続元制限「なし」"
has "$T/out" "AP-2階"

# The 台帳 はい is contradicted by the data: findings exit 1 and name it.
run 1 mamori checklist findings --year 2026
has "$T/out" "はいと矛盾"
has "$T/out" "r7-iryo-2-1"

# Clearing an answer.
run 0 mamori checklist clear 2-1 1 --year 2026
run 0 mamori checklist findings --year 2026

# A vendor checklist: request, answers, submit, return, resubmit, accept.
run 2 mamori checklist request "存在しない株式会社" --year 2026
run 0 mamori checklist request "北斗メディカルシステムズ株式会社" --year 2026
has "$T/out" "依頼しました (#2)"
run 2 mamori checklist request "北斗メディカルシステムズ株式会社" --year 2026
has "$T/err" "依頼済み"
run 2 mamori checklist submit --sheet 2
has "$T/err" "1回目が未回答の項目"
mamori checklist status --sheet 2 --format json >sheet2.json
python3 - sheet2.json <<'PY' >items.txt || not_ok "vendor sheet items"
import json, sys
v = json.load(open(sys.argv[1]))
assert v["edition"]["form"] == "jigyosha"
for s in v["sections"]:
    for i in s["items"]:
        print(i["id"])
PY
for id in $(cat items.txt); do
	mamori checklist answer "$id" 1 はい --sheet 2 --date 2026-06-01 >/dev/null 2>&1 || not_ok "answer $id"
done
run 0 mamori checklist submit --sheet 2
has "$T/out" "回答済"
run 2 mamori checklist review return --sheet 2
has "$T/err" "差し戻す理由"
run 0 mamori checklist review return --sheet 2 --note "2-③ の MDS/SDS の版数を記入してください"
run 0 mamori checklist submit --sheet 2
run 0 mamori checklist review accept --vendor "北斗メディカルシステムズ株式会社" --year 2026
run 2 mamori checklist answer 1-1 1 いいえ --sheet 2 --target 2027-01-01
has "$T/err" "確認済"
run 0 mamori checklist list --year 2026
has "$T/out" "確認済"
has "$T/out" "北斗メディカルシステムズ株式会社"

# Official wording for an item the catalog could not confirm.
run 2 mamori checklist wording r7-iryo-3-4 --text "運用管理規程を整備している。"
has "$T/err" "出典"
run 0 mamori checklist wording r7-iryo-3-4 --text "運用管理規程を整備している。" --source "公式様式 2ページ"
run 0 mamori checklist status --year 2026
has "$T/out" "運用管理規程を整備している。"

# A new edition from a JSON file: preview, then --yes.
cat >r9.json <<'JSON'
{
  "format": "mamori-checklist-1", "edition": "r9", "fiscal_year": 2027,
  "title": "医療機関・薬局におけるサイバーセキュリティ対策チェックリスト",
  "form": "iryo_yakkyoku", "published": "2027-05", "sources": ["テスト用"],
  "items_complete": true,
  "sections": [{ "number": 1, "title": "体制構築", "forms": ["iryo_yakkyoku"] }],
  "items": [{ "id": "r9-iryo_yakkyoku-1-1", "section": 1, "number": "①", "order": 1,
    "scope": [], "wording": "医療情報システム安全管理責任者を設置している。",
    "wording_status": "confirmed", "wording_source": "テスト用", "refs": null,
    "new_in_edition": false, "gate": false, "needed_without_vendor_contract": true }]
}
JSON
run 0 mamori checklist import-edition r9.json
has "$T/out" "--yes"
run 0 mamori checklist editions
! grep -q "r9-iryo_yakkyoku" "$T/out" && ok "not imported without --yes" || not_ok "imported without --yes"
run 0 mamori checklist import-edition r9.json --yes
run 0 mamori checklist editions
has "$T/out" "r9-iryo_yakkyoku"
sed 's/"r9"/"r7"/; s/r9-iryo_yakkyoku/r7-iryo/; s/iryo_yakkyoku"/iryo"/' r9.json >r7.json
run 2 mamori checklist import-edition r7.json --yes
has "$T/err" "同梱"

# The official-layout xlsx mamori exports reads back as an edition: not a
# known MHLW file (so the edition and year must be given, and the wording is
# 文言未確認), with the preview listing what it understood.
run 0 mamori checklist export --format xlsx --year 2026 -o sheet.xlsx
run 2 mamori checklist import-edition sheet.xlsx
has "$T/err" "版と年度を指定してください"
run 0 mamori checklist import-edition sheet.xlsx --edition r99 --year 2030
has "$T/out" "既知の公式ファイル"
has "$T/out" "r99-iryo-2-13"
has "$T/out" "(ネットワーク機器)"
has "$T/out" "3 回分"
run 0 mamori checklist import-edition sheet.xlsx --edition r99 --year 2030 --yes
run 0 mamori checklist show r99-iryo --format json
python3 - "$T/out" <<'PY' && ok "the exported xlsx reads back item by item" || not_ok "xlsx round trip"
import json, sys
d = json.load(open(sys.argv[1]))
items = {i["id"]: i for i in d["items"]}
assert items["r99-iryo-2-8"]["wording"] == "パスワードの使い回しを禁止している。", items["r99-iryo-2-8"]
assert items["r99-iryo-2-8"]["wording_status"] == "imported"
assert items["r99-iryo-2-10"]["wording"] is None, items["r99-iryo-2-10"]
assert len(items) >= 17, len(items)
PY
# At a terminal the preview ends with a question; only a yes imports.
run 0 python3 "$TESTDIR/on_terminal.py" いいえ "$MAMORI" checklist import-edition sheet.xlsx --edition r96 --year 2030
has "$T/out" "[y/N]"
has "$T/out" "取り込みませんでした"
run 0 python3 "$TESTDIR/on_terminal.py" はい "$MAMORI" checklist import-edition sheet.xlsx --edition r96 --year 2030
has "$T/out" "r96-iryo を取り込みました"
printf 'PK\003\004garbage' >bad.xlsx
run 2 mamori checklist import-edition bad.xlsx --edition r98 --year 2030

# Every step is in the journal, and the journal is intact.
run 0 mamori journal show --format json
python3 - "$T/out" <<'PY' && ok "checklist actions journaled" || not_ok "journal actions"
import json, sys
acts = {e["action"] for e in json.load(open(sys.argv[1]))}
for a in ["checklist.open", "checklist.answer", "checklist.clear", "checklist.request",
          "checklist.submit", "checklist.return", "checklist.accept",
          "checklist_wording.set", "checklist_edition.import"]:
    assert a in acts, (a, sorted(acts))
PY
run 0 mamori journal verify
done_testing
