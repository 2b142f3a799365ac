"""`RecordBook.published`, the O(1) path every document takes, against two slower references: the book's own
bisection path (`summary`) and a count from scratch over the picks with a Fraction oracle for the rounding. Bytes are
compared (orjson), so that 0 and 0.0 or a shared object changed in place would not pass for equal."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction
from math import floor
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from picks_export.exporters import documents, rules
from picks_export.exporters.warehouse import Group, Model, Pick, Snapshot

D = dt.date
FIRST, LAST = D(2025, 7, 14), D(2025, 10, 20)  # the end of a season, Aug 1, month ends, the weeks across them
RESULTS = ["hit", "miss", "push", "dnp", None]

Picked = tuple[dt.date, rules.Result | None, str]


def half_away(value: Fraction, places: int) -> float:
    rounded = floor(abs(value) * 10**places + Fraction(1, 2))
    return (rounded if value >= 0 else -rounded) / 10**places


def counted_record(picks: list[Picked]) -> dict[str, Any]:
    wins, losses = [sum(result == each for _, result, _ in picks) for each in ("hit", "miss")]
    pushes = sum(result == "push" for _, result, _ in picks)
    pct = None if wins + losses == 0 else half_away(Fraction(100 * wins, wins + losses), 1)
    return {"wins": wins, "losses": losses, "pushes": pushes, "pct": pct}


def units_and_roi(picks: list[Picked]) -> tuple[float, float | None]:
    wins, losses = [sum(result == each for _, result, _ in picks) for each in ("hit", "miss")]
    exact = Fraction(10 * wins - 11 * losses, 11)
    return half_away(exact, 2), None if wins + losses == 0 else half_away(100 * exact / (wins + losses), 1)


def streak(picks: list[Picked]) -> dict[str, Any] | None:
    decided = [result for _, result, _ in picks if result in ("hit", "miss")]
    if not decided:
        return None
    length = 0
    while length < len(decided) and decided[-1 - length] == decided[-1]:
        length += 1
    return {"result": decided[-1], "count": length}


def from_scratch(picks: list[Picked], day: dt.date, include_day: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The contract's record and stats of a file of `day`, counted from the picks themselves (stable by date)."""
    last = day if include_day else day - dt.timedelta(days=1)
    ordered = [pick for pick in sorted(picks, key=lambda pick: pick[0]) if pick[1] in ("hit", "miss", "push")]

    def since(first: dt.date) -> list[Picked]:
        return [pick for pick in ordered if first <= pick[0] <= last]

    aug_1 = D(day.year if day.month >= 8 else day.year - 1, 8, 1)
    starts = {"season": aug_1, "month": day.replace(day=1), "week": day - dt.timedelta(days=day.weekday())}
    season = since(aug_1)
    figures = {period: units_and_roi(since(start)) for period, start in starts.items()}
    stats = {
        "units": {period: units for period, (units, _) in figures.items()},
        "roi": {period: roi for period, (_, roi) in figures.items()},
        "last_10": counted_record(season[-10:]),
        "streak": streak(season),
        **{name: counted_record(since(max(aug_1, last - dt.timedelta(days=days - 1)))) for name, days in rules.WINDOWS},
        "over": counted_record([pick for pick in season if pick[2] == "OVER"]),
        "under": counted_record([pick for pick in season if pick[2] != "OVER"]),
    }
    return {period: counted_record(since(start)) for period, start in starts.items()}, stats


def by_bisection(book: rules.RecordBook, day: dt.date, include_day: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    records, stats = book.summary(day, include_day)
    return {period: record.as_json() for period, record in records.items()}, stats


picked = st.tuples(st.dates(FIRST, LAST), st.sampled_from(RESULTS), st.sampled_from(["OVER", "UNDER"]))
asked = st.lists(st.tuples(st.dates(FIRST - dt.timedelta(days=40), LAST + dt.timedelta(days=40)), st.booleans()))


@settings(max_examples=300, deadline=None)
@given(st.lists(picked, max_size=60), asked)
def test_published_figures_are_those_counted_from_scratch_in_any_order_of_days(picks, days):
    book = rules.RecordBook(picks)
    for day, include_day in days:
        made = orjson.dumps(book.published(day, include_day))
        assert made == orjson.dumps(from_scratch(picks, day, include_day)), (day, include_day)
        assert made == orjson.dumps(by_bisection(book, day, include_day)), (day, include_day)


@settings(max_examples=60, deadline=None)
@given(st.lists(picked, min_size=1, max_size=200), st.booleans())
def test_every_day_of_a_range_forwards_and_backwards_matches_the_bisection(picks, backwards):
    """A backfill asks each day in turn, a daily newest first: dense picks, every date from before the first pick to
    after the last, the objects of consecutive days sometimes shared."""
    book, reference = rules.RecordBook(picks), rules.RecordBook(picks)
    days = [FIRST - dt.timedelta(days=3) + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 7)]
    for day in reversed(days) if backwards else days:
        for include_day in (False, True):
            made = book.published(day, include_day)
            assert orjson.dumps(made) == orjson.dumps(by_bisection(reference, day, include_day)), (day, include_day)


def test_a_day_counting_the_same_picks_as_the_one_before_shares_its_objects_and_others_do_not():
    book = rules.RecordBook([(D(2026, 1, 5), "hit", "OVER"), (D(2026, 1, 20), "miss", "UNDER")])
    # Jan 7 and Jan 8 (a Wednesday, a Thursday): the same week, month, season and windows, no pick in between
    assert book.published(D(2026, 1, 7), False) is book.published(D(2026, 1, 8), False)
    monday = book.published(D(2026, 1, 12), False)  # a new week: its record is empty again
    assert monday[0]["week"] == counted_record([]) and monday is not book.published(D(2026, 1, 8), False)
    assert book.published(D(2026, 1, 21), False)[0]["month"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}


