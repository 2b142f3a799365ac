"""The season file's first and last dates and each date's signal, and the index's order: edges a one-token bug in
the documents would cross."""

from __future__ import annotations

import datetime as dt

from picks_export.exporters.documents import index_document


def test_a_season_file_holds_its_first_and_last_dates_each_with_its_signal(run, rows):
    first, last = dt.date(2025, 8, 1), dt.date(2026, 7, 31)
    for day, signal in ((first, "favorable"), (dt.date(2026, 1, 5), "neutral"), (last, "challenging")):
        rows.game(day, status="final")
        rows.graded_pick(day, f"Player {day}", "hit")
        rows.signal(day, signal)
    made = run(rows, today=dt.date(2026, 8, 2))
    document = made.season("2025-26")
    (top,) = [group for group in document["groups"] if group["id"] == "top"]
    assert [(entry["date"], entry["signal"]) for entry in top["dates"]] == [
        ("2026-07-31", "challenging"), ("2026-01-05", "neutral"), ("2025-08-01", "favorable")]  # fmt: skip
    assert top["record"]["season"]["wins"] == 3


def test_the_index_lists_dates_newest_first():
    days = {dt.date(2026, 1, 1): (3, True), dt.date(2026, 1, 3): (0, False), dt.date(2026, 1, 2): (5, False)}
    assert index_document("A", "2026-01-04T00:00:00Z", days)["dates"] == [
        {"date": "2026-01-03", "picks": 0, "graded": False},
        {"date": "2026-01-02", "picks": 5, "graded": False},
        {"date": "2026-01-01", "picks": 3, "graded": True},
    ]
