#!/bin/bash
# A file with one bad MAC on line 7 exits 2 naming line 7 and leaves the
# store exactly as it was; every other problem of the file is reported too.
. "$(dirname "$0")/lib.sh"

run 0 mamori init
printf '媒体名,MACアドレス,IPアドレス\nPC-001,00:11:22:33:44:01,192.168.1.1\n' >first.csv
run 0 mamori asset import first.csv
run 0 mamori asset export --format json -o before.json
head_before=$(mamori journal head)

cat >bad.csv <<'CSV'
媒体名,MACアドレス,IPアドレス,OS
PC-001,00:11:22:33:44:01,192.168.1.100,Windows 11
PC-002,00:11:22:33:44:02,192.168.1.2,Windows 11
PC-003,00:11:22:33:44:03,192.168.1.3,Windows 11
PC-004,00:11:22:33:44:04,192.168.1.4,Windows 11
PC-005,00:11:22:33:44:05,192.168.1.5,Windows 11
PC-006,00:11:22:33:44:0G,192.168.1.6,Windows 11
PC-007,00:11:22:33:44:07,192.168.1.7,Windows 11
CSV
run 2 mamori asset import bad.csv
has "$T/err" "bad.csv:7: MACアドレス:"
lacks "$T/err" "bad.csv:6:"
lacks "$T/err" "bad.csv:8:"
run 0 mamori asset export --format json -o after.json
check "store unchanged (PC-001's IP not updated, nothing added)" cmp -s before.json after.json
same "$(mamori journal head)" "$head_before" "journal unchanged"

# Dry run reports the same problem the same way.
run 2 mamori asset import --dry-run bad.csv
has "$T/err" "bad.csv:7: MACアドレス:"

# Several problems at once, each with line and column.
cat >many.csv <<'CSV'
媒体名,MACアドレス,IPアドレス,登録日,機密性,種別
PC-010,00:11:22:33:44:10,192.168.1.300,2024/4/1,A,端末PC
PC-011,00:11:22:33:44:11,192.168.1.11,2023/2/30,A,端末PC
PC-012,00:11:22:33:44:12,192.168.1.12,2024/4/1,D,端末PC
PC-013,00:11:22:33:44:13,192.168.1.13,2024/4/1,A,冷蔵庫
PC-010,00:11:22:33:44:14,192.168.1.14,2024/4/1,A,端末PC
,,,2024/4/1,A,端末PC
CSV
run 2 mamori asset import many.csv
has "$T/err" "many.csv:2: IPアドレス:"
has "$T/err" "many.csv:3: 登録日:"
has "$T/err" "many.csv:4: 機密性:"
has "$T/err" "many.csv:5: 種別:"
has "$T/err" "many.csv:6: 媒体名:"
has "$T/err" "many.csv:7:"
run 0 mamori asset export --format json -o after2.json
check "store still unchanged" cmp -s before.json after2.json

# An unknown column is reported, not dropped; --ignore-unknown skips it.
printf '媒体名,IPアドレス,好きな色\nPC-020,192.168.1.20,青\n' >unknown.csv
run 2 mamori asset import unknown.csv
has "$T/err" "unknown.csv:1: 好きな色: 不明な列です"
run 0 mamori asset import --ignore-unknown unknown.csv
has "$T/out" "読み飛ばした列  好きな色"
has "$T/out" "追加 1 件"

# A MAC that already belongs to another device is a problem of that row.
printf '媒体名,MACアドレス\nPC-030,00-11-22-33-44-01\n' >dupmac.csv
run 2 mamori asset import dupmac.csv
has "$T/err" "dupmac.csv:2:"
has "$T/err" "00:11:22:33:44:01"

# Not a CSV at all / broken quoting / wrong encoding.
printf '媒体名,IPアドレス\n"PC-040,192.168.1.40\n' >quote.csv
run 2 mamori asset import quote.csv
has "$T/err" "quote.csv:2:"
printf 'hello world\n' >nohdr.csv
run 2 mamori asset import nohdr.csv
has "$T/err" "見出し行が見つかりません"
printf '媒体名,IPアドレス\nPC-050,192.168.1.50\n' | iconv -f UTF-8 -t CP932 >sjis.csv
run 2 mamori asset import --encoding utf-8 sjis.csv
has "$T/err" "sjis.csv:1: 文字コード:"
run 2 mamori asset import /nonexistent/file.csv
has "$T/err" "/nonexistent/file.csv"
run 0 mamori journal verify

done_testing
