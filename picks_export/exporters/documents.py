"""Builds the published documents (per-day and season files) from a checked `Snapshot`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import rules
from .warehouse import Pick, Snapshot

Kind = Literal["day", "season", "index", "manifest", "status"]


@dataclass(frozen=True)
class Document:
    """One file to publish: where it goes, which schema it follows, and its content in key order."""

    path: str
    kind: Kind
    content: dict[str, Any]


class DocumentBuilder:
    """Builds documents of one model; records come from the very picks the documents show."""

    def __init__(self, snapshot: Snapshot, generated_at: str) -> None:
        self.snapshot = snapshot
        self.generated_at = generated_at
        figures = rules.Figures()  # the groups' records share their published objects
        self._books = {
            group.id: rules.RecordBook(
                (
                    (day, pick.result, pick.direction)
                    for day, picks in sorted(snapshot.picks.get(group.id, {}).items())
                    for pick in picks
                ),
                figures,
            )
            for group in snapshot.groups
        }
        # Each group's picks of each date as published, made once: the per-day and season files share them
        self._listed = {
            group.id: {day: list(map(Pick.as_json, picks)) for day, picks in snapshot.picks.get(group.id, {}).items()}
            for group in snapshot.groups
        }

    def day(self, day: dt.date) -> dict[str, Any]:
        """The per-day file of `day`, with records entering it."""
        return next(self.days([day]))

    def days(self, days: list[dt.date]) -> Iterator[dict[str, Any]]:
        """The per-day files of `days`, in that order, each made when asked: every group's records entering each
        of the days are found in one pass over its book."""
        snapshot = self.snapshot
        groups = [
            (group.id, group.name, self._books[group.id].published_on(days, include_day=False), self._listed[group.id])
            for group in snapshot.groups
        ]
        for day in days:
            yield {
                "date": day.isoformat(),
                "generated_at": self.generated_at,
                "model": snapshot.model.code,
                "signal": snapshot.signals.get(day),
                "groups": [
                    {
                        "id": id_,
                        "name": name,
                        "record": published[day][0],
                        "stats": published[day][1],
                        "picks": listed.get(day) or [],
                    }
                    for id_, name, published, listed in groups
                ],
            }

    def default_as_of(self, season: str) -> dt.date | None:
        """The latest date of the season with a hit, miss or push in any published group."""
        first, last = rules.season_bounds(season)
        dates = [book.last_graded_date(first, last) for book in self._books.values()]
        return max((day for day in dates if day is not None), default=None)

    def season(self, season: str, as_of: dt.date | None) -> dict[str, Any]:
        """The season file: records as of `as_of` (None: no graded pick, no records) and every date's picks."""
        snapshot = self.snapshot
        first, last = rules.season_bounds(season)
        groups = []
        for group in snapshot.groups:
            listed = self._listed[group.id]
            dates = sorted((day for day in listed if first <= day <= last), reverse=True)
            record, stats = (None, None) if as_of is None else self._books[group.id].published(as_of, True)
            groups.append(
                {
                    "id": group.id,
                    "name": group.name,
                    "record": record,
                    "stats": stats,
                    "dates": [
                        {"date": day.isoformat(), "signal": snapshot.signals.get(day), "picks": listed[day]}
                        for day in dates
                    ],
                }
            )
        return {
            "generated_at": self.generated_at,
            "model": snapshot.model.code,
            "season": season,
            "as_of": None if as_of is None else as_of.isoformat(),
            "groups": groups,
        }


def index_document(model: str, generated_at: str, days: dict[dt.date, tuple[int, bool]]) -> dict[str, Any]:
    """The index of a model's published per-day files: each date, newest first, its picks and if fully graded."""
    return {
        "generated_at": generated_at,
        "model": model,
        "dates": [
            {"date": day.isoformat(), "picks": picks, "graded": graded}
            for day, (picks, graded) in sorted(days.items(), reverse=True)
        ],
    }
