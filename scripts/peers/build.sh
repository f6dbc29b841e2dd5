#!/usr/bin/env bash
# Builds the two peers that bench/peers.ts measures Customs against, from the Go module proxy
# at pinned versions: the Kyverno CLI (`kyverno apply`) and gator (`gator test`). Each build
# takes 15-20 minutes on a 2-core machine, so they run one after the other and each is
# skipped when its binary is already in the cache at its pinned version.
#
# `go install` refuses Kyverno's module because its go.mod has replace directives, so the
# module is downloaded, copied somewhere writable and built inside. gator is tried with
# `go install` first and falls back to the same approach.
#
# Binaries go to $CUSTOMS_CACHE/bin/{kyverno,gator} with a .version file beside each. Prints
# the bin folder on stdout; progress goes to stderr.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
#   PEERS          which peers to build (default "kyverno gator")
set -euo pipefail

KYVERNO_VERSION=v1.19.1
GATOR_VERSION=v3.23.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-install.sh
source "$here/../lib/go-install.sh"
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"
mkdir -p "$bin_dir"
find_go
if [[ -z "$go_cmd" ]]; then
  echo "peers/build: Go is not installed" >&2
  exit 1
fi

have() {
  [[ -x "$bin_dir/$1" && -f "$bin_dir/$1.version" && "$(cat "$bin_dir/$1.version")" == "$2" ]]
}

# build_inside NAME MODULE VERSION PACKAGE: downloads MODULE@VERSION, builds ./PACKAGE in a
# writable copy of it (so its replace directives apply) -> $bin_dir/NAME
build_inside() {
  local name="$1" module="$2" version="$3" package="$4"
  local tmp dir
  tmp="$(mktemp -d)"
  dir="$("$go_cmd" mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir" ]]; then
    echo "peers/build: the proxy did not give $module@$version" >&2
    rm -rf "$tmp"
    return 1
  fi
  cp -r "$dir" "$tmp/src"
  chmod -R u+w "$tmp/src"
  # GOFLAGS=-mod=mod: the module's own go.sum pins its dependencies; the version is stamped
  # the way the project's release builds stamp it, so `version` subcommands say which it is.
  if ! (cd "$tmp/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 nice "$go_cmd" build -trimpath \
    -ldflags "-s -w $5" -o "$tmp/$name" "./$package") >"$tmp/log" 2>&1; then
    echo "peers/build: building $module@$version ./$package failed:" >&2
    tail -20 "$tmp/log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mv -f "$tmp/$name" "$bin_dir/$name"
  echo "$version" >"$bin_dir/$name.version"
  rm -rf "$tmp"
}

for peer in ${PEERS:-kyverno gator}; do
  start=$SECONDS
  case "$peer" in
  kyverno)
    have kyverno "$KYVERNO_VERSION" && continue
    echo "peers/build: building the Kyverno CLI $KYVERNO_VERSION" >&2
    build_inside kyverno github.com/kyverno/kyverno "$KYVERNO_VERSION" cmd/cli/kubectl-kyverno \
      "-X github.com/kyverno/kyverno/pkg/version.BuildVersion=$KYVERNO_VERSION"
    ;;
  gator)
    have gator "$GATOR_VERSION" && continue
    echo "peers/build: building gator $GATOR_VERSION" >&2
    if ! go_install_pinned gator github.com/open-policy-agent/gatekeeper/v3/cmd/gator \
      "$GATOR_VERSION" >/dev/null; then
      echo "peers/build: go install refused gator; building inside the module" >&2
      build_inside gator github.com/open-policy-agent/gatekeeper/v3 "$GATOR_VERSION" cmd/gator ""
    fi
    ;;
  *)
    echo "peers/build: unknown peer $peer" >&2
    exit 2
    ;;
  esac
  echo "peers/build: $peer built in $((SECONDS - start)) s" >&2
done
echo "$bin_dir"
