"""Publishing to a bucket, against a real GCS API server (fake-gcs-server): headers, gzip, skip-unchanged,
preconditions and races, the shrink guard, dry runs, retries and a server that goes away mid-run."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import threading
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from fakegcs import FaultProxy, client_for
from google.cloud import storage
from stores import BUCKETS

from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.errors import VolumeDropError
from picks_export.exporters.exporter import Exporter, Outcome
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.publish import (
    META_HASH,
    META_RUN,
    PublishFailed,
    PublishPolicy,
    PublishRefused,
    content_hash,
    file_hash,
)
from picks_export.exporters.quality import QualityOptions
from picks_export.exporters.stores.gcs import GCSStore
from picks_export.exporters.tables import TABLES, Rows
from picks_export.exporters.validation import SCHEMA_FILES, schema_text, types_text

TODAY = dt.date(2025, 11, 5)
FIRST = dt.date(2025, 10, 21)
PICK = {column: number for number, (column, _) in enumerate(TABLES["subset_picks"])}
_buckets = itertools.count()


@pytest.fixture(scope="module")
def demo_rows() -> Rows:
    return generate_demo(TODAY, 7)


@pytest.fixture(scope="module")
def warehouse(demo_rows, tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("w") / "warehouse.duckdb", demo_rows)


def export(
    warehouse: Path,
    url: str,
    bucket: str,
    *,
    first: dt.date = FIRST,
    generated_at: str = "2026-01-01T00:00:00Z",
    sink: GCSStore | None = None,
    min_volume: float = 0.5,
    **policy: Any,
) -> Outcome:
    sink = sink or GCSStore(bucket, client=client_for(url))
    options = ExportOptions(today=TODAY, generated_at=generated_at, quality=QualityOptions(min_volume=min_volume))
    engine = DuckDBEngine(warehouse)
    try:
        return Exporter(engine, sink, options, PublishPolicy(**{"retry_deadline": 5, **policy})).backfill(first, TODAY)
    finally:
        engine.close()


def objects(url: str, bucket: str) -> dict[str, storage.Blob]:
    return {
        blob.name: blob for blob in client_for(url).list_blobs(bucket) if "_runs/" not in blob.name
    }  # published only


def document(blob: storage.Blob) -> Any:
    data = blob.download_as_bytes()
    return orjson.loads(data) if blob.name.endswith(".json") else data  # the TypeScript declarations are text


def changed_warehouse(
    rows: Rows, tmp_path: Path, day: dt.date, player: str, *, drop: bool = False, **changes: Any
) -> Path:
    """The demo warehouse with one player's rows of one date changed (every version) or dropped."""
    picks = []
    for row in rows["subset_picks"]:
        if row[PICK["game_date"]] == day and row[PICK["player_name"]] == player:
            if drop:
                continue
            row = tuple(changes.get(column, value) for column, value in zip(PICK, row))
        picks.append(row)
    return write_warehouse(tmp_path / f"changed-{next(_buckets)}.duckdb", {**rows, "subset_picks": picks})


def a_pick(url: str, bucket: str, day: dt.date) -> str:
    content = document(objects(url, bucket)[f"v1/picks/{day}.json"])
    return next(pick["player"] for group in content["groups"] for pick in group["picks"])


