#!/bin/sh
# Installs the Debian 12 packages mamori needs to build and test, when missing.
# Idempotent and non-interactive: it asks apt-get only for what dpkg does not
# already report as installed.  Runs as root, or through sudo when available.
set -eu

PKGS="build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libssl-dev
libxlsxwriter-dev libcmocka-dev libmicrohttpd-dev liboath-dev libqrencode-dev libyaml-dev libzip-dev libexpat1-dev
libcairo2-dev libpango1.0-dev librelp-dev
oathtool curl python3 rsyslog rsyslog-relp bsdutils
libreoffice-calc-nogui poppler-utils fonts-ipaexfont-gothic fonts-ipaexfont-mincho
chromium wrk"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# The browser tests run on Node.js; a machine may already have a newer one
# than Debian's, which is then kept.
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"

[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "install-deps: missing packages:$missing (run as root to install them)" >&2
		exit 3
	fi
fi

echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
