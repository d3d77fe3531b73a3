#!/usr/bin/env bash
# Reproduces the load test of docs/BENCHMARKS.md: the server on loopback
# under order and event ingestion, console pages and WeCom callbacks, at
# 1M customers, on SQLite and then on a throwaway PostgreSQL. The SQLite
# store is prepared once and kept (SIYU_LOAD_DB) for reruns.
#   bench/loadtest.sh [CUSTOMERS] [sqlite|postgres|both] [extra loadtest flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-1000000}
which=${2:-both}
shift $(( $# > 2 ? 2 : $# ))
db=${SIYU_LOAD_DB:-${TMPDIR:-/tmp}/siyu-loadtest-$customers.db}
out=$(mktemp -d)
trap 'scripts/pg.sh stop "$out/pg" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
[ "$(id -u)" = 0 ] && chmod 755 "$out"
go build -o "$out/loadtest" ./bench/loadtest
if [ "$which" != postgres ]; then
	echo "## SQLite"
	"$out/loadtest" -customers "$customers" -db "$db" "$@"
fi
if [ "$which" != sqlite ]; then
	url=$(scripts/pg.sh start "$out/pg")
	echo
	echo "## PostgreSQL"
	"$out/loadtest" -customers "$customers" -database-url "$url" "$@"
fi
