#!/bin/bash
# Security of "mamori serve" against the real server on a loopback port:
# sign-in, first password change, TOTP enrolment and codes from oathtool,
# sessions and their expiry, CSRF, lock-out, bad input, static paths.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/lib_server.sh"

start_server
check "server printed a one-time admin password" test -n "$ADMIN_OTP"
has "$T/serve.out" "ユーザー名:       admin"

# Nothing without a session.
api GET /api/v1/assets
expect_status 401 "no session"
same "$(jget error.code)" "unauthenticated" "error code unauthenticated"
api GET /api/v1/journal
expect_status 401 "no session for the journal"

# Static files: the UI, and nothing else.
code=$(curl -s -o "$T/index" -w '%{http_code}' "$BASE/")
same "$code" "200" "the UI is served at /"
has "$T/index" "<html"
code=$(curl -s --path-as-is -o "$T/trav" -w '%{http_code}' "$BASE/static/../../../../etc/passwd")
same "$code" "400" "path traversal refused"
lacks "$T/trav" "root:"
code=$(curl -s --path-as-is -o "$T/trav" -w '%{http_code}' "$BASE/static/%2e%2e/%2e%2e/etc/passwd")
check "encoded traversal refused ($code)" test "$code" = 400 -o "$code" = 404
lacks "$T/trav" "root:"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/etc/passwd")
same "$code" "404" "no file system behind the static paths"
curl -s -D "$T/headers" -o /dev/null "$BASE/"
has "$T/headers" "Content-Security-Policy"
has "$T/headers" "X-Frame-Options: DENY"

# Wrong password, then the one-time password.
signin admin 'not-the-password'
expect_status 401 "wrong password"
same "$(jget error.code)" "bad_credentials" "bad_credentials"
signin admin "$ADMIN_OTP"
expect_status 200 "one-time password signs in"
same "$(jget must_change_password)" "true" "must change the password first"
grep -i 'mamori_session' "$JAR" >/dev/null && ok "session cookie set" || not_ok "no session cookie"
curl -s -D "$T/h" -o /dev/null -H 'Content-Type: application/json' \
	--data "{\"name\":\"admin\",\"password\":\"x\"}" "$BASE/api/v1/login"
api GET /api/v1/assets
expect_status 403 "records locked until the password is changed"
same "$(jget error.code)" "password_change_required" "password_change_required"

# Password policy.
api POST /api/v1/password "{\"current\":\"$ADMIN_OTP\",\"new\":\"short1!\"}"
expect_status 422 "too short"
api POST /api/v1/password "{\"current\":\"$ADMIN_OTP\",\"new\":\"alllowercaseletters\"}"
expect_status 204 "13 characters without symbols are allowed"
api POST /api/v1/password "{\"current\":\"alllowercaseletters\",\"new\":\"$ADMIN_OTP\"}"
expect_status 422 "a recent password is refused"
api POST /api/v1/password "{\"current\":\"wrong\",\"new\":\"Another-Pass-123\"}"
expect_status 403 "wrong current password"
ADMIN_PASSWORD='Kanri-Pass-2026!x'
api POST /api/v1/password "{\"current\":\"alllowercaseletters\",\"new\":\"$ADMIN_PASSWORD\"}"
expect_status 204 "password changed"

# TOTP enrolment is required for an administrator.
api GET /api/v1/assets
expect_status 403 "records locked until TOTP is enrolled"
same "$(jget error.code)" "totp_enrolment_required" "totp_enrolment_required"
api POST /api/v1/totp/begin
expect_status 200 "enrolment starts"
SECRET=$(jget secret)
check "secret is base32 text" bash -c "[[ '$SECRET' =~ ^[A-Z2-7]{32}$ ]]"
has "$T/body" "<svg"
has "$T/body" "otpauth://totp/"
api POST /api/v1/totp/confirm '{"code":"000000"}'
expect_status 422 "a wrong code does not confirm"
CODE0=$(totp "$SECRET")
api POST /api/v1/totp/confirm "{\"code\":\"$CODE0\"}"
expect_status 204 "a code from oathtool confirms"
api GET /api/v1/assets
expect_status 200 "records open after enrolment"
check "demo ledger visible ($(jget total))" test "$(jget total)" -ge 280
sv6=$(sqlite3 "$MAMORI_DB" "SELECT id FROM device WHERE asset_tag = 'MH-SV-006'")
api GET "/api/v1/assets/$sv6"
same "$(jget eos.status)" "ended" "the device detail says its OS support ended"
same "$(jget eos.eol)" "2023-10-10" "with the date from the catalog"
same "$(jget eos.name)" "Windows Server 2012 R2" "and the release's name"
api GET "/api/v1/assets?q=MH-SV-006"
same "$(jget items.0.eos.status)" "ended" "the ledger list marks it too"

