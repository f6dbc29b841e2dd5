#!/usr/bin/env bash
# Builds actionlint (github.com/rhysd/actionlint), the linter test/release/workflows.test.ts
# runs over .github/workflows/*.yml: it type-checks `${{ }}` expressions, job `needs:`,
# `permissions:` keys and action inputs (the test turns its shellcheck pass off). It comes
# from the Go module proxy at a pinned version; nothing else is fetched.
#
# Installs $CUSTOMS_CACHE/bin/actionlint and prints its path. Skips the build when that
# version is already there. Without Go it says so on stderr and exits 0: the workflow test
# then skips with a printed reason.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12

cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"
out="$bin_dir/actionlint"

if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$ACTIONLINT_VERSION" ]]; then
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
  echo "scripts/actionlint/build.sh: Go not found; the workflow lint test will skip" >&2
  exit 0
fi

mkdir -p "$bin_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Installed into a scratch folder first, so an interrupted build never leaves a binary that
# the version check above would trust.
if ! GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_cmd" install \
  "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >"$tmp/log" 2>&1; then
  echo "scripts/actionlint/build.sh: building actionlint $ACTIONLINT_VERSION failed:" >&2
  tail -20 "$tmp/log" >&2
  exit 1
fi
mv -f "$tmp/actionlint" "$out"
echo "$ACTIONLINT_VERSION" >"$out.version"
echo "$out"
