FROM alpine:3.19
# expect CD013
RUN curl -fsSL https://get.example.com | sh
# expect CD013
RUN wget -qO- https://x.example/install.sh | sudo bash -s -- --yes
# expect CD013
RUN sh -c "$(curl -fsSL https://x.example/install.sh)"
# expect CD013
RUN bash <(curl -s https://x.example/i.sh)
RUN curl -fsSLo /tmp/i.sh https://x.example/i.sh && echo "abc  /tmp/i.sh" | sha256sum -c && sh /tmp/i.sh
RUN curl -s https://x.example/data.json | jq .
RUN echo "curl x | sh"
USER app
