#!/bin/bash
# The seed's device list, saved by Excel as CP932 CSV, imports; importing it
# again changes nothing; a changed row updates the device instead of
# duplicating it.
. "$(dirname "$0")/lib.sh"

run 0 mamori init --name "福井テスト病院"

# The seed's columns (the last one is cut to "初" in the source: 初回登録日).
cat >seed.utf8 <<'CSV'
媒体名,申請者,OS,支払区分,機器名,MACアドレス,IP アドレス,登録情報コンセント番号,初
fhej0002,山下 芳範,Windows 11,病院負担,MS surface,00:d4:9e:3c:3f:d9,172.30.101.4,,2023/4/1
fhej2004,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:19:73,172.30.103.4,,2023/4/1
fhej2005,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:19:14,172.30.103.5,,2023/4/1
fhej2006,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:39:62,172.30.103.6,,2023/4/1
fhej2007,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:19:0f,172.30.103.7,,2023/4/1
fhej2008,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:25:99:96,172.30.103.8,,2023/4/1
fhej2009,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:39:21,172.30.103.9,,2023/4/1
fhej2010,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:08:66,172.30.103.10,,2023/4/1
fhej2011,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:0d:7a,172.30.103.11,,2023/4/1
fhej2012,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:78:e6,172.30.103.12,,2023/4/1
fhej2013,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:38:ef,172.30.103.13,,2023/4/1
fhej2014,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:32:e1,172.30.103.14,,2023/4/1
fhej2015,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:19:1e,172.30.103.15,,2023/4/1
fhej2016,山下 芳範,Windows 10,病院負担,IYAMA NJ50PU,a0:29:42:23:66:1c,172.30.103.16,,2023/4/1
CSV
# Excel writes CRLF line ends in CP932.
sed 's/$/\r/' seed.utf8 | iconv -f UTF-8 -t CP932 >seed.csv
check "test file really is CP932 (not valid UTF-8)" bash -c '! iconv -f UTF-8 -t UTF-8 seed.csv >/dev/null 2>&1'

run 0 mamori asset import --dry-run seed.csv
has "$T/out" "追加 14 件"
has "$T/out" "CP932"
run 0 mamori asset list --format json
same "$(grep -c '"id"' "$T/out")" "0" "dry run stored nothing"

run 0 mamori asset import seed.csv
has "$T/out" "追加 14 件、更新 0 件、変更なし 0 件"
run 0 mamori asset show fhej0002 --format json
has "$T/out" '"owner": "山下 芳範"'
has "$T/out" '"registered_on": "2023-04-01"'
has "$T/out" '"mac": "00:d4:9e:3c:3f:d9"'
has "$T/out" '"kind": "pc"'
has "$T/out" '"payment": "病院負担"'

run 0 mamori asset export --format csv -o before.csv
head_before=$(mamori journal head)

# Importing the same file again changes nothing at all.
run 0 mamori asset import seed.csv
has "$T/out" "追加 0 件、更新 0 件、変更なし 14 件"
run 0 mamori asset export --format csv -o after.csv
check "ledger identical after re-import" cmp -s before.csv after.csv
same "$(mamori journal head)" "$head_before" "journal untouched by a no-op import"

# The same devices written differently (MAC notation, full-width digits,
# UTF-8 with BOM, tabs) are still the same devices.
printf '\xef\xbb\xbf媒体名\tMACアドレス\tIPアドレス\n' >variant.tsv
printf 'fhej2004\tA0-29-42-23-19-73\t１７２．３０．１０３．４\n' >>variant.tsv
printf 'fhej2005\ta029.4223.1914\t172.30.103.5\n' >>variant.tsv
run 0 mamori asset import variant.tsv
has "$T/out" "追加 0 件、更新 0 件、変更なし 2 件"
has "$T/out" "UTF-8"

# A changed row updates in place and says what changed.
printf '媒体名,IPアドレス,申請者\nfhej2006,172.30.103.66,福井 太郎\n' >change.csv
run 0 mamori asset import change.csv
has "$T/out" "更新 1 件"
has "$T/out" "IPアドレス: 172.30.103.6 → 172.30.103.66"
run 0 mamori asset list --format json
same "$(grep -c '"id"' "$T/out")" "14" "still 14 devices, no duplicate"
run 0 mamori asset show fhej2006 --format json
has "$T/out" '"os": "Windows 10"'
has "$T/out" '"owner": "福井 太郎"'

run 0 mamori journal verify

done_testing
