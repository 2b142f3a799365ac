"""Shared fixtures: tiny hand-made warehouses written to real DuckDB files, and runs of the exporter over them."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.layout import kind_of_path
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore
from picks_export.exporters.tables import Rows

# The transpiled-SQL cache of the test run (and of the processes it starts) lives in a folder of its own.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="picks-export-test-cache-")

UTC = dt.UTC
GENERATED_AT = "2026-02-07T15:30:00Z"


# SOURCE_DATE_EPOCH of the command-line tests run in this process: 2026-02-07 15:30 UTC (GENERATED_AT).
CLI_EPOCH = "1770478200"


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    """`picks-export ARGS` in this process (Typer's CliRunner), at CLI_EPOCH, with `env` added."""
    from typer.testing import CliRunner

    from picks_export.cli import app

    return CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": CLI_EPOCH, **(env or {})})


def demo_warehouse(tmp_path_factory: pytest.TempPathFactory, today: str, *options: str) -> Path:
    """`picks-export demo --today TODAY [OPTIONS]` into a new folder of the session: the warehouse's path."""
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    result = invoke("demo", "--warehouse", str(path), "--today", today, *options)
    assert result.exit_code == 0, result.output
    return path


def wait_for_workers(process: Any, hold: Path, scratch: Path, count: int = 2) -> None:
    """Until the run `process` waits at `hold` (PICKS_EXPORT_TEST_PAUSE) with `count` build workers started (their
    scratch folders made in `scratch`, its TMPDIR)."""
    import time

    deadline = time.monotonic() + 60
    while not Path(f"{hold}.waiting").exists() or len(list(scratch.glob("picks-export-worker-*"))) < count:
        assert process.poll() is None, "the run ended before its workers started"
        assert time.monotonic() < deadline
        time.sleep(0.002)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """A UTC timestamp on `day`."""
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UTC)


class WarehouseRows:
    """Builds the six tables row by row, with defaults that make a valid warehouse."""

    def __init__(self) -> None:
        self.models: list[tuple] = [
            ("sys-a", "A", "Model A", True, True),
            ("sys-b", "B", "Model B", False, True),
        ]
        self.subsets: list[tuple] = [
            ("top", "Top Pick", 1, True),
            ("second", "Second", 2, True),
            ("old", "Old Tab", 0, False),
        ]
        self.picks: list[tuple] = []
        self.summaries: list[tuple] = []
        self.signals: list[tuple] = []
        self.games: list[tuple] = []

    def game(self, day: dt.date, tipoff: str = "23:00", status: str = "scheduled", game_id: str | None = None) -> None:
        self.games.append((day, game_id or f"g{len(self.games)}", "LAL", "BOS", at(day, tipoff), status))

    def pick(
        self,
        day: dt.date,
        player: str = "Player One",
        *,
        version: str = "v1",
        computed: str = "12:00",
        subset: str = "top",
        line: float | None = 20.5,
        direction: str = "OVER",
        predicted: float | None = 22.0,
        rank: int = 1,
        system: str = "sys-a",
        lookup: str | None = None,
    ) -> str:
        lookup = lookup or player.lower().replace(" ", "")
        self.picks.append(
            (
                day,
                system,
                version,
                at(day, computed),
                subset,
                lookup,
                player,
                "LAL",
                "BOS",
                predicted,
                line,
                direction,
                rank,
            )
        )
        return lookup

    def result(self, day: dt.date, lookup: str, points: int | None, minutes: float | None = 30.0) -> None:
        self.summaries.append((day, lookup, points, minutes))

    def graded_pick(self, day: dt.date, player: str, outcome: str, subset: str = "top", rank: int = 1) -> None:
        """A pick on line 20.5 OVER that ends as `outcome` (hit, miss, push or dnp)."""
        line = 20.0 if outcome == "push" else 20.5
        lookup = self.pick(day, player, subset=subset, line=line, rank=rank)
        points = {"hit": 25, "miss": 15, "push": 20, "dnp": None}[outcome]
        self.result(day, lookup, points, 0.0 if outcome == "dnp" else 30.0)

    def signal(self, day: dt.date, signal: str, system: str = "sys-a") -> None:
        self.signals.append((day, system, signal))

    def rows(self) -> Rows:
        return {
            "models": self.models,
            "subset_definitions": self.subsets,
            "subset_picks": self.picks,
            "player_game_summary": self.summaries,
            "daily_signals": self.signals,
            "games": self.games,
        }


