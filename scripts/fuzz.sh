#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60).
# Crashes are written to fuzz-artifacts/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bash scripts/install-deps.sh
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DXIAOQU_FUZZ=ON -DXIAOQU_TESTS=OFF -DXIAOQU_BENCH=OFF >/dev/null
targets=()
for f in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"
mkdir -p fuzz-artifacts
for t in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/${t%_fuzz}
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $t for ${seconds}s"
  build-fuzz/"$t" -max_total_time="$seconds" -print_final_stats=0 -artifact_prefix=fuzz-artifacts/"$t"- "$work" 2>fuzz-artifacts/"$t".log \
    || { tail -40 fuzz-artifacts/"$t".log; echo "fuzz: $t FAILED"; exit 1; }
  rm -rf "$work"
  grep -E "^#[0-9]+.*DONE" fuzz-artifacts/"$t".log | tail -1 || true
done
echo "fuzz: all targets passed"
