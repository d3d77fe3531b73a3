#!/usr/bin/env bash
# Reproduces the import benchmark of docs/BENCHMARKS.md: generates N orders,
# then measures import with identity resolution against a raw-insert
# baseline of the same rows, on SQLite and on a throwaway PostgreSQL.
#   bench/import.sh [ORDERS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-1000000}
runs=${2:-3}
out=$(mktemp -d)
trap 'scripts/pg.sh stop "$out/pg" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
[ "$(id -u)" = 0 ] && chmod 755 "$out"
go run ./bench/gen -customers $((orders * 3 / 10)) -orders "$orders" -seed 1 -format generic -out "$out/orders.csv" >&2
go build -o "$out/importbench" ./bench/importbench
echo "## SQLite"
"$out/importbench" -file "$out/orders.csv" -runs "$runs"
url=$(scripts/pg.sh start "$out/pg")
echo
echo "## PostgreSQL"
"$out/importbench" -file "$out/orders.csv" -runs "$runs" -database-url "$url"
