#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing,
# checks formatting, builds and runs every test with ctest, then builds and
# runs the suite again under AddressSanitizer and UBSan.
#   tools/test.sh            everything (what CI runs)
#   CEIPAL_SKIP_SANITIZE=1   skip the sanitizer pass (quicker local loop)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

jobs=$(nproc)

echo "== format check"
tools/format.sh --check

echo "== build (release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

echo "== tests (release)"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${CEIPAL_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== build (asan + ubsan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCEIPAL_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$jobs"
  echo "== tests (asan + ubsan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi
