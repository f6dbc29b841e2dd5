FROM alpine:3.19
# expect CD007
ADD app.py /app/
# expect CD007
ADD --chown=app:app ["src", "/src"]
ADD rootfs.tar.gz /
ADD --checksum=sha256:abc https://example.com/a.tgz /tmp/
ADD git@github.com:moby/buildkit.git#v0.10.1 /src
COPY app.py /app/
USER app
