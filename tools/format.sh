#!/usr/bin/env bash
# Formats every C++ file of the tree with .clang-format.
#   tools/format.sh          rewrite files in place
#   tools/format.sh --check  fail, listing the files, if any would change
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- \
  '*.cc' '*.h' | grep -v '^build')
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --check ]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
      echo "needs formatting: $f" >&2
      bad=1
    fi
  done
  [ $bad -eq 0 ] || { echo "run tools/format.sh to fix" >&2; exit 1; }
else
  clang-format --style=file -i "${files[@]}"
fi
