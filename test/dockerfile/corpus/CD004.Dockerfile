ARG REG=docker.io
# expect CD004
FROM docker.io/library/alpine:3.19 AS build
FROM registry.corp.example/base/alpine:3.19
FROM build
FROM scratch
# expect CD004
FROM ${REG}/library/busybox:1
