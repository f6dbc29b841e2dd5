#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/support/browser.ts drives it through
# playwright-core, which brings no browser of its own). Prints the browser's path.
# Idempotent: does nothing but print the path when /usr/bin/chromium is already there.
# Without it the browser suites skip and say why.
set -euo pipefail

browser=/usr/bin/chromium
if [ ! -x "$browser" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  # Recommends would pull in a desktop's worth of packages; fonts are needed for screenshots
  # that show text, so one small font family is named explicitly.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
fi
echo "$browser"
