-- The mirror: one table per Ceipal resource, its child tables and the
-- tenant-specific fields. Every mirrored table carries the columns of
-- DESIGN.md section 3: id, raw_json, modified_at, first_seen_at,
-- last_seen_at, deleted_at, plus content_hash for the differ.

CREATE TABLE applicants (
  id                 TEXT PRIMARY KEY,
  applicant_number   TEXT,
  first_name         TEXT,
  middle_name        TEXT,
  last_name          TEXT,
  email              TEXT,
  mobile_phone       TEXT,
  city               TEXT,
  state              TEXT,
  country            TEXT,
  job_title          TEXT,
  skills             TEXT,
  source             TEXT,
  status             TEXT,
  work_authorization TEXT,
  created_by         TEXT,
  created_at         TEXT,
  modified_at        TEXT,
  raw_json           TEXT NOT NULL,
  content_hash       INTEGER NOT NULL,
  first_seen_at      TEXT NOT NULL,
  last_seen_at       TEXT NOT NULL,
  deleted_at         TEXT
);
CREATE INDEX applicants_modified_at ON applicants(modified_at);
CREATE INDEX applicants_email ON applicants(email);

CREATE TABLE job_postings (
  id                TEXT PRIMARY KEY,
  job_code          TEXT,
  title             TEXT,
  public_title      TEXT,
  status            TEXT,
  employment_type   TEXT,
  client_name       TEXT,
  business_unit_id  INTEGER,
  city              TEXT,
  state             TEXT,
  country           TEXT,
  positions         INTEGER,
  primary_recruiter TEXT,
  start_date        TEXT,
  end_date          TEXT,
  created_at        TEXT,
  modified_at       TEXT,
  raw_json          TEXT NOT NULL,
  content_hash      INTEGER NOT NULL,
  first_seen_at     TEXT NOT NULL,
  last_seen_at      TEXT NOT NULL,
  deleted_at        TEXT
);
CREATE INDEX job_postings_modified_at ON job_postings(modified_at);
CREATE INDEX job_postings_status ON job_postings(status);

CREATE TABLE job_pay_rates (
  job_id          TEXT NOT NULL REFERENCES job_postings(id) ON DELETE CASCADE,
  ordinal         INTEGER NOT NULL,
  pay_rate        TEXT,
  min_pay_rate    REAL,
  max_pay_rate    REAL,
  currency        TEXT,
  frequency       TEXT,
  employment_type TEXT,
  PRIMARY KEY (job_id, ordinal)
);

CREATE TABLE submissions (
  id              TEXT PRIMARY KEY,
  job_id          TEXT,
  applicant_id    TEXT,
  status          TEXT,
  pipeline_status TEXT,
  source          TEXT,
  submitted_by    TEXT,
  submitted_at    TEXT,
  pay_rate        TEXT,
  modified_at     TEXT,
  raw_json        TEXT NOT NULL,
  content_hash    INTEGER NOT NULL,
  first_seen_at   TEXT NOT NULL,
  last_seen_at    TEXT NOT NULL,
  deleted_at      TEXT
);
CREATE INDEX submissions_job_id ON submissions(job_id);
CREATE INDEX submissions_applicant_id ON submissions(applicant_id);

CREATE TABLE interviews (
  id            TEXT PRIMARY KEY,
  submission_id TEXT,
  job_id        TEXT,
  applicant_id  TEXT,
  round         TEXT,
  type          TEXT,
  status        TEXT,
  scheduled_at  TEXT,
  interviewer   TEXT,
  created_at    TEXT,
  modified_at   TEXT,
  raw_json      TEXT NOT NULL,
  content_hash  INTEGER NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  deleted_at    TEXT
);
CREATE INDEX interviews_submission_id ON interviews(submission_id);

CREATE TABLE placements (
  id              TEXT PRIMARY KEY,
  applicant_id    TEXT,
  job_id          TEXT,
  employee_name   TEXT,
  employee_number TEXT,
  email           TEXT,
  status          TEXT,
  start_date      TEXT,
  end_date        TEXT,
  client_name     TEXT,
  pay_rate        TEXT,
  bill_rate       TEXT,
  currency        TEXT,
  created_at      TEXT,
  modified_at     TEXT,
  raw_json        TEXT NOT NULL,
  content_hash    INTEGER NOT NULL,
  first_seen_at   TEXT NOT NULL,
  last_seen_at    TEXT NOT NULL,
  deleted_at      TEXT
);
CREATE INDEX placements_applicant_job ON placements(applicant_id, job_id);

CREATE TABLE clients (
  id            TEXT PRIMARY KEY,
  name          TEXT,
  status        TEXT,
  industry      TEXT,
  category      TEXT,
  city          TEXT,
  state         TEXT,
  country       TEXT,
  created_at    TEXT,
  modified_at   TEXT,
  raw_json      TEXT NOT NULL,
  content_hash  INTEGER NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  deleted_at    TEXT
);

CREATE TABLE client_contacts (
  id         TEXT NOT NULL,
  client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  first_name TEXT,
  last_name  TEXT,
  email      TEXT,
  phone      TEXT,
  PRIMARY KEY (client_id, id)
);

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  display_name  TEXT,
  email         TEXT,
  first_name    TEXT,
  last_name     TEXT,
  role          TEXT,
  status        TEXT,
  modified_at   TEXT,
  raw_json      TEXT NOT NULL,
  content_hash  INTEGER NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  deleted_at    TEXT
);

-- Every top-level scalar the catalogue does not map, so tenant fields are
-- queryable without a migration.
CREATE TABLE custom_fields (
  resource  TEXT NOT NULL,
  record_id TEXT NOT NULL,
  name      TEXT NOT NULL,
  value     TEXT,
  PRIMARY KEY (resource, record_id, name)
);

-- Records that could not be normalized; the page they came in still applied.
CREATE TABLE quarantine (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER,
  resource  TEXT NOT NULL,
  record_id TEXT,
  raw       TEXT NOT NULL,
  error     TEXT NOT NULL,
  seen_at   TEXT NOT NULL
);
