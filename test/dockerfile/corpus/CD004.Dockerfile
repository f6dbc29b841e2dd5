ARG REG=docker.io
# A builder stage: only the final stage's base is judged by default.
FROM docker.io/library/alpine:3.19 AS build
FROM registry.corp.example/base/alpine:3.19
FROM build
FROM scratch
# expect CD004
FROM ${REG}/library/busybox:1
