#!/usr/bin/env bash
# Refreshes the vendored browser libraries under web/static/vendor from the
# npm registry. Only needed to upgrade them: the files are committed, so
# `go build` never needs Node.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent echarts@6.1.0 >/dev/null && tar xzf echarts-6.1.0.tgz)
dest=web/static/vendor/echarts
mkdir -p "$dest"
cp "$tmp/package/dist/echarts.min.js" "$dest/"
cp "$tmp/package/LICENSE" "$tmp/package/NOTICE" "$dest/"
echo "echarts 6.1.0 vendored into $dest"
