#!/usr/bin/env bash
# Installs the Debian packages ceipal-sync needs to build, test and benchmark,
# skipping those already present. Safe to run again; needs root or sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format
  libclang-rt-14-dev clang-16 libclang-rt-16-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev rapidjson-dev
  libfmt-dev libspdlog-dev libboost-program-options-dev libgtest-dev
  libgmock-dev libcpp-httplib-dev libxxhash-dev sqlite-utils time curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
