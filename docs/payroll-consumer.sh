#!/bin/sh
# A payroll consumer of the change log: hands every new hire to payroll
# exactly once, with what payroll needs, then acknowledges.
# Usage: payroll-consumer.sh DB OUT.csv      (ceipal-sync and sqlite3 on PATH)
set -eu
db=$1
out=$2

# 1. Where this consumer stopped last time, and where the log ends now.
last=$(sqlite3 "$db" "SELECT ifnull(max(last_seq), 0) FROM consumer_offsets
                      WHERE consumer = 'payroll'")
top=$(sqlite3 "$db" "SELECT ifnull(max(seq), 0) FROM change_log")

# 2. The hires in between, joined with applicant, job, client and placement.
sqlite3 -header -csv "$db" "
  SELECT seq, submission_id, first_name, last_name, email, phone,
         job_code, job_title, client_name, start_date, pay_rate, currency
  FROM hires
  WHERE seq > $last AND seq <= $top
  ORDER BY seq" > "$out"

# 3. Hand $out to payroll here. Only once that has succeeded, acknowledge:
#    a crash before this line means the same hires come again next time.
ceipal-sync ack --db "$db" --consumer payroll --seq "$top"
