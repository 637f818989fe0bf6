#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo: the sandbox standing in for WeChat,
# WeCom and SMS, the gateway on an embedded SQLite file (var/demo.db), the seed's community
# set up through the admin API and played through to the end, printed step by step; then
# both keep serving until Ctrl-C. `xiaoqu serve` runs the gateway alone (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p var
# Demo secrets of the example accounts: real deployments set these from their secret store.
source examples/demo-secrets.env
exec build/xiaoqu demo --config examples/xiaoqu.json "$@"
