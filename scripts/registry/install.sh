#!/usr/bin/env bash
# Installs what test/registry/ needs from Debian: docker-registry (Docker Distribution 2.8,
# the program of the registry:2 image) and htpasswd (apache2-utils) for bcrypt users.
# The tests start their own instances on 127.0.0.1, so the package's service must not run.
# Without these the suites skip and say why. Idempotent: does nothing when both are present.
set -euo pipefail

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
[ -x /usr/bin/htpasswd ] || need+=(apache2-utils)
[ ${#need[@]} -eq 0 ] && exit 0

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

$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"

# Where systemd runs, make sure the packaged service stays off (it would hold port 5000).
if [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
fi
