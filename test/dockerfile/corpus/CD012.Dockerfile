FROM alpine:3.19
# expect CD012
RUN apk update && apk add curl
RUN apk add --no-cache curl
RUN --mount=type=cache,target=/var/cache/apk apk add curl
RUN apk add curl && rm -rf /var/cache/apk/*
RUN apk del curl
USER app
