"""The contract's six warehouse tables: names, columns and BigQuery types, in the contract's order."""

from __future__ import annotations

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

# A table `demo` writes beside the contract's, saying the data is made up: a later `demo` may replace it.
DEMO_MARKER = "_picks_export_demo"
