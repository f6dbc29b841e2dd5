FROM alpine:3.19
# expect CD016
WORKDIR app
WORKDIR /app
WORKDIR "/srv/app"
WORKDIR $HOME/app
WORKDIR C:\\app
# expect CD016
WORKDIR "./src"
USER app
