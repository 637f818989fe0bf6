#!/usr/bin/env bash
# Installs what is missing, builds, and runs the gateway on the example configuration
# with an embedded SQLite file under var/. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p var
# Demo secrets of the example accounts: real deployments set these from their secret store.
source examples/demo-secrets.env
exec build/xiaoqu serve --config examples/xiaoqu.json "$@"