def test_objects_carry_content_type_cache_control_gzip_and_content_hash(gcs, bucket, warehouse):
    outcome = export(warehouse, gcs.url, bucket)
    found = objects(gcs.url, bucket)
    assert sorted(found) == sorted(outcome.paths)
    cache = {
        "picks/20": "public, max-age=300",
        "subsets/": "public, max-age=3600",
        "picks/index": "public, max-age=300",
        "schemas/": "public, max-age=86400",
        "manifest.json": "public, max-age=300",  # the manifest: the index's
        "status.json": "no-cache",
    }
    types = found.pop("v1/schemas/picks-export.d.ts")
    assert types.content_type == "application/typescript" and types.cache_control == "public, max-age=86400"
    assert types.download_as_bytes() == types_text() and types.content_encoding == "gzip"
    table = found.pop("v1/subsets/seasons/2025-26.parquet")  # compressed already: not gzipped
    assert table.content_type == "application/vnd.apache.parquet" and table.cache_control == "public, max-age=3600"
    assert table.content_encoding is None and table.metadata[META_HASH] == file_hash(
        table.name, table.download_as_bytes()
    )
    for name, blob in found.items():
        assert blob.content_type == "application/json", name
        assert blob.content_encoding == "gzip", name
        (expected,) = [value for part, value in cache.items() if name.startswith("v1/" + part)]
        if (
            name.startswith("v1/picks/20")
            and name[9:19] <= str(TODAY - dt.timedelta(days=2))
            and blob.metadata["graded"] == "true"
        ):
            expected = "public, max-age=86400"  # a final day (--cache-final-day)
        assert blob.cache_control == expected, name
        assert blob.metadata[META_HASH] == content_hash(document(blob)), name
    day = found[f"v1/picks/{TODAY}.json"]
    picks = sum(len(group["picks"]) for group in document(day)["groups"])
    assert day.metadata["picks"] == str(picks) and day.metadata["graded"] == "false"
    assert found[f"v1/picks/{TODAY - dt.timedelta(days=1)}.json"].metadata["graded"] == "true"
    for kind, name in SCHEMA_FILES.items():
        assert found[f"v1/schemas/{name}"].download_as_bytes() == schema_text(kind)
    index = document(found["v1/picks/index.json"])
    days = sorted((name for name in found if name.startswith("v1/picks/20")), reverse=True)
    assert [entry["date"] for entry in index["dates"]] == [name[9:19] for name in days]


def test_plain_http_get_with_and_without_gzip_gives_the_json(gcs, bucket, warehouse):
    export(warehouse, gcs.url, bucket)
    expected = document(objects(gcs.url, bucket)["v1/subsets/season.json"])
    url = f"{gcs.url}/{bucket}/v1/subsets/season.json"  # the public host form the frontend uses
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "public, max-age=3600"
        assert orjson.loads(gzip.decompress(response.read())) == expected
    with urllib.request.urlopen(urllib.request.Request(url)) as response:
        assert response.headers.get("Content-Encoding") is None
        assert orjson.loads(response.read()) == expected


def test_gzip_is_deterministic_and_no_gzip_stores_plain_json(gcs, bucket, warehouse):
    export(warehouse, gcs.url, bucket, gzip=False)
    found = objects(gcs.url, bucket)
    blob = found[f"v1/picks/{TODAY}.json"]
    assert blob.content_encoding is None
    raw = urllib.request.urlopen(f"{gcs.url}/{bucket}/{blob.name}").read()
    assert raw.startswith(b'{"date":')
    # Turning gzip on re-uploads every object (its stored bytes change), with the same bytes each time.
    outcome = export(warehouse, gcs.url, bucket)
    # every object but the season's table (never gzipped, so its stored bytes stay)
    assert outcome.report.count("written") == len(found) - 1
    again = objects(gcs.url, bucket)[blob.name]
    assert again.content_encoding == "gzip" and again.size == len(gzip.compress(raw, 9, mtime=0))


def test_second_run_over_unchanged_data_uploads_nothing(gcs, bucket, warehouse):
    first = export(warehouse, gcs.url, bucket, generated_at="2026-01-01T00:00:00Z")
    generations = {name: blob.generation for name, blob in objects(gcs.url, bucket).items()}
    second = export(warehouse, gcs.url, bucket, generated_at="2026-01-02T00:00:00Z")
    # Only the status file, a heartbeat naming the run, is written again.
    assert [result.path for result in second.report.results if result.status == "written"] == ["v1/status.json"]
    assert second.report.count("unchanged") == len(first.paths) - 1
    found = objects(gcs.url, bucket)
    assert {name: blob.generation for name, blob in found.items() if name != "v1/status.json"} == {
        name: generation for name, generation in generations.items() if name != "v1/status.json"
    }
    assert document(found[f"v1/picks/{TODAY}.json"])["generated_at"] == "2026-01-01T00:00:00Z"