# CSRF on state-changing requests.
saved=$CSRF
CSRF=
api PATCH /api/v1/assets/1 '{"notes":"csrf test"}'
expect_status 403 "no CSRF token"
same "$(jget error.code)" "csrf" "error code csrf"
CSRF=0000000000000000000000000000000000000000000
api PATCH /api/v1/assets/1 '{"notes":"csrf test"}'
expect_status 403 "wrong CSRF token"
CSRF=$saved
api GET /api/v1/assets/1
api GET "/api/v1/assets?q=cache-check-owner"
same "$(jget total)" "0" "no device has that owner yet"
api PATCH /api/v1/assets/1 '{"notes":"csrf test","owner":"cache-check-owner"}'
expect_status 200 "right CSRF token"
# Answers cached before the change are not served after it.
api GET /api/v1/assets/1
same "$(jget asset.notes)" "csrf test" "the detail shows the change"
api GET "/api/v1/assets?q=cache-check-owner"
same "$(jget total)" "1" "the list shows the change"

# Bad input.
api PATCH /api/v1/assets/1 '{"notes": "unterminated'
expect_status 400 "malformed JSON"
has "$T/body" "JSON"
api PATCH /api/v1/assets/1 '{"ip":"999.1.1.1"}'
expect_status 422 "invalid value"
same "$(jget error.field)" "ip" "the field is named"
api PATCH /api/v1/assets/1 '[1,2]'
expect_status 400 "JSON that is not an object"
python3 -c 'print("{\"notes\":\"" + "x" * (2 << 20) + "\"}")' >"$T/big.json"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -X PATCH -b "$JAR" -H "X-CSRF-Token: $CSRF" \
	-H 'Content-Type: application/json' --data-binary @"$T/big.json" "$BASE/api/v1/assets/1")
expect_status 413 "oversize JSON body"
head -c $((33 << 20)) /dev/zero | tr '\0' 'a' >"$T/big.csv"
STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$JAR" -H "X-CSRF-Token: $CSRF" \
	-H 'Content-Type: text/csv' --data-binary @"$T/big.csv" "$BASE/api/v1/assets/import?dry_run=1")
expect_status 413 "oversize import"
api GET /api/v1/assets/999999
expect_status 404 "no such device"
api DELETE /api/v1/assets/1
expect_status 405 "method not allowed"
api GET /api/v1/nothing
expect_status 404 "unknown route"

# Codes: replayed and stale codes are refused, the next one works.
api POST /api/v1/logout
expect_status 204 "sign out"
api GET /api/v1/session
expect_status 401 "signed out"
signin admin "$ADMIN_PASSWORD"
expect_status 401 "password alone is not enough"
same "$(jget error.code)" "totp_required" "totp_required"
signin admin "$ADMIN_PASSWORD" "$CODE0"
expect_status 401 "the code used at enrolment cannot be replayed"
signin admin "$ADMIN_PASSWORD" "$(totp "$SECRET" -4)"
expect_status 401 "a stale code (2 minutes old) is refused"
# The same code both times (computed once: two computations could straddle
# a 30-second step and give two different, both valid, codes).
NEXT=$(totp "$SECRET" 1)
signin admin "$ADMIN_PASSWORD" "$NEXT"
expect_status 200 "the next code signs in"
signin admin "$ADMIN_PASSWORD" "$NEXT"
expect_status 401 "the same code twice is refused"

# Expired session.
signin_jar=$JAR
JAR="$T/jar-expire"
cp "$signin_jar" "$JAR"
api GET /api/v1/session
expect_status 200 "session works"
sqlite3 "$MAMORI_DB" "UPDATE session SET last_seen = last_seen - 3600"
api GET /api/v1/session
expect_status 401 "idle session expired"
JAR=$signin_jar

done_testing
