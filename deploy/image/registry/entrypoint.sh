#!/bin/sh
# The registry:2 image's entrypoint contract: a config file path means `registry serve FILE`;
# a registry subcommand or flag is passed to the registry; anything else runs as given.
set -e
case "$1" in
  *.yaml | *.yml) set -- registry serve "$@" ;;
  serve | garbage-collect | help | -*) set -- registry "$@" ;;
esac
exec "$@"
