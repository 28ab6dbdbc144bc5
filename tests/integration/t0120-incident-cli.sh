#!/bin/bash
# A whole cyberattack incident from open to close through the CLI: triage
# to L4 then L5, action cards ticked with who and when, a notification, a
# report to 厚生労働省 from the draft, announcements with their timers, an
# emergency account used (→ close refused) and disabled with part A's
# "mamori account disable" (→ close allowed once review and approval are
# recorded); the timeline's tamper detection (modify, delete, insert,
# reorder, newest deleted); the contact chart, the BCP, the paper kit and
# the management report as PDFs, text-checked and rendered to PNG.
. "$(dirname "$0")/lib.sh"

run 0 mamori demo
run 0 mamori account add login=emg-er kind=emergency system=電子カルテシステム holder=救急外来
# outside an incident a use needs a reason
run 2 mamori incident emergency-use - emg-er
has "$T/err" "理由"
# an ordinary account cannot be recorded as an emergency use
run 0 mamori account add login=tanaka-h kind=personal system=電子カルテシステム holder="田中 花子"
run 2 mamori incident emergency-use - tanaka-h --reason 試験
has "$T/err" "非常時用ではありません"

# --- open: suspected ransomware, spread suspected → L4 ----------------------
run 2 mamori incident open --category cyberattack --title x
has "$T/err" "scope"
run 0 mamori incident open --category cyberattack --title "ランサムウェア感染の疑い (電子カルテ)" \
	--scope local --spread --device MH-SV-001 --device NO-SUCH-TAG --detected "2026-01-10 08:30"
has "$T/out" "インシデント #1 を開始しました"
has "$T/out" "L4 重大対応手順で対応"
has "$T/out" "net_disconnect"
has "$T/out" "stop_systems"
lacks "$T/out" "medical_power"
run 0 mamori incident show 1
has "$T/out" "隔離する機器: MH-SV-001"
has "$T/out" "NO-SUCH-TAG (台帳にありません)"

# it developed into an outage → L5
run 0 mamori incident triage 1 --scope local --spread --outage --device MH-SV-001
has "$T/out" "L5 重大対応手順で対応"
has "$T/out" "障害に発展した"

# --- actions ticked with who and when -----------------------------------------
run 0 mamori incident act 1 net_disconnect --by "情報システム室 佐藤" --at "2026-01-10T08:41:00+09:00"
run 0 mamori incident act 1 quarantine --by "情報システム室 佐藤" --note "MH-SV-001 の LAN を抜線"
run 0 mamori incident act 1 emergency_ops --by "事務部長 中村"
run 2 mamori incident act 1 no_such_card
has "$T/err" "アクションカードにありません"
run 0 mamori incident show 1 --format json
python3 - "$T/out" <<'PY' && ok "ticked cards carry who and when" || not_ok "ticked cards carry who and when"
import json, sys
v = json.load(open(sys.argv[1]))
cards = {c["key"]: c for c in v["actions"]}
assert cards["net_disconnect"]["done"] and cards["net_disconnect"]["by"] == "情報システム室 佐藤"
assert cards["net_disconnect"]["at"].startswith("2026-01-09T23:41"), cards["net_disconnect"]["at"]
assert cards["quarantine"]["note"] == "MH-SV-001 の LAN を抜線"
assert not cards["restore_backup"]["done"]
PY

# --- notifications and reports -----------------------------------------------------
run 0 mamori incident notify 1 --to "北斗メディカルシステムズ 保守窓口" --channel 電話 --by 佐藤
run 0 mamori incident draft 1 mhlw
has "$T/out" "厚生労働省"
has "$T/out" "ランサムウェア感染の疑い"
has "$T/out" "MH-SV-001"
has "$T/out" "ネットワークの切り離し"
run 0 mamori incident notify 1 --report mhlw --channel 電話 --by "安全管理責任者 高橋"
run 0 mamori incident notify 1 --report police --channel 電話
run 2 mamori incident notify 1 --report nobody
has "$T/err" "報告先"

