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

# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"
apt_install "${need[@]}"
