-- The change log and its consumers: the contract of DESIGN.md section 4.

CREATE TABLE change_log (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id             INTEGER NOT NULL,
  resource           TEXT NOT NULL,
  record_id          TEXT NOT NULL,
  op                 TEXT NOT NULL
                     CHECK (op IN ('insert', 'update', 'delete', 'undelete')),
  event              TEXT CHECK (event IN ('hired', 'status_changed')),
  status_from        TEXT,
  status_to          TEXT,
  changed_fields     TEXT,
  before_json        TEXT,
  after_json         TEXT,
  source_modified_at TEXT,
  recorded_at        TEXT NOT NULL,
  snapshot           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX change_log_event ON change_log(event, seq);
CREATE INDEX change_log_record ON change_log(resource, record_id);

CREATE TABLE consumer_offsets (
  consumer   TEXT PRIMARY KEY,
  last_seq   INTEGER NOT NULL,
  updated_at TEXT
);

-- One row per hired event, with what a payroll job needs: the applicant, the
-- job and its client, and the placement of that applicant on that job (the
-- newest one) where it exists.
CREATE VIEW hires AS
SELECT
  c.seq                AS seq,
  c.run_id             AS run_id,
  c.record_id          AS submission_id,
  c.status_from        AS status_from,
  c.status_to          AS status_to,
  c.source_modified_at AS hired_at,
  c.recorded_at        AS recorded_at,
  c.snapshot           AS snapshot,
  s.applicant_id       AS applicant_id,
  a.first_name         AS first_name,
  a.last_name          AS last_name,
  a.email              AS email,
  a.mobile_phone       AS phone,
  s.job_id             AS job_id,
  j.job_code           AS job_code,
  j.title              AS job_title,
  j.client_name        AS client_name,
  s.pay_rate           AS submission_pay_rate,
  p.id                 AS placement_id,
  p.start_date         AS start_date,
  p.end_date           AS end_date,
  p.pay_rate           AS pay_rate,
  p.bill_rate          AS bill_rate,
  p.currency           AS currency
FROM change_log c
JOIN submissions s ON s.id = c.record_id
LEFT JOIN applicants a ON a.id = s.applicant_id
LEFT JOIN job_postings j ON j.id = s.job_id
LEFT JOIN placements p ON p.id = (
  SELECT p2.id FROM placements p2
  WHERE p2.applicant_id = s.applicant_id AND p2.job_id = s.job_id
    AND p2.deleted_at IS NULL
  ORDER BY p2.created_at DESC, p2.id LIMIT 1)
WHERE c.resource = 'submissions' AND c.event = 'hired';
