"""The floor: the least any exporter must do to produce the files. One process, one DuckDB query reads the
shown, graded picks of the range (the lock applied, box scores joined, results graded in SQL), Python groups
them, orjson serializes the per-day and season documents and each is written to its file under DEST (every
folder created once). No records, no validation, no comparison with what is published.

Usage: python bench/floor.py OUT.json DEST WAREHOUSE FIRST LAST SYSTEM_ID=CODE [SYSTEM_ID=CODE ...]
Prints nothing; writes the seconds of the query, of the grouping and serialization, and of the writing to OUT.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections import defaultdict
from typing import Any

import duckdb
import orjson

DATASET = "nba_predictions"

SHOWN_GRADED_PICKS = f"""
WITH first_tipoff AS (
  SELECT game_date, MIN(tipoff_at) AS tipoff_at FROM {DATASET}.games
  WHERE game_date BETWEEN $first AND $last AND status IS DISTINCT FROM 'postponed' GROUP BY game_date
),
versions AS (
  SELECT system_id, game_date, version_id, MAX(computed_at) AS computed_at FROM {DATASET}.subset_picks
  WHERE system_id IN (SELECT unnest($systems)) AND game_date BETWEEN $first AND $last
  GROUP BY system_id, game_date, version_id
),
shown AS (
  SELECT v.system_id, v.game_date, MAX(v.version_id) AS version_id
  FROM versions AS v LEFT JOIN first_tipoff AS f ON f.game_date = v.game_date
  WHERE f.tipoff_at IS NULL OR v.computed_at < f.tipoff_at
  GROUP BY v.system_id, v.game_date
)
SELECT p.system_id, p.game_date, p.subset_id, d.name, p.player_name, p.team, p.opponent,
       round(p.predicted_points, 1) AS prediction, p.line, p.direction, a.actual,
       CASE WHEN a.graded IS NULL THEN NULL
            WHEN a.minutes IS NULL OR a.minutes = 0 THEN 'dnp'
            WHEN a.actual IS NULL THEN NULL
            WHEN a.actual = p.line THEN 'push'
            WHEN (a.actual > p.line) = (p.direction = 'OVER') THEN 'hit'
            ELSE 'miss' END AS result,
       s.signal
FROM {DATASET}.subset_picks AS p
JOIN shown AS v ON v.system_id = p.system_id AND v.game_date = p.game_date AND v.version_id = p.version_id
JOIN {DATASET}.subset_definitions AS d ON d.subset_id = p.subset_id AND d.is_active
LEFT JOIN (
  SELECT game_date, player_lookup, MAX(points) AS actual, MAX(minutes) AS minutes, TRUE AS graded
  FROM {DATASET}.player_game_summary WHERE game_date BETWEEN $first AND $last GROUP BY game_date, player_lookup
) AS a ON a.game_date = p.game_date AND a.player_lookup = p.player_lookup
LEFT JOIN {DATASET}.daily_signals AS s ON s.game_date = p.game_date AND s.system_id = p.system_id
ORDER BY p.system_id, p.game_date, d.display_order, p.subset_id, p.pick_rank, p.player_name
"""


def season_of(day: dt.date) -> str:
    year = day.year if day.month >= 8 else day.year - 1
    return f"{year}-{(year + 1) % 100:02d}"


def main(argv: list[str]) -> int:
    out_path, dest, warehouse, first, last, *models = argv
    codes = dict(model.split("=", 1) for model in models)
    started = time.perf_counter()
    connection = duckdb.connect(warehouse, read_only=True)
    rows = connection.execute(
        SHOWN_GRADED_PICKS,
        {"first": dt.date.fromisoformat(first), "last": dt.date.fromisoformat(last), "systems": list(codes)},
    ).fetchall()
    queried = time.perf_counter()

    # (system, date) -> group id -> (name, picks); rows arrive in published order
    days: dict[tuple[str, dt.date], dict[str, tuple[str, list[dict[str, Any]]]]] = defaultdict(dict)
    signals: dict[tuple[str, dt.date], str | None] = {}
    for system, day, subset, name, player, team, opponent, prediction, line, direction, actual, result, signal in rows:
        signals[system, day] = signal
        group = days[system, day].setdefault(subset, (name, []))
        group[1].append({"player": player, "team": team, "opponent": opponent, "prediction": prediction,
                         "line": line, "direction": direction, "actual": actual, "result": result})  # fmt: skip
    documents = 0
    size = 0
    writing = 0.0
    folders: set[str] = set()

    def write(folder: str, name: str, data: bytes) -> None:
        nonlocal documents, size, writing
        begun = time.perf_counter()
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        with open(os.path.join(folder, name), "wb") as out:
            out.write(data)
        writing += time.perf_counter() - begun
        documents += 1
        size += len(data)

    seasons: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for (system, day), groups in days.items():
        data = orjson.dumps({
            "date": day.isoformat(), "model": codes[system], "signal": signals[system, day],
            "groups": [{"id": key, "name": name, "picks": picks} for key, (name, picks) in groups.items()],
        })  # fmt: skip
        write(os.path.join(dest, codes[system], "picks"), f"{day.isoformat()}.json", data)
        for key, (name, picks) in groups.items():
            group = seasons[system, season_of(day)].setdefault(key, {"id": key, "name": name, "dates": []})
            group["dates"].append({"date": day.isoformat(), "signal": signals[system, day], "picks": picks})
    for (system, season), groups in seasons.items():
        for group in groups.values():
            group["dates"].reverse()  # newest first
        data = orjson.dumps({"model": codes[system], "season": season, "groups": list(groups.values())})
        write(os.path.join(dest, codes[system], "seasons"), f"{season}.json", data)
    finished = time.perf_counter()
    connection.close()
    result = {
        "seconds": finished - started,
        "query_seconds": queried - started,
        "serialize_seconds": finished - queried - writing,
        "write_seconds": writing,
        "rows": len(rows),
        "documents": documents,
        "bytes": size,
    }
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
