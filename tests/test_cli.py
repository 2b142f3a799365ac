"""The command line through Typer's CliRunner: help, the demo, every command, exit codes and messages."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from conftest import invoke, published_bytes

TODAY = "2025-11-05"


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
        assert "\n  Examples:\n    picks-export " + command[0] in result.stdout
        assert "Exit codes: 0 success;" in result.stdout
    else:
        assert "Exit codes" in result.stdout and all(
            name in result.stdout for name in ("daily", "backfill", "validate")
        )


def test_daily_writes_and_says_where(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke(
        "daily", "--warehouse", str(warehouse), "--dest", str(dest), "--date", TODAY, "--today", TODAY, "-v"
    )
    assert result.exit_code == 0, result.output
    # The season up to the day: every date of it with shown picks (the demo's first is 2025-10-21).
    season_days = [f"picks/2025-10-{day}.json" for day in range(21, 32)]
    season_days += [f"picks/2025-11-0{day}.json" for day in range(1, 6)]
    expected = [
        "manifest.json",
        *season_days,
        "picks/index.json",
        "schemas/manifest.schema.json",
        "schemas/picks-day.schema.json",
        "schemas/picks-index.schema.json",
        "schemas/season.schema.json",
        "schemas/status.schema.json",
        "status.json",
        "subsets/season.json",
        "subsets/seasons/2025-26.json",
    ]
    assert sorted(path.relative_to(dest / "v1").as_posix() for path in (dest / "v1").rglob("*.json")) == expected
    assert f"written       {dest / 'v1/picks/2025-11-05.json'}" in result.stdout
    # the documents, and the season's table beside its file
    assert sorted(path.relative_to(dest / "v1").as_posix() for path in (dest / "v1").rglob("*.parquet")) == [
        "subsets/seasons/2025-26.parquet"
    ]
    assert "28 files: 28 written, 0 patched, 0 unchanged" in result.stdout
    assert "; 7 warehouse queries" in result.stdout
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
    env = {
        "PICKS_EXPORT_WAREHOUSE": str(warehouse),
        "PICKS_EXPORT_DEST": str(tmp_path),
        "PICKS_EXPORT_MODEL": "phoenix",
        "PICKS_EXPORT_DATE": TODAY,
        "PICKS_EXPORT_TODAY": TODAY,
        "PICKS_EXPORT_PREFIX": "v2",
    }
    result = invoke("daily", env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v2/models/phoenix/picks/2025-11-05.json").exists()


def test_backfill_writes_every_day_and_season_all_valid(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke(
        "backfill",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--start",
        "2025-08-01",
        "--end",
        TODAY,
        "--today",
        TODAY,
    )
    assert result.exit_code == 0, result.output
    days = sorted(path.stem for path in (dest / "v1/picks").glob("20*.json"))
    assert days[0] == "2025-10-21" and days[-1] == TODAY
    assert "; 7 warehouse queries" in result.stdout
    checked = invoke("validate", str(dest))
    assert (
        checked.exit_code == 0 and f"{len(days) + 5} files valid" in checked.stdout
    )  # days, 2 season files, index, manifest, status


def test_season_command(warehouse, tmp_path):
    result = invoke(
        "season",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(tmp_path),
        "--season",
        "2025-26",
        "--as-of",
        "2025-11-01",
        "--today",
        "2026-11-23",
    )
    assert result.exit_code == 0, result.output
    document = orjson.loads((tmp_path / "v1/subsets/seasons/2025-26.json").read_bytes())
    assert document["as_of"] == "2025-11-01" and not (tmp_path / "v1/subsets/season.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["season", "--season", "2025-2026"], 1, "not of the form 2025-26"),
        (["season", "--season", "2025-26", "--as-of", "2027-01-01"], 1, "not in season 2025-26"),
        (["backfill", "--start", "2025-11-05", "--end", "2025-11-01"], 1, "before --start"),
        (["daily", "--model", "nope"], 1, "no model with code 'nope'"),
        (["daily", "--dataset", "x`; DROP TABLE y; --"], 1, "not allowed"),
        (["daily", "--dataset", "other"], 5, "dataset other does not exist or holds none of the contract's tables"),
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
    assert result.stderr.splitlines()[-1] == "Error: 2 of 3 files invalid"
    only_good = invoke("validate", str(tmp_path / "v1/picks/2026-01-14.json"))
    assert only_good.exit_code == 0 and "1 file valid" in only_good.stdout


def test_validate_nothing_found_is_an_error(tmp_path):
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1 and result.stdout == ""


def test_backfill_all_models_writes_every_enabled_model_in_seven_queries(warehouse, tmp_path):
    dest = tmp_path / "public"
    result = invoke(
        "backfill",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--start",
        "2025-10-01",
        "--end",
        TODAY,
        "--today",
        TODAY,
        "--all-models",
        env={"PICKS_EXPORT_BUILD_WORKERS": "1"},
    )
    assert result.exit_code == 0, result.output
    assert "; 7 warehouse queries in " in result.stdout  # in one process; each further build worker adds one
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
        assert (
            invoke(
                "backfill",
                "--warehouse",
                str(warehouse),
                "--dest",
                str(single),
                "--start",
                "2025-10-01",
                "--end",
                TODAY,
                "--today",
                TODAY,
                "--model",
                model,
            ).exit_code
            == 0
        )
    both = published_bytes(dest)  # the status file names its run: compared apart
    assert both == published_bytes(single)
    runs = [orjson.loads((folder / "v1/status.json").read_bytes()) for folder in (dest, single)]
    assert [[{**entry, "checked_by_run": "", "checked_at": ""} for entry in status["models"]] for status in runs] == [
        [{**entry, "checked_by_run": "", "checked_at": ""} for entry in runs[1]["models"]]
    ] * 2
    clash = invoke(
        "backfill",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--start",
        TODAY,
        "--end",
        TODAY,
        "--all-models",
        "--model",
        "phoenix",
    )
    assert clash.exit_code == 1 and "--model and --all-models exclude each other" in clash.stderr


def test_progress_logs_plain_lines_off_a_terminal():
    import io

    from picks_export.cli.progress import Progress

    stream = io.StringIO()
    progress = Progress("building", stream)
    progress(5, 10)
    assert stream.getvalue() == ""  # nothing for a short run
    progress.shown_at -= 11
    progress.started -= 10
    progress(50, 100)
    assert stream.getvalue().startswith("building: 50/100 files, 5 files/s, ETA 10 s\n")


# --- never silently wrong: hostile inputs end in one `Error:` line and publish nothing ---------------------------


def published(dest: Path) -> dict[str, bytes]:
    """Every file under `dest`, the folder sink's lock and records included: what a refused run must not touch."""
    return {path.relative_to(dest).as_posix(): path.read_bytes() for path in sorted(dest.rglob("*")) if path.is_file()}


