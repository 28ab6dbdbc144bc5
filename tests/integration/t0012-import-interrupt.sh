#!/bin/bash
# A long import interrupted by Ctrl-C (SIGINT) or killed outright (SIGKILL)
# leaves the store exactly as it was, and the journal intact.
. "$(dirname "$0")/lib.sh"

run 0 mamori init
printf '媒体名,IPアドレス\nKEEP-1,10.255.0.1\n' >keep.csv
run 0 mamori asset import keep.csv
head_before=$(mamori journal head)

python3 - >big.csv <<'PY'
print("媒体名,申請者,OS,MACアドレス,IPアドレス,部署")
for i in range(150000):
    print(f"BIG-{i:06d},職員 {i},Windows 11,02:00:{(i>>16)&255:02x}:{(i>>8)&255:02x}:{i&255:02x}:01,"
          f"10.{(i>>16)&255}.{(i>>8)&255}.{i&255},部署{i%40}")
PY

devices() {
	sqlite3 "$MAMORI_DB" "SELECT COUNT(*) FROM device"
}

# The binary is started directly (not through the mamori function) so that
# $! is its own pid and the signals reach it.

# Ctrl-C: the import stops, rolls back and says so (exit 3).
"$MAMORI" asset import big.csv >out 2>err &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
rc=$?
same "$rc" "3" "interrupted import exits 3"
has err "中断しました"
same "$(devices)" "1" "no device of the interrupted import was stored"
same "$(mamori journal head)" "$head_before" "journal unchanged after Ctrl-C"

# SIGKILL at some moment during the import: SQLite's atomic commit keeps
# the store as it was.
for delay in 0.3 1.0 2.0; do
	"$MAMORI" asset import big.csv >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	same "$(devices)" "1" "store unchanged after SIGKILL at ${delay}s"
	run 0 mamori journal verify
done
same "$(mamori journal head)" "$head_before" "journal unchanged after the kills"

done_testing
