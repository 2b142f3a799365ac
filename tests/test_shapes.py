"""Warehouses of shapes neither the demo nor the benchmark generator makes: many versions a date, many subsets,
long sparse histories, calendar edges, odd but legal values. On each, every way of running publishes the same
bytes (one build worker or two, the shown picks read as Arrow or as tuples, two shards into one folder, a run over
its own output), the files pass their schemas, their records recount from the picks they show, and a morning's
dailies over the last season converge to what a backfill of it publishes. A few hand-checked files pin the lock
and the results on these shapes."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import WarehouseRows, at, published_bytes
from test_properties import check_files_agree, tally

from picks_export.exporters import warehouse
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.layout import kind_of_path
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.quality import QualityOptions
from picks_export.exporters.stores import FolderStore
from picks_export.exporters.validation import validate_paths

D = dt.date
GENERATED_AT = "2026-01-01T00:00:00Z"
POINTS = {"hit": 25, "miss": 15, "push": 20}


def graded(rows: WarehouseRows, day: dt.date, player: str, outcome: str, **pick: Any) -> str:
    """A pick that ends as `outcome` (hit, miss, push, dnp, or none: no box score), whichever its direction."""
    pick.setdefault("line", 20.0 if outcome == "push" else 20.5)
    lookup = rows.pick(day, player, **pick)
    if outcome != "none":
        points = POINTS.get(outcome)
        if pick.get("direction") == "UNDER" and outcome in ("hit", "miss"):
            points = 40 - POINTS[outcome]  # the mirror image: an UNDER hit scores under the line
        rows.result(day, lookup, points, 0.0 if outcome == "dnp" else 30.0)
    return lookup


class Shape:
    """A warehouse and the range a backfill of it covers, today being its last date."""

    def __init__(self, rows: WarehouseRows, first: dt.date, last: dt.date) -> None:
        self.rows, self.first, self.last = rows, first, last


# -- the shapes ----------------------------------------------------------------------------------------------------
VERSION_TIMES = ["10:00", "10:00", "22:59", "23:00", "23:01"]  # ties, a minute before, at and after tip-off


def many_versions() -> Shape:
    """Twelve versions a date (computed_at ties, one exactly at tip-off), two games; model B's three versions
    share one computed_at. The shown version is v11 (v03, v04, v08, v09 are computed at or after tip-off)."""
    rows = WarehouseRows()
    days = [D(2025, 11, 3) + dt.timedelta(days=n) for n in range(6)]
    for day in days:
        rows.game(day, "23:30")
        rows.game(day, "23:00")
        for version in range(12):
            for rank, letter in enumerate("ABC"[: 1 + version % 3], start=1):
                rows.pick(day, f"P{letter}{version}", version=f"v{version:02d}", computed=VERSION_TIMES[version % 5],
                          rank=rank, subset=("top", "second")[version % 2])  # fmt: skip
                rows.result(day, f"p{letter.lower()}{version}", 18 + version % 3 + (letter == "A"), 30.0)
        for version in range(3):
            rows.pick(day, f"Bee {version}", version=f"w{version}", computed="11:00", system="sys-b")
    return Shape(rows, days[0], days[-1])


def many_subsets() -> Shape:
    """45 subsets (every fifth inactive, most without picks, display orders tied and negative), ranks at the ends
    of INT64 and tied."""
    rows = WarehouseRows()
    rows.subsets = [(f"s{n:02d}", f"Subset {n}", n % 7 - 3, n % 5 != 0) for n in range(45)]
    days = [D(2026, 1, 5) + dt.timedelta(days=n) for n in range(5)]
    ranks = [2**63 - 1, -(2**63) + 1, 0, 0, 7]
    for day in days:
        rows.game(day)
        for n in range(0, 45, 3):
            graded(rows, day, f"Guy {n}", ["hit", "miss", "push", "dnp", "none"][n % 5], subset=f"s{n:02d}",
                   rank=ranks[n % 5])  # fmt: skip
            graded(rows, day, f"guy {n}", "hit", subset=f"s{n:02d}", rank=ranks[n % 5], direction="UNDER",
                   lookup=f"lower-guy{n}")  # fmt: skip
    return Shape(rows, days[0], days[-1])


def long_history() -> Shape:
    """Twelve seasons, two or three days each, model B in every other one (its span read as Arrow); a disabled
    model, flagged champion, with picks every day."""
    rows = WarehouseRows()
    rows.models.append(("sys-off", "OFF", "Off", True, False))
    for year in range(2014, 2026):
        for number, (month, day_of_month) in enumerate([(11, 2), (1, 15), (4, 1)]):
            if number == 1 and year % 3 == 0:
                continue
            day = D(year if month >= 8 else year + 1, month, day_of_month)
            rows.game(day)
            graded(rows, day, f"P{year}", ["hit", "miss", "push"][(year + number) % 3])
            graded(rows, day, f"Q{year}", "hit", subset="second", direction="UNDER")
            if year % 2:
                graded(rows, day, f"R{year}", "miss", system="sys-b")
            rows.pick(day, f"Off {year}", system="sys-off", lookup=f"off{year}")
    return Shape(rows, D(2014, 8, 1), D(2026, 4, 1))


def calendar_edges() -> Shape:
    """Weeks straddling Aug 1 and Jan 1, a date whose games are all postponed (one without a tip-off), games
    without picks, picks without games, tip-offs at and just after midnight UTC."""
    rows = WarehouseRows()
    days = [D(2025, 7, 28), D(2025, 7, 31), D(2025, 8, 1), D(2025, 8, 3), D(2025, 12, 29), D(2025, 12, 31),
            D(2026, 1, 1), D(2026, 1, 4)]  # fmt: skip
    for number, day in enumerate(days):
        rows.game(day)
        graded(rows, day, f"C{number}", ["hit", "miss", "push", "hit"][number % 4])
        graded(rows, day, f"U{number}", "hit", direction="UNDER", rank=2)
    postponed = D(2026, 1, 6)
    rows.game(postponed, status="postponed")
    rows.games.append((postponed, "no-tipoff", "LAL", "BOS", None, "postponed"))
    graded(rows, postponed, "Postponed", "miss", computed="23:59")
    rows.game(D(2026, 1, 7))  # games, no picks
    graded(rows, D(2026, 1, 8), "No Game", "push", computed="23:59")
    rows.game(D(2026, 1, 9), "00:05")  # noon is after this tip-off: only the version of 00:04 is shown
    graded(rows, D(2026, 1, 9), "Late", "hit", version="v2")
    graded(rows, D(2026, 1, 9), "Early", "miss", computed="00:04")
    rows.game(D(2026, 1, 10), "00:00")
    graded(rows, D(2026, 1, 10), "At Tip-off", "hit", version="v2", computed="00:00")  # never shown
    graded(rows, D(2026, 1, 10), "Just Before", "hit", version="v1")
    last = rows.picks[-1]
    rows.picks[-1] = (*last[:3], at(D(2026, 1, 10), "00:00") - dt.timedelta(microseconds=1), *last[4:])
    return Shape(rows, D(2025, 7, 1), D(2026, 1, 10))


ODD_NAMES = ["Åsa Ölund", "李小龍", "O'Neal \"Shaq\"", "😀 Emoji", "x" * 500, "player one", "Player One", " leading",
             "trailing ", "tab\tname", "back\\slash", "nul\u0000?", "\u202eRTL", "e\u0301", "\u00e9", "</script>"]  # fmt: skip
# (player, rank, line, predicted_points, direction, points, minutes) and what the file shows: prediction, result
NUMBERS = [
    ("Big", 2**63 - 1, 0.0, -1000.0, "OVER", 0, 30.0, -1000.0, "push"),
    ("Neg", -(2**63) + 1, 1000.0, 1000.0, "UNDER", 1000, 30.0, 1000.0, "push"),
    ("Zero", 0, 20.0, 20.05, "OVER", 20, 30.0, 20.1, "push"),
    ("Half", 0, 20.5, 20.45, "UNDER", 20, 0.5, 20.5, "hit"),
    ("Tie1", 5, 7.0, 0.05, "OVER", 8, 30.0, 0.1, "hit"),
    ("Tie2", 5, 7.0, -0.05, "UNDER", 8, 30.0, -0.1, "miss"),
    ("Dnp", 6, 10.5, 1e-9, "OVER", 50, 0.0, 0.0, "dnp"),
    ("DnpNull", 6, 10.5, 2.25, "OVER", None, None, 2.3, "dnp"),
    ("NoPoints", 7, 10.5, 2.35, "OVER", None, 12.0, 2.4, None),
    ("Tiny", 8, 0.1, 0.15, "OVER", 0, 1e-300, 0.2, "miss"),
]
NUMBERS_DAY = D(2026, 2, 2)


def odd_values() -> Shape:
    """Odd but legal strings (unicode, 500 characters, quotes, control characters, names equal except case), a
    subset id that looks like a path, numbers at the contract's edges, model codes at the rule's edges."""
    rows = WarehouseRows()
    rows.models = [("sys-a", "A", 'Model ☃ "A"', True, True), ("sys-b", "b" * 64, "B" * 300, False, True),
                   ("sys 'c\"", "9_", "Nine", False, True), ("sys-d", "Z-", "Zed", False, True)]  # fmt: skip
    rows.subsets.append(("s/../x", 'Ünïcødé "tab" 😀', 5, True))
    rows.game(NUMBERS_DAY)
    for number, name in enumerate(ODD_NAMES):
        lookup = rows.pick(NUMBERS_DAY, name, rank=1 + number % 2, subset=("top", "s/../x")[number % 3 == 0],
                           lookup=f"odd{number}")  # fmt: skip
        rows.result(NUMBERS_DAY, lookup, 20 + number % 3, 30.0)
    for player, rank, line, predicted, direction, points, minutes, *_ in NUMBERS:
        lookup = rows.pick(NUMBERS_DAY, player, rank=rank, line=line, predicted=predicted, direction=direction,
                           subset="second")  # fmt: skip
        rows.result(NUMBERS_DAY, lookup, points, minutes)
    for number, system in enumerate(("sys-b", "sys 'c\"", "sys-d")):
        graded(rows, NUMBERS_DAY, "Other Model", "hit", system=system, lookup=f"other{number}")
    leap = D(2028, 2, 29)
    rows.game(leap)
    graded(rows, leap, "Leap", "hit")
    return Shape(rows, D(2026, 2, 1), leap)


SHAPES: dict[str, Callable[[], Shape]] = {
    shape.__name__: shape for shape in (many_versions, many_subsets, long_history, calendar_edges, odd_values)
}


# -- running them --------------------------------------------------------------------------------------------------
def export(shape: Shape, warehouse_path: Path, dest: Path, daily: dt.date | None = None, **options: Any) -> None:
    """A backfill of the shape's range (or a daily of `daily`), every enabled model, no volume check (sparse
    shapes are light on purpose)."""
    settings = ExportOptions(today=shape.last, generated_at=GENERATED_AT, quality=QualityOptions(min_volume=0),
                             **options)  # fmt: skip
    engine = DuckDBEngine(warehouse_path)
    try:
        exporter = Exporter(engine, FolderStore(dest), settings)
        if daily is None:
            exporter.backfill(shape.first, shape.last, all_models=True)
        else:
            exporter.daily(daily, all_models=True)
    finally:
        engine.close()


def differing(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(path for path in one.keys() | other.keys() if one.get(path) != other.get(path))


def model_folders(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Each model's JSON files, under the default model's paths (`v1/...`), for `check_files_agree`."""
    folders: dict[str, dict[str, Any]] = {}
    for path, data in files.items():
        if not path.endswith(".json"):
            continue
        parts = path.split("/")
        folder, rest = ("/".join(parts[:3]), parts[3:]) if parts[1] == "models" else ("v1", parts[1:])
        folders.setdefault(folder, {})["/".join(["v1", *rest])] = orjson.loads(data)
    return folders


