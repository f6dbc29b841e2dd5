#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/support/browser.ts drives it through
# playwright-core, which brings no browser of its own). Prints the browser's path.
# Idempotent: does nothing but print the path when /usr/bin/chromium is already there.
# Without it the browser suites skip and say why.
set -euo pipefail

browser=/usr/bin/chromium
if [ ! -x "$browser" ]; then
  # shellcheck source=../lib/apt.sh
  . "$(dirname "$0")/../lib/apt.sh"
  # Recommends would pull in a desktop's worth of packages; fonts are needed for screenshots
  # that show text, so one small font family is named explicitly.
  apt_install chromium fonts-dejavu-core
fi
echo "$browser"
