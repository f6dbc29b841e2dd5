#!/usr/bin/env bash
# Builds the cosign command-line tools that the signature interop tests and the signatures
# benchmark sign with: cosign v2 (simple-signing `.sig` tags, `.att` DSSE tags) and cosign v3
# (Sigstore bundles attached as OCI referrers or their fallback tag). Both come from the Go
# module proxy at pinned versions; nothing else is fetched.
#
# Installs $CUSTOMS_CACHE/bin/cosign-v2 and $CUSTOMS_CACHE/bin/cosign-v3 and prints their
# paths. Skips a build when the binary is already there. Without Go it says so on stderr and
# exits 0: the interop tests then skip with a printed reason.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

COSIGN_V2_VERSION=v2.6.5
COSIGN_V3_VERSION=v3.1.3

cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"

go_cmd="${GO:-}"
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then
    go_cmd="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
fi
if [[ -z "$go_cmd" ]]; then
  echo "scripts/cosign/build.sh: Go not found; cosign interop tests will skip" >&2
  exit 0
fi

mkdir -p "$bin_dir"

# build NAME MODULE VERSION: go install MODULE@VERSION -> $bin_dir/NAME
build() {
  local name="$1" module="$2" version="$3"
  local out="$bin_dir/$name"
  if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$version" ]]; then
    echo "$out"
    return
  fi
  local tmp
  tmp="$(mktemp -d)"
  # Both majors install a binary called `cosign`, so each goes through its own folder.
  if ! GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_cmd" install "$module@$version" >"$tmp/log" 2>&1; then
    echo "scripts/cosign/build.sh: building $module@$version failed:" >&2
    tail -20 "$tmp/log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mv -f "$tmp/cosign" "$out"
  echo "$version" >"$out.version"
  rm -rf "$tmp"
  echo "$out"
}

build cosign-v2 github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_V2_VERSION"
build cosign-v3 github.com/sigstore/cosign/v3/cmd/cosign "$COSIGN_V3_VERSION"
