#!/usr/bin/env bash
# Benchmarks fake-ceipal (not a test): peak memory while serving a
# 1,000,000-applicant dataset, and the time to serve a 50-record page on
# loopback. Builds a Release fake-ceipal if needed; prints a summary whose
# figures docs/sandbox.md records.
#   tools/bench_sandbox.sh                 1,000,000 applicants, 300 pages
#   APPLICANTS=N PAGES=M tools/bench_sandbox.sh
set -euo pipefail
cd "$(dirname "$0")/.."

applicants=${APPLICANTS:-1000000}
pages=${PAGES:-300}
build=${CEIPAL_BENCH_BUILD:-build-bench}
bin=$build/tools/fake_ceipal/fake-ceipal

echo "== build (release)" >&2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCEIPAL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target fake-ceipal -j 2 >/dev/null

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== start fake-ceipal with $applicants applicants" >&2
"$bin" --port 0 --seed 42 --applicants "$applicants" >"$work/url" &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/url" ] && break
  sleep 0.05
done
url=$(head -n 1 "$work/url")
[ -n "$url" ] || { echo "fake-ceipal printed no URL" >&2; exit 1; }

token=$(curl -sS -X POST "$url/v2/createAuthtoken/" \
  -H 'Content-Type: application/json' \
  -d '{"email":"demo@example.com","password":"demo-password","apiKey":"demo-api-key"}' |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "login failed" >&2; exit 1; }

# Pages of 50 spread over the whole dataset, in modified order as an
# incremental sync reads them; one curl process, so connections are reused
# and each time_total is one request served on loopback.
last_page=$(( (applicants + 49) / 50 ))
step=$(( last_page / pages > 0 ? last_page / pages : 1 ))
urls=()
for k in $(seq 0 $((pages - 1))); do
  page=$(( 1 + (k * step) % last_page ))
  urls+=("$url/v2/getApplicantsList/?limit=50&sortBy=modify_date&sortOrder=asc&page=$page")
done

echo "== read $pages pages of 50" >&2
curl -sS -H "Authorization: Bearer $token" \
  -w '%{stderr}%{http_code} %{time_total}\n' "${urls[@]}" \
  >/dev/null 2>"$work/times"

bad=$(awk '$1 != 200' "$work/times" | wc -l)
[ "$bad" -eq 0 ] || { echo "$bad pages did not answer 200" >&2; exit 1; }
median_ms=$(awk '{print $2 * 1000}' "$work/times" | sort -n |
  awk '{a[NR] = $1} END {printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
p90_ms=$(awk '{print $2 * 1000}' "$work/times" | sort -n |
  awk '{a[NR] = $1} END {printf "%.3f", a[int(NR * 0.9)]}')
peak_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status")

cat <<REPORT
applicants:           $applicants
pages read (50 each): $pages
median page time:     ${median_ms} ms   (goal < 5 ms)
90th percentile:      ${p90_ms} ms
peak RSS (VmHWM):     $((peak_kib / 1024)) MiB   (goal < 200 MiB)
REPORT
