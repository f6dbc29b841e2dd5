# Sourced by the install scripts: `apt_install PACKAGE...` installs Debian packages without
# recommends and without starting any service they bring (the tests start their own instances
# on 127.0.0.1). Output goes to standard error, so a script's standard output stays its answer.

apt_install() {
  local sudo="" policy=/usr/sbin/policy-rc.d made_policy=0 status=0
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  # policy-rc.d answering 101 stops maintainer scripts from starting a service (both
  # invoke-rc.d and deb-systemd-invoke honour it); removed again afterwards if made here.
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    made_policy=1
  fi
  # Update the package lists only when apt does not know a package yet.
  if ! apt-cache show "$@" >/dev/null 2>&1; then $sudo apt-get update -qq >&2 || status=$?; fi
  if [ "$status" -eq 0 ]; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || status=$?
  fi
  if [ "$made_policy" = 1 ]; then $sudo rm -f "$policy"; fi
  return "$status"
}
