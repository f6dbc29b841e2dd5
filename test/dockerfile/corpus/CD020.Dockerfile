ARG BASE
# expect CD020
FROM ${BASE}
# expect CD020
FROM Alpine:3.19
FROM alpine:3.19