def season_start(day: dt.date) -> dt.date:
    return D(day.year if day.month >= 8 else day.year - 1, 8, 1)


def check_calendar(folder: dict[str, Any]) -> None:
    """Per-day records recounted with a calendar of this test's own: the week from its Monday (reaching back
    before Aug 1), the month from its 1st, the season as the sum of its months, each counting dates before D."""
    shown: dict[tuple[str, dt.date], list[dict[str, Any]]] = {}
    for path, document in folder.items():
        if kind_of_path(path) == "season":
            for group in document["groups"]:
                for entry in group["dates"]:
                    shown[group["id"], D.fromisoformat(entry["date"])] = entry["picks"]
    for path, document in folder.items():
        if kind_of_path(path) != "day":
            continue
        day = D.fromisoformat(document["date"])
        for group in document["groups"]:
            before = {
                date: picks for (group_id, date), picks in shown.items() if group_id == group["id"] and date < day
            }

            def count(start: dt.date, picks_by_date: dict[dt.date, list[dict[str, Any]]] = before) -> dict[str, int]:
                return tally([pick for date, picks in picks_by_date.items() if date >= start for pick in picks])

            months: dict[tuple[int, int], dict[str, int]] = {}
            for date, picks in before.items():
                if date >= season_start(day):
                    counts = months.setdefault((date.year, date.month), {"wins": 0, "losses": 0, "pushes": 0})
                    for key, value in tally(picks).items():
                        counts[key] += value
            season = {key: sum(month[key] for month in months.values()) for key in ("wins", "losses", "pushes")}
            record = group["record"]
            assert {key: record["season"][key] for key in season} == season, (path, group["id"])
            assert {key: record["month"][key] for key in season} == count(day.replace(day=1)), (path, group["id"])
            monday = day - dt.timedelta(days=day.weekday())
            assert {key: record["week"][key] for key in season} == count(monday), (path, group["id"])


