#!/usr/bin/env bash
# Builds Dex (github.com/dexidp/dex), the OpenID Connect provider the sign-in tests of the
# control plane and console run against. It comes from the Go module proxy at a pinned
# version; nothing else is fetched.
#
# Dex's go.mod has a replace directive (its api/v2 module lives in the same repository, at
# ./api/v2), so `go install MODULE@VERSION` refuses it; and the module's zip leaves that
# nested module out, while the published api/v2 (v2.4.0) lacks what this Dex's gRPC admin API
# serves. So the module is downloaded into the module cache, copied to a temporary folder,
# the replace is dropped, the one line of cmd/dex/serve.go that registers the gRPC admin API
# is taken out (with its two imports), and it is built there (`go build ./cmd/dex`). The tests
# configure Dex from a file and never use that API; a `grpc:` section then serves nothing.
# CGO is off: the tests use Dex's in-memory storage, so its SQLite driver is not needed.
#
# Installs $CUSTOMS_CACHE/bin/dex and prints its path. Skips the build when the binary of that
# version is already there. Without Go it says so on stderr and exits 0: the sign-in tests
# then skip with a printed reason.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

# Dex publishes no module-compatible tags after v2.13 (its module path has no /v2), so the
# proxy knows it by pseudo-version: this one is the master of 2026-08-06.
DEX_MODULE=github.com/dexidp/dex
DEX_VERSION=v0.0.0-20260806151424-ab64ed778070

cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"
out="$bin_dir/dex"

go_cmd="${GO:-}"
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then
    go_cmd="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
fi
if [[ -z "$go_cmd" ]]; then
  echo "scripts/dex/build.sh: Go not found; the OpenID Connect sign-in tests will skip" >&2
  exit 0
fi

if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$DEX_VERSION" ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$bin_dir"
tmp="$(mktemp -d)"
trap 'chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The module cache holds the module read-only; its folder is what `go mod download` reports.
if ! dir="$(cd "$tmp" && GOFLAGS=-mod=mod "$go_cmd" mod download -json "$DEX_MODULE@$DEX_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || [[ -z "$dir" ]]; then
  echo "scripts/dex/build.sh: downloading $DEX_MODULE@$DEX_VERSION failed" >&2
  exit 1
fi
cp -R "$dir" "$tmp/src"
chmod -R u+w "$tmp/src"
serve="$tmp/src/cmd/dex/serve.go"
sed -i -e '/api\.RegisterDexServer(/d' -e '/"github.com\/dexidp\/dex\/api\/v2"/d' \
  -e '/"github.com\/dexidp\/dex\/server\/apiserver"/d' "$serve"
if grep -q 'apiserver\.\|dexidp/dex/api/v2' "$serve"; then
  echo "scripts/dex/build.sh: cmd/dex/serve.go still names the gRPC admin API; check the patch" >&2
  exit 1
fi
(cd "$tmp/src" && "$go_cmd" mod edit -dropreplace github.com/dexidp/dex/api/v2)

if ! (cd "$tmp/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_cmd" build -trimpath -o "$tmp/dex" ./cmd/dex) >"$tmp/log" 2>&1; then
  echo "scripts/dex/build.sh: building $DEX_MODULE@$DEX_VERSION failed:" >&2
  tail -20 "$tmp/log" >&2
  exit 1
fi
mv -f "$tmp/dex" "$out"
echo "$DEX_VERSION" >"$out.version"
echo "$out"
