FROM alpine:3.19 AS build
USER root
RUN true
FROM alpine:3.19
USER 0:0
RUN apk add --no-cache curl
USER app
USER root
RUN chown app /x
# expect CD006
USER root:root
