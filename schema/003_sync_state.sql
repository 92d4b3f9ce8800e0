-- The state store: the run ledger and per-resource progress.

CREATE TABLE sync_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  status      TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'ok', 'partial', 'failed',
                                'cancelled')),
  pid         INTEGER,
  requests    INTEGER NOT NULL DEFAULT 0,
  records     INTEGER NOT NULL DEFAULT 0,
  inserts     INTEGER NOT NULL DEFAULT 0,
  updates     INTEGER NOT NULL DEFAULT 0,
  deletes     INTEGER NOT NULL DEFAULT 0,
  errors      INTEGER NOT NULL DEFAULT 0,
  message     TEXT
);

-- Progress of one resource, or of one scope of it (the submissions of one
-- job: scope = the job id). cursor is the highest source modified value
-- committed, in the source's own naive format and clock.
CREATE TABLE sync_state (
  resource        TEXT NOT NULL,
  scope           TEXT NOT NULL DEFAULT '',
  cursor          TEXT,
  cursor_page     INTEGER NOT NULL DEFAULT 0,
  complete        INTEGER NOT NULL DEFAULT 0,
  last_run_id     INTEGER,
  last_synced_at  TEXT,
  last_error      TEXT,
  PRIMARY KEY (resource, scope)
);
