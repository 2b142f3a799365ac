"""Every document a run stages passes its schema: each per-day file is checked on its own, and a season file sharing
its content object with another (the current season's fixed address and its dated file) is checked once for both.
A document that fails its schema, day or season, publishes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from picks_export.exporters import documents, staging
from picks_export.exporters.errors import InvalidDocumentError

TODAY = dt.date(2026, 2, 7)


def test_every_staged_document_is_checked_and_a_shared_season_content_once(run, rows, monkeypatch):
    days = [TODAY - dt.timedelta(days=n) for n in (1, 2, 5)]
    for day in days:
        rows.game(day, status="final")
        rows.graded_pick(day, f"Player {day}", "hit")
    checked: list[tuple[str, int]] = []
    check = staging.check_document

    def counted(document: documents.Document) -> None:
        checked.append((document.path, id(document.content)))
        check(document)

    monkeypatch.setattr(staging, "check_document", counted)
    made = run(rows, today=TODAY)
    made.exporter().backfill(days[-1], TODAY)
    paths = [path for path, _ in checked]
    assert sorted(path for path in paths if "/picks/" in path) == sorted(f"v1/picks/{day}.json" for day in days)
    assert [path for path in paths if "/subsets/" in path] == ["v1/subsets/seasons/2025-26.json"]
    # the fixed address holds the very content checked under the dated path
    assert made.read("v1/subsets/season.json") == made.read("v1/subsets/seasons/2025-26.json")
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("kind", ["day", "season"])
def test_a_document_failing_its_schema_publishes_nothing(run, rows, monkeypatch, kind):
    day = TODAY - dt.timedelta(days=1)
    rows.game(day)
    rows.pick(day, "Player One")
    if kind == "day":
        built_days = documents.DocumentBuilder.days

        def broken_days(self: documents.DocumentBuilder, days: list[dt.date]) -> Any:
            for content in built_days(self, days):
                yield {**content, "date": 20260206}  # a number where the schema wants a date

        monkeypatch.setattr(documents.DocumentBuilder, "days", broken_days)
    else:
        built_season = documents.DocumentBuilder.season

        def broken_season(self: documents.DocumentBuilder, season: str, as_of: dt.date | None) -> Any:
            return {**built_season(self, season, as_of), "as_of": 7}

        monkeypatch.setattr(documents.DocumentBuilder, "season", broken_season)
    made = run(rows, today=TODAY)
    with pytest.raises(InvalidDocumentError, match="picks/" if kind == "day" else "seasons/2025-26.json"):
        made.exporter().backfill(day, TODAY)
    assert made.published() == []
