#!/usr/bin/env bash
# Configures and builds xiaoqu into build/ (Release by default: BUILD_TYPE=Debug to change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
type=${BUILD_TYPE:-Release}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
cmake --build build -j "$(nproc)"
