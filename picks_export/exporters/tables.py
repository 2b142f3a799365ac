"""The contract's six warehouse tables: names, columns and BigQuery types, in the contract's order."""

from __future__ import annotations

import re

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "models": (
        ("system_id", "STRING"),
        ("code", "STRING"),
        ("name", "STRING"),
        ("is_champion", "BOOL"),
        ("enabled", "BOOL"),
    ),
    "subset_definitions": (
        ("subset_id", "STRING"),
        ("name", "STRING"),
        ("display_order", "INT64"),
        ("is_active", "BOOL"),
    ),
    "subset_picks": (
        ("game_date", "DATE"),
        ("system_id", "STRING"),
        ("version_id", "STRING"),
        ("computed_at", "TIMESTAMP"),
        ("subset_id", "STRING"),
        ("player_lookup", "STRING"),
        ("player_name", "STRING"),
        ("team", "STRING"),
        ("opponent", "STRING"),
        ("predicted_points", "FLOAT64"),
        ("line", "FLOAT64"),
        ("direction", "STRING"),
        ("pick_rank", "INT64"),
    ),
    "player_game_summary": (
        ("game_date", "DATE"),
        ("player_lookup", "STRING"),
        ("points", "INT64"),
        ("minutes", "FLOAT64"),
    ),
    "daily_signals": (
        ("game_date", "DATE"),
        ("system_id", "STRING"),
        ("signal", "STRING"),
    ),
    "games": (
        ("game_date", "DATE"),
        ("game_id", "STRING"),
        ("home_team", "STRING"),
        ("away_team", "STRING"),
        ("tipoff_at", "TIMESTAMP"),
        ("status", "STRING"),
    ),
}

# A warehouse's content as plain Python rows: table name -> tuples in the column order above.
# DATE values are datetime.date, TIMESTAMP values timezone-aware datetime.datetime.
Rows = dict[str, list[tuple]]

# The column types a warehouse may hold for each contract type, as DuckDB and BigQuery name them. Exact numeric
# types are accepted for FLOAT64 only where the queries' CAST to FLOAT64 gives the very float a FLOAT64 column
# would hold: integers, and DECIMALs of at most 15 digits (the scaled integer and the power of ten are exact
# doubles, so their quotient is the correctly rounded value). A TIMESTAMP without time zone means UTC, as on
# BigQuery (the DuckDB engine's session time zone is UTC).
_INTEGERS = frozenset(
    {"INT64", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}
)
_ACCEPTED: dict[str, frozenset[str]] = {
    "STRING": frozenset({"STRING", "VARCHAR"}),
    "BOOL": frozenset({"BOOL", "BOOLEAN"}),
    "INT64": _INTEGERS - {"UBIGINT"},
    "FLOAT64": frozenset({"FLOAT64", "DOUBLE"}) | (_INTEGERS - {"UBIGINT"}),
    "DATE": frozenset({"DATE"}),
    "TIMESTAMP": frozenset({"TIMESTAMP", "TIMESTAMP WITH TIME ZONE"}),
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_MAX_EXACT_DECIMAL_DIGITS = 15


def accepts(contract_type: str, found: str) -> bool:
    """Whether a column of type `found` (as the warehouse names it) can stand for the contract's `contract_type`."""
    found = found.strip().upper()
    if found in _ACCEPTED[contract_type]:
        return True
    decimal = _DECIMAL.fullmatch(found)
    return contract_type == "FLOAT64" and decimal is not None and int(decimal[1]) <= _MAX_EXACT_DECIMAL_DIGITS


# A table `demo` writes beside the contract's, saying the data is made up: a later `demo` may replace it.
DEMO_MARKER = "_picks_export_demo"
