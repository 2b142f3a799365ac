-- name: session
-- Run by the embedded engine when it opens a warehouse: a DuckDB TIMESTAMP without time zone (computed_at,
-- tipoff_at) means UTC, as a BigQuery TIMESTAMP does, whatever the host's time zone; comparing one with a
-- TIMESTAMP WITH TIME ZONE (the lock) converts it in the session's time zone. Not a BigQuery query.
SET TimeZone = 'UTC'
