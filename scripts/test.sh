#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, integration over real sockets,
# a short libFuzzer run of each fuzz target).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)")
bash scripts/fuzz.sh 20