def test_one_changed_prediction_changes_its_day_and_season_files_only(gcs, bucket, warehouse, demo_rows, tmp_path):
    export(warehouse, gcs.url, bucket)
    before = objects(gcs.url, bucket)
    day = TODAY - dt.timedelta(days=3)
    changed = changed_warehouse(demo_rows, tmp_path, day, a_pick(gcs.url, bucket, day), predicted_points=99.0)
    outcome = export(changed, gcs.url, bucket)
    after = objects(gcs.url, bucket)
    moved = sorted(name for name in after if after[name].generation != before[name].generation)
    # The index and the manifest are rewritten after a run's files they are built from (so that a racing run's
    # older build fails its precondition), with the same bytes when their content did not change.
    assert moved == [
        "v1/manifest.json",
        f"v1/picks/{day}.json",
        "v1/picks/index.json",
        "v1/status.json",
        "v1/subsets/season.json",
        "v1/subsets/seasons/2025-26.json",
        "v1/subsets/seasons/2025-26.parquet",
    ]
    assert after["v1/picks/index.json"].md5_hash == before["v1/picks/index.json"].md5_hash
    assert sorted(result.path for result in outcome.report.results if result.status == "written") == moved
    assert any(pick["prediction"] == 99.0 for group in document(after[moved[1]])["groups"] for pick in group["picks"])


def test_one_dropped_pick_also_changes_the_index(gcs, bucket, warehouse, demo_rows, tmp_path):
    export(warehouse, gcs.url, bucket)
    before = objects(gcs.url, bucket)
    player = a_pick(gcs.url, bucket, TODAY)
    shown = [pick for group in document(before[f"v1/picks/{TODAY}.json"])["groups"] for pick in group["picks"]]
    dropped = sum(1 for pick in shown if pick["player"] == player)  # one per group that shows the player
    export(changed_warehouse(demo_rows, tmp_path, TODAY, player, drop=True), gcs.url, bucket)
    after = objects(gcs.url, bucket)
    moved = sorted(name for name in after if after[name].generation != before[name].generation)
    assert moved == [
        "v1/manifest.json",
        f"v1/picks/{TODAY}.json",
        "v1/picks/index.json",
        "v1/status.json",
        "v1/subsets/season.json",
        "v1/subsets/seasons/2025-26.json",
        "v1/subsets/seasons/2025-26.parquet",
    ]
    assert after["v1/picks/index.json"].md5_hash != before["v1/picks/index.json"].md5_hash
    entry = document(after["v1/picks/index.json"])["dates"][0]
    assert entry["date"] == str(TODAY) and entry["picks"] == int(after[moved[1]].metadata["picks"])
    assert entry["picks"] == len(shown) - dropped and dropped >= 1


def test_only_a_new_cache_policy_patches_headers_without_uploading(gcs, bucket, warehouse):
    export(warehouse, gcs.url, bucket)
    before = objects(gcs.url, bucket)
    outcome = export(
        warehouse,
        gcs.url,
        bucket,
        cache_control={
            "day": "public, max-age=60",
            "season": "public, max-age=3600",
            "index": "public, max-age=300",
            "schema": "public, max-age=86400",
        },
    )
    after = objects(gcs.url, bucket)
    # Final days keep --cache-final-day's policy; the others are patched; only the status file is written.
    days = [
        name
        for name in after
        if name.startswith("v1/picks/20") and after[name].cache_control != "public, max-age=86400"
    ]
    assert outcome.report.count("patched") == len(days) and outcome.report.count("written") == 1
    assert all(after[name].cache_control == "public, max-age=60" for name in days) and len(days) >= 2
    assert {name: blob.generation for name, blob in after.items() if name != "v1/status.json"} == {
        name: blob.generation for name, blob in before.items() if name != "v1/status.json"
    }


