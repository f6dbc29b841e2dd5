#!/usr/bin/env bash
# Builds the Kubernetes control plane the e2e suites run (DESIGN.md, "Real parts in tests";
# docs/e2e.md): kube-apiserver, kube-controller-manager and kubectl from k8s.io/kubernetes,
# and etcd from go.etcd.io/etcd/server/v3, all at the versions pinned by the wrapper module in
# scripts/kube/wrapper (go.mod + go.sum, written by gen-wrapper.sh). Needs only Go and the Go
# module proxy: go.sum pins every module, so the checksum database is never asked.
#
# Binaries go to $CUSTOMS_CACHE/kube/<kubernetes version>/bin (CUSTOMS_CACHE defaults to
# ~/.cache/customs). Does nothing when they are there and were built from the current
# go.mod/go.sum. Prints the bin folder on stdout; progress goes to stderr.
#
#   CUSTOMS_CACHE    cache folder (default ~/.cache/customs)
#   GO               the go command (default: go on PATH, else /usr/local/go/bin/go)
#   KUBE_BUILD_JOBS  packages compiled at once (go build -p; default: the number of CPUs, at
#                    most 4: each compile of a big generated package takes 1-2 GiB)
#   KUBE_BUILD_FORCE=1  rebuild even when the binaries are there
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wrapper="$here/wrapper"
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"

go_cmd="${GO:-}"
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then
    go_cmd="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
fi

# The versions pinned by the wrapper's go.mod.
module_version() {
  awk -v m="$1" '($1 == m && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' \
    "$wrapper/go.mod"
}
kube_version="$(module_version k8s.io/kubernetes)"
etcd_version="$(module_version go.etcd.io/etcd/server/v3)"
if [[ -z "$kube_version" || -z "$etcd_version" ]]; then
  echo "kube/build: $wrapper/go.mod pins no k8s.io/kubernetes or go.etcd.io/etcd/server/v3" >&2
  exit 1
fi

bin_dir="$cache/kube/$kube_version/bin"
stamp="$bin_dir/.built-from"
programs=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy etcd)
want_stamp="$(cat "$wrapper/go.mod" "$wrapper/go.sum" | sha256sum | cut -d' ' -f1)"

up_to_date=1
for p in "${programs[@]}"; do
  [[ -x "$bin_dir/$p" ]] || up_to_date=0
done
[[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]] || up_to_date=0
if [[ "$up_to_date" == 1 && "${KUBE_BUILD_FORCE:-}" != 1 ]]; then
  echo "$bin_dir"
  exit 0
fi

if [[ -z "$go_cmd" ]]; then
  echo "kube/build: Go is not installed (\$GO, go on PATH, /usr/local/go/bin/go); cannot build Kubernetes $kube_version" >&2
  exit 1
fi

jobs="${KUBE_BUILD_JOBS:-$(nproc)}"
((jobs > 4)) && jobs=4

# Version stamps, as Kubernetes's hack/lib/version.sh sets them, so `kubectl version` and the
# API server's /version say which release this is instead of v0.0.0-master.
minor="${kube_version#v1.}"
minor="${minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

echo "kube/build: building Kubernetes $kube_version and etcd $etcd_version into $bin_dir (go build -p $jobs; a first build takes a while)" >&2
mkdir -p "$bin_dir"
# Build beside the targets and rename, so a test that runs meanwhile never sees half a file.
tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# GOWORK=off: a go.work above the repository must not change what is built.
# CGO_ENABLED=0: no C compiler needed, and static binaries.
# -mod=readonly: go.mod/go.sum are committed; a build never rewrites them.
# -trimpath -s -w: no local paths, no symbol tables or DWARF (a third smaller).
export GOWORK=off CGO_ENABLED=0
start=$SECONDS
(
  cd "$wrapper"
  nice "$go_cmd" build -mod=readonly -trimpath -p "$jobs" -ldflags "-s -w$version_flags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl \
    k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy
  # etcd's main package is the root of its server module; named etcd, as etcd's own build does.
  nice "$go_cmd" build -mod=readonly -trimpath -p "$jobs" -ldflags "-s -w" -o "$tmp/etcd" \
    go.etcd.io/etcd/server/v3
)
for p in "${programs[@]}"; do
  mv -f "$tmp/$p" "$bin_dir/$p"
done
echo "$want_stamp" >"$stamp"
printf '%s\n%s\n' "kubernetes $kube_version" "etcd $etcd_version" >"$bin_dir/VERSIONS"
echo "kube/build: built in $((SECONDS - start)) s" >&2
echo "$bin_dir"
