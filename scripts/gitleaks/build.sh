#!/usr/bin/env bash
# Builds gitleaks (the comparison point of bench/secrets.ts) from the Go module proxy into
# ~/.cache/customs/bin. Pinned version; idempotent: does nothing when that version is there.
# Prints the binary's path on success.
set -euo pipefail

VERSION="${GITLEAKS_VERSION:-v8.21.2}"
GO="${GO:-/usr/local/go/bin/go}"
BIN_DIR="${HOME}/.cache/customs/bin"
TARGET="${BIN_DIR}/gitleaks-${VERSION}"

if [ -x "$TARGET" ]; then
  echo "$TARGET"
  exit 0
fi
if ! [ -x "$GO" ] && ! command -v go >/dev/null 2>&1; then
  echo "gitleaks: Go not found (set GO=/path/to/go)" >&2
  exit 1
fi
[ -x "$GO" ] || GO="$(command -v go)"

mkdir -p "$BIN_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOBIN="$work" GOFLAGS=-mod=mod CGO_ENABLED=0 "$GO" install "github.com/zricethezav/gitleaks/v8@${VERSION}" >&2
mv "$work/gitleaks" "$TARGET"
ln -sf "gitleaks-${VERSION}" "${BIN_DIR}/gitleaks"
echo "$TARGET"
