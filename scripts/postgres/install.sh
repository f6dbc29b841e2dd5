#!/usr/bin/env bash
# Installs PostgreSQL from Debian for the control plane's storage tests (test/fleet/): they
# start their own throwaway server on 127.0.0.1 with initdb, so the packaged service must not
# run. Idempotent: does nothing when initdb is already there. Prints the bin directory.
set -euo pipefail

find_bin() {
  # Newest major version first.
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r | while read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; break; fi
  done
}

bin="$(find_bin)"
if [ -n "$bin" ]; then echo "$bin"; exit 0; fi

# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"
apt_install postgresql

# Where systemd runs, make sure the packaged cluster stays off (it would hold port 5432).
if [ -d /run/systemd/system ]; then
  if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root=sudo; fi
  $as_root systemctl disable --now postgresql.service >/dev/null 2>&1 || true
fi

bin="$(find_bin)"
if [ -z "$bin" ]; then echo "postgresql installed but no initdb under /usr/lib/postgresql" >&2; exit 1; fi
echo "$bin"