@pytest.mark.parametrize("command", ["daily", "backfill"])
def test_shrink_guard_refuses_the_run_and_allow_shrink_lets_it_through(
    gcs, bucket, warehouse, demo_rows, tmp_path, command
):
    export(warehouse, gcs.url, bucket)
    before = {name: blob.generation for name, blob in objects(gcs.url, bucket).items()}
    # Every version of today computed after tip-off: today's file would lose all its picks.
    rows = {
        **demo_rows,
        "subset_picks": [
            row[: PICK["computed_at"]] + (dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC),) + row[PICK["computed_at"] + 1 :]
            if row[PICK["game_date"]] == TODAY
            else row
            for row in demo_rows["subset_picks"]
        ],
    }
    emptied = write_warehouse(tmp_path / "emptied.duckdb", rows)
    first = TODAY if command == "daily" else FIRST
    with pytest.raises(VolumeDropError, match=f"{TODAY}: 0 shown picks"):  # the quality gate sees it first
        export(emptied, gcs.url, bucket, first=first)
    with pytest.raises(
        PublishRefused, match=f"v1/picks/{TODAY}.json: it has \\d+ picks published and would have none"
    ) as refused:
        export(emptied, gcs.url, bucket, first=first, min_volume=0.0)
    assert refused.value.exit_code == 7
    assert {name: blob.generation for name, blob in objects(gcs.url, bucket).items()} == before
    assert refused.value.report.count("refused") == 1 and refused.value.report.count("written") == 0
    with pytest.raises(VolumeDropError):  # --allow-shrink is the shrink guard's only
        export(emptied, gcs.url, bucket, first=first, allow_shrink=True)
    outcome = export(emptied, gcs.url, bucket, first=first, min_volume=0.0, allow_shrink=True)  # lets both through
    assert f"v1/picks/{TODAY}.json" in [result.path for result in outcome.report.results if result.status == "written"]
    assert document(objects(gcs.url, bucket)["v1/picks/index.json"])["dates"][0] == {
        "date": str(TODAY),
        "picks": 0,
        "graded": False,
    }


def test_dry_run_uploads_nothing_and_says_what_would_change(gcs, bucket, warehouse, demo_rows, tmp_path):
    fresh = export(warehouse, gcs.url, bucket, dry_run=True)
    assert objects(gcs.url, bucket) == {}
    assert set(fresh.report.actions.values()) == {"new"} and all(result.size > 0 for result in fresh.report.results)
    export(warehouse, gcs.url, bucket)
    before = {name: blob.generation for name, blob in objects(gcs.url, bucket).items()}
    day = TODAY - dt.timedelta(days=2)
    changed = changed_warehouse(demo_rows, tmp_path, day, a_pick(gcs.url, bucket, day), predicted_points=1.0)
    planned = export(changed, gcs.url, bucket, dry_run=True)
    assert sorted(path for path, action in planned.report.actions.items() if action == "changed") == [
        f"v1/picks/{day}.json",
        "v1/status.json",
        "v1/subsets/season.json",
        "v1/subsets/seasons/2025-26.json",
        "v1/subsets/seasons/2025-26.parquet",
    ]
    assert {name: blob.generation for name, blob in objects(gcs.url, bucket).items()} == before


def test_injected_503s_are_retried_and_the_run_succeeds(gcs, bucket, warehouse):
    proxy = FaultProxy(gcs.port)
    try:
        proxy.failures_left = 2  # the first listing fails twice
        proxy.fail_every = 4  # then every fourth request
        outcome = export(warehouse, proxy.url, bucket, retry_deadline=30)
    finally:
        proxy.close()
    assert proxy.injected >= 5
    assert outcome.report.failed == [] and outcome.report.count("written") == len(outcome.paths)
    found = objects(gcs.url, bucket)
    assert sorted(found) == sorted(outcome.paths)
    assert all(blob.metadata[META_HASH] == file_hash(name, blob.download_as_bytes()) for name, blob in found.items())


