#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on a loopback port for the tests and prints
# its URL. Installs Debian's postgresql when it is missing. Usage:
#   scripts/pg.sh start DIR   # prints postgres://... on stdout
#   scripts/pg.sh stop DIR
set -euo pipefail
cmd=${1:-start}
dir=${2:-${TMPDIR:-/tmp}/siyu-pg}
port=${SIYU_PG_PORT:-}

# free_port finds a loopback port nobody listens on, from 55432 up.
free_port() {
	local p
	for p in $(seq 55432 55532); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

pgbin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
	done
	return 1
}

as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/sh -c "$*"
	else
		sh -c "$*"
	fi
}

case "$cmd" in
start)
	if ! bin=$(pgbin); then
		echo "installing postgresql (Debian package)..." >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq postgresql >&2
		bin=$(pgbin)
	fi
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		useradd -r -m postgres
	fi
	[ -n "$port" ] || port=$(free_port)
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_postgres "$bin/initdb -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 ||
		as_postgres "$bin/initdb -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C" >"$dir/initdb.log" 2>&1
	as_postgres "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB\" start" >&2 || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	if bin=$(pgbin) && [ -d "$dir/data" ]; then
		as_postgres "$bin/pg_ctl -D '$dir/data' -m fast -w stop" >&2 || true
	fi
	;;
*)
	echo "usage: $0 start|stop [DIR]" >&2
	exit 2
	;;
esac