@pytest.fixture(scope="module", params=sorted(SHAPES))
def shaped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Shape, Path, Path]:
    """A shape's warehouse and the folder of one backfill of it in one process (the bytes the others must match)."""
    folder = tmp_path_factory.mktemp(request.param)
    shape = SHAPES[request.param]()
    warehouse_path = write_warehouse(folder / "warehouse.duckdb", shape.rows.rows())
    export(shape, warehouse_path, folder / "reference", build_workers=1)
    return shape, warehouse_path, folder / "reference"


def test_the_files_pass_their_schemas_and_their_records_recount(shaped: tuple[Shape, Path, Path]) -> None:
    shape, _, reference = shaped
    checked, problems = validate_paths([reference])
    assert checked > 10 and not problems, problems[:3]
    folders = model_folders(published_bytes(reference))
    enabled = sorted(code for _, code, _, _, on in shape.rows.models if on and code != "A")  # A: the champion
    assert sorted(folders) == ["v1", *(f"v1/models/{code}" for code in enabled)]
    manifest = orjson.loads((reference / "v1" / "manifest.json").read_bytes())
    assert [model["code"] for model in manifest["models"]] == ["A", *enabled]
    for folder in folders.values():
        check_files_agree(folder)
        check_calendar(folder)


def test_every_way_of_running_publishes_the_same_bytes(
    shaped: tuple[Shape, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    shape, warehouse_path, reference = shaped
    expected = published_bytes(reference)
    folder = Path(tempfile.mkdtemp(dir=reference.parent))
    export(shape, warehouse_path, folder / "workers", build_workers=2)
    assert not differing(expected, published_bytes(folder / "workers")), "two build workers"
    for index in (1, 2):
        export(shape, warehouse_path, folder / "shards", build_workers=1, shard=(index, 2))
    assert not differing(expected, published_bytes(folder / "shards")), "two shards into one folder"
    for threshold, way in ((0, "arrow"), (10**9, "tuples")):
        monkeypatch.setattr(warehouse, "ARROW_MIN_MODEL_DAYS", threshold)
        export(shape, warehouse_path, folder / way, build_workers=1)
        assert not differing(expected, published_bytes(folder / way)), f"the shown picks read as {way}"
    export(shape, warehouse_path, folder / "workers", build_workers=1)
    assert not differing(expected, published_bytes(folder / "workers")), "a run over its own output"


def test_dailies_over_the_last_season_converge_to_its_backfill(shaped: tuple[Shape, Path, Path]) -> None:
    """Each date of the last season with picks, oldest first, then the last date: every file a backfill of the
    season publishes is there with its bytes. A daily adds only the per-day file of its date (even without picks)
    and the day before the season when it has picks."""
    shape, warehouse_path, reference = shaped
    folder = Path(tempfile.mkdtemp(dir=reference.parent))
    first = season_start(shape.last)
    for day in sorted({pick[0] for pick in shape.rows.picks if first <= pick[0] <= shape.last}) + [shape.last]:
        export(shape, warehouse_path, folder / "daily", daily=day)
    export(Shape(shape.rows, max(first, shape.first), shape.last), warehouse_path, folder / "backfill")
    backfill, daily = published_bytes(folder / "backfill"), published_bytes(folder / "daily")
    assert [path for path in backfill if backfill[path] != daily.get(path) and not path.endswith("index.json")] == []
    allowed = {}
    for path in daily.keys() - backfill.keys():
        document = orjson.loads(daily[path])
        day = D.fromisoformat(document["date"])
        assert day < first or not any(group["picks"] for group in document["groups"]), path
        allowed[path.replace(f"{day}.json", "index.json"), str(day)] = True
    for path in (path for path in backfill if path.endswith("picks/index.json")):
        index = orjson.loads(daily[path])
        index["dates"] = [entry for entry in index["dates"] if (path, entry["date"]) not in allowed]
        assert index == orjson.loads(backfill[path]), path


# -- hand-checked files ------------------------------------------------------------------------------------------
def day_file(reference: Path, day: dt.date, model: str = "") -> dict[str, list[tuple[Any, ...]]]:
    folder = reference / "v1" / (f"models/{model}" if model else "")
    document = orjson.loads((folder / "picks" / f"{day}.json").read_bytes())
    return {group["id"]: [(pick["player"], pick["actual"], pick["result"]) for pick in group["picks"]]
            for group in document["groups"]}  # fmt: skip


def backfilled(tmp_path: Path, shape: Shape) -> Path:
    export(shape, write_warehouse(tmp_path / "warehouse.duckdb", shape.rows.rows()), tmp_path / "out", build_workers=1)
    return tmp_path / "out"


def test_the_lock_among_twelve_versions_and_ties(tmp_path: Path) -> None:
    shape = many_versions()
    out = backfilled(tmp_path, shape)
    for day in (shape.first, shape.last):
        # v11: the greatest version computed before the first tip-off (23:00, the later game listed first)
        assert day_file(out, day) == {"top": [], "second": [("PA11", 21, "hit"), ("PB11", 20, "miss"),
                                                             ("PC11", 20, "miss")]}  # fmt: skip
        assert day_file(out, day, "B")["top"] == [("Bee 2", None, None)]  # computed_at tied: the greatest id


def test_numbers_at_the_contracts_edges(tmp_path: Path) -> None:
    out = backfilled(tmp_path, odd_values())
    document = orjson.loads((out / "v1" / "picks" / f"{NUMBERS_DAY}.json").read_bytes())
    (second,) = [group for group in document["groups"] if group["id"] == "second"]
    by_rank = sorted(NUMBERS, key=lambda row: (row[1], row[0]))
    assert [(pick["player"], pick["prediction"], pick["line"], pick["result"]) for pick in second["picks"]] == [
        (player, prediction, line, result) for player, _, line, _, _, _, _, prediction, result in by_rank
    ]
    assert [pick["actual"] for pick in second["picks"]] == [
        points if result not in ("dnp", None) else None for _, _, _, _, _, points, _, _, result in by_rank
    ]


def test_odd_strings_are_published_as_held_in_code_point_order_within_a_rank(tmp_path: Path) -> None:
    out = backfilled(tmp_path, odd_values())
    top = day_file(out, NUMBERS_DAY)["top"]
    held = [(1 + number % 2, name) for number, name in enumerate(ODD_NAMES) if number % 3]
    assert [player for player, _, _ in top] == [name for _, name in sorted(held)]


def test_the_lock_at_midnight_and_on_postponed_days(tmp_path: Path) -> None:
    out = backfilled(tmp_path, calendar_edges())
    assert day_file(out, D(2026, 1, 9))["top"] == [("Early", 15, "miss")]  # noon is after a 00:05 tip-off
    assert day_file(out, D(2026, 1, 10))["top"] == [("Just Before", 25, "hit")]  # computed at tip-off: hidden
    assert day_file(out, D(2026, 1, 6))["top"] == [("Postponed", 15, "miss")]  # every game postponed: any version
    assert day_file(out, D(2026, 1, 8))["top"] == [("No Game", 20, "push")]
    assert not (out / "v1" / "picks" / "2026-01-07.json").exists()  # games without picks