def test_server_gone_midway_fails_clearly_and_leaves_old_or_new_objects(gcs, bucket, warehouse, demo_rows, tmp_path):
    export(warehouse, gcs.url, bucket)
    old = {name: document(blob) for name, blob in objects(gcs.url, bucket).items()}
    # New data for every date: each object of the second run differs from the first.
    rows = {
        **demo_rows,
        "subset_picks": [
            row[: PICK["predicted_points"]] + (row[PICK["predicted_points"]] + 1,) + row[PICK["predicted_points"] + 1 :]
            for row in demo_rows["subset_picks"]
        ],
    }
    changed = write_warehouse(tmp_path / "plus-one.duckdb", rows)
    proxy = FaultProxy(gcs.port)
    # The listings, the bucket's versioning (off: each replaced object is first copied under _runs/), then six
    # copies and their uploads at most, then nothing.
    proxy.cut_after = 3 + 1 + 2 * 6
    try:
        with pytest.raises(PublishFailed) as failed:
            export(changed, proxy.url, bucket, retry_deadline=2, workers=2)
    finally:
        proxy.close()
    report = failed.value.report
    assert failed.value.exit_code == 6 and "not published" in str(failed.value)
    assert 0 < report.count("written") <= 6 and report.count("failed") > 0
    assert "cannot connect" in report.failed[0].detail or "gave up" in report.failed[0].detail
    # Later phases were not attempted: no season file or index points at a day file that is not there.
    assert all(result.status == "not attempted" for result in report.results if result.path.startswith("v1/subsets/"))
    found = objects(gcs.url, bucket)
    assert sorted(found) == sorted(old)
    written = {result.path for result in report.results if result.status == "written"}
    for name, blob in found.items():
        content = document(blob)  # whole JSON, never a partial object
        if name in written:
            assert content != old[name] and blob.metadata[META_HASH] == content_hash(content)
        else:
            assert content == old[name], name


def test_a_run_that_lost_a_race_to_a_newer_run_overwrites_nothing(gcs, bucket, warehouse, demo_rows, tmp_path):
    """Run A (older) lists the bucket, then run B (newer, other data) publishes everything, then A uploads."""
    export(warehouse, gcs.url, bucket)
    day = TODAY - dt.timedelta(days=1)
    newer = changed_warehouse(demo_rows, tmp_path, day, a_pick(gcs.url, bucket, day), predicted_points=42.0)
    older = changed_warehouse(demo_rows, tmp_path, day, a_pick(gcs.url, bucket, day), predicted_points=7.0)
    policy_a, policy_b = PublishPolicy(), PublishPolicy()
    assert policy_a.run < policy_b.run

    class Interleaved(GCSStore):
        def write(self, writes):
            if not hasattr(self, "raced"):
                self.raced = export(newer, gcs.url, bucket, run=policy_b.run)
            return super().write(writes)

    sink_a = Interleaved(bucket, client=client_for(gcs.url))
    outcome_a = export(older, gcs.url, bucket, sink=sink_a, run=policy_a.run)
    outcome_b = sink_a.raced
    changed = [f"v1/picks/{day}.json", "v1/subsets/season.json", "v1/subsets/seasons/2025-26.json"]
    status_a = {result.path: result.status for result in outcome_a.report.results}
    status_b = {result.path: result.status for result in outcome_b.report.results}
    assert [status_b[path] for path in changed] == ["written"] * 3
    assert [status_a[path] for path in changed] == ["superseded"] * 3
    found = objects(gcs.url, bucket)
    assert all(found[path].metadata[META_RUN] == policy_b.run for path in changed)
    assert any(pick["prediction"] == 42.0 for group in document(found[changed[0]])["groups"] for pick in group["picks"])
    # A run that starts after B finished but is older than B also leaves B's objects alone.
    late = export(older, gcs.url, bucket, run=policy_a.run)
    assert {result.path: result.status for result in late.report.results if result.path in changed} == dict.fromkeys(
        changed, "superseded"
    )


