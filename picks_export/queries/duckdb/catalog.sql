-- name: catalog
-- DuckDB only, run as is (not a BigQuery template): every user table and view of a warehouse file, so that `demo`
-- can tell a previous demo (its tables and the _picks_export_demo marker) from data it must not replace.
SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal
UNION ALL
SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal
