FROM debian:12
# expect CD009
# expect CD010
# expect CD011
RUN apt-get update && apt-get install -y curl
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl=7.88.1-10 ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/*
# expect CD011
RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends curl
# expect CD010
RUN apt-get -o APT::Install-Recommends=false install -y ./local.deb jq=1.6-2.1
RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*
RUN echo apt-get install nothing
# expect CD009
# expect CD011
RUN <<EOT
set -e
apt-get update
sudo apt-get install -y git
rm -rf /var/lib/apt/lists/*
EOT
USER app
