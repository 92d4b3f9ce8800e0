-- Small facts the engine keeps between runs that belong to no one resource,
-- such as the start time of the first full load (the snapshot boundary of
-- DESIGN.md section 4). Values are text; their format is the engine's.

CREATE TABLE sync_meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);
