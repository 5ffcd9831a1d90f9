#!/usr/bin/env bash
# Install what the project needs from Debian's packages (as root), or print the command to do so.
#   tools/deps.sh build   what `make build` and `make run` need
#   tools/deps.sh test    what `make test` needs on top (PostgreSQL, nginx, wrk, Node.js …)
set -euo pipefail
what=${1:-build}

build=(gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
	libutf8proc-dev libopencc-dev libopencc-data libxlsxwriter-dev libssl-dev libqrencode-dev libmagic-dev
	libcurl4-openssl-dev libical-dev)
test=(libcmocka-dev postgresql nginx wrk curl python3 sqlite3 clang-format chromium fonts-wqy-zenhei
	python3-aiosmtpd)

want=("${build[@]}")
[ "$what" = test ] && want+=("${test[@]}")
# Node.js (the web application's build, the tests) may come from elsewhere than Debian (a newer
# build); only a missing command asks for it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "deps: missing Debian packages. Install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