def test_books_sharing_their_figures_still_count_their_own_picks():
    shared = rules.Figures()
    day = D(2026, 1, 14)
    one = rules.RecordBook([(day, "hit", "OVER")] * 3, shared)
    other = rules.RecordBook([(day, "miss", "UNDER"), (day, "hit", "OVER")], shared)
    third = rules.RecordBook([(day, "hit", "UNDER"), (day, "dnp", "OVER")], shared)
    assert one.published(day, True)[0]["week"] == {"wins": 3, "losses": 0, "pushes": 0, "pct": 100.0}
    assert other.published(day, True)[0]["week"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}
    assert other.published(day, True)[1]["units"] == {"season": -0.09, "month": -0.09, "week": -0.09}
    assert third.published(day, True)[0]["week"] == {"wins": 1, "losses": 0, "pushes": 0, "pct": 100.0}
    assert one.published(day, True)[1]["units"] == {"season": 2.73, "month": 2.73, "week": 2.73}
    # one object for the same counts, whichever book or range asked first
    fourth = rules.RecordBook([(day, "hit", "OVER")], shared)
    assert fourth.published(day, True)[1]["last_7_days"] is third.published(day, True)[0]["week"]


@pytest.mark.parametrize(
    ("day", "include_day"),
    [
        (D(2025, 8, 1), False),  # the season's first day: nothing of it before
        (D(2025, 8, 1), True),
        (D(2025, 8, 3), False),  # a Sunday: the week from Mon Jul 28 reaches back, the windows stop at Aug 1
        (D(2025, 8, 4), False),  # the next Monday
        (D(2025, 7, 31), True),  # the season before's last day
        (D(2025, 9, 1), False),  # a month's first day
        (D(2025, 8, 31), True),
        (D(2026, 8, 1), False),  # a season without picks, after the last one
        (D(2024, 12, 1), False),  # before every pick
    ],
)
def test_season_month_and_week_edges(day, include_day):
    picks = [
        (D(2025, 7, 28), "hit", "OVER"),  # Monday of the week across Aug 1
        (D(2025, 7, 31), "miss", "UNDER"),
        (D(2025, 8, 1), "push", "OVER"),
        (D(2025, 8, 1), "hit", "UNDER"),
        (D(2025, 8, 2), "dnp", "OVER"),
        (D(2025, 8, 2), None, "OVER"),
        (D(2025, 8, 3), "miss", "OVER"),
        (D(2025, 8, 31), "hit", "OVER"),
        (D(2025, 9, 1), "hit", "UNDER"),
    ]
    made = rules.RecordBook(picks).published(day, include_day)
    assert orjson.dumps(made) == orjson.dumps(from_scratch(picks, day, include_day))


def test_windows_shorter_than_the_history_and_last_10_within_one_date():
    day = D(2026, 3, 10)
    picks = [(day - dt.timedelta(days=n), RESULTS[n % 3], "OVER" if n % 4 else "UNDER") for n in range(1, 60)]
    picks += [(day - dt.timedelta(days=2), "hit", "OVER")] * 12  # more than ten on one date
    book = rules.RecordBook(picks)
    for offset in range(-3, 40):
        for include_day in (False, True):
            at = day + dt.timedelta(days=offset)
            assert orjson.dumps(book.published(at, include_day)) == orjson.dumps(from_scratch(picks, at, include_day))


def snapshot_of(rng: random.Random) -> Snapshot:
    groups = [Group("top", "Top"), Group("second", "Second"), Group("empty", "Empty")]
    picks: dict[str, dict[dt.date, list[Pick]]] = {"top": {}, "second": {}}
    for group_id in picks:
        for _ in range(rng.randrange(40, 120)):
            day = FIRST + dt.timedelta(days=rng.randrange((LAST - FIRST).days))
            result = rng.choice(RESULTS)
            direction = rng.choice(["OVER", "UNDER"])
            pick = Pick(
                game_date=day, rank=1, player=f"P{rng.random()}", player_lookup="p", team="LAL", opponent="BOS",
                prediction=20.5, line=20.5, direction=direction, actual=None, result=result,
            )  # fmt: skip
            picks[group_id].setdefault(day, []).append(pick)
    model = Model("sys-a", "A", "Model A", True)
    return Snapshot(model, groups, D(2025, 8, 1), LAST, {FIRST: "favorable"}, picks)


@pytest.mark.parametrize("seed", range(5))
def test_documents_carry_the_bisections_figures_whatever_order_their_days_are_built_in(seed):
    rng = random.Random(seed)
    snapshot = snapshot_of(rng)
    days = [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 3)]
    rng.shuffle(days)
    builder = documents.DocumentBuilder(snapshot, "2026-02-07T15:30:00Z")
    books = {
        group.id: rules.RecordBook(
            (day, pick.result, pick.direction)
            for day, listed in sorted(snapshot.picks.get(group.id, {}).items())
            for pick in listed
        )
        for group in snapshot.groups
    }
    for day in days:
        built = builder.day(day)
        for group in built["groups"]:
            assert orjson.dumps([group["record"], group["stats"]]) == orjson.dumps(
                by_bisection(books[group["id"]], day, False)
            )
            listed = snapshot.picks.get(group["id"], {}).get(day, [])
            assert group["picks"] == [pick.as_json() for pick in listed]
    as_of = builder.default_as_of("2025-26")
    assert as_of is not None
    season = builder.season("2025-26", as_of)
    for group in season["groups"]:
        assert orjson.dumps([group["record"], group["stats"]]) == orjson.dumps(
            by_bisection(books[group["id"]], as_of, True)
        )
