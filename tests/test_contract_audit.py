"""Rules of docs/contract.md that no other test pins by an exact value: each a small hand-checked case."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import group

D = dt.date
DAY = D(2026, 1, 14)  # a Wednesday
ZERO = {"wins": 0, "losses": 0, "pushes": 0, "pct": None}


def names(document, subset: str = "top") -> list[str]:
    return [pick["player"] for pick in group(document, subset)["picks"]]


# Section 2: the season file's as_of


def test_as_of_is_the_latest_date_with_a_hit_miss_or_push_of_any_subset_never_a_void(rows, run):
    rows.graded_pick(DAY, "Hit", "hit")
    rows.graded_pick(DAY + dt.timedelta(days=1), "Second Push", "push", subset="second")
    rows.graded_pick(DAY + dt.timedelta(days=2), "Void", "dnp")
    rows.pick(DAY + dt.timedelta(days=3), "Ungraded")
    document = run(rows, today=DAY + dt.timedelta(days=4)).season("2025-26")
    assert document["as_of"] == "2026-01-15"


def test_as_of_counts_the_models_own_picks_only(rows, run):
    rows.graded_pick(DAY, "A Hit", "hit")
    lookup = rows.pick(DAY + dt.timedelta(days=5), "B Hit", system="sys-b")
    rows.result(DAY + dt.timedelta(days=5), lookup, 30)
    document = run(rows, today=DAY + dt.timedelta(days=6)).season("2025-26")
    assert document["as_of"] == DAY.isoformat()


# Section 2: a per-day file's records are entering its day


def test_a_day_files_records_do_not_change_when_its_own_games_are_graded(rows, run):
    rows.graded_pick(DAY - dt.timedelta(days=1), "Yesterday", "hit")
    today = rows.pick(DAY, "Today")
    result = run(rows, today=DAY)
    before = result.day(DAY)
    rows.result(DAY, today, 10)
    after = run(rows, today=DAY + dt.timedelta(days=1)).day(DAY)
    assert group(after, "top")["record"] == group(before, "top")["record"]
    assert group(after, "top")["stats"] == group(before, "top")["stats"]
    assert [(pick["actual"], pick["result"]) for pick in group(after, "top")["picks"]] == [(10, "miss")]


# Section 2: numbers


def test_the_line_is_published_as_stored(rows, run):
    rows.pick(DAY, "Quarter", line=20.25, predicted=20.25)
    (pick,) = group(run(rows, today=DAY).day(DAY), "top")["picks"]
    assert (pick["line"], pick["prediction"]) == (20.25, 20.3)


def test_a_negative_prediction_rounds_half_away_from_zero(rows, run):
    rows.pick(DAY, "Negative", predicted=-1.25)
    (pick,) = group(run(rows, today=DAY).day(DAY), "top")["picks"]
    assert pick["prediction"] == -1.3


# Section 3: order of picks and groups


def test_picks_are_ordered_by_rank_as_a_number_then_player(rows, run):
    rows.pick(DAY, "Tenth", rank=10)
    rows.pick(DAY, "Second", rank=2)
    rows.pick(DAY, "Bravo", rank=1)
    rows.pick(DAY, "Alpha", rank=1)
    assert names(run(rows, today=DAY).day(DAY)) == ["Alpha", "Bravo", "Second", "Tenth"]


def test_groups_are_ordered_by_display_order_then_subset_id(rows, run):
    rows.subsets = [("zeta", "Zeta", 1, True), ("alpha", "Alpha", 1, True), ("first", "First", 0, True)]
    rows.pick(DAY, "Player", subset="zeta")
    document = run(rows, today=DAY).day(DAY)
    assert [each["id"] for each in document["groups"]] == ["first", "alpha", "zeta"]
    assert [each["picks"] for each in document["groups"][:2]] == [[], []]


def test_a_season_files_dates_are_the_subsets_own_newest_first(rows, run):
    rows.pick(DAY, "Top Early")
    rows.pick(DAY + dt.timedelta(days=2), "Top Late")
    rows.pick(DAY + dt.timedelta(days=1), "Second Middle", subset="second")
    document = run(rows, today=DAY + dt.timedelta(days=3)).season("2025-26")
    assert [each["date"] for each in group(document, "top")["dates"]] == ["2026-01-16", "2026-01-14"]
    assert [each["date"] for each in group(document, "second")["dates"]] == ["2026-01-15"]


# Section 2: the week crossing a season's Aug 1, and the windows that do not


def test_a_season_file_as_of_aug_2_counts_the_week_back_to_monday_in_the_previous_season(rows, run):
    rows.graded_pick(D(2025, 7, 28), "Old Season", "hit")
    rows.graded_pick(D(2025, 8, 2), "New Season", "miss")
    document = run(rows, today=D(2025, 8, 3)).season("2025-26", as_of=D(2025, 8, 2))
    top = group(document, "top")
    assert top["record"]["season"] == {"wins": 0, "losses": 1, "pushes": 0, "pct": 0.0}
    assert top["record"]["week"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}
    assert top["stats"]["last_7_days"] == top["record"]["season"]
    assert top["stats"]["last_10"] == top["record"]["season"]
    assert top["stats"]["streak"] == {"result": "miss", "count": 1}


def test_a_day_files_windows_start_at_aug_1_and_its_week_does_not(rows, run):
    rows.graded_pick(D(2025, 7, 30), "Old Season", "hit")
    rows.graded_pick(D(2025, 8, 1), "New Season", "push")
    rows.pick(D(2025, 8, 3), "Sunday")  # Aug 3 2025 is a Sunday: its week started on Monday Jul 28
    top = group(run(rows, today=D(2025, 8, 3)).day(D(2025, 8, 3)), "top")
    assert top["record"]["week"] == {"wins": 1, "losses": 0, "pushes": 1, "pct": 100.0}
    assert top["record"]["season"] == {"wins": 0, "losses": 0, "pushes": 1, "pct": None}
    assert top["stats"]["last_7_days"] == top["record"]["season"]
    assert top["stats"]["last_30_days"] == top["record"]["season"]
    assert top["stats"]["units"] == {"season": 0.0, "month": 0.0, "week": 0.91}
    assert top["stats"]["roi"] == {"season": None, "month": None, "week": 90.9}
    assert top["stats"]["streak"] is None


def test_a_day_files_windows_end_the_day_before(rows, run):
    for back, outcome in [(1, "hit"), (7, "miss"), (8, "hit"), (30, "push"), (31, "miss")]:
        rows.graded_pick(DAY - dt.timedelta(days=back), f"Back {back}", outcome)
    rows.graded_pick(DAY, "Today", "hit")  # not entered yet
    stats = group(run(rows, today=DAY).day(DAY), "top")["stats"]
    assert stats["last_7_days"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}
    assert stats["last_30_days"] == {"wins": 2, "losses": 1, "pushes": 1, "pct": 66.7}
    assert stats["last_10"] == {"wins": 2, "losses": 2, "pushes": 1, "pct": 50.0}
    assert stats["over"] == stats["last_10"] and stats["under"] == ZERO


# Section 3: the index, the manifest and the status file


def test_the_index_grades_a_day_of_voids_and_not_a_day_without_picks(rows, run):
    rows.graded_pick(DAY - dt.timedelta(days=2), "Void", "dnp")
    rows.graded_pick(DAY - dt.timedelta(days=1), "Hit", "hit")
    rows.pick(DAY - dt.timedelta(days=1), "Waiting", rank=2)
    result = run(rows, today=DAY)
    result.exporter().daily(DAY)  # the day itself has no picks: its file is written all the same
    index = result.read("v1/picks/index.json")
    assert index["dates"] == [
        {"date": "2026-01-14", "picks": 0, "graded": False},
        {"date": "2026-01-13", "picks": 2, "graded": False},
        {"date": "2026-01-12", "picks": 1, "graded": True},
    ]
    (entry,) = result.read("v1/manifest.json")["models"]
    assert (entry["latest_date"], entry["latest_graded_date"]) == ("2026-01-13", "2026-01-12")
    (status,) = result.read("v1/status.json")["models"]
    assert (status["latest_date"], status["latest_graded_date"]) == ("2026-01-13", "2026-01-12")
    assert status["waiting_for_grading"] == ["2026-01-13"]


def test_waiting_for_grading_is_the_dates_before_today_oldest_first(rows, run):
    for back in (3, 1, 0):
        rows.pick(DAY - dt.timedelta(days=back), f"Back {back}")
    rows.graded_pick(DAY - dt.timedelta(days=2), "Graded", "miss")
    result = run(rows, today=DAY)
    result.exporter().daily(DAY)
    (status,) = result.read("v1/status.json")["models"]
    assert status["waiting_for_grading"] == ["2026-01-11", "2026-01-13"]
    assert (status["latest_date"], status["latest_graded_date"]) == ("2026-01-14", "2026-01-12")


def test_the_manifest_lists_the_default_model_first_then_by_code_and_the_status_file_by_code(rows, run):
    rows.models = [
        ("sys-m", "M", "Model M", False, True),
        ("sys-z", "Z", "Model Z", True, True),
        ("sys-a", "A", "Model A", False, True),
    ]
    for system in ("sys-m", "sys-z", "sys-a"):
        rows.pick(DAY, "Player", system=system)
    result = run(rows, today=DAY)
    result.exporter().daily(DAY, all_models=True)
    manifest = result.read("v1/manifest.json")
    assert manifest["default_model"] == "Z"
    assert [(each["code"], each["default"], each["path"]) for each in manifest["models"]] == [
        ("Z", True, "v1/"),
        ("A", False, "v1/models/A/"),
        ("M", False, "v1/models/M/"),
    ]
    assert [each["index"] for each in manifest["models"]] == [
        "v1/picks/index.json",
        "v1/models/A/picks/index.json",
        "v1/models/M/picks/index.json",
    ]
    assert [each["code"] for each in result.read("v1/status.json")["models"]] == ["A", "M", "Z"]


def test_current_season_is_null_when_today_in_new_york_lies_in_a_season_without_a_file(rows, run):
    rows.pick(D(2025, 11, 3), "Player")
    result = run(rows, today=D(2026, 8, 1))  # the season 2026-27 has no file
    result.exporter().backfill(D(2025, 11, 3), D(2025, 11, 3))
    (entry,) = result.read("v1/manifest.json")["models"]
    assert entry["current_season"] is None
    assert [each["season"] for each in entry["seasons"]] == ["2025-26"]
    assert "v1/subsets/season.json" not in result.published()


def test_a_prefix_given_with_slashes_is_the_same_folder(rows, run):
    rows.pick(DAY, "Player")
    result = run(rows, prefix="/v1/", today=DAY)
    result.exporter().daily(DAY)
    manifest = result.read("v1/manifest.json")
    assert manifest["api_version"] == "v1"
    assert manifest["models"][0]["path"] == "v1/"
    assert result.files() == ["v1/picks/2026-01-14.json", "v1/subsets/season.json", "v1/subsets/seasons/2025-26.json"]


# Section 5: what the warehouse must satisfy, and where each check looks


def daily_cli(tmp_path, rows, *extra: str):
    """`daily --date DAY` over `rows` into a new folder: the CLI's result and whether the folder holds anything."""
    from typer.testing import CliRunner

    from picks_export.cli import app
    from picks_export.exporters.engines.duckdb_engine import write_warehouse

    warehouse = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    dest = tmp_path / "public"
    args = ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(dest), *extra]
    result = CliRunner().invoke(app, args, env={"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": str(DAY)})
    assert "Traceback" not in result.output, result.output
    return result, dest.exists() and any(dest.rglob("*.json"))


