FROM alpine:3.19 AS build
USER builder
# expect CD005
FROM scratch
COPY --from=build /app /app