@pytest.fixture
def populated(warehouse, tmp_path) -> Path:
    """A destination holding a good daily run, to prove a refused run leaves every byte as it was."""
    dest = tmp_path / "public"
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--date", TODAY, "--today", TODAY)
    assert result.exit_code == 0, result.output
    return dest


def assert_one_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["daily", "--date", "9999-12-31"], 1, "--date 9999-12-31 is out of range: dates must be between 1900-01-01"),
        (["daily", "--date", "1899-12-31"], 1, "--date 1899-12-31 is out of range"),
        (["backfill", "--start", "0001-01-01", "--end", TODAY], 1, "--start 0001-01-01 is out of range"),
        (["backfill", "--start", TODAY, "--end", "9999-12-31"], 1, "--end 9999-12-31 is out of range"),
        (["season", "--season", "9999-00"], 1, "season '9999-00' is out of the calendar"),
        (["season", "--season", "1850-51"], 1, "season 1850-51 is out of range"),
        (["season", "--season", ""], 1, "season '' is not of the form 2025-26"),
        (["season", "--season", "2025-26", "--today", "9999-12-31"], 1, "--today 9999-12-31 is out of range"),
        (
            ["daily", "--date", "2027-05-01"],
            1,
            "--date 2027-05-01 is more than a day after today (2025-11-05) and"
            " model 926A has no shown picks that day: nothing published",
        ),
        (["daily", "--date", "2025-11-07", "--all-models"], 1, "is more than a day after today"),
        (["daily", "--warehouse", ""], 5, "--warehouse is empty"),
        (["daily", "--prefix", "../x"], 1, "prefix '../x/' is not a plain folder path"),
    ],
)
def test_hostile_inputs_publish_nothing(warehouse, populated, args, code, message):
    before = published(populated)
    result = invoke(args[0], "--warehouse", str(warehouse), "--dest", str(populated), "--today", TODAY, *args[1:])
    assert_one_error(result, code, message)
    assert published(populated) == before


