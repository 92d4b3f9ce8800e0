-- Sweeps: when each resource (or each job's submissions) last had its whole
-- id set read and its missing records confirmed (sync_state.swept_at; for
-- the row of a sweep in progress, scope '#sweep', when it began), and which
-- run last saw each record: a sweep begun in run R missed exactly the live
-- records whose last_seen_run is below R once it completes. Run ids, unlike
-- the second-grained last_seen_at, order runs that share a second.

ALTER TABLE sync_state ADD COLUMN swept_at TEXT;

ALTER TABLE applicants ADD COLUMN last_seen_run INTEGER;
ALTER TABLE job_postings ADD COLUMN last_seen_run INTEGER;
ALTER TABLE submissions ADD COLUMN last_seen_run INTEGER;
ALTER TABLE interviews ADD COLUMN last_seen_run INTEGER;
ALTER TABLE placements ADD COLUMN last_seen_run INTEGER;
ALTER TABLE clients ADD COLUMN last_seen_run INTEGER;
ALTER TABLE users ADD COLUMN last_seen_run INTEGER;