# --- announcements: (1) within 30 minutes, then one of (2)/(3)/(4) ----------------------
run 0 mamori incident announce 1
has "$T/out" "次: 院内放送 1"
has "$T/out" "期限超過"
run 0 mamori incident announce 1 1 --by 医療サービス課長
run 0 mamori incident announce 1
has "$T/out" "次: 院内放送 2"
run 0 mamori incident announce 1 4
run 0 mamori incident announce 1
has "$T/out" "(1) 実施済"
has "$T/out" "(4) 実施済"
has "$T/out" "(2) 不要"
has "$T/out" "(5) 復旧時"

# --- the emergency account used inside the incident -----------------------------------
run 0 mamori incident emergency-use 1 emg-er --by "救急外来 医師 鈴木" --at "2026-01-10 09:10"
run 0 mamori incident show 1
has "$T/out" "未処置"

# --- return to normal; close refused until everything is there --------------------------
run 2 mamori incident close 1
has "$T/err" "正常復帰"
run 0 mamori incident recover 1 --at "2026-01-10 18:00"
run 0 mamori incident announce 1 5
run 2 mamori incident emergency-use 1 emg-er --by 誰か
has "$T/err" "正常復帰"
run 2 mamori incident approve 1 --by "院長 山田"
has "$T/err" "事後検証"
run 0 mamori incident review 1 --causes "VPN 装置の既知の脆弱性が未修正だった" \
	--measures "VPN 装置の更新、パッチ適用の月次確認、オフラインバックアップの週次化" --summary "電子カルテ停止 9.5 時間"
run 0 mamori incident approve 1 --by "院長 山田 一郎" --at "2026-01-20 10:00"
run 2 mamori incident close 1
has "$T/err" "emg-er"
has "$T/err" "無効化もパスワード変更もされていません"
lacks "$T/err" "事後検証"

# the management report (PDF) records the approval and the open emergency use
run 0 mamori incident report 1 -o report.pdf
pdftotext -layout report.pdf report.txt
has report.txt "インシデント報告書 #1"
has report.txt "院長 山田 一郎"
has report.txt "VPN 装置の既知の脆弱性"
has report.txt "未処置"
check "report renders to PNG" pdftoppm -r 40 -f 1 -l 1 -png report.pdf report

# part A's command disables the account: the use is handled, the incident closes
run 0 mamori account disable emg-er
run 0 mamori incident close 1
has "$T/out" "終了しました"
run 2 mamori incident log 1 "終了後の追記"
has "$T/err" "終了のため"
run 0 mamori incident list
has "$T/out" "終了"

# rotation counts too: a use outside an incident with a reason, then a rotation
run 0 mamori account add login=emg-pacs kind=emergency system=PACS
run 0 mamori incident emergency-use - emg-pacs --reason "夜間の読影端末障害" --at "2026-02-01 02:00"
run 0 mamori incident open --category equipment --title "PACS 端末障害" --scope device
run 0 mamori incident recover 2
run 0 mamori incident review 2 --causes 故障 --measures 交換
run 0 mamori incident approve 2 --by 院長
run 0 mamori incident close 2
run 0 mamori incident show 2 --format json

# --- the timeline is hash-chained: tampering is named ----------------------------------
run 0 mamori incident verify
has "$T/out" "改ざんは見つかりませんでした"
run 0 mamori journal verify
cp "$MAMORI_DB" pristine.db
restore() {
	cp pristine.db "$MAMORI_DB"
	rm -f "$MAMORI_DB-wal" "$MAMORI_DB-shm"
}
restore
sqlite3 "$MAMORI_DB" "UPDATE incident_event SET actor = 'someone' WHERE incident_id = 1 AND seq = 4"
run 1 mamori incident verify
has "$T/err" "インシデント #1 時系列 #4"
has "$T/err" "書き換えられています"
restore
sqlite3 "$MAMORI_DB" "UPDATE incident_event SET body = replace(body, '佐藤', '田中') WHERE incident_id = 1 AND seq = 3"
run 1 mamori incident verify 1
has "$T/err" "#3"
restore
sqlite3 "$MAMORI_DB" "DELETE FROM incident_event WHERE incident_id = 1 AND seq = 5"
run 1 mamori incident verify
has "$T/err" "時系列 #5"
has "$T/err" "削除"
restore
sqlite3 "$MAMORI_DB" "UPDATE incident_event SET seq = -(seq + 1) WHERE incident_id = 1 AND seq >= 6; UPDATE incident_event SET seq = -seq WHERE incident_id = 1 AND seq < 0; INSERT INTO incident_event SELECT incident_id, 6, time, actor, kind, body, prev_hash, hash FROM incident_event WHERE incident_id = 1 AND seq = 5"
run 1 mamori incident verify
has "$T/err" "インシデント #1 時系列 #6"
has "$T/err" "つながりが壊れています"
restore
sqlite3 "$MAMORI_DB" "UPDATE incident_event SET seq = -seq WHERE incident_id = 1 AND seq IN (2, 3); UPDATE incident_event SET seq = 3 WHERE incident_id = 1 AND seq = -2; UPDATE incident_event SET seq = 2 WHERE incident_id = 1 AND seq = -3"
run 1 mamori incident verify
has "$T/err" "インシデント #1 時系列 #2"
restore
sqlite3 "$MAMORI_DB" "DELETE FROM incident_event WHERE incident_id = 2 AND seq = (SELECT max(seq) FROM incident_event WHERE incident_id = 2)"
run 1 mamori incident verify
has "$T/err" "インシデント #2"
has "$T/err" "末尾の記録が削除されています"
restore
run 0 mamori incident verify