def test_a_warehouse_that_is_a_folder_or_not_duckdb_is_refused(populated, tmp_path):
    before = published(populated)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database\n" * 100)
    for warehouse, message in ((tmp_path, "is a folder, not a DuckDB file"), (junk, "cannot open warehouse")):
        result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(populated), "--today", TODAY)
        assert_one_error(result, 5, message)
    assert published(populated) == before


def test_an_empty_dest_is_refused_rather_than_writing_here(warehouse, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", "", "--today", TODAY)
    assert_one_error(result, 1, "--dest is empty")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PICKS_EXPORT_WORKERS", "many"),
        ("PICKS_EXPORT_DATE", "tomorrow"),
        ("PICKS_EXPORT_ALL_MODELS", "perhaps"),
        ("PICKS_EXPORT_RETRY_DEADLINE", "-1"),
    ],
)
def test_junk_in_environment_variables_is_a_usage_error(warehouse, populated, variable, value):
    before = published(populated)
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(populated), env={variable: value})
    assert result.exit_code == 2 and "Invalid value" in result.output and "Traceback" not in result.output
    assert published(populated) == before


def test_demo_refuses_a_date_out_of_range(tmp_path):
    result = invoke("demo", "--warehouse", str(tmp_path / "w.duckdb"), "--today", "9999-12-31")
    assert_one_error(result, 1, "--today 9999-12-31 is out of range")
    assert not any(tmp_path.iterdir())


