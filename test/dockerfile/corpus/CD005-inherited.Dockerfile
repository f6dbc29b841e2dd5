# The final stage inherits USER from the stage it is built on: no CD005.
FROM alpine:3.19 AS base
USER 10001
FROM base
CMD ["/app"]