def checked_rows():
    from conftest import WarehouseRows

    rows = WarehouseRows()
    rows.game(DAY)
    rows.signal(DAY, "neutral")
    rows.pick(DAY, "Good Player")
    return rows


def assert_refused(result, published: bool, *parts: str, code: int = 3) -> None:
    assert result.exit_code == code, result.output
    assert not published
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, (part, result.stderr)


@pytest.mark.parametrize("column", ["display_order", "is_active"])
def test_a_subset_definition_with_a_null_order_or_flag_is_bad_data(tmp_path, column):
    rows = checked_rows()
    rows.subsets[0] = ("top", "Top Pick", None, True) if column == "display_order" else ("top", "Top Pick", 1, None)
    result, published = daily_cli(tmp_path, rows)
    assert_refused(
        result, published, "table subset_definitions, row (subset_id='top', name='Top Pick')", f"{column} is NULL"
    )


@pytest.mark.parametrize(
    ("column", "message"),
    [("team", "team is missing"), ("opponent", "opponent is missing"), ("pick_rank", "pick_rank is missing")],
)
def test_a_shown_pick_without_team_opponent_or_rank_is_bad_data(tmp_path, column, message):
    from test_bad_input import with_null

    rows = checked_rows()
    rows.pick(DAY, "Partial", rank=2)
    rows.picks[-1] = with_null(rows.picks[-1], column)
    result, published = daily_cli(tmp_path, rows)
    assert_refused(result, published, f"table subset_picks, date {DAY}, row (", "player_lookup='partial'", message)


