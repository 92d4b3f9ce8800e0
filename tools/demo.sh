#!/usr/bin/env bash
# The demo, from a fresh machine: installs what is missing, builds, and syncs
# a Ceipal account into ./ceipal.db, then shows `status` and three example
# queries. Without Ceipal credentials in the environment it starts the
# bundled sandbox (fake-ceipal) with sample data and syncs that instead.
#   tools/demo.sh                       sandbox
#   CEIPAL_EMAIL=... CEIPAL_PASSWORD=... CEIPAL_API_KEY=... tools/demo.sh
#                                       a real account (api.ceipal.com)
# Run it again to see an incremental run: only what changed is read.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

echo "== build" >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target ceipal-sync fake-ceipal >/dev/null

db=${CEIPAL_SYNC_DB:-ceipal.db}
sync=build/engine/ceipal-sync

if [ -z "${CEIPAL_EMAIL:-}" ]; then
  echo "== no CEIPAL_EMAIL set: starting the sandbox with sample data" >&2
  work=$(mktemp -d)
  # The dataset is anchored at today's midnight (UTC), so a second demo on
  # the same day meets the same records and its run is incremental.
  build/tools/fake_ceipal/fake-ceipal --port 0 --seed 7 \
    --start "$(date -u +%Y-%m-%d) 00:00:00" --realtime-clock >"$work/url" &
  sandbox=$!
  trap 'kill $sandbox 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
  export CEIPAL_BASE_URL=$(head -n 1 "$work/url")
  export CEIPAL_EMAIL=demo@example.com CEIPAL_PASSWORD=demo-password \
    CEIPAL_API_KEY=demo-api-key
  echo "   sandbox at $CEIPAL_BASE_URL" >&2
  # The sandbox has no account-wide rate limit: let the demo go faster than
  # the one request per second a real account allows.
  printf '{"rate": 50, "burst": 10}\n' >"$work/config.json"
  chmod 600 "$work/config.json"
  export CEIPAL_SYNC_CONFIG="$work/config.json"
  # Some applicants arrive today, so the last query has something to show.
  curl -s -X POST "$CEIPAL_BASE_URL/_fake/mutate" \
    -d '{"kind": "create", "resource": "applicants", "count": 6}' >/dev/null
fi

echo "== ceipal-sync run --db $db" >&2
"$sync" run --db "$db"

echo "== ceipal-sync status --db $db" >&2
"$sync" status --db "$db"

query() {
  echo
  echo "-- $1"
  sqlite3 -header -column "$db" "$2"
}
query "Open jobs by client" "
  SELECT ifnull(client_name, '(unknown)') AS client, count(*) AS open_jobs
  FROM job_postings
  WHERE deleted_at IS NULL AND status IN ('Active', 'Open')
  GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10;"
query "Submissions per status" "
  SELECT ifnull(status, '(none)') AS status, count(*) AS submissions
  FROM submissions WHERE deleted_at IS NULL
  GROUP BY 1 ORDER BY 2 DESC;"
query "Applicants created in the last 7 days" "
  SELECT applicant_number, first_name, last_name, email, created_at
  FROM applicants
  WHERE deleted_at IS NULL AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ',
                                                      'now', '-7 days')
  ORDER BY created_at DESC LIMIT 10;"
