#!/bin/bash
# The device ledger from the command line: add, edit, show, retire,
# dispose, list in every format, exports (CSV UTF-8/CP932, JSON, xlsx).
. "$(dirname "$0")/lib.sh"

run 0 mamori init --name "CLI病院"
run 0 mamori asset add 媒体名=SV-001 種別=サーバ OS="Windows Server 2019" \
	IPアドレス=172.16.0.10 MACアドレス=00D4.9E3C.3FD9 部署=情報システム室 \
	システム名=電子カルテ 事業者="テスト保守株式会社" リモート保守=〇 機密性=A
has "$T/out" "SV-001"
run 0 mamori asset add hostname=ws-01 os="Windows 11" ip=172.16.1.20 department=内科
run 2 mamori asset add 媒体名=X ip=999.1.1.1
has "$T/err" "ip:"
run 2 mamori asset add 好きな色=青
has "$T/err" "不明な項目"
run 2 mamori asset add status=disposed 媒体名=Y
has "$T/err" "retire / dispose"
run 2 mamori asset add OS=Linux
has "$T/err" "媒体名・MACアドレス・ホスト名"

run 0 mamori asset show 00-d4-9e-3c-3f-d9
has "$T/out" "SV-001"
has "$T/out" "サーバ"
has "$T/out" "電子カルテ"
has "$T/out" "asset.add"
run 0 mamori asset show ws-01 --format json
has "$T/out" '"kind": "pc"'
run 0 mamori asset show 172.16.0.10 --format json
has "$T/out" '"remote_maintenance": true'
run 2 mamori asset show nothing-like-this
has "$T/err" "見つかりません"

run 0 mamori asset edit SV-001 IPアドレス=172.16.0.11 備考="ラック A-3"
run 0 mamori asset show SV-001 --format json
has "$T/out" '"ip": "172.16.0.11"'
has "$T/out" '"notes": "ラック A-3"'
run 0 mamori journal show --entity device --action asset.edit --format json
has "$T/out" '"172.16.0.10"'
has "$T/out" '"172.16.0.11"'

# Lifecycle: retire, then dispose with its certificate; disposed is final.
run 2 mamori asset dispose ws-01 --method 物理破壊
has "$T/err" "必要です"
run 0 mamori asset retire ws-01 --date 2026-10-01 --reason 故障
run 2 mamori asset retire ws-01
has "$T/err" "使用終了"
run 0 mamori asset dispose ws-01 --method "HDD 物理破壊" --by "テスト保守株式会社" \
	--certificate "CERT-2026-001" --date 令和8年10月15日
run 0 mamori asset show ws-01 --format json
has "$T/out" '"status": "disposed"'
has "$T/out" '"disposed_on": "2026-10-15"'
has "$T/out" '"retired_on": "2026-10-01"'
has "$T/out" '"disposal_certificate": "CERT-2026-001"'
run 2 mamori asset edit ws-01 OS="Windows 12"
has "$T/err" "廃棄済"

# Lists.
run 0 mamori asset list
has "$T/out" "SV-001"
has "$T/out" "廃棄済"
run 0 mamori asset list --status in_use --format csv
has "$T/out" "媒体名,ホスト名,種別"
lacks "$T/out" "ws-01"
run 0 mamori asset list --kind サーバ --format json
has "$T/out" '"asset_tag": "SV-001"'
run 0 mamori asset list --search 電子 --format json
same "$(grep -c '"id"' "$T/out")" "0" "search does not look into the system name"
run 0 mamori asset list --search 172.16.0 --format json
same "$(grep -c '"id"' "$T/out")" "1" "search by IP prefix"
run 2 mamori asset list --status gone
run 2 mamori asset list --format yaml

# Exports: CSV with BOM re-imports unchanged; CP932 converts; JSON; xlsx.
run 0 mamori asset export --format csv -o ledger.csv
check "UTF-8 CSV starts with a BOM" bash -c "head -c 3 ledger.csv | od -An -tx1 | grep -q 'ef bb bf'"
run 0 mamori asset import ledger.csv
has "$T/out" "追加 0 件、更新 0 件、変更なし 2 件"
run 0 mamori asset export --format csv --encoding cp932 -o ledger-sjis.csv
check "CP932 CSV converts back to the UTF-8 one" bash -c \
	"iconv -f CP932 -t UTF-8 ledger-sjis.csv | cmp -s - <(tail -c +4 ledger.csv)"
run 0 mamori asset import ledger-sjis.csv
has "$T/out" "変更なし 2 件"
run 0 mamori asset export --format json -o ledger.json
run 0 python3 -c "import json; d = json.load(open('ledger.json')); assert len(d) == 2 and {x.get('asset_tag') for x in d} == {'SV-001', None}, d"
run 0 mamori asset export --format xlsx -o ledger.xlsx
check "xlsx is a zip" bash -c "head -c 2 ledger.xlsx | grep -q PK"
check "no temporary file left" bash -c "! ls | grep -q tmp-"
run 2 mamori asset export --format xlsx
run 2 mamori asset export --format pdf
run 2 mamori asset export --format docx -o x.docx

# The PDF to print: its text is there, in Japanese, and it renders.
run 0 mamori asset export --format pdf -o ledger.pdf
check "PDF written" bash -c "head -c 5 ledger.pdf | grep -q '%PDF-'"
run 0 pdftotext -layout ledger.pdf ledger.txt
has ledger.txt "機器台帳 — CLI病院"
has ledger.txt "SV-001"
has ledger.txt "172.16.0.11"
has ledger.txt "廃棄済"
run 0 pdftoppm -r 40 -f 1 -l 1 -png ledger.pdf page
check "first page renders to PNG" test -s page-1.png

# A spreadsheet program reads the xlsx back: LibreOffice converts it to CSV.
if command -v soffice >/dev/null 2>&1; then
	HOME="$T" timeout 120 soffice --headless --convert-to csv:"Text - txt - csv (StarCalc)":44,34,76 \
		--outdir "$T/lo" ledger.xlsx >/dev/null 2>&1
	check "LibreOffice converted the xlsx" test -f "$T/lo/ledger.csv"
	if [ -f "$T/lo/ledger.csv" ]; then
		has "$T/lo/ledger.csv" "媒体名"
		has "$T/lo/ledger.csv" "SV-001"
		has "$T/lo/ledger.csv" "00:d4:9e:3c:3f:d9"
		has "$T/lo/ledger.csv" "テスト保守株式会社"
		has "$T/lo/ledger.csv" "CERT-2026-001"
		# and the CSV LibreOffice wrote imports with no change
		run 0 mamori asset import "$T/lo/ledger.csv"
		has "$T/out" "変更なし 2 件"
	fi
else
	not_ok "LibreOffice (soffice) is not installed: scripts/install-deps.sh should have installed it"
fi

run 0 mamori asset fields
has "$T/out" "MACアドレス"
run 0 mamori journal verify
done_testing
