-- Sweeps: when each resource (or each job's submissions) last had its whole
-- id set read and its missing records confirmed. For the row of a sweep in
-- progress (scope '#sweep'), the time that sweep began.

ALTER TABLE sync_state ADD COLUMN swept_at TEXT;