def test_two_runs_racing_freely_end_with_the_newer_version_and_report_only_their_own_uploads(
    gcs, warehouse, demo_rows, tmp_path
):
    for attempt in range(3):
        bucket = f"race-{attempt}-{next(_buckets)}"
        client_for(gcs.url).create_bucket(bucket)
        rows_a = {
            **demo_rows,
            "subset_picks": [
                row[: PICK["line"]] + (row[PICK["line"]] + 1,) + row[PICK["line"] + 1 :]
                for row in demo_rows["subset_picks"]
            ],
        }
        older, newer = write_warehouse(tmp_path / f"a{attempt}.duckdb", rows_a), warehouse
        policy_a, policy_b = PublishPolicy(), PublishPolicy()
        proxies = {"a": FaultProxy(gcs.port), "b": FaultProxy(gcs.port)}
        outcomes: dict[str, Outcome] = {}
        start = threading.Barrier(2)

        def run(name: str, path: Path, run_id: str) -> None:
            start.wait()
            outcomes[name] = export(path, proxies[name].url, bucket, run=run_id, workers=3)

        threads = [
            threading.Thread(target=run, args=("a", older, policy_a.run)),
            threading.Thread(target=run, args=("b", newer, policy_b.run)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for proxy in proxies.values():
            proxy.close()
        assert outcomes["a"].report.failed == [] and outcomes["b"].report.failed == []
        # Every object ends with the newer run's content: planning B's data again finds nothing to change.
        again = export(newer, gcs.url, bucket, dry_run=True)
        assert {action for path, action in again.report.actions.items() if path != "v1/status.json"} == {"unchanged"}
        assert outcomes["b"].report.count("written") > 0
        # a run reports "written" only for uploads that its own requests made, with that generation
        for name in ("a", "b"):
            uploads = proxies[name].uploads()
            for result in outcomes[name].report.results:
                if result.status == "written":
                    assert (result.path, result.generation) in uploads, (name, result.path)


def test_an_index_changed_between_its_listing_and_its_write_is_listed_and_built_again(gcs, bucket, warehouse):
    """After this run listed picks/ for its index, another writer adds a day file and writes the index: the upload
    gets HTTP 412 and the index is built again from a new listing, which counts the other writer's day."""
    client = client_for(gcs.url)
    extra = "v1/picks/2025-10-01.json"
    index_puts: list[int | None] = []

    class Meddled(GCSStore):
        def write(self, writes):
            for write in writes:
                if write.path != "v1/picks/index.json":
                    continue
                index_puts.append(write.expected and write.expected.generation)
                if len(index_puts) == 1:
                    day = client.bucket(bucket).blob(extra)
                    day.metadata = {META_HASH: "other", META_RUN: "0", "picks": "3", "graded": "true"}
                    day.upload_from_string(b'{"groups": []}', content_type="application/json")
                    client.bucket(bucket).blob("v1/picks/index.json").upload_from_string(b'{"dates": []}')
            return super().write(writes)

    outcome = export(warehouse, gcs.url, bucket, sink=Meddled(bucket, client=client))
    found = objects(gcs.url, bucket)
    # first against no index at all (HTTP 412: the other writer's was there), then against the other writer's
    assert len(index_puts) == 2 and index_puts[0] is None and index_puts[1] is not None
    status = {result.path: result.status for result in outcome.report.results}
    assert status["v1/picks/index.json"] == "written"
    index = document(found["v1/picks/index.json"])
    days = sorted((name[9:19] for name in found if name.startswith("v1/picks/20")), reverse=True)
    assert [entry["date"] for entry in index["dates"]] == days and extra[9:19] in days
    assert index["dates"][-1] == {"date": "2025-10-01", "picks": 3, "graded": True}


@pytest.mark.parametrize("kind", BUCKETS)
def test_every_bucket_gets_headers_gzip_and_hashes_and_a_second_run_writes_only_the_status_file(
    kind, destination, warehouse
):
    dest = destination(kind)
    first = export(warehouse, "", "", sink=dest.store())
    found = dest.published()
    assert sorted(found) == sorted(first.paths)
    table = found["v1/subsets/seasons/2025-26.parquet"]  # compressed already: not gzipped
    assert (table.content_encoding, table.content_type) == (None, "application/vnd.apache.parquet")
    for name, each in found.items():
        if name.endswith(".parquet"):
            assert each.metadata[META_HASH] == file_hash(name, each.data), name
            continue
        assert each.content_encoding == "gzip", name
        assert each.content_type == ("application/typescript" if name.endswith(".ts") else "application/json"), name
        assert each.cache_control is not None and each.cache_control.startswith(("public, max-age=", "no-cache")), name
        assert each.metadata[META_HASH] == file_hash(name, each.data), name
    versions = {name: each.version for name, each in found.items() if name != "v1/status.json"}
    second = export(warehouse, "", "", sink=dest.store(), generated_at="2026-01-02T00:00:00Z")
    assert [result.path for result in second.report.results if result.status == "written"] == ["v1/status.json"]
    assert {name: each.version for name, each in dest.published().items() if name != "v1/status.json"} == versions
