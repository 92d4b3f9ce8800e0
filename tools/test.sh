#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing,
# checks formatting, builds and runs every test with ctest, then builds and
# runs the suite again under AddressSanitizer and UBSan.
#   tools/test.sh            everything (what CI runs)
#   CEIPAL_SKIP_SANITIZE=1   skip the sanitizer pass (quicker local loop)
#   CEIPAL_SKIP_FUZZ=1       skip the fuzz pass
#   CEIPAL_FUZZ_SECONDS=N    fuzz each target N seconds (default 60)
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

if [ "${CEIPAL_SKIP_FUZZ:-0}" != 1 ]; then
  # libFuzzer with ASan and UBSan, clang only (tests/CMakeLists.txt), each
  # target on a fresh copy of the seed corpus; a crash fails the script.
  seconds=${CEIPAL_FUZZ_SECONDS:-60}
  echo "== fuzz (clang-16, asan + ubsan, ${seconds} s per target)"
  command -v clang++-16 >/dev/null ||
    { echo "fuzz: clang++-16 is missing (tools/setup.sh)" >&2; exit 1; }
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
    -DCEIPAL_BUILD_TESTS=ON -DCEIPAL_FUZZ=ON >/dev/null
  targets=$(cd tests/fuzz && ls -- *_fuzz.cc | sed 's/\.cc$//')
  # shellcheck disable=SC2086  # one word per target
  cmake --build build-fuzz -j "$jobs" --target $targets
  for target in $targets; do
    work=build-fuzz/run-$target
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/crashes"
    cp tests/fuzz/corpus/* "$work/corpus/"
    if ! "build-fuzz/tests/$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$work/crashes/" \
        "$work/corpus" 2>"$work/log"; then
      tail -n 60 "$work/log" >&2
      echo "fuzz: $target failed; the input is in $work/crashes/" >&2
      exit 1
    fi
    echo "$target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1)"
  done
fi
