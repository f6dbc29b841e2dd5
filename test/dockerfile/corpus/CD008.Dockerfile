FROM alpine:3.19
# expect CD008
ADD https://example.com/tool.tar.gz /opt/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD https://github.com/moby/buildkit.git#v0.10.1 /src
COPY https.txt /x
USER app
