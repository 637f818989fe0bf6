#!/usr/bin/env bash
# Installs the Debian packages xiaoqu needs, only those that are missing.
# Uses sudo when not root. Safe to run again.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libssl-dev libtinyxml2-dev nlohmann-json3-dev
  libsqlite3-dev libcpp-httplib-dev
  libsodium-dev zlib1g-dev libexpat1-dev libxlsxwriter-dev libfreexl-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang wrk sqlite3 curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