# --- contact chart, BCP, paper kit ---------------------------------------------------------
run 0 mamori contact list
has "$T/out" "医療情報システム安全管理責任者"
has "$T/out" "0120-555-010"
run 0 mamori contact add side=external role=情報セキュリティ専門家 organisation="外部有識者" parent=医療情報システム安全管理責任者 call_order=20
run 2 mamori contact add side=somewhere role=x
has "$T/err" "side"
run 2 mamori contact edit 院長 parent=顧問弁護士
has "$T/err" "ひと回り"
run 0 mamori contact chart -o chart.pdf
pdftotext -layout chart.pdf chart.txt
has chart.txt "連絡体制図"
has chart.txt "厚生労働省"
has chart.txt "情報セキュリティ専門家"
has chart.txt "(記入してください)"
check "chart renders to PNG" pdftoppm -r 40 -f 1 -l 1 -png chart.pdf chart

run 0 mamori bcp system PACS priority=2 tolerable_downtime=12時間
run 0 mamori bcp systems
has "$T/out" "12時間"
run 0 mamori bcp backup add system=PACS frequency=週次 media=追記不能 method="WORM ストレージ" generations=4 restore_procedure="事業者が復元"
run 2 mamori bcp backup add system=PACS frequency=週次 media=テープ
has "$T/err" "media"
run 0 mamori bcp template set 3 --text "医療サービス課よりお知らせします。復旧は午後3時ごろの見込みです。"
run 0 mamori bcp template list --format json
has "$T/out" "午後3時ごろ"
run 0 mamori drill plan title="ランサムウェア想定訓練 (令和8年度)" planned_on=2026-12-10
run 0 mamori drill record 2 done_on=2026-12-10 findings="夜間連絡網の不備" bcp_changes="連絡体制図を改訂" incident=1
run 0 mamori drill list
has "$T/out" "夜間連絡網の不備"
run 0 mamori bcp export -o bcp.pdf
pdftotext -layout bcp.pdf bcp.txt
has bcp.txt "IT-BCP"
has bcp.txt "最低限の切り分け項目"
has bcp.txt "L5 重大対応手順で対応"
has bcp.txt "12時間"
has bcp.txt "追記不能"
has bcp.txt "emg-er"
has bcp.txt "午後3時ごろ"
has bcp.txt "連絡体制図を改訂"
check "BCP renders to PNG" pdftoppm -r 40 -f 1 -l 1 -png bcp.pdf bcp
run 0 mamori bcp kit -o kit.pdf
pdftotext -layout kit.pdf kit.txt
has kit.txt "紙媒体セット"
has kit.txt "紙運用セット: 内科"
has kit.txt "看護記録・温度板"
has kit.txt "電カルへの事後入力"
check "kit renders to PNG" pdftoppm -r 40 -f 2 -l 2 -png kit.pdf kit

# every change is in the journal, which still verifies
run 0 mamori journal verify
run 0 mamori journal show --action incident. --format json
has "$T/out" "incident.close"

done_testing
