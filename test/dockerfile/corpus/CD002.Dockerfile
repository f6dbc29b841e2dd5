ARG TAG=latest
# expect CD002
FROM alpine:latest
FROM alpine:latest@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
FROM alpine:3.19
FROM alpine:latest-slim
# expect CD002
FROM node:${TAG} AS n
FROM n
