#!/usr/bin/env bash
# Runs a command in namespaces of its own, for the e2e suites' real node (docs/e2e.md):
#
#   bash scripts/node/netns-run.sh npx vitest run -c test/e2e/vitest.config.ts
#
# - a network namespace: the API server, the registry, containerd, the Pods' bridge (cni0,
#   10.244.0.0/24), Services (10.0.0.0/24) and the node address (10.200.0.2 on a link of its own)
#   all live in it, so no test traffic ever leaves it and nothing on the machine's own
#   network can be reached or disturbed;
# - a mount namespace with private propagation, made rshared inside (as the kubelet wants):
#   every mount the kubelet and containerd make disappears with the namespace, and /etc/hosts
#   is a private copy the tests may extend (names of in-cluster registries for containerd);
# - a PID namespace whose init is this script: when the command ends, every process it left
#   behind (containerd shims, Pods) is killed by the kernel.
#
# CUSTOMS_E2E_NODE=1 tells the suites they may start a node; NODE_IP names the node address.
# Needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN), util-linux's unshare and iproute2.
set -euo pipefail

if [[ "${1:-}" == "--inside" ]]; then
  shift
  mount --make-rshared /
  hosts="$(mktemp -d /tmp/customs-netns.XXXXXX)"
  cp /etc/hosts "$hosts/hosts"
  mount --bind "$hosts/hosts" /etc/hosts
  ip link set lo up
  # A veth pair (the kernel may lack the dummy link type); the peer is up but unused.
  ip link add customs0 type veth peer name customs1
  ip addr add 10.200.0.2/24 dev customs0
  ip link set customs1 up
  ip link set customs0 up
  # Service addresses (10.0.0.0/24) are routed nowhere; kube-proxy rewrites them in the OUTPUT
  # chain, but only once a route has picked an interface, so there must be a default route.
  ip route add default dev customs0
  sysctl -qw net.ipv4.ip_forward=1
  # kube-proxy's NodePorts on 127.0.0.1, and Service traffic that leaves through the bridge.
  sysctl -qw net.ipv4.conf.all.route_localnet=1
  export CUSTOMS_E2E_NODE=1 NODE_IP=10.200.0.2
  # This shell is PID 1 of the namespace: it passes SIGTERM/SIGINT on and reaps orphans
  # while it waits; its exit ends the namespace and everything in it.
  "$@" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
  status=0
  wait "$child" || status=$?
  # A trapped signal interrupts wait: wait again for the command's own status.
  while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
  umount /etc/hosts 2>/dev/null || true
  rm -rf "$hosts"
  exit "$status"
fi

if [[ "$(id -u)" != 0 ]]; then
  echo "netns-run: needs root (namespaces for the e2e node); running the command as it is" >&2
  exec "$@"
fi
exec unshare --net --mount --propagation private --pid --fork --mount-proc \
  bash "${BASH_SOURCE[0]}" --inside "$@"
