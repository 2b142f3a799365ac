"""A daily costs one season: it lists its season's part of each model's picks/ folder, takes the other seasons from
the published index only once that verifies, builds each index from that listing and its own writes (no second
listing), and leaves a season's Parquet table alone when the published one is current."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from conftest import published_bytes
from stores import STORES

from picks_export.exporters import demo, parquet
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter, Outcome
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.publish import Payload, Publisher, PublishPolicy, Step
from picks_export.exporters.stores import FolderStore

TODAY = demo.SCALED_TODAY
DAY = dt.date(2026, 2, 16)
INDEX = "v1/picks/index.json"


@pytest.fixture(scope="module")
def two_seasons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("listing") / "warehouse.duckdb"
    return write_warehouse(path, demo.generate_scaled(2, 2, 8))


@pytest.fixture
def history(two_seasons: Path, tmp_path: Path) -> Path:
    """Both seasons backfilled, then one daily (what a daily adds to a backfill): the starting point of each test.
    Made anew for each (a copied folder's records no longer match its files: every file would be read)."""
    dest = tmp_path / "site"
    export(two_seasons, FolderStore(dest), "backfill")
    export(two_seasons, FolderStore(dest), "daily")
    return dest


class CountingStore(FolderStore):
    """A folder store that notes each listing (folder, start, end) and each read."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.listings: list[tuple[str, str | None, str | None]] = []
        self.reads: list[str] = []

    def list(self, folder, start=None, end=None):  # type: ignore[no-untyped-def]
        self.listings.append((folder, start, end))
        return super().list(folder, start, end)

    def read(self, path):  # type: ignore[no-untyped-def]
        self.reads.append(path)
        return super().read(path)


def export(warehouse: Path, store: FolderStore, command: str) -> Outcome:
    options = ExportOptions(today=TODAY, generated_at="2026-07-01T00:00:00Z")
    exporter = Exporter(DuckDBEngine(warehouse), store, options, PublishPolicy(workers=1))
    if command == "backfill":
        return exporter.backfill(dt.date(2024, 8, 1), dt.date(2026, 7, 31), all_models=True)
    return exporter.daily(DAY, all_models=True)


def indexed_dates(dest: Path, index: str = INDEX) -> list[str]:
    return [entry["date"] for entry in orjson.loads((dest / index).read_bytes())["dates"]]


@pytest.mark.parametrize("kind", STORES)
def test_a_listing_range_holds_the_paths_from_its_start_up_to_its_end(kind, destination):
    store = destination(kind).store()
    transfer = Publisher(store, PublishPolicy(retry_deadline=5)).transfer
    paths = [f"v1/picks/2025-0{month}-01.json" for month in (6, 7, 8, 9)] + [INDEX]
    day = {"date": "2026-01-01", "generated_at": "x", "model": "A", "signal": None, "groups": []}
    transfer.apply([Step(Payload.of(path, "day", day), "new", None) for path in paths])
    listed = transfer.listing("v1/picks/", "v1/picks/2025-07-01.json", "v1/picks/2025-09-01.json")
    assert sorted(listed) == ["v1/picks/2025-07-01.json", "v1/picks/2025-08-01.json"]
    assert sorted(transfer.listing("v1/picks/")) == sorted(paths)


def test_a_daily_lists_its_season_only_and_publishes_what_a_full_listing_would(history, two_seasons, tmp_path):
    dest = history
    before = published_bytes(dest)
    store = CountingStore(dest)
    outcome = export(two_seasons, store, "daily")
    picks_listings = [each for each in store.listings if each[0].endswith("picks/")]
    assert picks_listings and all(start is not None and end is not None for _, start, end in picks_listings)
    assert ("v1/picks/", "v1/picks/2025-08-01.json", "v1/picks/2026-08-01.json") in picks_listings
    # each index read once, to verify it: the manifest and the status file take the days the run built it from,
    # a listing showing the object the run left there (a changed one is read: the next test)
    assert store.reads.count(INDEX) == 1
    assert outcome.report.count("written") == 1  # the status file, every run's heartbeat
    assert published_bytes(dest) == before
    assert any(day.startswith("2024-") for day in indexed_dates(dest))  # the earlier season is still indexed


def test_an_index_changed_after_the_run_left_it_is_read_for_the_manifest_and_the_status_file(
    history, two_seasons, tmp_path
):
    dest = history
    index = orjson.loads((dest / INDEX).read_bytes())
    with_picks = [entry["date"] for entry in index["dates"] if entry["picks"] > 0]  # newest first
    changed = {**index, "dates": [entry for entry in index["dates"] if entry["date"] < with_picks[0]]}

    class Replacing(CountingStore):
        """Replaces the index by hand when the manifest is listed for the second time: once the run wrote or
        found current every index, before the manifest and the status file are built."""

        manifest_listings = 0

        def list(self, folder, start=None, end=None):  # type: ignore[no-untyped-def]
            if folder == "v1/manifest.json":
                self.manifest_listings += 1
                if self.manifest_listings == 2:
                    (dest / INDEX).write_bytes(orjson.dumps(changed))
            return super().list(folder, start, end)

    store = Replacing(dest)
    export(two_seasons, store, "daily")
    assert store.manifest_listings == 2 and store.reads.count(INDEX) == 2  # verified, then read again
    manifest = orjson.loads((dest / "v1/manifest.json").read_bytes())
    status = orjson.loads((dest / "v1/status.json").read_bytes())
    (entry,) = [model for model in manifest["models"] if model["index"] == INDEX]
    (checked,) = [model for model in status["models"] if model["index"] == INDEX]
    assert entry["latest_date"] == checked["latest_date"] == with_picks[1]


def test_an_index_that_does_not_verify_is_not_trusted_the_folder_is_listed_whole(history, two_seasons, tmp_path):
    dest = history
    whole = indexed_dates(dest)
    index = orjson.loads((dest / INDEX).read_bytes())
    index["dates"] = [entry for entry in index["dates"] if not entry["date"].startswith("2024-")]
    (dest / INDEX).write_bytes(orjson.dumps(index))  # by hand: its record no longer matches, no run wrote it
    store = CountingStore(dest)
    export(two_seasons, store, "daily")
    assert ("v1/picks/", None, None) in store.listings
    assert indexed_dates(dest) == whole


def test_an_index_that_disagrees_with_a_season_file_is_not_trusted(history, two_seasons, tmp_path):
    """An index written by a run, hashing right, but without the earlier season's last day (as if a run had
    stopped between that day's file and the index): its last date disagrees with that season's file."""
    dest = history
    whole = indexed_dates(dest)
    last_of_earlier = max(day for day in whole if day < "2025-08-01")
    index = orjson.loads((dest / INDEX).read_bytes())
    index["dates"] = [entry for entry in index["dates"] if entry["date"] != last_of_earlier]
    store = FolderStore(dest)
    transfer = Publisher(store, PublishPolicy()).transfer
    (result,) = transfer.apply([Step(Payload.of(INDEX, "index", index), "changed", transfer.listing(INDEX)[INDEX])])
    assert result.status == "written" and last_of_earlier not in indexed_dates(dest)
    counting = CountingStore(dest)
    export(two_seasons, counting, "daily")
    assert ("v1/picks/", None, None) in counting.listings
    assert indexed_dates(dest) == whole


def test_the_parquet_table_of_an_unchanged_season_is_not_built_again(history, two_seasons, tmp_path, monkeypatch):
    dest = history
    before = published_bytes(dest)
    built: list[str] = []
    real = parquet.table_bytes
    monkeypatch.setattr(parquet, "table_bytes", lambda content: built.append(content["model"]) or real(content))
    outcome = export(two_seasons, FolderStore(dest), "daily")
    assert built == []
    tables = [result for result in outcome.report.results if result.path.endswith(".parquet")]
    assert tables and all(result.status == "unchanged" for result in tables)
    assert published_bytes(dest) == before


def test_a_parquet_table_not_written_with_its_season_file_is_built_again(history, two_seasons, tmp_path, monkeypatch):
    """A table whose record is not the season file's run's (or that was replaced by hand) is built and compared."""
    dest = history
    table = dest / "v1/subsets/seasons/2025-26.parquet"
    table.write_bytes(table.read_bytes())  # the same bytes by hand: its record no longer matches the file
    built: list[str] = []
    real = parquet.table_bytes
    monkeypatch.setattr(parquet, "table_bytes", lambda content: built.append(content["model"]) or real(content))
    export(two_seasons, FolderStore(dest), "daily")
    assert built  # the champion's current season at least
    table.write_bytes(b"not parquet")
    before = {path: data for path, data in published_bytes(dest).items() if not path.endswith(".parquet")}
    export(two_seasons, FolderStore(dest), "daily")
    assert table.read_bytes()[:4] == b"PAR1"
    assert {path: data for path, data in published_bytes(dest).items() if not path.endswith(".parquet")} == before
