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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-install.sh
source "$here/../lib/go-install.sh"
bin_dir="${CUSTOMS_CACHE:-$HOME/.cache/customs}/bin"

find_go
if [[ -z "$go_cmd" ]]; then
  echo "scripts/cosign/build.sh: Go not found; cosign interop tests will skip" >&2
  exit 0
fi

# Both majors install a binary called `cosign`: each is kept under its own name.
go_install_pinned cosign-v2 github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_V2_VERSION"
go_install_pinned cosign-v3 github.com/sigstore/cosign/v3/cmd/cosign "$COSIGN_V3_VERSION"
