-- name: columns
-- The columns of the dataset's tables with their types, read once before any data query: a table, a column or a
-- type that breaks the contract (tables.py) stops the run here. BigQuery lists them in the dataset's
-- INFORMATION_SCHEMA.COLUMNS; the embedded engine (no project) in DuckDB's duckdb_columns().
SELECT table_name, column_name, data_type
{% if project -%}
FROM `{{ project }}.{{ dataset }}.INFORMATION_SCHEMA.COLUMNS`
WHERE table_schema = @dataset
{%- else -%}
FROM duckdb_columns()
WHERE schema_name = @dataset
{%- endif %}
ORDER BY table_name, column_name
