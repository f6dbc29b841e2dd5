# Only ARGs before the first FROM can be used in FROM.
ARG BASE=debian
ARG LATER
# expect CD001
FROM ubuntu
FROM ubuntu:24.04
FROM ubuntu@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
# expect CD001
FROM registry.example:5000/team/app AS app
FROM app
FROM scratch
# expect CD001
FROM ${BASE}
ARG LATER=stage-scoped-so-not-used-by-FROM
FROM ${LATER}
