"""Properties over generated warehouses: records and stats always agree with the picks the files show."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any

import orjson
from conftest import WarehouseRows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from picks_export.exporters import rules
from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.layout import kind_of_path
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.quality import QualityOptions
from picks_export.exporters.stores import FolderStore
from picks_export.exporters.tables import Rows

SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def backfill(tmp_path: Path, rows: Rows, first: dt.date, last: dt.date, **more: Any) -> dict[str, Any]:
    # A fresh folder per example: hypothesis reuses tmp_path, and id() values are recycled.
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    warehouse = write_warehouse(folder / "w.duckdb", rows)
    options = ExportOptions(today=dt.date(2030, 1, 1), generated_at="2026-01-01T00:00:00Z", **more)
    engine = DuckDBEngine(warehouse)
    Exporter(engine, FolderStore(folder / "out"), options).backfill(first, last)
    engine.close()
    out = folder / "out"
    return {path.relative_to(out).as_posix(): orjson.loads(path.read_bytes()) for path in out.rglob("*.json")}


def tally(picks: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(pick["result"] for pick in picks)
    return {"wins": counts["hit"], "losses": counts["miss"], "pushes": counts["push"]}


def check_files_agree(files: dict[str, Any]) -> None:
    """Records = counts over the picks the files themselves show, for every period.

    A week can straddle Aug 1, so the oracle pools the dates of every season file.
    """
    seasons = {path: doc for path, doc in files.items() if "/subsets/seasons/" in path}
    assert seasons
    shown: dict[str, dict[dt.date, list[dict[str, Any]]]] = {}
    for document in seasons.values():
        for group in document["groups"]:
            assert [d["date"] for d in group["dates"]] == sorted((d["date"] for d in group["dates"]), reverse=True)
            for entry in group["dates"]:
                assert rules.season_label(dt.date.fromisoformat(entry["date"])) == document["season"]
                shown.setdefault(group["id"], {})[dt.date.fromisoformat(entry["date"])] = entry["picks"]

    def expected_record(group_id: str, period: str, day: dt.date, *, inclusive: bool) -> dict[str, int]:
        start = rules.period_start(period, day)
        dates = shown.get(group_id, {})
        return tally(
            [
                p
                for date, picks in dates.items()
                if start <= date and (date <= day if inclusive else date < day)
                for p in picks
            ]
        )

    for document in seasons.values():
        as_of = document["as_of"] and dt.date.fromisoformat(document["as_of"])
        for group in document["groups"]:
            if as_of is None:
                assert group["record"] is None
                assert all(p["result"] not in ("hit", "miss", "push") for d in group["dates"] for p in d["picks"])
                continue
            for period in rules.PERIODS:
                record = group["record"][period]
                expected = expected_record(group["id"], period, as_of, inclusive=True)
                assert {key: record[key] for key in expected} == expected, (group["id"], period)
                assert record["pct"] == rules.win_pct(expected["wins"], expected["losses"])
    # every per-day file shows the same picks as its season file, and records entering the day
    for path, day_doc in files.items():
        if kind_of_path(path) != "day":
            continue
        day = dt.date.fromisoformat(day_doc["date"])
        for group in day_doc["groups"]:
            assert group["picks"] == shown.get(group["id"], {}).get(day, [])
            for period in rules.PERIODS:
                record = group["record"][period]
                expected = expected_record(group["id"], period, day, inclusive=False)
                assert {key: record[key] for key in expected} == expected, (path, group["id"], period)
    check_stats_agree(files, shown)


def half_away(value: Fraction, places: int) -> float:
    rounded = floor(abs(value) * 10**places + Fraction(1, 2))
    return (rounded if value >= 0 else -rounded) / 10**places


def naive_record(picks: list[dict[str, Any]]) -> dict[str, Any]:
    counts = tally(picks)
    decided = counts["wins"] + counts["losses"]
    pct = None if decided == 0 else half_away(Fraction(100 * counts["wins"], decided), 1)
    return {**counts, "pct": pct}


def naive_stats(
    dates: dict[dt.date, list[dict[str, Any]]], record: dict[str, Any], day: dt.date, inclusive: bool
) -> dict[str, Any]:
    """Every `stats` field recounted from the picks the files show, the slow way, as the contract words it."""
    last = day if inclusive else day - dt.timedelta(days=1)
    season_start = rules.period_start("season", day)
    in_order = [  # the season's counted picks before the reference, by date, then as listed
        (date, pick)
        for date in sorted(dates)
        if season_start <= date <= last
        for pick in dates[date]
        if pick["result"] in ("hit", "miss", "push")
    ]
    picks = [pick for _, pick in in_order]
    decided = [pick["result"] for pick in picks if pick["result"] != "push"]
    streak = None
    if decided:
        count = len(decided) - next((i for i in range(len(decided) - 1, -1, -1) if decided[i] != decided[-1]), -1) - 1
        streak = {"result": decided[-1], "count": count}
    units, roi = {}, {}
    for period in rules.PERIODS:
        wins, losses = record[period]["wins"], record[period]["losses"]
        exact = Fraction(100 * wins - 110 * losses, 110)  # a hit wins 100 on 110 staked, a miss loses 110
        units[period] = half_away(exact, 2)
        roi[period] = None if wins + losses == 0 else half_away(100 * exact / (wins + losses), 1)

    def window(days: int) -> dict[str, Any]:
        return naive_record([pick for date, pick in in_order if (last - date).days < days])

    return {
        "units": units,
        "roi": roi,
        "last_10": naive_record(picks[-10:]),
        "streak": streak,
        "last_7_days": window(7),
        "last_30_days": window(30),
        "over": naive_record([pick for pick in picks if pick["direction"] == "OVER"]),
        "under": naive_record([pick for pick in picks if pick["direction"] == "UNDER"]),
    }


def check_stats_agree(files: dict[str, Any], shown: dict[str, dict[dt.date, list[dict[str, Any]]]]) -> None:
    for path, document in files.items():
        kind = kind_of_path(path)
        if kind not in ("day", "season"):
            continue
        reference = document["date"] if kind == "day" else document["as_of"]
        for group in document["groups"]:
            if reference is None:
                assert group["stats"] is None, (path, group["id"])
                continue
            day = dt.date.fromisoformat(reference)
            expected = naive_stats(shown.get(group["id"], {}), group["record"], day, inclusive=kind == "season")
            assert group["stats"] == expected, (path, group["id"])


@SETTINGS
@given(seed=st.integers(0, 10_000), days=st.integers(0, 40))
def test_demo_warehouses_records_agree_with_their_files(tmp_path, seed, days):
    today = dt.date(2025, 10, 21) + dt.timedelta(days=days)
    files = backfill(tmp_path, generate_demo(today, seed), dt.date(2025, 10, 1), today)
    check_files_agree(files)


# Small hand-shaped warehouses: few players, versions around the tip-off, every kind of box score.
DAYS = [dt.date(2025, 7, 30) + dt.timedelta(days=n) for n in range(0, 75, 3)]  # crosses Aug 1, months and weeks
box_score = st.sampled_from(["hit", "miss", "push", "dnp0", "dnpnull", "nopoints", "none"])


@st.composite
def small_warehouse(draw) -> WarehouseRows:
    rows = WarehouseRows()
    for day in draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=8, unique=True)):
        status = draw(st.sampled_from(["final", "postponed", "nogame"]))
        if status != "nogame":
            rows.game(day, "23:00", status=status)
        for version in range(draw(st.integers(1, 3))):
            computed = draw(st.sampled_from(["20:00", "22:59", "23:00", "23:30"]))
            for rank, player in enumerate(
                draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4, unique=True))
            ):
                subset = draw(st.sampled_from(["top", "second", "old"]))
                direction = draw(st.sampled_from(["OVER", "UNDER"]))
                line = draw(st.sampled_from([10.5, 20.0]))
                rows.pick(
                    day,
                    f"Player {player}",
                    version=f"v{version}",
                    computed=computed,
                    subset=subset,
                    direction=direction,
                    line=line,
                    rank=rank,
                )
        for player in "ABCDE":
            kind = draw(box_score)
            points = {"hit": 25, "miss": 5, "push": 20, "dnp0": 0, "dnpnull": None, "nopoints": None}.get(kind)
            minutes = {"dnp0": 0.0, "dnpnull": None}.get(kind, 30.0)
            if kind != "none":
                rows.result(day, f"player{player.lower()}", points, minutes)
    return rows


@SETTINGS
@given(rows=small_warehouse())
def test_small_warehouses_records_agree_with_their_files(tmp_path, rows):
    files = backfill(tmp_path, rows.rows(), DAYS[0], DAYS[-1])
    check_files_agree(files)
    # the lock, computed here independently of the SQL: the files show exactly the expected version
    for day in {pick[0] for pick in rows.picks}:
        tipoffs = [game[4] for game in rows.games if game[0] == day and game[5] != "postponed"]
        computed: dict[str, dt.datetime] = {}
        for pick in rows.picks:
            if pick[0] == day and pick[1] == "sys-a":
                computed[pick[2]] = max(computed.get(pick[2], pick[3]), pick[3])
        eligible = [version for version, when in computed.items() if not tipoffs or when < min(tipoffs)]
        path = f"v1/picks/{day}.json"
        expected = {
            (pick[4], pick[6])
            for pick in rows.picks
            if eligible and pick[0] == day and pick[1] == "sys-a" and pick[2] == max(eligible) and pick[4] != "old"
        }
        if not expected:
            assert path not in files
            continue
        shown = {(group["id"], pick["player"]) for group in files[path]["groups"] for pick in group["picks"]}
        assert shown == expected


# Denser warehouses for the stats: many graded picks a day (more than ten, ranks shared), both directions, runs
# of one result, across Aug 1 and over more than 30 days, so that last 10, streaks and windows meet their edges.
DENSE_DAYS = [dt.date(2025, 7, 20) + dt.timedelta(days=n) for n in range(0, 60, 2)]


@st.composite
def dense_warehouse(draw) -> WarehouseRows:
    rows = WarehouseRows()
    streaky = draw(st.sampled_from(["hit", "miss", "push"]))  # one result made common, so that runs grow long
    outcomes = st.sampled_from(["hit", "miss", "push", "dnp", "none", streaky, streaky, streaky])
    for day in draw(st.lists(st.sampled_from(DENSE_DAYS), min_size=1, max_size=16, unique=True)):
        rows.game(day, "23:00", status="final")
        for number in range(draw(st.integers(1, 13))):
            subset = draw(st.sampled_from(["top", "second"]))
            rank, direction, outcome = draw(st.integers(1, 3)), draw(st.sampled_from(["OVER", "UNDER"])), draw(outcomes)
            lookup = rows.pick(day, f"Player {number:02d}", subset=subset, direction=direction, rank=rank, line=20.5
                               if outcome != "push" else 20.0)  # fmt: skip
            points = {"hit": 25, "miss": 15, "push": 20}.get(outcome)
            if direction == "UNDER" and outcome in ("hit", "miss"):
                points = 40 - points  # the mirror image: an UNDER hit scores under the line
            if outcome != "none":
                rows.result(day, lookup, points, 0.0 if outcome == "dnp" else 30.0)
    return rows


@SETTINGS
@given(rows=dense_warehouse())
def test_dense_warehouses_stats_agree_with_their_files(tmp_path, rows):
    # Days of few picks after busy ones are what this generator makes on purpose: no volume check.
    files = backfill(tmp_path, rows.rows(), DENSE_DAYS[0], DENSE_DAYS[-1], quality=QualityOptions(min_volume=0))
    check_files_agree(files)
