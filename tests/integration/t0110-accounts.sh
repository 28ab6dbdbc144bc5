#!/bin/bash
# mamori account: the account inventory from the command line.  A CP932
# list with a "システム名：" line and Japanese headers (dry run, then for
# real), a bad file refused whole with FILE:LINE: COLUMN: reason, a second
# import that updates instead of duplicating, add/edit/disable/enable/rotate
# with their journal entries, the unused-days setting, exports, and the
# checklist evidence of 2-⑤ (不要なアカウント) and 2-④ (管理者権限) changing as
# the accounts are fixed.
. "$(dirname "$0")/lib.sh"

day() { date -d "$1 days ago" +%Y-%m-%d; }

run 0 mamori init --name "テスト病院" --type hospital
run 0 mamori checklist open --year 2026
run 0 mamori checklist evidence 2-5 --year 2026
has "$T/out" "判断材料なし"
has "$T/out" "アカウント台帳にアカウントがありません"
has "$T/out" "取り込んでください"

# ---- a CP932 file as Excel writes it ----------------------------------------
printf '%s\r\n' \
	"システム名：電子カルテ" \
	"ログインID,利用者,職種,管理者権限,最終利用日,退職,種別" \
	"yamada,山田 太郎,医師,なし,$(day 3),,個人" \
	"suzuki,鈴木 花子,看護師,×,$(day 200),,個人" \
	"tanaka,田中 一郎,医師,,$(day 10),〇,個人" \
	"kanri,医事課,事務,あり,$(day 1),,共用" |
	iconv -f UTF-8 -t CP932 >accounts.csv
check "the file is CP932 (not valid UTF-8)" sh -c '! iconv -f UTF-8 -t UTF-8 accounts.csv >/dev/null 2>&1'

run 0 mamori account import accounts.csv --dry-run
has "$T/out" "確認のみ"
has "$T/out" "追加 4 件"
has "$T/out" "CP932"
has "$T/out" "システム「電子カルテ」"
run 0 mamori account list --format json
same "$(python3 -c "import json; print(len(json.load(open('$T/out'))))")" "0" "a dry run stores nothing"

run 0 mamori account import accounts.csv
has "$T/out" "取り込みました: 追加 4 件"
run 0 mamori account list
has "$T/out" "yamada"
has "$T/out" "退職者"
has "$T/out" "未使用 200 日"
has "$T/out" "共用の管理者"
has "$T/out" "該当 4 件"

# ---- the evidence now contradicts ----------------------------------------------
run 0 mamori checklist evidence 2-5 --year 2026
has "$T/out" "はいと矛盾"
has "$T/out" "退職者「田中 一郎」"
has "$T/out" "suzuki (電子カルテ): 200 日使われていません"
has "$T/out" "#/sysaccounts?id="
run 0 mamori checklist evidence 2-4 --year 2026
has "$T/out" "はいと矛盾"
has "$T/out" "kanri (電子カルテ): 共用アカウントに管理者権限"

# ---- a bad file is refused whole --------------------------------------------------
printf '%s\n' \
	"システム,ログインID,最終利用日,種別" \
	"電子カルテ,newuser,$(day 1),個人" \
	"電子カルテ,baddate,2026-13-45,個人" \
	"電子カルテ,badkind,$(day 1),社長用" \
	"電子カルテ,newuser,$(day 2),個人" \
	",nosystem,$(day 1),個人" >bad.csv
run 2 mamori account import bad.csv
has "$T/err" "bad.csv:3: 最終利用日: "
has "$T/err" "bad.csv:4: 種別: 「社長用」は使えません"
has "$T/err" "bad.csv:5: ログインID: 「newuser」は 2 行目と重複しています"
has "$T/err" "bad.csv:6: どのシステムのアカウントか分かりません"
has "$T/err" "取り込みませんでした"
run 0 mamori account list --format json
same "$(python3 -c "import json; print(len(json.load(open('$T/out'))))")" "4" "nothing of the bad file was stored"

