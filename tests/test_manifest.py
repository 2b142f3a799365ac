"""v1/manifest.json: every model's files found in one fetch, kept right by every kind of run and published last."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from conftest import GENERATED_AT

from picks_export.exporters.manifest import api_version, manifest_document
from picks_export.exporters.validation import problems, validate_paths

DAY = dt.date(2026, 1, 14)
MANIFEST = "v1/manifest.json"


def entry(manifest: dict, code: str) -> dict:
    (found,) = [model for model in manifest["models"] if model["code"] == code]
    return found


def test_daily_manifest_lists_the_schemas_and_the_models_dates_and_seasons(rows, run):
    rows.graded_pick(DAY - dt.timedelta(days=2), "Graded", "hit")
    yesterday = rows.pick(DAY - dt.timedelta(days=1), "Half graded")
    rows.pick(DAY - dt.timedelta(days=1), "Not yet", rank=2)
    rows.result(DAY - dt.timedelta(days=1), yesterday, 25)
    rows.pick(DAY, "Today")
    rows.graded_pick(dt.date(2025, 1, 10), "Last season", "miss")  # a season file of 2024-25
    result = run(rows, today=DAY)
    result.exporter().backfill(dt.date(2025, 1, 10), DAY - dt.timedelta(days=2))
    result.exporter().daily(DAY)
    manifest = result.read(MANIFEST)
    assert not problems("manifest", manifest, MANIFEST)
    assert list(manifest) == ["api_version", "generated_at", "default_model", "schemas", "status", "models"]
    assert manifest["status"] == "v1/status.json" and not problems("status", result.read(manifest["status"]), "status")
    assert manifest["api_version"] == "v1" and manifest["generated_at"] == GENERATED_AT
    assert manifest["default_model"] == "A"
    assert manifest["schemas"] == {
        "day": "v1/schemas/picks-day.schema.json",
        "season": "v1/schemas/season.schema.json",
        "index": "v1/schemas/picks-index.schema.json",
        "manifest": "v1/schemas/manifest.schema.json",
        "types": "v1/schemas/picks-export.d.ts",
    }
    assert manifest["models"] == [
        {
            "code": "A",
            "name": "Model A",
            "default": True,
            "path": "v1/",
            "index": "v1/picks/index.json",
            "current_season": "2025-26",
            "latest_date": "2026-01-14",
            "latest_graded_date": "2026-01-12",  # the 13th has a pick without a result
            "seasons": [
                {
                    "season": "2025-26",
                    "path": "v1/subsets/seasons/2025-26.json",
                    "as_of": "2026-01-13",
                    "first_date": "2026-01-12",
                    "last_date": "2026-01-14",
                    "parquet": "v1/subsets/seasons/2025-26.parquet",
                },
                {
                    "season": "2024-25",
                    "path": "v1/subsets/seasons/2024-25.json",
                    "as_of": "2025-01-10",
                    "first_date": "2025-01-10",
                    "last_date": "2025-01-10",
                    "parquet": "v1/subsets/seasons/2024-25.parquet",
                },
            ],
        }
    ]
    for path in manifest["schemas"].values():  # what it points to is there (the types once they are published)
        assert (result.dest / path).is_file() or path.endswith(".d.ts")


def test_backfill_of_all_models_lists_each_default_first_and_a_one_model_run_keeps_the_others(rows, run):
    rows.models.append(("sys-c", "C", "Model C", False, True))
    rows.graded_pick(DAY - dt.timedelta(days=1), "A's pick", "hit")
    rows.pick(DAY - dt.timedelta(days=1), "B's pick", system="sys-b")
    result = run(rows, today=DAY)
    result.exporter().backfill(DAY - dt.timedelta(days=3), DAY, all_models=True)
    manifest = result.read(MANIFEST)
    assert [model["code"] for model in manifest["models"]] == ["A", "B", "C"]
    assert [model["path"] for model in manifest["models"]] == ["v1/", "v1/models/B/", "v1/models/C/"]
    assert entry(manifest, "B")["index"] == "v1/models/B/picks/index.json"
    assert entry(manifest, "B")["latest_date"] == "2026-01-13" and entry(manifest, "B")["latest_graded_date"] is None
    # C has no picks: its season file exists but has no dates, nor records.
    assert entry(manifest, "C")["latest_date"] is None
    assert entry(manifest, "C")["seasons"] == [
        {
            "season": "2025-26",
            "path": "v1/models/C/subsets/seasons/2025-26.json",
            "as_of": None,
            "first_date": None,
            "last_date": None,
            "parquet": "v1/models/C/subsets/seasons/2025-26.parquet",
        }
    ]
    before_a = entry(manifest, "A")

    # A run for B alone: B's entry is rebuilt (a new date), A's and C's are kept as they were.
    rows.pick(DAY, "B's new pick", system="sys-b")
    later = run(rows, today=DAY, model="B", generated_at="2026-02-08T00:00:00Z")
    later.exporter().daily(DAY)
    manifest = later.read(MANIFEST)
    assert manifest["generated_at"] == "2026-02-08T00:00:00Z"
    assert [model["code"] for model in manifest["models"]] == ["A", "B", "C"]
    assert entry(manifest, "A") == before_a
    assert entry(manifest, "B")["latest_date"] == "2026-01-14"
    assert manifest["default_model"] == "A"

    # C is disabled: a one-model run keeps its entry; only a run over every enabled model drops it.
    rows.models[2] = ("sys-c", "C", "Model C", False, False)
    run(rows, today=DAY).exporter().daily(DAY)
    assert [model["code"] for model in result.read(MANIFEST)["models"]] == ["A", "B", "C"]
    run(rows, today=DAY).exporter().daily(DAY, all_models=True)
    assert [model["code"] for model in result.read(MANIFEST)["models"]] == ["A", "B"]


def test_a_one_model_run_of_a_new_champion_replaces_the_former_one_at_the_root(rows, run):
    rows.pick(DAY, "Pick")
    rows.pick(DAY, "Pick", system="sys-b")
    run(rows, today=DAY).exporter().daily(DAY, all_models=True)
    rows.models[:2] = [("sys-a", "A", "Model A", False, True), ("sys-b", "B", "Model B", True, True)]
    result = run(rows, today=DAY)
    result.exporter().daily(DAY)  # B alone, now the champion, at v1/
    manifest = result.read(MANIFEST)
    assert manifest["default_model"] == "B"
    assert [(model["code"], model["path"], model["default"]) for model in manifest["models"]] == [("B", "v1/", True)]


def test_the_manifest_is_planned_and_written_last_and_is_valid(rows, run):
    rows.pick(DAY, "Pick")
    rows.pick(DAY, "Pick", system="sys-b")
    result = run(rows, today=DAY)
    outcome = result.exporter().daily(DAY, all_models=True)
    paths = outcome.paths
    # The manifest is the last file readers find things through; only the status file follows it.
    assert paths[-2:] == [MANIFEST, "v1/status.json"] and paths.count(MANIFEST) == 1
    assert paths.index("v1/models/B/picks/index.json") < paths.index(MANIFEST)
    assert paths.index("v1/picks/index.json") < paths.index(MANIFEST)
    checked, found = validate_paths([result.dest])
    # every JSON file but the schemas is checked (a season's table has no schema: it is read back when built)
    documents = [path for path in paths if not path.startswith("v1/schemas/") and path.endswith(".json")]
    assert not found and checked == len(documents) and len(documents) < len(paths) - 6
    again = result.exporter().daily(DAY, all_models=True)
    assert {each.path: each.status for each in again.report.results}[MANIFEST] == "unchanged"


def test_a_damaged_or_foreign_manifest_is_replaced_from_this_runs_models(rows, run):
    rows.pick(DAY, "Pick")
    result = run(rows, today=DAY)
    (result.dest / "v1").mkdir(parents=True)
    (result.dest / MANIFEST).write_bytes(b'{"models": [{"code": "X"}]}')
    result.exporter().daily(DAY)
    assert [model["code"] for model in result.read(MANIFEST)["models"]] == ["A"]
    (result.dest / MANIFEST).write_bytes(b"not json")
    result.exporter().daily(DAY)
    assert [model["code"] for model in result.read(MANIFEST)["models"]] == ["A"]


def test_the_manifest_under_another_prefix_names_its_paths_with_it(rows, run):
    rows.pick(DAY, "Pick")
    result = run(rows, today=DAY, prefix="site/v2")
    result.exporter().daily(DAY)
    manifest = orjson.loads((result.dest / "site/v2/manifest.json").read_bytes())
    assert manifest["api_version"] == "v2"
    assert manifest["schemas"]["day"] == "site/v2/schemas/picks-day.schema.json"
    assert entry(manifest, "A")["index"] == "site/v2/picks/index.json"
    assert entry(manifest, "A")["seasons"][0]["path"] == "site/v2/subsets/seasons/2025-26.json"


@pytest.mark.parametrize(("prefix", "version"), [("v1/", "v1"), ("v2/", "v2"), ("site/v3/", "v3"), ("", "v1")])
def test_api_version_comes_from_the_prefix(prefix, version):
    assert api_version(prefix) == version
    assert manifest_document(prefix, GENERATED_AT, [])["default_model"] is None
