#!/usr/bin/env bash
# Builds the Go programs that differential tests compare Customs with (DESIGN.md, "Real parts
# in tests"): test/oracles/reference, github.com/distribution/reference's
# ParseNormalizedNamed, and test/fixtures/vap/k8s-oracle, Kubernetes' ValidatingAdmissionPolicy
# compiler and validator. Needs only Go and the Go module proxy: go.sum pins every module, so
# nothing else is fetched and no checksum database is asked.
#
# Prints the path of each binary on stdout. Skips a build when the binary is newer than its
# sources. Without Go it says so on stderr and exits 0: the differential tests then skip.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs); binaries go to $CUSTOMS_CACHE/bin
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/bin"

go_cmd="${GO:-}"
if [[ -n "$go_cmd" && ! -x "$go_cmd" ]] && ! command -v "$go_cmd" >/dev/null 2>&1; then
  go_cmd="" # GO names no program: as if Go were missing
elif [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then
    go_cmd="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
fi

# build NAME [SRC]: test/oracles/NAME (or SRC) -> $bin_dir/NAME-oracle
build() {
  local name="$1"
  local src="${2:-$root/test/oracles/$name}"
  local out="$bin_dir/$name-oracle"
  local stale=0
  if [[ ! -x "$out" ]]; then
    stale=1
  else
    for f in "$src"/*.go "$src/go.mod" "$src/go.sum"; do
      if [[ "$f" -nt "$out" ]]; then stale=1; fi
    done
  fi
  if [[ "$stale" == 1 ]]; then
    if [[ -z "$go_cmd" ]]; then
      echo "build-oracles: Go is not installed; skipping $name oracle (differential tests will skip)" >&2
      return 0
    fi
    mkdir -p "$bin_dir"
    # Build beside the target and rename, so a test that runs meanwhile never sees half a file.
    local tmp="$out.tmp.$$"
    # GOWORK=off: a go.work above the repository must not change what is built.
    # CGO_ENABLED=0: no C compiler needed, and a static binary.
    # -mod=readonly: go.sum is committed; a build never rewrites it.
    (cd "$src" && GOWORK=off CGO_ENABLED=0 "$go_cmd" build -mod=readonly -trimpath -o "$tmp" .)
    mv -f "$tmp" "$out"
  fi
  echo "$out"
}

build reference
# Kubernetes' own CEL validator (k8s.io/apiserver) for the generated ValidatingAdmissionPolicies;
# the first build compiles k8s.io/apiserver (minutes on two cores).
build vap-k8s "$root/test/fixtures/vap/k8s-oracle"
# sigs.k8s.io/yaml's YAMLToJSON (go-yaml v2): how Kubernetes reads a manifest's scalars.
build yaml
