#!/usr/bin/env bash
# Builds Helm 3 from the Go module proxy at a pinned version, for `helm lint`/`helm template`
# of deploy/helm/customs and the parity test (test/helm-parity.test.ts) that compares the
# chart's objects with `customs install`'s. Nothing else is fetched.
#
# Installs $CUSTOMS_CACHE/bin/helm and prints its path. Skips the build when the binary is
# already there at this version. Without Go it says so on stderr and exits 0: the parity test
# then skips with a printed reason.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

HELM_VERSION=v3.22.1

cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"
out="$bin_dir/helm"

if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$HELM_VERSION" ]]; then
  echo "$out"
  exit 0
fi

go_cmd="${GO:-}"
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then
    go_cmd="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
fi
if [[ -z "$go_cmd" ]]; then
  echo "scripts/helm/build.sh: Go not found; the Helm parity test will skip" >&2
  exit 0
fi

mkdir -p "$bin_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Helm's own release builds stamp the version with -ldflags; `helm version` says it too here.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
if ! GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_cmd" install -ldflags "$ldflags" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$tmp/log" 2>&1; then
  echo "scripts/helm/build.sh: building helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed:" >&2
  tail -20 "$tmp/log" >&2
  exit 1
fi
mv -f "$tmp/helm" "$out"
echo "$HELM_VERSION" >"$out.version"
echo "$out"
