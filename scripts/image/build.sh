#!/usr/bin/env bash
# Builds and pushes Customs' container images without a Docker daemon (docs/images.md):
# node-base:24 and :20, customs:VERSION (Node 24) and customs:VERSION-node20, registry:2.8.
# Prints JSON with each image's HOST/REPO@DIGEST on standard output; progress on stderr.
#
#   scripts/image/build.sh --registry HOST:PORT --ca CA.pem [--cache DIR] [--sign]
#   scripts/image/build.sh --prepare [--cache DIR]   # only what needs the network, into the cache
#
# Credentials (optional): CUSTOMS_REGISTRY_USERNAME, CUSTOMS_REGISTRY_PASSWORD.
# Cache: ~/.cache/customs/images (CUSTOMS_IMAGE_CACHE or --cache): .debs, Node builds, the
# staged app, compressed layers; a warm re-run takes seconds.
# Needs: node and npm, apt-get and dpkg-deb (Debian), the repository's node_modules;
# --sign also needs cosign (scripts/cosign/build.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# The builder is TypeScript; compile it (incrementally) into .cache/image-tool (git-ignored).
"$root/node_modules/.bin/tsc" -p "$root/scripts/image/tsconfig.json" >&2
exec node "$root/.cache/image-tool/scripts/image/main.js" --root "$root" "$@"
