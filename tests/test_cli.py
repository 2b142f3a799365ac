"""The command line through Typer's CliRunner: help, the demo, every command, exit codes and messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from picks_export.cli import app

TODAY = "2025-11-05"
runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"SOURCE_DATE_EPOCH": "1770478200", **(env or {})})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    result = invoke("demo", "--warehouse", str(path), "--today", TODAY, "--seed", "7")
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.stdout
    return path


@pytest.mark.parametrize("command", [[], ["demo"], ["daily"], ["backfill"], ["season"], ["validate"], ["estimate"]])
def test_help_of_every_command(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    if command:
        assert "Example: picks-export " + command[0] in result.stdout
    else:
        assert "Exit codes" in result.stdout and all(name in result.stdout for name in ("daily", "backfill", "validate"))


def test_daily_writes_and_says_where(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--date", TODAY, "--today", TODAY)
    assert result.exit_code == 0, result.output
    expected = ["manifest.json", "picks/2025-11-04.json", "picks/2025-11-05.json", "picks/index.json",
                "schemas/manifest.schema.json", "schemas/picks-day.schema.json", "schemas/picks-index.schema.json",
                "schemas/season.schema.json", "subsets/season.json", "subsets/seasons/2025-26.json"]
    assert sorted(path.relative_to(dest / "v1").as_posix() for path in dest.rglob("*.json")) == expected
    assert f"written       {dest / 'v1/picks/2025-11-05.json'}" in result.stdout
    assert "11 files: 11 written, 0 headers updated, 0 unchanged" in result.stdout
    assert "; 4 warehouse queries" in result.stdout
    today = orjson.loads((dest / "v1/picks/2025-11-05.json").read_bytes())
    yesterday = orjson.loads((dest / "v1/picks/2025-11-04.json").read_bytes())
    assert today["generated_at"] == "2026-02-07T15:30:00Z"
    assert all(pick["result"] is None for group in today["groups"] for pick in group["picks"])
    results = {pick["result"] for group in yesterday["groups"] for pick in group["picks"]}
    assert {"hit", "miss"} <= results


def test_daily_date_defaults_to_today(warehouse, tmp_path):
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(tmp_path), env={"PICKS_EXPORT_TODAY": TODAY})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v1/picks/2025-11-05.json").exists()


def test_options_read_from_environment(warehouse, tmp_path):
    env = {"PICKS_EXPORT_WAREHOUSE": str(warehouse), "PICKS_EXPORT_DEST": str(tmp_path), "PICKS_EXPORT_MODEL": "phoenix",
           "PICKS_EXPORT_DATE": TODAY, "PICKS_EXPORT_TODAY": TODAY, "PICKS_EXPORT_PREFIX": "v2"}
    result = invoke("daily", env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v2/models/phoenix/picks/2025-11-05.json").exists()


def test_backfill_writes_every_day_and_season_all_valid(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke("backfill", "--warehouse", str(warehouse), "--dest", str(dest), "--start", "2025-08-01",
                    "--end", TODAY, "--today", TODAY)
    assert result.exit_code == 0, result.output
    days = sorted(path.stem for path in (dest / "v1/picks").glob("20*.json"))
    assert days[0] == "2025-10-21" and days[-1] == TODAY
    assert "; 4 warehouse queries" in result.stdout
    checked = invoke("validate", str(dest))
    assert checked.exit_code == 0 and f"{len(days) + 4} files valid" in checked.stdout  # days, 2 season files, index, manifest


def test_season_command(warehouse, tmp_path):
    result = invoke("season", "--warehouse", str(warehouse), "--dest", str(tmp_path), "--season", "2025-26",
                    "--as-of", "2025-11-01", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    document = orjson.loads((tmp_path / "v1/subsets/seasons/2025-26.json").read_bytes())
    assert document["as_of"] == "2025-11-01" and not (tmp_path / "v1/subsets/season.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["season", "--season", "2025-2026"], 1, "not of the form 2025-26"),
        (["season", "--season", "2025-26", "--as-of", "2027-01-01"], 1, "not in season 2025-26"),
        (["backfill", "--start", "2025-11-05", "--end", "2025-11-01"], 1, "before --start"),
        (["daily", "--model", "nope"], 3, "no model with code 'nope'"),
        (["daily", "--dataset", "x`; DROP TABLE y; --"], 1, "not allowed"),
        (["daily", "--dataset", "other"], 5, "query models failed"),
        (["daily", "--prefix", "../up"], 1, "prefix"),
    ],
)
def test_user_mistakes_get_one_line(warehouse, tmp_path, args, code, message):
    result = invoke(*args, "--warehouse", str(warehouse), "--dest", str(tmp_path / "out"), "--today", TODAY)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_bad_date_is_a_usage_error(warehouse):
    result = invoke("daily", "--warehouse", str(warehouse), "--date", "2025-13-01")
    assert result.exit_code == 2 and "Invalid value for '--date'" in result.output


def test_missing_warehouse_says_to_run_demo(tmp_path):
    result = invoke("daily", "--warehouse", str(tmp_path / "none.duckdb"), "--dest", str(tmp_path / "out"))
    assert result.exit_code == 5
    assert "does not exist: run `picks-export demo`" in result.stderr


def test_validate_reports_file_and_json_path(tmp_path):
    good = {"date": "2026-01-14", "generated_at": "2026-01-14T15:00:00Z", "model": "926A", "signal": None, "groups": []}
    bad = {**good, "signal": "sunny", "system_id": "secret"}
    (tmp_path / "v1/picks").mkdir(parents=True)
    (tmp_path / "v1/picks/2026-01-14.json").write_bytes(orjson.dumps(good))
    (tmp_path / "v1/picks/2026-01-15.json").write_bytes(orjson.dumps(bad))
    (tmp_path / "v1/picks/2026-01-16.json").write_bytes(b"{not json")
    (tmp_path / "notes.json").write_bytes(b"{}")  # not a published kind: skipped in a folder
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 4
    assert '2026-01-15.json: $.signal: "sunny" is not one of' in result.stderr
    assert "2026-01-15.json: $: Additional properties are not allowed ('system_id' was unexpected)" in result.stderr
    assert "2026-01-16.json: $: not JSON" in result.stderr
    assert "2 of 3 files invalid" in result.stderr
    only_good = invoke("validate", str(tmp_path / "v1/picks/2026-01-14.json"))
    assert only_good.exit_code == 0 and "1 file valid" in only_good.stdout


def test_validate_nothing_found_is_an_error(tmp_path):
    assert invoke("validate", str(tmp_path)).exit_code == 4
    assert invoke("validate", str(tmp_path / "missing.json")).exit_code == 4


def test_backfill_all_models_writes_every_enabled_model_in_four_queries(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke("backfill", "--warehouse", str(warehouse), "--dest", str(dest), "--start", "2025-10-01",
                    "--end", TODAY, "--today", TODAY, "--all-models")
    assert result.exit_code == 0, result.output
    assert "; 4 warehouse queries in " in result.stdout
    champion = sorted(path.name for path in (dest / "v1/picks").glob("20*.json"))
    other = sorted(path.name for path in (dest / "v1/models/phoenix/picks").glob("20*.json"))
    assert champion and champion == other
    assert sorted(path.name for path in (dest / "v1/models").iterdir()) == ["phoenix"]  # not the disabled model
    for base in ("v1", "v1/models/phoenix"):
        index = orjson.loads((dest / base / "picks/index.json").read_bytes())
        assert [entry["date"] + ".json" for entry in index["dates"]] == champion[::-1]
    # the same files as one run per model
    single = tmp_path / "single"
    for model in ("926A", "phoenix"):
        assert invoke("backfill", "--warehouse", str(warehouse), "--dest", str(single), "--start", "2025-10-01",
                      "--end", TODAY, "--today", TODAY, "--model", model).exit_code == 0
    both = {path.relative_to(dest).as_posix(): path.read_bytes() for path in dest.rglob("*.json")}
    assert both == {path.relative_to(single).as_posix(): path.read_bytes() for path in single.rglob("*.json")}
    clash = invoke("backfill", "--warehouse", str(warehouse), "--dest", str(dest), "--start", TODAY, "--end", TODAY,
                   "--all-models", "--model", "phoenix")
    assert clash.exit_code == 1 and "--model and --all-models exclude each other" in clash.stderr


def test_progress_logs_plain_lines_off_a_terminal():
    import io

    from picks_export.cli import _Progress

    stream = io.StringIO()
    progress = _Progress("building", stream)
    progress(5, 10)
    assert stream.getvalue() == ""  # nothing for a short run
    progress.shown_at -= 11
    progress.started -= 10
    progress(50, 100)
    assert stream.getvalue().startswith("building: 50/100 files, 5 files/s, ETA 10 s\n")
