FROM alpine:3.19
# expect CD018
MAINTAINER someone <someone@example.com>
LABEL org.opencontainers.image.authors="someone <someone@example.com>"
USER app
