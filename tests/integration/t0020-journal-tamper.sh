#!/bin/bash
# Changing, deleting, inserting or reordering journal rows directly with
# sqlite3 makes "journal verify" exit 1 and name the first bad entry.
. "$(dirname "$0")/lib.sh"

run 0 mamori init --name "改ざん検査病院"
for i in 1 2 3 4 5 6; do
	mamori asset add 媒体名=PC-00$i IPアドレス=10.0.0.$i OS="Windows 11" >/dev/null
done
mamori asset edit PC-003 申請者="山田 太郎" >/dev/null
run 0 mamori journal verify
has "$T/out" "8 件"
run 0 mamori journal head
read -r head_seq head_hash <"$T/out"
same "$head_seq" "8" "head is entry #8"
cp "$MAMORI_DB" pristine.db
rm -f "$MAMORI_DB-wal" "$MAMORI_DB-shm"

restore() {
	cp pristine.db "$MAMORI_DB"
	rm -f "$MAMORI_DB-wal" "$MAMORI_DB-shm"
}

# 1. An entry modified.
restore
sqlite3 "$MAMORI_DB" "UPDATE journal SET actor = 'someone-else' WHERE seq = 4"
run 1 mamori journal verify
has "$T/err" "#4"
has "$T/err" "書き換えられています"

# 2. The before/after of an entry modified.
restore
sqlite3 "$MAMORI_DB" "UPDATE journal SET after = replace(after, '10.0.0.5', '10.0.0.99') WHERE seq = 6"
run 1 mamori journal verify
has "$T/err" "#6"

# 3. An entry in the middle deleted.
restore
sqlite3 "$MAMORI_DB" "DELETE FROM journal WHERE seq = 3"
run 1 mamori journal verify
has "$T/err" "#3"
has "$T/err" "削除"

# 4. The newest entry deleted.
restore
sqlite3 "$MAMORI_DB" "DELETE FROM journal WHERE seq = 8"
run 1 mamori journal verify
has "$T/err" "#8"

# 5. Two entries swapped (reordered).
restore
sqlite3 "$MAMORI_DB" "
  CREATE TEMP TABLE a AS SELECT * FROM journal WHERE seq = 5;
  CREATE TEMP TABLE b AS SELECT * FROM journal WHERE seq = 6;
  UPDATE journal SET time=(SELECT time FROM b), actor=(SELECT actor FROM b), action=(SELECT action FROM b),
    entity_type=(SELECT entity_type FROM b), entity_id=(SELECT entity_id FROM b), before=(SELECT before FROM b),
    after=(SELECT after FROM b), prev_hash=(SELECT prev_hash FROM b), hash=(SELECT hash FROM b) WHERE seq = 5;
  UPDATE journal SET time=(SELECT time FROM a), actor=(SELECT actor FROM a), action=(SELECT action FROM a),
    entity_type=(SELECT entity_type FROM a), entity_id=(SELECT entity_id FROM a), before=(SELECT before FROM a),
    after=(SELECT after FROM a), prev_hash=(SELECT prev_hash FROM a), hash=(SELECT hash FROM a) WHERE seq = 6;"
run 1 mamori journal verify
has "$T/err" "#5"

# 6. A forged entry inserted in the middle (later entries renumbered).
restore
sqlite3 "$MAMORI_DB" "
  UPDATE journal SET seq = seq + 100 WHERE seq >= 4;
  UPDATE journal SET seq = seq - 99 WHERE seq >= 104;
  INSERT INTO journal (seq, time, actor, action, entity_type, entity_id, before, after, prev_hash, hash)
    SELECT 4, time, 'forger', 'asset.add', 'device', '99', NULL, '{}', hash, hash FROM journal WHERE seq = 3;"
run 1 mamori journal verify
has "$T/err" "#4"

# 7. The chain rewritten consistently (recomputed hashes) is caught only by
#    a head written down earlier: --expect-head.
restore
run 0 mamori journal verify --expect-head "$head_hash"
run 1 mamori journal verify --expect-head 0000000000000000000000000000000000000000000000000000000000000001
has "$T/err" "控えのハッシュ"

# JSON output for scripts.
restore
sqlite3 "$MAMORI_DB" "UPDATE journal SET entity_id = '7' WHERE seq = 2"
run 1 mamori journal verify --format json
has "$T/out" '"intact": false'
has "$T/out" '"first_bad": 2'

# The untouched store still verifies.
restore
run 0 mamori journal verify --format json
has "$T/out" '"intact": true'

# journal show filters.
run 0 mamori journal show --entity device:3 --format json
has "$T/out" '"action": "asset.edit"'
has "$T/out" '"山田 太郎"'
run 0 mamori journal show --action asset.edit
has "$T/out" "asset.edit"
lacks "$T/out" "asset.add"
run 0 mamori journal show --since 2000-01-01 --limit 2
same "$(grep -c '^#' "$T/out")" "2" "--limit 2 shows 2 entries"
run 2 mamori journal show --limit x

done_testing