def test_a_future_date_with_shown_picks_is_published(warehouse, tmp_path):
    # Two days ahead of "today", but the warehouse already has that day's picks: a legitimate early run.
    result = invoke(
        "daily", "--warehouse", str(warehouse), "--dest", str(tmp_path), "--date", TODAY, "--today", "2025-11-03"
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads((tmp_path / "v1/picks/2025-11-05.json").read_bytes())["groups"]
    tomorrow = invoke(
        "daily", "--warehouse", str(warehouse), "--dest", str(tmp_path), "--date", "2025-11-06", "--today", TODAY
    )
    assert tomorrow.exit_code == 0, tomorrow.output  # one day ahead: today's run in another time zone, allowed


def test_backfill_writes_season_files_only_for_seasons_with_picks_the_current_one_or_published(warehouse, tmp_path):
    dest = tmp_path / "public"
    (dest / "v1/subsets/seasons").mkdir(parents=True)
    (dest / "v1/subsets/seasons/2020-21.json").write_bytes(b"{}")  # published earlier: rebuilt, not left stale
    result = invoke(
        "backfill",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--start",
        "2019-08-01",
        "--end",
        TODAY,
        "--today",
        "2026-11-25",
    )
    assert result.exit_code == 0, result.output
    seasons = sorted(path.name for path in (dest / "v1/subsets/seasons").iterdir())
    # each season file with its table; not 2019-20 ... 2024-25; 2026-27 is not in the range
    assert seasons == ["2020-21.json", "2020-21.parquet", "2025-26.json", "2025-26.parquet"]
    assert pq.read_metadata(dest / "v1/subsets/seasons/2020-21.parquet").num_rows == 0  # a season without picks
    assert orjson.loads((dest / "v1/subsets/seasons/2020-21.json").read_bytes())["season"] == "2020-21"
    current = invoke(
        "backfill",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--start",
        "2025-10-01",
        "--end",
        "2026-11-25",
        "--today",
        "2026-11-25",
    )
    assert current.exit_code == 0, current.output
    assert (dest / "v1/subsets/seasons/2026-27.json").exists()  # the current season, even without picks yet
    assert orjson.loads((dest / "v1/subsets/season.json").read_bytes())["season"] == "2026-27"


def test_validate_a_missing_path_is_one_error_line(tmp_path):
    result = invoke("validate", str(tmp_path / "missing.json"))
    assert_one_error(result, 1, "missing.json: no such file or folder")


def test_validate_skips_folders_named_like_files_and_reports_dangling_links(tmp_path):
    good = {"date": "2026-01-14", "generated_at": "2026-01-14T15:00:00Z", "model": "926A", "signal": None, "groups": []}
    (tmp_path / "v1/picks/2026-01-13.json").mkdir(parents=True)  # a folder named like a per-day file
    (tmp_path / "v1/picks/2026-01-14.json").write_bytes(orjson.dumps(good))
    assert invoke("validate", str(tmp_path)).exit_code == 0
    (tmp_path / "v1/picks/2026-01-15.json").symlink_to(tmp_path / "gone.json")
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 4 and "Traceback" not in result.output
    assert "2026-01-15.json: $: cannot read: No such file or directory" in result.stderr
    assert result.stderr.splitlines()[-1] == "Error: 1 of 2 files invalid"
    direct = invoke("validate", str(tmp_path / "v1/picks/2026-01-15.json"))
    assert direct.exit_code == 4 and "cannot read" in direct.stderr


def _damage(file: Path, how: str) -> None:
    file.unlink()
    if how == "folder":
        file.mkdir()
    elif how == "pipe":
        os.mkfifo(file)
    elif how == "dangling link":
        file.symlink_to(file.with_name("gone"))
    else:
        file.write_bytes(how.encode())


@pytest.mark.parametrize(
    "how",
    [
        "{not json",
        '{"select 1": 1}',
        "42",
        "[1, 2]",
        "[]",
        '[""]',
        '["select 1", null]',
        "folder",
        "pipe",
        "dangling link",
    ],
)
def test_a_damaged_sql_cache_costs_only_the_transpile(warehouse, tmp_path, monkeypatch, how):
    from picks_export.exporters.engines.duckdb_engine import transpile

    cache = tmp_path / "cache"
    args = ["daily", "--warehouse", str(warehouse), "--date", TODAY, "--today", TODAY]
    assert invoke(*args, "--dest", str(tmp_path / "plain"), env={"PICKS_EXPORT_NO_SQL_CACHE": "1"}).exit_code == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    transpile.cache_clear()
    assert invoke(*args, "--dest", str(tmp_path / "warm")).exit_code == 0
    files = sorted((cache / "picks-export/sql").iterdir())
    assert files
    for file in files:
        _damage(file, how)
    transpile.cache_clear()  # as in a new process: the files are read again
    result = invoke(*args, "--dest", str(tmp_path / "damaged"))
    assert result.exit_code == 0 and not result.stderr, result.output
    assert published_bytes(tmp_path / "damaged") == published_bytes(tmp_path / "plain")
    if how != "folder":  # repaired in place, except where a folder stands
        assert all(orjson.loads(file.read_bytes())[0].strip() for file in files)
    transpile.cache_clear()


def _other_data(path: Path) -> None:
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE accounts AS SELECT 1 AS id")


@pytest.mark.parametrize("existing", ["not duckdb", "other tables", "demo plus a table"])
def test_demo_replaces_only_a_previous_demo_unless_forced(tmp_path, existing):
    target = tmp_path / "warehouse.duckdb"
    if existing == "not duckdb":
        target.write_bytes(b"precious notes\n")
    elif existing == "other tables":
        _other_data(target)
    else:
        assert invoke("demo", "--warehouse", str(target), "--today", TODAY).exit_code == 0
        _other_data(target)
    before = target.read_bytes()
    result = invoke("demo", "--warehouse", str(target), "--today", TODAY)
    assert_one_error(result, 1, f"warehouse {target} holds something other than a previous demo: pass --force")
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["warehouse.duckdb"]  # no temporary file either
    forced = invoke("demo", "--warehouse", str(target), "--today", TODAY, "--force")
    assert forced.exit_code == 0, forced.output
    assert invoke("demo", "--warehouse", str(target), "--today", TODAY).exit_code == 0  # now a demo again


@pytest.mark.parametrize("existing", ["a folder", "a pipe"])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_demo_never_replaces_what_is_not_a_file_even_forced(tmp_path, existing, force):
    """`--force` replaces a file, never a folder or a device (say /dev/null as root) with a DuckDB file."""
    target = tmp_path / "warehouse.duckdb"
    target.mkdir() if existing == "a folder" else os.mkfifo(target)
    result = invoke("demo", "--warehouse", str(target), "--today", TODAY, *force)
    assert_one_error(result, 1, f"warehouse {target} is not a file: give a file's path")
    assert target.is_dir() if existing == "a folder" else target.is_fifo()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_demo_replaces_a_previous_demo_or_an_empty_file(tmp_path):
    target = tmp_path / "warehouse.duckdb"
    target.write_bytes(b"")
    assert invoke("demo", "--warehouse", str(target), "--today", TODAY).exit_code == 0
    again = invoke("demo", "--warehouse", str(target), "--today", "2025-11-06")
    assert again.exit_code == 0, again.output
    assert again.stderr == "" and str(target) in again.stdout


# --- settings read at the edge ------------------------------------------------------------------------------------


def test_settings_are_read_once_from_the_environment_and_handed_to_the_library(tmp_path, monkeypatch):
    import sys

    import platformdirs

    from picks_export.cli.settings import Settings

    read = Settings.read(
        {"PICKS_EXPORT_BUILD_WORKERS": "3", "SOURCE_DATE_EPOCH": "1770478200", "XDG_CACHE_HOME": str(tmp_path)}
    )
    assert read == Settings(3, "2026-02-07T15:30:00Z", tmp_path / "picks-export" / "sql")
    assert Settings.read({"PICKS_EXPORT_NO_SQL_CACHE": "1"}).sql_cache is None
    assert Settings.read({}).build_workers >= 1
    # without XDG_CACHE_HOME: the user's cache folder, as platformdirs names it
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert Settings.read({}).sql_cache == platformdirs.user_cache_path("picks-export", appauthor=False) / "sql"
    assert Settings.read({"XDG_CACHE_HOME": str(tmp_path)}).sql_cache == tmp_path / "picks-export" / "sql"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # platformdirs honours it too (on Linux)
    assert (
        sys.platform != "linux"
        or platformdirs.user_cache_path("picks-export", appauthor=False) / "sql" == tmp_path / "picks-export" / "sql"
    )


@pytest.mark.parametrize("name, value, message", [
    ("PICKS_EXPORT_BUILD_WORKERS", "many", "PICKS_EXPORT_BUILD_WORKERS='many' is not a whole number of at least 1"),
    ("SOURCE_DATE_EPOCH", "soon", "SOURCE_DATE_EPOCH='soon' is not a whole number of seconds"),
])  # fmt: skip
def test_a_bad_setting_is_one_line_before_the_run(warehouse, tmp_path, name, value, message):
    out = tmp_path / "out"
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(out), "--today", TODAY, env={name: value})
    assert result.exit_code == 1 and result.stderr == f"Error: {message}\n"
    assert not out.exists()


def test_the_engines_read_no_environment_variable():
    import picks_export.exporters.engines as engines

    for file in Path(engines.__file__).parent.glob("*.py"):
        text = file.read_text()
        assert "os.environ" not in text and "getenv" not in text, file.name
