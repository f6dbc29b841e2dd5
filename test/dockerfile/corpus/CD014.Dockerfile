FROM alpine:3.19
USER app
# expect CD014
ENTRYPOINT /app --serve
# expect CD014
CMD [/app, --serve]
CMD ["/app", "--serve"]
ENTRYPOINT ["/app"]
