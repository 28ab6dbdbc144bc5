#!/bin/bash
# mamori init: creating the store, the facility, and where the store is.
. "$(dirname "$0")/lib.sh"

run 2 mamori asset list
has "$T/err" "mamori init"
check "no store was created by a read command" test ! -e "$MAMORI_DB"

run 0 mamori init --name "テスト病院" --type hospital
has "$T/out" "テスト病院"
check "store created at \$MAMORI_DB" test -f "$MAMORI_DB"

run 2 mamori init --name "もう一つ"
has "$T/err" "既に登録されています"

run 2 mamori --db "$T/other.db" init --type zoo
has "$T/err" "hospital / clinic / pharmacy"

run 0 mamori --db "$T/clinic.db" init --name "みどりクリニック" --type 診療所
run 0 sqlite3 "$T/clinic.db" "SELECT name, type FROM facility"
has "$T/out" "みどりクリニック|clinic"

# Without --db or $MAMORI_DB the store is ./mamori.db.
mkdir "$T/cwd"
(cd "$T/cwd" && env -u MAMORI_DB "$MAMORI" init --type pharmacy >/dev/null)
check "./mamori.db is the default" test -f "$T/cwd/mamori.db"

# --db wins over $MAMORI_DB.
run 0 mamori --db "$T/clinic.db" journal show --format json
has "$T/out" "みどりクリニック"

run 0 sqlite3 "$MAMORI_DB" "PRAGMA journal_mode"
has "$T/out" "wal"
run 0 sqlite3 "$MAMORI_DB" "SELECT COUNT(*) = MAX(version) AND MIN(version) = 1 FROM schema_migrations"
same "$(cat "$T/out")" "1" "every schema migration recorded, numbered from 1"

run 2 mamori frobnicate
run 2 mamori asset frobnicate
run 0 mamori --version
has "$T/out" "mamori"

done_testing
