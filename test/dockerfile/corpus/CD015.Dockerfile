FROM alpine:3.19 AS a
CMD ["a"]
FROM alpine:3.19
CMD ["b"]
USER app
# expect CD015
CMD ["c"]