class Run:
    """Runs the library over a warehouse and reads back what it wrote."""

    def __init__(self, tmp_path: Path, rows: Rows, **options: Any) -> None:
        self.warehouse = write_warehouse(tmp_path / "warehouse.duckdb", rows)
        self.dest = tmp_path / "public"
        self.options = ExportOptions(**{"generated_at": GENERATED_AT, "today": dt.date(2026, 2, 7), **options})

    def exporter(self) -> Exporter:
        return Exporter(DuckDBEngine(self.warehouse), FolderStore(self.dest), self.options)

    def read(self, path: str) -> Any:
        return orjson.loads((self.dest / path).read_bytes())

    def published(self) -> list[str]:
        """Every published file in the destination folder (not the folder sink's lock and records)."""
        if not self.dest.exists():
            return []
        files = (path.relative_to(self.dest).as_posix() for path in self.dest.rglob("*") if path.is_file())
        return sorted(path for path in files if not path.startswith((".", "_runs/")))

    def files(self) -> list[str]:
        """The per-day and season documents (without the index and the schemas that every run publishes)."""
        return [path for path in self.published() if kind_of_path(path) in ("day", "season")]

    def day(self, day: dt.date) -> dict[str, Any]:
        """Run the daily job for one date and return its per-day file."""
        self.exporter().daily(day)
        return self.read(f"v1/picks/{day}.json")

    def season(self, season: str, as_of: dt.date | None = None) -> dict[str, Any]:
        self.exporter().season(season, as_of)
        return self.read(f"v1/subsets/seasons/{season}.json")


def published_bytes(dest: Path, *, with_status: bool = False) -> dict[str, bytes]:
    """Every published file under `dest` with its bytes (not the folder sink's lock and records, nor the run
    records and replaced bytes under `_runs/`).

    Without the status file unless asked: it names the run that wrote it, so no two runs give its bytes."""
    files = (path for path in sorted(dest.rglob("*")) if path.is_file())
    return {
        path.relative_to(dest).as_posix(): path.read_bytes()
        for path in files
        if not path.relative_to(dest).as_posix().startswith((".", "_runs/"))
        and (with_status or not path.relative_to(dest).as_posix().endswith("v1/status.json"))
    }


def group(document: dict[str, Any], group_id: str) -> dict[str, Any]:
    (found,) = [each for each in document["groups"] if each["id"] == group_id]
    return found


@pytest.fixture
def rows() -> WarehouseRows:
    return WarehouseRows()


@pytest.fixture
def run(tmp_path: Path):
    def make(rows: WarehouseRows, **options: Any) -> Run:
        return Run(tmp_path, rows.rows(), **options)

    return make


@pytest.fixture(scope="session")
def gcs():
    """One fake-gcs-server for the session; each test uses buckets of its own."""
    from fakegcs import FakeGCS

    server = FakeGCS()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3():
    """One moto S3 server for the session; each test uses buckets of its own."""
    from stores import MotoS3

    server = MotoS3()
    yield server
    server.stop()


_buckets = itertools.count()


@pytest.fixture
def bucket(gcs) -> str:
    """A new empty bucket of fake-gcs-server."""
    from fakegcs import client_for

    name = f"picks-{next(_buckets)}"
    client_for(gcs.url).create_bucket(name)
    return name


@pytest.fixture
def destination(request, tmp_path: Path):
    """Makes an empty destination of a kind ("folder", "gcs", "s3"; tests/stores.py), starting its server once."""
    from stores import Destination

    def make(kind: str, **options: Any) -> Destination:
        return Destination(kind, tmp_path, request.getfixturevalue(kind) if kind != "folder" else None, **options)

    return make
