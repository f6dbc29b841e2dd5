#!/usr/bin/env bash
# Builds and installs what a real Kubernetes node needs besides the kubelet and kube-proxy
# (scripts/kube/build.sh builds those): containerd 2.x and its runc shim from the Go module
# proxy, CoreDNS (the cluster's DNS, run as a Pod from an image the tests build), and from
# Debian: runc, the CNI plugins, iptables and conntrack (kube-proxy's iptables mode).
# docs/e2e.md, "A real node", says how the harness (test/e2e/node.ts) starts them.
#
# Binaries go to $CUSTOMS_CACHE/node/bin; skips each build when the binary is there at its
# pinned version. Prints the bin folder on stdout; progress goes to stderr.
#
#   CUSTOMS_CACHE  cache folder (default ~/.cache/customs)
#   GO             the go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

CONTAINERD_VERSION=v2.2.10
COREDNS_VERSION=v1.14.7

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/apt.sh
source "$here/../lib/apt.sh"
# shellcheck source=../lib/go-install.sh
source "$here/../lib/go-install.sh"
cache="${CUSTOMS_CACHE:-$HOME/.cache/customs}"
bin_dir="$cache/node/bin"
mkdir -p "$bin_dir"

need_apt=()
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
[[ -x /usr/lib/cni/bridge ]] || need_apt+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need_apt+=(iptables)
command -v conntrack >/dev/null 2>&1 || need_apt+=(conntrack)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
if ((${#need_apt[@]} > 0)); then apt_install "${need_apt[@]}"; fi

find_go

# build NAME PACKAGE VERSION [TAGS]: go install PACKAGE@VERSION -> $bin_dir/NAME
build() {
  local name="$1" package="$2" version="$3" tags="${4:-}"
  local out="$bin_dir/$name"
  if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$version" ]]; then
    return
  fi
  if [[ -z "$go_cmd" ]]; then
    echo "node/build: Go is not installed; cannot build $name" >&2
    return 1
  fi
  local tmp start=$SECONDS
  tmp="$(mktemp -d)"
  echo "node/build: building $package@$version" >&2
  # CGO_ENABLED=0: static binaries, no C toolchain. no_btrfs: the btrfs snapshotter needs C
  # headers and the node uses overlayfs. GOFLAGS=-mod=mod: the module's own go.sum pins it.
  if ! GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 nice "$go_cmd" install -trimpath \
    -tags "$tags" -ldflags "-s -w" "$package@$version" >"$tmp/log" 2>&1; then
    echo "node/build: building $package@$version failed:" >&2
    tail -20 "$tmp/log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mv -f "$tmp/$(basename "$package")" "$out"
  echo "$version" >"$out.version"
  rm -rf "$tmp"
  echo "node/build: $name built in $((SECONDS - start)) s" >&2
}

build containerd github.com/containerd/containerd/v2/cmd/containerd "$CONTAINERD_VERSION" no_btrfs
build containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 "$CONTAINERD_VERSION" no_btrfs
build ctr github.com/containerd/containerd/v2/cmd/ctr "$CONTAINERD_VERSION" no_btrfs
build coredns github.com/coredns/coredns "$COREDNS_VERSION"

# The Pods' sandbox process (and the e2e application images' main process): a small Go
# program of ours, rebuilt when its source changes.
pause_src="$here/pause/main.go"
pause_sum="$(sha256sum "$pause_src" | cut -d' ' -f1)"
if [[ ! -x "$bin_dir/pause" || "$(cat "$bin_dir/pause.version" 2>/dev/null)" != "$pause_sum" ]]; then
  GOFLAGS= GO111MODULE=off CGO_ENABLED=0 "$go_cmd" build -trimpath -ldflags "-s -w" -o "$bin_dir/pause.tmp" "$pause_src"
  mv -f "$bin_dir/pause.tmp" "$bin_dir/pause"
  echo "$pause_sum" >"$bin_dir/pause.version"
fi
echo "$bin_dir"
