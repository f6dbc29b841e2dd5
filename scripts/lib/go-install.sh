# Sourced by the scripts that build Go programs from the Go module proxy at pinned versions
# (helm, actionlint, cosign, the node's runtime). Nothing else is fetched.
#
#   find_go                      sets go_cmd: $GO, else go on PATH, else /usr/local/go/bin/go,
#                                else empty
#   go_install_pinned NAME PACKAGE VERSION [LDFLAGS]
#                                installs PACKAGE@VERSION as $bin_dir/NAME unless that version
#                                is there already; prints the path. Needs bin_dir and go_cmd.

find_go() {
  go_cmd="${GO:-}"
  if [[ -z "$go_cmd" ]]; then
    if command -v go >/dev/null 2>&1; then
      go_cmd="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then
      go_cmd=/usr/local/go/bin/go
    fi
  fi
}

go_install_pinned() {
  local name="$1" package="$2" version="$3" ldflags="${4:--s -w}"
  local out="$bin_dir/$name"
  if [[ -x "$out" && -f "$out.version" && "$(cat "$out.version")" == "$version" ]]; then
    echo "$out"
    return 0
  fi
  mkdir -p "$bin_dir"
  local tmp
  tmp="$(mktemp -d)"
  # Into a scratch folder first, so an interrupted build never leaves a binary that the
  # version check above would trust. GOFLAGS=-mod=mod: the module's own go.sum pins it.
  if ! GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_cmd" install -ldflags "$ldflags" \
    "$package@$version" >"$tmp/log" 2>&1; then
    echo "${BASH_SOURCE[1]##*/scripts/}: building $package@$version failed:" >&2
    tail -20 "$tmp/log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mv -f "$tmp/$(basename "$package")" "$out"
  echo "$version" >"$out.version"
  rm -rf "$tmp"
  echo "$out"
}
