#!/bin/bash
# The 情報機器管理表 of the seed: a title row, "部局名：" above the header,
# tab-separated as copied from Excel, 〇 for yes, 機密性 with a sub-grade.
. "$(dirname "$0")/lib.sh"

run 0 mamori init
printf '情報機器管理表\n部局名：放射線科\n\n' >kanri.tsv
printf 'PC名\tIPアドレス\t所有者\tOS\tOSのバージョン\t機密性\t完全性\tウイルス対策の有無\tOS等の脆弱性対策\t機密性Aの場合：安全区域設定\t機密性Aの場合：取り扱い情報の管理状態\n' >>kanri.tsv
printf 'ABC\t10.1.2.1\t〇〇\tWin\t10\tA3\tA\t〇\t〇\t〇\t〇\n' >>kanri.tsv
printf 'CDE\t10.1.2.2\t〇〇\tMac\t10.15\tA1\tA\t〇\t〇\t〇\t〇\n' >>kanri.tsv
printf 'FGH\t10.1.2.3\t〇〇\tWin\t8\tB\tB\t〇\t×\t\t\n' >>kanri.tsv
iconv -f UTF-8 -t CP932 kanri.tsv >kanri-sjis.tsv

run 0 mamori asset import kanri-sjis.tsv
has "$T/out" "追加 3 件"
run 0 mamori asset show FGH --format json
has "$T/out" '"department": "放射線科"'
has "$T/out" '"confidentiality": "B"'
has "$T/out" '"patched": false'
has "$T/out" '"antivirus": true'
has "$T/out" '"os_version": "8"'
has "$T/out" '"kind": "pc"'
run 0 mamori asset show ABC --format json
has "$T/out" '"confidentiality": "A3"'
has "$T/out" '"secure_area": true'
has "$T/out" '"info_handling": true'
run 0 mamori asset import kanri-sjis.tsv
has "$T/out" "変更なし 3 件"

# The seed's own example has IP addresses that cannot exist (345 > 255):
# reported per line, nothing imported.
printf 'PC名\tIPアドレス\tOS\nXYZ\t123.234.345.1\tWin\n' >seedex.tsv
run 2 mamori asset import seedex.tsv
has "$T/err" "seedex.tsv:2: IPアドレス:"
done_testing
