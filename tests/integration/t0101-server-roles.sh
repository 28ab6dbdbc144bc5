#!/bin/bash
# Roles against the real server: auditors read but cannot write, vendors
# see only their own vendor's devices, staff cannot manage users, lock-out
# after repeated failures, and every sign-in event is in the journal.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

start_server
admin_setup
api GET /api/v1/session
expect_status 200 "admin signed in and enrolled"

new_user kansa auditor
api GET /api/v1/assets?limit=5
expect_status 200 "auditor reads the ledger"
api GET /api/v1/journal?limit=5
expect_status 200 "auditor reads the journal"
api POST /api/v1/journal/verify
expect_status 200 "auditor verifies the journal"
same "$(jget intact)" "true" "journal intact"
api PATCH /api/v1/assets/1 '{"notes":"auditor was here"}'
expect_status 403 "auditor cannot edit"
same "$(jget error.code)" "forbidden" "forbidden"
api POST /api/v1/assets '{"asset_tag":"AUD-1"}'
expect_status 403 "auditor cannot add"
api GET /api/v1/users
expect_status 403 "auditor cannot list users"

new_user shokuin staff
api POST /api/v1/assets '{"asset_tag":"STAFF-1","os":"Windows 11","ip":"10.9.9.9"}'
expect_status 201 "staff adds a device"
api GET /api/v1/journal
expect_status 403 "staff does not read the journal"
api POST /api/v1/users '{"name":"x","role":"admin"}'
expect_status 403 "staff cannot create users"

# A vendor account sees only its vendor's devices.
new_user sakura vendor "さくら医用画像株式会社"
api GET "/api/v1/assets?limit=500"
expect_status 200 "vendor lists devices"
python3 - "$T/body" <<'PY' && ok "only さくら医用画像株式会社's devices" || not_ok "vendor sees other vendors' devices"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] > 0 and d["total"] == len(d["items"])
assert all(x.get("vendor") == "さくら医用画像株式会社" for x in d["items"]), d["items"][:3]
PY
other=$(sqlite3 "$MAMORI_DB" "SELECT d.id FROM device d JOIN vendor v ON v.id = d.vendor_id WHERE v.name = '北斗メディカルシステムズ株式会社' LIMIT 1")
mine=$(sqlite3 "$MAMORI_DB" "SELECT d.id FROM device d JOIN vendor v ON v.id = d.vendor_id WHERE v.name = 'さくら医用画像株式会社' LIMIT 1")
api GET "/api/v1/assets/$other"
expect_status 404 "another vendor's device does not exist for this vendor"
api GET "/api/v1/assets/$mine"
expect_status 200 "its own device is visible"
api GET /api/v1/assets/export?format=json
expect_status 200 "vendor export"
check "export holds only its devices" python3 -c "
import json; d = json.load(open('$T/body')); assert d and all(x.get('vendor') == 'さくら医用画像株式会社' for x in d)"
api GET /api/v1/vendors
expect_status 403 "vendor cannot list vendors"
api PATCH "/api/v1/assets/$mine" '{"notes":"x"}'
expect_status 403 "vendor cannot edit"

# Lock-out after repeated failures, even for the right password then.
JAR="$T/jar-lock"
for i in 1 2 3 4; do signin shokuin "wrong-$i"; done
expect_status 401 "4th failure is still a plain failure"
signin shokuin "wrong-5"
check "5th failure locks ($STATUS)" test "$STATUS" = 401 -o "$STATUS" = 429
signin shokuin "$(pw_for shokuin)"
expect_status 429 "locked after 5 failures"
same "$(jget error.code)" "locked" "error code locked"
check "Retry-After given ($(jget error.retry_after))" test "$(jget error.retry_after)" -ge 1

# An unknown user answers like a wrong password.
signin nobody-here "whatever"
expect_status 401 "unknown user"
same "$(jget error.code)" "bad_credentials" "same answer as a wrong password"

# Disabled accounts.
JAR=$ADMIN_JAR
CSRF=$ADMIN_CSRF
kansa_id=$(sqlite3 "$MAMORI_DB" "SELECT id FROM user WHERE name = 'kansa'")
api PATCH "/api/v1/users/$kansa_id" '{"disabled":true}'
expect_status 200 "admin disables the auditor"
JAR="$T/jar-kansa"
api GET /api/v1/session
expect_status 401 "a disabled user's session ends"
signin kansa "$(pw_for kansa)"
expect_status 403 "a disabled user cannot sign in"

# The journal has the sign-in events, and no secret.
JAR=$ADMIN_JAR
CSRF=$ADMIN_CSRF
api GET "/api/v1/journal?action=login&limit=1000"
expect_status 200 "journal of sign-ins"
has "$T/body" '"login.ok"'
has "$T/body" '"login.fail"'
has "$T/body" '"login.locked"'
api GET "/api/v1/journal?limit=5000"
lacks "$T/body" "$(pw_for shokuin)"
lacks "$T/body" "$ADMIN_PASSWORD"
lacks "$T/body" "$ADMIN_SECRET"
run 0 "$MAMORI" journal verify

# Guessing across many names from one address is throttled (30 failures in
# 10 minutes), whatever the names.
JAR="$T/jar-guess"
n=0
while [ $n -lt 40 ]; do
	n=$((n + 1))
	signin "guess-$n" "guess-password-$n"
	[ "$STATUS" = 429 ] && break
done
same "$STATUS" "429" "the address is throttled after repeated failures"
same "$(jget error.code)" "too_many_attempts" "too_many_attempts"
check "throttled within 31 attempts (at $n, after earlier failures)" test "$n" -le 31
signin shokuin "$(pw_for shokuin)"
same "$STATUS" "429" "even a right password from that address waits"

done_testing
