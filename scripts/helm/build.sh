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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-install.sh
source "$here/../lib/go-install.sh"
bin_dir="${CUSTOMS_CACHE:-$HOME/.cache/customs}/bin"

if [[ -x "$bin_dir/helm" && "$(cat "$bin_dir/helm.version" 2>/dev/null)" == "$HELM_VERSION" ]]; then
  echo "$bin_dir/helm"
  exit 0
fi
find_go
if [[ -z "$go_cmd" ]]; then
  echo "scripts/helm/build.sh: Go not found; the Helm parity test will skip" >&2
  exit 0
fi
# Helm's own release builds stamp the version with -ldflags; `helm version` says it too here.
go_install_pinned helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
