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

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# policy-rc.d answering 101 stops maintainer scripts from starting the service (both
# invoke-rc.d and deb-systemd-invoke honour it); removed again afterwards if we made it.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

# Update the package lists only when apt does not know the package yet.
if ! apt-cache show postgresql >/dev/null 2>&1; then
  $sudo apt-get update -qq >&2
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2

# Where systemd runs, make sure the packaged cluster stays off (it would hold port 5432).
if [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now postgresql.service >/dev/null 2>&1 || true
fi

bin="$(find_bin)"
if [ -z "$bin" ]; then echo "postgresql installed but no initdb under /usr/lib/postgresql" >&2; exit 1; fi
echo "$bin"
