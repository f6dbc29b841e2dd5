ARG IMG=gcr.io/distroless/static:nonroot@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG VARIANT
# expect CD003
FROM golang:1.22 AS build
FROM golang:1.22@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
FROM build
FROM scratch
FROM ${IMG}
FROM alpine:${VARIANT}