@pytest.mark.parametrize("name", ["", " "])
def test_a_blank_team_or_opponent_is_bad_data(tmp_path, name):
    rows = checked_rows()
    rows.pick(DAY, "Blank Team", rank=2)
    rows.picks[-1] = (*rows.picks[-1][:7], name, *rows.picks[-1][8:])
    result, published = daily_cli(tmp_path, rows)
    assert_refused(result, published, "player_lookup='blankteam'", "team is empty or blank")


def test_a_model_without_a_name_is_bad_data(tmp_path):
    rows = checked_rows()
    rows.models[0] = ("sys-a", "A", None, True, True)
    result, published = daily_cli(tmp_path, rows)
    assert_refused(result, published, "table models: model 'A' (system_id 'sys-a'): name is NULL")


def test_a_line_of_1000_and_a_prediction_of_minus_1000_are_not_beyond_1000(tmp_path):
    rows = checked_rows()
    rows.pick(DAY, "Edge", rank=2, line=1000.0, predicted=-1000.0)
    result, published = daily_cli(tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert published


def test_a_pick_with_a_null_system_id_in_the_range_is_bad_data_for_any_model(tmp_path):
    from test_bad_input import with_null

    rows = checked_rows()
    rows.pick(DAY - dt.timedelta(days=3), "Orphan", system="sys-b")
    rows.picks[-1] = with_null(rows.picks[-1], "system_id")
    result, published = daily_cli(tmp_path, rows)
    assert_refused(result, published, "table subset_picks", "system_id is NULL")


def test_bad_rows_outside_the_range_or_of_another_model_do_not_stop_a_run(tmp_path):
    from test_bad_input import with_null

    rows = checked_rows()
    old = D(2024, 1, 10)  # a season the daily does not read
    rows.game(old, status="cancelled")
    rows.games.append((old, "g-null", "LAL", "BOS", None, "scheduled"))
    rows.result(old, "someone", -3)
    rows.pick(old, "Orphan")
    rows.picks[-1] = with_null(rows.picks[-1], "system_id")
    rows.signal(DAY, "great", system="sys-b")  # another model's signal
    rows.result(DAY, "nobodypicked", 10)
    rows.result(DAY, "nobodypicked", 12)  # two box-score rows of a player no shown pick names
    result, published = daily_cli(tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert published
    result, published = daily_cli(tmp_path / "all", rows, "--all-models")
    assert_refused(result, published, f"table daily_signals, date {DAY}", "'great'")


def test_a_signal_with_a_null_system_id_in_the_range_is_bad_data(tmp_path):
    rows = checked_rows()
    rows.signals.append((DAY - dt.timedelta(days=2), None, "neutral"))
    result, published = daily_cli(tmp_path, rows)
    assert_refused(result, published, "table daily_signals", "system_id is NULL")


# Section 2: a season file's record is null only without any graded pick


def test_a_season_file_as_of_a_date_before_its_first_graded_pick_has_zero_records_not_null(rows, run):
    rows.pick(DAY - dt.timedelta(days=3), "Early Ungraded")
    rows.graded_pick(DAY, "Graded", "hit")
    document = run(rows, today=DAY).season("2025-26", as_of=DAY - dt.timedelta(days=1))
    top = group(document, "top")
    assert document["as_of"] == "2026-01-13"
    assert top["record"] == {"season": ZERO, "month": ZERO, "week": ZERO}
    assert top["stats"]["units"] == {"season": 0.0, "month": 0.0, "week": 0.0}
    assert top["stats"]["roi"] == {"season": None, "month": None, "week": None}
    assert top["stats"]["streak"] is None and top["stats"]["last_10"] == ZERO
    assert [each["date"] for each in top["dates"]] == ["2026-01-14", "2026-01-11"]


# docs/operator.md: a --date more than one day after today without shown picks is refused


def test_a_date_one_day_ahead_without_picks_is_published_and_two_days_ahead_is_refused(rows, run):
    from picks_export.exporters.errors import OptionError

    rows.pick(DAY + dt.timedelta(days=5), "Scheduled Early")
    made = run(rows, today=DAY)
    made.exporter().daily(DAY + dt.timedelta(days=1))
    assert "v1/picks/2026-01-15.json" in made.published()
    with pytest.raises(OptionError, match="is more than a day after today"):
        made.exporter().daily(DAY + dt.timedelta(days=2))
    made.exporter().daily(DAY + dt.timedelta(days=5))  # picks that day: not a typo
    assert "v1/picks/2026-01-19.json" in made.published()


def test_the_status_files_run_names_no_command_when_the_library_is_called_and_its_times_in_utc_seconds(rows, run):
    import re

    from picks_export import __version__
    from picks_export.exporters.runs import load_record

    rows.pick(DAY, "Player")
    made = run(rows, today=DAY)
    made.exporter().daily(DAY)
    status = made.read("v1/status.json")
    assert list(status["run"]) == ["id", "command", "started_at", "finished_at", "version"]
    assert status["run"]["command"] is None and status["run"]["version"] == __version__
    assert re.fullmatch(r"\d{20}-[0-9a-f]{8}", status["run"]["id"])
    for moment in (status["run"]["started_at"], status["run"]["finished_at"], status["models"][0]["checked_at"]):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", moment)
    assert status["models"][0]["checked_by_run"] == status["run"]["id"]
    assert list(status["models"][0]) == [
        "code", "index", "checked_by_run", "checked_at", "latest_date", "latest_graded_date", "waiting_for_grading",
        "warnings",
    ]  # fmt: skip
    assert not load_record(made.exporter().sink, status["run"]["id"]).get("command")  # the run's record neither


def test_the_status_files_run_names_the_command_line_that_ran(tmp_path):
    rows = checked_rows()
    result, published = daily_cli(tmp_path, rows, "--all-models")
    assert result.exit_code == 0, result.output
    import orjson

    status = orjson.loads((tmp_path / "public/v1/status.json").read_bytes())
    assert status["run"]["command"] == f"daily --date {DAY} --all-models"


def test_a_rollback_called_from_the_library_names_no_command(rows, run):
    from picks_export.exporters.publish import PublishPolicy
    from picks_export.exporters.runs import rollback

    rows.pick(DAY, "Player")
    made = run(rows, today=DAY)
    made.exporter().daily(DAY)
    published = made.read("v1/status.json")["run"]["id"]
    rollback(made.exporter().sink, published, PublishPolicy(), today=DAY, generated_at="2026-02-08T00:00:00Z")
    assert made.read("v1/status.json")["run"]["command"] is None


# Section 5: names are published as the warehouse holds them; section 3: generated_at


def test_names_are_published_untrimmed(rows, run):
    rows.subsets[0] = ("top", " Top  Pick ", 1, True)
    rows.pick(DAY, "  Spaced  Name ")
    document = run(rows, today=DAY).day(DAY)
    assert group(document, "top")["name"] == " Top  Pick "
    assert names(document) == ["  Spaced  Name "]


def test_generated_at_defaults_to_utc_now_in_whole_seconds_with_z():
    import re

    from picks_export.exporters.options import ExportOptions

    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", ExportOptions().generated_at)


# Section 5: the column types accepted for each contract type


@pytest.mark.parametrize(
    ("contract_type", "found", "accepted"),
    [
        ("STRING", "VARCHAR", True),
        ("BOOL", "BOOLEAN", True),
        ("INT64", "BIGINT", True),
        ("INT64", "UINTEGER", True),  # unsigned of 32 bits fits
        ("INT64", "UBIGINT", False),  # unsigned of 64 bits does not
        ("INT64", "HUGEINT", False),
        ("INT64", "DOUBLE", False),
        ("FLOAT64", "DOUBLE", True),
        ("FLOAT64", "INTEGER", True),
        ("FLOAT64", "UBIGINT", False),
        ("FLOAT64", "DECIMAL(15,4)", True),
        ("FLOAT64", "DECIMAL(16,2)", False),
        ("FLOAT64", "NUMERIC", False),
        ("FLOAT64", "FLOAT", False),
        ("DATE", "DATE", True),
        ("DATE", "TIMESTAMP", False),
        ("TIMESTAMP", "TIMESTAMP", True),
        ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", True),
        ("TIMESTAMP", "DATE", False),
    ],
)
def test_the_accepted_column_types(contract_type, found, accepted):
    from picks_export.exporters.tables import accepts

    assert accepts(contract_type, found) is accepted


def test_a_model_code_outside_letters_digits_underscore_and_dash_is_refused_only_for_the_runs_models(tmp_path):
    rows = checked_rows()
    rows.models.append(("sys-dot", "v1.2", "Dotted", False, True))
    result, published = daily_cli(tmp_path / "one", rows)  # the champion's run: the dotted code is not chosen
    assert result.exit_code == 0, result.output
    result, published = daily_cli(tmp_path / "dotted", rows, "--model", "v1.2")
    assert_refused(result, published, "table models", "'v1.2'", "cannot name a published folder")
    rows.models[-1] = ("sys-dash", "model_2-b", "Dashed", False, True)
    result, published = daily_cli(tmp_path / "dashed", rows, "--model", "model_2-b")
    assert result.exit_code == 0, result.output


# docs/cli.md: every command's help carries an example, and each one that needs no service runs as written

COMMANDS = [
    "demo", "daily", "backfill", "season", "estimate", "validate", "status", "serve", "runs", "rollback",
    "bucket cors", "bucket setup", "bucket show",
]  # fmt: skip
NEEDS_SERVICE = ("gs://", "s3://", "bigquery://", "picks-export serve ", "RUN_ID")


def help_examples(command: str) -> list[str]:
    from typer.testing import CliRunner

    from picks_export.cli import app

    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    _, _, examples = result.stdout.partition("\n  Examples:\n")
    return [line.strip() for line in examples.split("\n\n")[0].splitlines() if line.strip()]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_commands_help_has_an_example_of_that_command(command):
    examples = help_examples(command)
    assert examples and all(example.startswith(f"picks-export {command}") for example in examples), examples


def test_the_commands_listed_are_every_command():
    from typer.main import get_group

    from picks_export.cli import app

    def names(group, head: str = "") -> list[str]:
        found = []
        for name, each in group.commands.items():
            found += names(each, f"{head}{name} ") if hasattr(each, "commands") else [f"{head}{name}"]
        return found

    assert sorted(names(get_group(app))) == sorted(COMMANDS)


@pytest.mark.parametrize("command", ["status", "runs"])
def test_the_examples_of_status_and_runs_run_as_written_on_a_fresh_demo(command, tmp_path):
    import shlex
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    cli = shutil.which("picks-export", path=str(Path(sys.executable).parent)) or "picks-export"
    for step in (["demo"], ["daily"]):
        subprocess.run([cli, *step], cwd=tmp_path, check=True, capture_output=True)
    runnable = [each for each in help_examples(command) if not any(part in each for part in NEEDS_SERVICE)]
    assert runnable
    for example in runnable:
        done = subprocess.run([cli, *shlex.split(example)[1:]], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.strip(), (example, done.stdout + done.stderr)


def test_the_bucket_group_s_help_has_examples_of_its_commands():
    examples = help_examples("bucket")
    assert examples and all(example.startswith("picks-export bucket ") for example in examples), examples


def test_the_top_level_help_s_examples_run_as_written_in_order_in_a_new_folder(tmp_path):
    """The first steps a reader of `picks-export --help` takes: each that needs no service exits 0 in turn."""
    import shlex
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    cli = shutil.which("picks-export", path=str(Path(sys.executable).parent)) or "picks-export"
    examples = help_examples("")
    assert [example.split()[1] for example in examples][:3] == ["demo", "daily", "daily"], examples
    runnable = [each for each in examples if not any(part in each for part in NEEDS_SERVICE)]
    for example in runnable:
        done = subprocess.run([cli, *shlex.split(example)[1:]], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.strip(), (example, done.stdout + done.stderr)
    assert (tmp_path / "public" / "v1" / "manifest.json").is_file()
