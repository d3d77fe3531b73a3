#!/usr/bin/env bash
# Runs all the tests, the way CI does:
#   1. go vet and every test on SQLite (plus the browser test in Chromium),
#   2. the same tests again on PostgreSQL: a throwaway server on a loopback
#      port, started by scripts/pg.sh (which installs Debian's postgresql
#      when it is missing) and stopped at the end.
# Chromium (for the console's browser test) is installed from Debian when
# missing and we are root; elsewhere that test skips unless
# SIYU_REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
	if [ "$(id -u)" != 0 ]; then
		echo "not root: cannot install $* (install it yourself to run every test)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "${SIYU_APT_UPDATED:-}" ]; then
		apt-get update -qq
		export SIYU_APT_UPDATED=1
	fi
	apt-get install -y -qq "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
	echo "== installing chromium for the browser test"
	apt_install chromium fonts-noto-cjk || true
fi
if command -v chromium >/dev/null 2>&1; then
	export SIYU_REQUIRE_BROWSER=1
fi

echo "== go vet"
go vet ./...

echo "== tests on SQLite"
go test -count=1 -timeout 20m ./...

echo "== tests on PostgreSQL"
pgdir=$(mktemp -d)
[ "$(id -u)" = 0 ] && chmod 755 "$pgdir"
trap 'scripts/pg.sh stop "$pgdir/pg"; rm -rf "$pgdir"' EXIT
url=$(scripts/pg.sh start "$pgdir/pg")
SIYU_TEST_DATABASE_URL="$url" go test -count=1 -timeout 20m ./...
