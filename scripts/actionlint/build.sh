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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-install.sh
source "$here/../lib/go-install.sh"
bin_dir="${CUSTOMS_CACHE:-$HOME/.cache/customs}/bin"

if [[ -x "$bin_dir/actionlint" && "$(cat "$bin_dir/actionlint.version" 2>/dev/null)" == "$ACTIONLINT_VERSION" ]]; then
  echo "$bin_dir/actionlint"
  exit 0
fi
find_go
if [[ -z "$go_cmd" ]]; then
  echo "scripts/actionlint/build.sh: Go not found; the workflow lint test will skip" >&2
  exit 0
fi
go_install_pinned actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
