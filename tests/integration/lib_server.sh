# lib_server.sh - helpers for tests that talk to a real "mamori serve"
# (sourced after lib.sh).  The server listens on a free loopback port, is
# stopped at exit, and every request goes through curl.
#
#   start_server            demo store + server; sets $BASE and $ADMIN_OTP
#   api METHOD PATH [JSON]  one request with the cookie jar of $JAR;
#                           sets $STATUS and writes the body to $T/body
#   jget KEY                a value from $T/body (python3, dotted path)
#   signin NAME PASSWORD [CODE]   POST /login with the jar $JAR; sets $CSRF
#   totp SECRET [OFFSET_STEPS]    a TOTP code from oathtool
#   admin_setup, as_admin   the enrolled admin's session, and back to it
#   start_log_server [ARGS] serve with its UDP, TCP and RELP receivers on free
#                           ports ($HTTP, $UDP, $TCP, $RELP), stderr in $T/serve.err

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_server() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

start_server() {
	[ -f "$MAMORI_DB" ] || "$MAMORI" demo >/dev/null || return 1
	PORT=$(free_port)
	BASE="http://127.0.0.1:$PORT"
	"$MAMORI" serve --listen "127.0.0.1:$PORT" >"$T/serve.out" 2>"$T/serve.err" &
	SERVER_PID=$!
	trap 'stop_server; rm -rf "$T"' EXIT
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$BASE/" && break
		sleep 0.1
	done
	ADMIN_OTP=$(sed -n 's/^ *初回パスワード: *//p' "$T/serve.out")
	JAR="$T/cookies"
}

# Ports are picked free, but another test may take one before serve binds
# it: serve is started again on other ports when it does not come up.
# Returns non-zero when three attempts failed.
start_log_server() {
	local attempt
	for attempt in 1 2 3; do
		HTTP=$(free_port)
		UDP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		TCP=$(free_port)
		RELP=$(free_port)
		"$MAMORI" serve --listen "127.0.0.1:$HTTP" --syslog-udp "127.0.0.1:$UDP" \
			--syslog-tcp "127.0.0.1:$TCP" --relp "127.0.0.1:$RELP" "$@" \
			>"$T/serve.out" 2>"$T/serve.err" &
		SERVER_PID=$!
		for _ in $(seq 1 100); do
			grep -q "待ち受けています" "$T/serve.err" && break
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$SERVER_PID" 2>/dev/null && return 0
		echo "# serve did not come up (attempt $attempt):"
		sed 's/^/#   /' "$T/serve.err"
		wait "$SERVER_PID"
		SERVER_PID=
	done
	return 1
}

api() {
	method=$1
	path=$2
	data=${3:-}
	set -- -s -o "$T/body" -w '%{http_code}' -X "$method" -b "$JAR" -c "$JAR"
	[ -n "${CSRF:-}" ] && set -- "$@" -H "X-CSRF-Token: $CSRF"
	[ -n "$data" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$data"
	STATUS=$(curl "$@" "$BASE$path")
}

jget() {
	python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if isinstance(v, dict) else None
print("" if v is None else (json.dumps(v) if isinstance(v, (dict, list, bool)) else v))
' "$T/body" "$1"
}

# expect_status WANT DESCRIPTION
expect_status() {
	if [ "$STATUS" = "$1" ]; then ok "$2 ($STATUS)"; else
		not_ok "$2: status $STATUS, wanted $1"
		head -c 400 "$T/body" | sed 's/^/    body: /'
		echo
	fi
}

signin() {
	CSRF=
	api POST /api/v1/login "{\"name\":\"$1\",\"password\":\"$2\",\"code\":\"${3:-}\"}"
	[ "$STATUS" = 200 ] && CSRF=$(jget csrf)
}

totp() {
	oathtool --totp -b ${2:+--now="$(date -u -d "@$(($(date +%s) + $2 * 30))" '+%Y-%m-%d %H:%M:%S UTC')"} "$1"
}

# Takes the one-time admin through password change and TOTP enrolment;
# sets ADMIN_PASSWORD and ADMIN_SECRET, leaves the admin signed in and
# remembers that session in ADMIN_JAR and ADMIN_CSRF (see as_admin).
admin_setup() {
	ADMIN_PASSWORD='Kanri-Pass-2026!x'
	signin admin "$ADMIN_OTP"
	api POST /api/v1/password "{\"current\":\"$ADMIN_OTP\",\"new\":\"$ADMIN_PASSWORD\"}"
	api POST /api/v1/totp/begin
	ADMIN_SECRET=$(jget secret)
	api POST /api/v1/totp/confirm "{\"code\":\"$(totp "$ADMIN_SECRET")\"}"
	ADMIN_JAR=$JAR
	ADMIN_CSRF=$CSRF
}

# Makes the following requests as the admin of admin_setup.
as_admin() {
	JAR=$ADMIN_JAR
	CSRF=$ADMIN_CSRF
}

# The password each test user sets (it must not contain the user name).
pw_for() {
	echo "Zq7-$(printf '%s' "$1" | md5sum | cut -c1-8)-Pw!"
}

# new_user NAME ROLE [VENDOR]: created by the admin (checked: 201), its
# first password changed (checked: 204); leaves NAME signed in with its own
# jar, $T/jar-NAME.
new_user() {
	as_admin
	if [ -n "${3:-}" ]; then
		api POST /api/v1/users "{\"name\":\"$1\",\"role\":\"$2\",\"vendor\":\"$3\"}"
	else
		api POST /api/v1/users "{\"name\":\"$1\",\"role\":\"$2\"}"
	fi
	expect_status 201 "admin creates $1 ($2)"
	otp=$(jget one_time_password)
	JAR="$T/jar-$1"
	signin "$1" "$otp"
	api POST /api/v1/password "{\"current\":\"$otp\",\"new\":\"$(pw_for "$1")\"}"
	expect_status 204 "$1 sets a password"
}

# require_rsyslog: sets RSYSLOGD, or skips the test (exit 77) when rsyslogd,
# its RELP output module or logger is missing.
require_rsyslog() {
	RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
	if [ ! -x "$RSYSLOGD" ] || ! command -v logger >/dev/null ||
		[ -z "$(find /usr/lib -name omrelp.so 2>/dev/null | head -1)" ]; then
		echo "1..0 # SKIP rsyslog, rsyslog-relp or logger missing (scripts/install-deps.sh)"
		exit 77
	fi
}
