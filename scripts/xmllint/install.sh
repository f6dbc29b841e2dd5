#!/usr/bin/env bash
# Installs xmllint (Debian's libxml2-utils), which test/sarif/output-schemas.test.ts runs to
# validate the JUnit XML output against the vendored JUnit schema (test/fixtures/schemas).
# Idempotent: does nothing when xmllint is already there. Without it that suite skips and
# says why.
set -euo pipefail

command -v xmllint >/dev/null 2>&1 && exit 0

# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"
apt_install libxml2-utils
