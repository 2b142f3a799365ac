"""A model-based test of convergence: whatever happened to the warehouse and to the published files, a daily run
that exits 0 leaves every file of its season as a backfill of that season into an empty destination publishes it.

The machine changes the warehouse (a new game day's picks, new versions before and after tip-off, box scores that
land late or never, a model disabled), misses mornings, and deletes or truncates published files by hand; after
each daily that succeeds, the destination is compared byte for byte with a fresh backfill (both runs share their
`generated_at`, so the bytes compare whole; the status file names its run and is left out).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from conftest import WarehouseRows, published_bytes
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from picks_export.exporters import rules
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.errors import ExportError
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore

GENERATED_AT = "2026-01-01T00:00:00Z"
FIRST_DAY = dt.date(2025, 10, 22)
SEASON_START, _ = rules.season_bounds(rules.season_label(FIRST_DAY))
PLAYERS = [f"Player {number}" for number in range(6)]
SYSTEMS = ("sys-a", "sys-b")
# The size of the search: examples (sequences) x steps each; about a second per step with its two runs.
EXAMPLES = 8
STEPS = 12


class Convergence(RuleBasedStateMachine):
    """The warehouse, the published destination, and today's date, as the daily job's operator lives them."""

    @initialize()
    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="picks-export-convergence-"))
        self.rows = WarehouseRows()
        self.today = FIRST_DAY
        self.versions = 0
        self.scored: set[tuple[dt.date, str]] = set()
        self.runs = 0
        self.checked = 0
        self._game_day(FIRST_DAY)

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the warehouse ---------------------------------------------------------------------------------------------
    def _version(self, day: dt.date, system: str, players: list[str], computed: str) -> None:
        self.versions += 1
        for rank, player in enumerate(players[:2], start=1):
            self.rows.pick(day, player, version=f"v{self.versions}", computed=computed, rank=rank, system=system,
                           line=20.5 + rank)  # fmt: skip
        self.rows.pick(day, players[2], version=f"v{self.versions}", computed=computed, subset="second", system=system)

    def _game_day(self, day: dt.date) -> None:
        """A date's game and each model's picks, computed before tip-off (so every date has shown picks)."""
        self.rows.game(day, "23:00")
        for system in SYSTEMS:
            self._version(day, system, PLAYERS[:3], "12:00")

    @rule(days_back=st.integers(0, 4), system=st.sampled_from(SYSTEMS), before=st.booleans(),
          players=st.permutations(PLAYERS))  # fmt: skip
    def new_version(self, days_back: int, system: str, before: bool, players: list[str]) -> None:
        """A new version of a recent date's picks: shown when computed before tip-off, ignored after."""
        day = max(self.today - dt.timedelta(days=days_back), FIRST_DAY)
        self._version(day, system, players, "18:00" if before else "23:30")

    @rule(days_back=st.integers(1, 5), player=st.sampled_from(PLAYERS), points=st.integers(0, 40))
    def box_score(self, days_back: int, player: str, points: int) -> None:
        """A box score of a past date, landing late (or, when never drawn, never)."""
        day = self.today - dt.timedelta(days=days_back)
        lookup = player.lower().replace(" ", "")
        if day >= FIRST_DAY and (day, lookup) not in self.scored:
            self.scored.add((day, lookup))
            self.rows.result(day, lookup, points)

    @precondition(lambda self: self.rows.models[1][4])
    @rule()
    def disable_model(self) -> None:
        system, code, name, champion, _ = self.rows.models[1]
        self.rows.models[1] = (system, code, name, champion, False)

    @rule()
    def next_morning(self) -> None:
        """A new date with its game and picks; its daily run may be missed (no run before the next morning)."""
        self.today += dt.timedelta(days=1)
        self._game_day(self.today)

    # -- the published files, by hand -----------------------------------------------------------------------------
    def _published(self) -> list[Path]:
        return sorted(path for path in (self.folder / "daily" / "v1").rglob("*.json") if path.is_file())

    @precondition(lambda self: self.runs > 0)
    @rule(pick=st.integers(0, 10_000), truncate=st.booleans())
    def damage_a_file(self, pick: int, truncate: bool) -> None:
        files = self._published()
        target = files[pick % len(files)]
        if truncate:
            target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
        else:
            target.unlink()

    # -- the runs ------------------------------------------------------------------------------------------------------
    def _exporter(self, name: str) -> tuple[Exporter, DuckDBEngine]:
        self.runs += 1
        warehouse = write_warehouse(self.folder / f"warehouse-{self.runs}.duckdb", self.rows.rows())
        options = ExportOptions(today=self.today, generated_at=GENERATED_AT)
        engine = DuckDBEngine(warehouse)
        return Exporter(engine, FolderStore(self.folder / name), options), engine

    @rule()
    def daily(self) -> None:
        exporter, engine = self._exporter("daily")
        try:
            exporter.daily(self.today, all_models=True)
        except ExportError:
            return  # only a daily that exits 0 promises convergence
        finally:
            engine.close()
        fresh = f"backfill-{self.runs}"
        exporter, engine = self._exporter(fresh)
        try:
            exporter.backfill(SEASON_START, self.today, all_models=True)
        finally:
            engine.close()
        expected = published_bytes(self.folder / fresh)
        shutil.rmtree(self.folder / fresh)
        published = published_bytes(self.folder / "daily")
        assert expected, "the backfill published nothing"
        for path, data in expected.items():
            assert published.get(path) == data, f"{path} differs from what a backfill of the season publishes"
        self.checked += 1

    @invariant()
    def no_stray_backfill(self) -> None:
        assert not any(self.folder.glob("backfill-*"))


Convergence.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConvergence = Convergence.TestCase
