-- name: duckdb/table_columns
-- The embedded engine's quick form of `columns`: each of the contract's tables read by name (DuckDB's
-- pragma_table_info), the same rows as listing the catalog. Listing it (duckdb_columns()) binds DuckDB's own
-- system views first, about 6 ms of a small run; naming the tables does not. When a table or the dataset is
-- missing the probe fails, and the engine lists the catalog with `columns` instead, so that the check names what is
-- missing. Only checked identifiers reach it (the dataset, the contract's table names).
{% for table in tables -%}
SELECT '{{ table }}' AS table_name, name AS column_name, type AS data_type
FROM pragma_table_info('{{ dataset }}.{{ table }}')
{% if not loop.last %}UNION ALL
{% endif -%}
{% endfor -%}
ORDER BY table_name, column_name
