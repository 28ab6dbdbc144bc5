#!/bin/bash
# The checklist editions mamori ships: listed, shown with unconfirmed
# wording marked as such (never guessed), and validated.
. "$(dirname "$0")/lib.sh"

run 0 mamori checklist editions
has "$T/out" "r7-iryo"
has "$T/out" "医療機関確認用"
has "$T/out" "事業者確認用"
has "$T/out" "薬局確認用"
has "$T/out" "令和7年度"
run 0 mamori checklist show r7-iryo
has "$T/out" "パスワードの使い回しを禁止している。"
has "$T/out" "文言未確認"
run 0 mamori checklist show r6-iryo --format json
python3 - "$T/out" <<'PY' && ok "the R6 gate item and statuses are there" || not_ok "R6 edition JSON"
import json, sys
d = json.load(open(sys.argv[1]))
gate = [i for i in d["items"] if i["gate"]]
assert len(gate) == 1 and gate[0]["wording"] == "医療情報システムを導入、運用している。", gate
assert all((i["wording"] is None) <= i["wording_unconfirmed"] for i in d["items"])
PY
run 2 mamori checklist show r99-iryo

# The validator over the shipped files, and over a broken copy.
run 0 mamori checklist validate "$MAMORI_SRCDIR/catalog/checklist"
has "$T/out" "6 ファイル"
cp -r "$MAMORI_SRCDIR/catalog/checklist" broken
chmod -R u+w broken
python3 - broken/r7-iryo.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["items"][3]["wording_status"] = "guessed"
d["items"][4]["id"] = d["items"][5]["id"]
json.dump(d, open(sys.argv[1], "w"), ensure_ascii=False)
PY
run 2 mamori checklist validate broken
has "$T/err" "r7-iryo.json: items[3].wording_status"
has "$T/err" "items[5].id"
done_testing