# ---- importing again updates by key ---------------------------------------------------
printf '%s\n' "ログインID,利用者,最終利用日" "suzuki,鈴木 花子,$(day 5)" >again.csv
run 0 mamori account import again.csv --system 電子カルテ
has "$T/out" "更新  2 行目  電子カルテ/suzuki"
has "$T/out" "最終利用日: $(day 200) → $(day 5)"
has "$T/out" "追加 0 件、更新 1 件"
run 0 mamori account import accounts.csv
has "$T/out" "更新 1 件、変更なし 3 件"
run 0 mamori account list --format json
same "$(python3 -c "import json; print(len(json.load(open('$T/out'))))")" "4" "no duplicates after importing twice"

# ---- fixing the findings --------------------------------------------------------------
run 0 mamori account disable tanaka --note "3月末退職"
has "$T/out" "無効にしました"
run 2 mamori account disable tanaka
has "$T/err" "「無効」のため無効化できません"
run 0 mamori account edit kanri 種別=個人 利用者="医事課 佐藤"
run 0 mamori account edit 電子カルテ/suzuki 最終利用日=$(day 0)
run 0 mamori checklist evidence 2-5 --year 2026
has "$T/out" "はいを裏付け"
run 0 mamori checklist evidence 2-4 --year 2026
has "$T/out" "はいを裏付け"

# the unused limit is a setting (journaled)
run 0 mamori account settings --unused-days 2
has "$T/out" "2 日"
run 0 mamori checklist evidence 2-5 --year 2026
has "$T/out" "はいと矛盾"
has "$T/out" "2 日を超えて未使用"
run 2 mamori account settings --unused-days 0
run 0 mamori account settings --unused-days 90

# ---- add, lookup, rotate, enable ---------------------------------------------------------
run 0 mamori account add システム=電子カルテ ログインID=ehr-emergency 種別=非常時用 管理者権限=あり \
	使用できる人="当直医師" 使い方・保管場所="事務当直室の金庫 (封筒 E-001)"
has "$T/out" "を登録しました"
run 2 mamori account add システム=電子カルテ ログインID=ehr-emergency
has "$T/err" "既に登録されています"
run 2 mamori account add ログインID=orphan
has "$T/err" "システム"
run 2 mamori account add システム=電子カルテ ログインID=x 種別=社長用
has "$T/err" "種別"
run 0 mamori account rotate 電子カルテ/ehr-emergency --note "使用後に変更"
has "$T/out" "パスワード変更を記録しました"
check "rotation recorded with its moment" grep -qE "パスワード変更日: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z" "$T/out"
run 2 mamori account rotate ehr-emergency --date 2199-01-01
has "$T/err" "未来の日付"
run 0 mamori account enable tanaka
run 0 mamori account show tanaka
has "$T/out" "account.disable"
has "$T/out" "account.enable"
has "$T/out" "退職者"
run 0 mamori account show ehr-emergency --format json
has "$T/out" '"emergency_users": "当直医師"'
has "$T/out" '"emergency"'

# the same login on a device as well: a bare login is ambiguous
run 0 mamori asset add 媒体名=SV-1 ホスト名=AD01 種別=サーバ
run 0 mamori account add 機器=AD01 ログインID=yamada 利用者="山田 太郎"
run 2 mamori account show yamada
has "$T/err" "複数あります"
run 0 mamori account show AD01/yamada
has "$T/out" "AD01"

# ---- lists and exports --------------------------------------------------------------------
run 0 mamori account list --retired
has "$T/out" "tanaka"
lacks "$T/out" "yamada"
run 0 mamori account list --kind 非常時用 --format csv
has "$T/out" "システム,機器,ログインID"
has "$T/out" "ehr-emergency"
lacks "$T/out" "suzuki"
mamori account list --format csv >export.csv
run 0 mamori account import export.csv
has "$T/out" "追加 0 件、更新 0 件"
run 2 mamori account list --kind 社長用
run 0 mamori account fields
has "$T/out" "最終利用日"
has "$T/out" "最終ログイン"

run 0 mamori journal show
has "$T/out" "account.import"
has "$T/out" "account.rotate"
has "$T/out" "account.settings"
run 0 mamori journal verify
done_testing
