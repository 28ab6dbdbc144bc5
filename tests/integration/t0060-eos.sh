#!/bin/bash
# End of support: the shipped catalog, the status of the demo's devices,
# what the matcher makes of hospital spellings, and "eos update" (all or
# nothing, journaled, then used).
. "$(dirname "$0")/lib.sh"

run 0 mamori demo
run 0 mamori eos status
has "$T/out" "サポート終了"
has "$T/out" "Windows Server 2012 R2"
run 0 mamori eos status --only ended --format json
has "$T/out" '"asset_tag": "MH-SV-006"'
has "$T/out" '"status": "ended"'
has "$T/out" '"eol": "2023-10-10"'
lacks "$T/out" '"status": "supported"'
ended=$(python3 -c "import json; print(json.load(open('$T/out'))['counts']['ended'])")
check "Windows 10 PCs and the old server are past support ($ended)" test "$ended" -ge 50
run 2 mamori eos status --only someday

# What hospitals write.
run 0 mamori eos match WS2016
has "$T/out" "Windows Server 2016"
run 0 mamori eos match "Ｗｉｎｄｏｗｓ１０ Ｐｒｏ" 22H2
has "$T/out" "2025-10-14"
run 0 mamori eos match Win 10
has "$T/out" "10"
run 0 mamori eos match CentOS7
has "$T/out" "2024-06-30"
run 1 mamori eos match "冷蔵庫の OS"
has "$T/out" "判定できません"

# A newer copy of the catalog, with one date changed.
cp -r "$MAMORI_SRCDIR/catalog/eol" newer
chmod -R u+w newer
sed -i 's/^    eol: 2023-10-10$/    eol: 2099-10-10/' newer/windows-server.md
head_before=$(mamori journal head)

# A broken copy changes nothing.
cp -r newer broken
printf -- '---\ntitle: [unclosed\n' >broken/windows.md
run 2 mamori eos update broken
has "$T/err" "windows"
same "$(mamori journal head)" "$head_before" "a broken catalog is not stored"
run 0 mamori eos status --only ended --format json
has "$T/out" '"asset_tag": "MH-SV-006"'

run 0 mamori eos update newer
has "$T/out" "製品"
run 0 mamori eos status --format json
python3 - "$T/out" <<'PY' && ok "the updated date is used" || not_ok "the updated date is not used"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["catalog_updated"] is True
sv = [x for x in d["devices"] if x.get("asset_tag") == "MH-SV-006"][0]
assert sv["eos"]["eol"] == "2099-10-10" and sv["eos"]["status"] == "supported", sv["eos"]
PY
run 0 mamori journal show --action eos.update --format json
has "$T/out" '"windows-server"'
run 0 mamori journal verify
done_testing
