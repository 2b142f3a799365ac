-- name: create_tables
-- The contract's six tables, empty (used by `picks-export demo` to lay out a DuckDB warehouse; on BigQuery the
-- engine creates them through the client's API from tables.py).
CREATE SCHEMA IF NOT EXISTS `{{ dataset }}`;
{% for table, columns in tables.items() %}
CREATE OR REPLACE TABLE `{{ dataset }}.{{ table }}` (
  {%- for column, type in columns %}
  {{ column }} {{ type }}{{ "," if not loop.last }}
  {%- endfor %}
);
{% endfor %}
