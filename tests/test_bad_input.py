"""Bad warehouse data: a clear one-line error naming the table, date and row, a non-zero exit, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from conftest import WarehouseRows, published_bytes
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.tables import TABLES

DAY = dt.date(2026, 1, 14)


def valid_rows() -> WarehouseRows:
    rows = WarehouseRows()
    rows.game(DAY)
    rows.signal(DAY, "neutral")
    rows.graded_pick(DAY - dt.timedelta(days=1), "Yesterday Guy", "hit")
    rows.pick(DAY, "Good Player", rank=1)
    return rows


def shown_players(tmp_path: Path) -> dict[str, list[str]]:
    """The players of each subset in the published file of DAY."""
    document = orjson.loads((tmp_path / "public" / "v1" / "picks" / f"{DAY}.json").read_bytes())
    return {group["id"]: [pick["player"] for pick in group["picks"]] for group in document["groups"]}


def run_daily(tmp_path: Path, rows: WarehouseRows, *extra: str):
    warehouse = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    dest = tmp_path / "public"
    (dest / "v1" / "picks").mkdir(parents=True)
    sentinel = dest / "v1" / "picks" / f"{DAY}.json"
    sentinel.write_bytes(b"old published bytes")
    result = CliRunner().invoke(
        app, ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(dest), *extra]
    )
    untouched = sentinel.read_bytes() == b"old published bytes" and [p.name for p in dest.rglob("*")] == [
        "v1",
        "picks",
        f"{DAY}.json",
    ]
    return result, untouched


def test_valid_rows_pass(tmp_path):
    result, untouched = run_daily(tmp_path, valid_rows())
    assert result.exit_code == 0, result.output
    assert not untouched


BAD_PICKS = [
    ("direction", dict(direction="SIDEWAYS"), "direction 'SIDEWAYS' is not OVER or UNDER"),
    ("lowercase direction", dict(direction="over"), "direction 'over' is not OVER or UNDER"),
    ("negative line", dict(line=-0.5), "line -0.5 is negative"),
    ("missing line", dict(line=None), "line is missing"),
    ("unknown subset", dict(subset="mystery"), "subset_id 'mystery' is not in table subset_definitions"),
    ("missing prediction", dict(predicted=None), "predicted_points None is missing"),
]


@pytest.mark.parametrize(("case", "fields", "message"), BAD_PICKS, ids=[case for case, _, _ in BAD_PICKS])
def test_bad_pick_row(tmp_path, case, fields, message):
    rows = valid_rows()
    rows.pick(DAY, "Bad Row", version="v1", rank=2, **fields)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3
    assert untouched
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in result.output
    assert line.startswith(f"Error: table subset_picks, date {DAY}, row (")
    assert "version_id='v1'" in line and "player_lookup='badrow'" in line
    assert message in line


def test_duplicate_pick_in_one_version(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Good Player", rank=2)  # same subset, version and player as the valid row
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table subset_picks, date {DAY}" in result.stderr
    assert "player_lookup='goodplayer'" in result.stderr and "duplicate pick" in result.stderr


def test_same_player_in_two_subsets_or_versions_is_fine(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Good Player", subset="second")
    rows.pick(DAY, "Good Player", version="v0", computed="10:00")
    result, _ = run_daily(tmp_path, rows)
    assert result.exit_code == 0, result.stderr
    assert shown_players(tmp_path) == {"top": ["Good Player"], "second": ["Good Player"]}  # v1 shown, once per subset


def test_bad_rows_in_a_version_that_is_never_shown_do_not_matter(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Late Bad", version="v9", computed="23:30", direction="SIDEWAYS")
    result, _ = run_daily(tmp_path, rows)
    assert result.exit_code == 0, result.stderr
    assert shown_players(tmp_path) == {"top": ["Good Player"], "second": []}  # v9, computed after tip-off, is not shown


def test_several_bad_rows_are_counted(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Bad One", direction="X", rank=2)
    rows.pick(DAY, "Bad Two", line=-1.0, rank=3)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert "(and 1 more bad row)" in result.stderr


@pytest.mark.parametrize(
    ("models", "message"),
    [
        (
            [("sys-a", "A", "Model A", False, True), ("sys-b", "B", "Model B", False, True)],
            "no row with enabled and is_champion",
        ),
        (
            [("sys-a", "A", "Model A", True, True), ("sys-b", "B", "Model B", True, True)],
            "2 rows (A, B) with enabled and is_champion",
        ),
        ([("sys-a", "A", "Model A", True, False)], "no row with enabled and is_champion"),
    ],
    ids=["no champion", "two champions", "disabled champion"],
)
def test_champion_must_be_unique(tmp_path, models, message):
    rows = valid_rows()
    rows.models = models
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert result.stderr.startswith("Error: table models: ") and message in result.stderr


@pytest.mark.parametrize(
    ("model", "message"),
    [("Z", "no model with code 'Z' in table models (known: A, B, C)"), ("C", "model 'C' is not enabled")],
)
def test_named_model_must_exist_and_be_enabled(tmp_path, model, message):
    """A code nobody enabled is a mistake of the option (exit 1), not bad data."""
    rows = valid_rows()
    rows.models.append(("sys-c", "C", "Model C", False, False))
    result, untouched = run_daily(tmp_path, rows, "--model", model)
    assert result.exit_code == 1 and untouched
    assert result.stderr.startswith("Error: --model: ")
    assert message in result.stderr


def test_model_code_that_cannot_be_a_folder(tmp_path):
    rows = valid_rows()
    rows.models.append(("sys-evil", "../../etc", "Evil", False, True))
    result, untouched = run_daily(tmp_path, rows, "--model", "../../etc")
    assert result.exit_code == 3 and untouched
    assert "cannot name a published folder" in result.stderr


@pytest.mark.parametrize("code", ["-", "_a", "-z9", "a" * 65])
def test_a_model_code_of_allowed_characters_but_refused_says_the_whole_rule(tmp_path, code):
    """A code of letters, digits, '_' and '-' only is still refused when it starts with '_' or '-' or is longer than
    64 characters: the message says so, rather than asking for the characters the code already has."""
    rows = valid_rows()
    rows.models.append(("sys-edge", code, "Edge", False, True))
    result, untouched = run_daily(tmp_path, rows, "--model", code)
    assert result.exit_code == 3 and untouched
    assert result.stderr.count("\n") == 1 and "cannot name a published folder" in result.stderr
    assert "use 1 to 64 letters, digits, '_' and '-', the first a letter or a digit" in result.stderr


def test_bad_signal_rows(tmp_path):
    rows = valid_rows()
    rows.signal(DAY - dt.timedelta(days=1), "great")
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table daily_signals, date {DAY - dt.timedelta(days=1)}" in result.stderr and "'great'" in result.stderr


def test_two_signals_for_one_date(tmp_path):
    rows = valid_rows()
    rows.signal(DAY, "favorable")
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table daily_signals, date {DAY}" in result.stderr and "second signal row" in result.stderr


def test_duplicate_box_score_rows(tmp_path):
    rows = valid_rows()
    rows.result(DAY - dt.timedelta(days=1), "yesterdayguy", 3)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert (
        f"table player_game_summary, date {DAY - dt.timedelta(days=1)}, player_lookup 'yesterdayguy': 2 rows"
        in result.stderr
    )


def test_missing_table_is_a_warehouse_error(tmp_path):
    import duckdb

    warehouse = write_warehouse(tmp_path / "w.duckdb", valid_rows().rows())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DROP TABLE nba_predictions.games")
    result = CliRunner().invoke(
        app, ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(tmp_path / "out")]
    )
    assert result.exit_code == 5
    assert "games" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# --- strict input: every bad row of the range stops the run, and the destination keeps its bytes ---------------


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file (the status file aside: it names its run)."""
    files = (path for path in sorted(folder.rglob("*")) if path.is_file() and path.name != "status.json")
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in files}


def run_after_a_good_run(tmp_path: Path, rows: WarehouseRows, *extra: str, alter: str | None = None):
    """Publish a good run into the destination, then run over `rows` (altered by SQL `alter`, if any); returns the
    result and whether the destination still holds the good run's bytes exactly."""
    dest = tmp_path / "public"
    good = write_warehouse(tmp_path / "good.duckdb", valid_rows().rows())
    args = ["daily", "--date", str(DAY), "--dest", str(dest)]
    first = CliRunner().invoke(app, [*args, "--warehouse", str(good)], env={"SOURCE_DATE_EPOCH": "1770478200"})
    assert first.exit_code == 0, first.output
    before = folder_bytes(dest)
    warehouse = write_warehouse(tmp_path / "bad.duckdb", rows.rows())
    if alter:
        import duckdb

        with duckdb.connect(str(warehouse)) as con:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(alter)
    result = CliRunner().invoke(app, [*args, "--warehouse", str(warehouse), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result, folder_bytes(dest) == before


def with_null(row: tuple, column: str) -> tuple:
    names = [name for name, _ in TABLES["subset_picks"]]
    return tuple(None if name == column else value for name, value in zip(names, row))


def assert_bad(result, *parts: str, code: int = 3) -> None:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, (part, result.stderr)


def test_a_game_without_tipoff_that_is_not_postponed_stops_the_run(tmp_path):
    rows = valid_rows()
    rows.games.append((DAY, "g-null", "LAL", "BOS", None, "scheduled"))
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(result, f"table games, date {DAY}, row (game_id='g-null', status='scheduled'): tipoff_at is NULL")
    assert untouched


def test_a_postponed_game_without_tipoff_is_fine(tmp_path):
    rows = valid_rows()
    rows.games.append((DAY, "g-post", "LAL", "BOS", None, "postponed"))
    result, _ = run_after_a_good_run(tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and "files:" in result.stdout
    assert shown_players(tmp_path) == {"top": ["Good Player"], "second": []}


@pytest.mark.parametrize("status", ["cancelled", "FINAL", None])
def test_a_game_status_outside_the_contract_stops_the_run(tmp_path, status):
    rows = valid_rows()
    rows.game(DAY - dt.timedelta(days=1), status=status, game_id="g-odd")
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(
        result,
        f"table games, date {DAY - dt.timedelta(days=1)}, row (game_id='g-odd', status={status!r})",
        "status is not one of scheduled, in_progress, final, postponed",
    )
    assert untouched


@pytest.mark.parametrize("column", ["game_date", "system_id", "version_id", "computed_at", "player_lookup"])
def test_a_null_in_a_lock_or_identity_column_of_any_version_stops_the_run(tmp_path, column):
    rows = valid_rows()
    # a late version, never shown: a NULL there can still change which version is shown, so it counts
    rows.pick(DAY, "Late Guy", version="v9", computed="23:30", rank=3)
    rows.picks[-1] = with_null(rows.picks[-1], column)
    result, untouched = run_after_a_good_run(tmp_path, rows)
    date = "NULL" if column == "game_date" else str(DAY)
    system = "None" if column == "system_id" else "'sys-a'"
    assert_bad(result, f"table subset_picks, date {date}, row (system_id={system}", f"{column} is NULL")
    assert untouched


def test_a_null_lock_column_of_another_model_does_not_matter(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Other", system="sys-b", computed="10:00")
    rows.picks[-1] = with_null(rows.picks[-1], "computed_at")
    result, _ = run_after_a_good_run(tmp_path, rows)
    assert result.exit_code == 0, result.output
    # ... but it does in a run of every model
    result, untouched = run_after_a_good_run(tmp_path, rows, "--all-models")
    assert_bad(result, "system_id='sys-b'", "computed_at is NULL")
    assert untouched


@pytest.mark.parametrize(
    ("subsets", "message"),
    [
        (
            [("top", "Top Pick", 1, True), ("top", "Top Again", 2, True)],
            "subset_id='top', name='Top Again'): a second row with this subset_id",
        ),
        (
            [("top", "Top Pick", 1, True), (None, "Nameless", 2, True)],
            "subset_id=None, name='Nameless'): subset_id is NULL",
        ),
        ([("top", None, 1, True)], "subset_id='top', name=None): name is NULL"),
    ],
    ids=["duplicate subset_id", "null subset_id", "null name"],
)
def test_bad_subset_definitions(tmp_path, subsets, message):
    rows = valid_rows()
    rows.subsets = subsets
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(result, "table subset_definitions, row (", message)
    assert untouched


def test_two_enabled_models_sharing_a_code_is_bad_data(tmp_path):
    rows = valid_rows()
    rows.models.append(("sys-a2", "A", "Model A again", False, True))
    for extra in ([], ["--model", "A"], ["--model", "B"]):
        result, untouched = run_after_a_good_run(tmp_path, rows, *extra)
        assert_bad(result, "table models: 2 enabled rows have code 'A' (system_id 'sys-a', 'sys-a2')")
        assert untouched


def test_a_disabled_model_may_share_a_code(tmp_path):
    rows = valid_rows()
    rows.models.append(("sys-old", "A", "Model A, retired", False, False))
    result, _ = run_after_a_good_run(tmp_path, rows, "--model", "A")
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and "files:" in result.stdout
    document = orjson.loads((tmp_path / "public" / "v1" / "picks" / f"{DAY}.json").read_bytes())
    assert document["model"] == "A" and shown_players(tmp_path) == {"top": ["Good Player"], "second": []}


@pytest.mark.parametrize(
    ("points", "minutes", "message"),
    [
        (-3, 30.0, "points -3 is negative or not a number"),
        (20, -1.5, "minutes -1.5 is negative or not a number"),
        (20, float("inf"), "minutes inf is negative or not a number"),
        (20, float("nan"), "minutes nan is negative or not a number"),
    ],
    ids=["negative points", "negative minutes", "infinite minutes", "nan minutes"],
)
def test_bad_box_score_numbers(tmp_path, points, minutes, message):
    rows = valid_rows()
    day = DAY - dt.timedelta(days=1)
    rows.result(day, "someoneelse", points, 30.0)
    # NaN and infinity cannot travel through the JSON loader: set them in SQL
    alter = f"UPDATE nba_predictions.player_game_summary SET minutes = CAST('{minutes}' AS DOUBLE) WHERE player_lookup = 'someoneelse'"
    result, untouched = run_after_a_good_run(tmp_path, rows, alter=alter)
    assert_bad(result, f"table player_game_summary, date {day}, player_lookup 'someoneelse': {message}")
    assert untouched


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("predicted_points", "1e308", "predicted_points 1e+308 is beyond 1,000"),
        ("predicted_points", "-1e308", "predicted_points -1e+308 is beyond 1,000"),
        ("predicted_points", "inf", "predicted_points inf is missing or not a number"),
        ("predicted_points", "nan", "predicted_points nan is missing or not a number"),
        ("line", "1e308", "line 1e+308 is beyond 1,000"),
        ("line", "1000.5", "line 1000.5 is beyond 1,000"),
        ("line", "inf", "line inf is negative or not a number"),
    ],
)
def test_absurd_numbers_are_a_clean_error(tmp_path, column, value, message):
    rows = valid_rows()
    rows.pick(DAY, "Absurd", rank=2)
    alter = (
        f"UPDATE nba_predictions.subset_picks SET {column} = CAST('{value}' AS DOUBLE) WHERE player_lookup = 'absurd'"
    )
    result, untouched = run_after_a_good_run(tmp_path, rows, alter=alter)
    assert_bad(result, f"table subset_picks, date {DAY}, row (", "player_lookup='absurd'", message)
    assert untouched


def test_a_null_game_date_in_the_schedule_or_box_scores_stops_the_run(tmp_path):
    rows = valid_rows()
    rows.games.append((None, "g-nowhere", "LAL", "BOS", None, "scheduled"))
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(result, "table games, date NULL, row (game_id='g-nowhere'", "game_date is NULL")
    assert untouched


# --- column types: checked before the first data query ------------------------------------------------------------


@pytest.mark.parametrize(
    ("alter", "message"),
    [
        (
            "ALTER TABLE nba_predictions.subset_definitions ALTER is_active TYPE VARCHAR",
            "column subset_definitions.is_active has type VARCHAR, expected BOOL",
        ),
        (
            "ALTER TABLE nba_predictions.player_game_summary ALTER minutes TYPE VARCHAR",
            "column player_game_summary.minutes has type VARCHAR, expected FLOAT64",
        ),
        (
            "ALTER TABLE nba_predictions.subset_picks ALTER line TYPE DECIMAL(30, 10)",
            "column subset_picks.line has type DECIMAL(30,10), expected FLOAT64",
        ),
        (
            "ALTER TABLE nba_predictions.subset_picks ALTER line TYPE FLOAT",
            "column subset_picks.line has type FLOAT, expected FLOAT64",
        ),
        (
            "ALTER TABLE nba_predictions.player_game_summary ALTER points TYPE DOUBLE",
            "column player_game_summary.points has type DOUBLE, expected INT64",
        ),
        (
            "ALTER TABLE nba_predictions.games ALTER game_date TYPE TIMESTAMP",
            "column games.game_date has type TIMESTAMP, expected DATE",
        ),
        (
            "ALTER TABLE nba_predictions.games DROP COLUMN status",
            "column games.status is missing (expected type STRING)",
        ),
        ("DROP TABLE nba_predictions.daily_signals", "table daily_signals is missing"),
    ],
    ids=[
        "bool as text",
        "minutes as text",
        "wide decimal",
        "float32",
        "points as double",
        "date as timestamp",
        "missing column",
        "missing table",
    ],
)
def test_a_column_type_outside_the_contract_ends_the_run_before_any_data_query(tmp_path, alter, message):
    rows = valid_rows()
    rows.subsets[1] = ("second", "Second", 2, False)  # inactive: as text, 'false' would be truthy
    result, untouched = run_after_a_good_run(tmp_path, rows, alter=alter)
    assert_bad(result, "dataset nba_predictions breaks the contract's column types: " + message, code=5)
    assert untouched

    from picks_export.exporters.engines.duckdb_engine import DuckDBEngine
    from picks_export.exporters.errors import WarehouseError
    from picks_export.exporters.warehouse import read_plan

    engine = DuckDBEngine(tmp_path / "bad.duckdb")
    with pytest.raises(WarehouseError):
        read_plan(engine, None, DAY, DAY)
    assert engine.queries_run == 1  # the metadata read only
    engine.close()


@pytest.mark.parametrize(
    "alter",
    [
        "ALTER TABLE nba_predictions.subset_picks ALTER line TYPE DECIMAL(6, 1)",
        "ALTER TABLE nba_predictions.subset_picks ALTER predicted_points TYPE DECIMAL(15, 4)",
        "ALTER TABLE nba_predictions.player_game_summary ALTER minutes TYPE INTEGER",
        "ALTER TABLE nba_predictions.player_game_summary ALTER points TYPE INTEGER",
        "ALTER TABLE nba_predictions.subset_picks ALTER pick_rank TYPE SMALLINT",
    ],
    ids=["line decimal", "prediction decimal", "minutes integer", "points integer", "rank smallint"],
)
def test_lossless_exact_types_give_the_same_bytes(tmp_path, alter):
    rows = valid_rows()
    rows.pick(DAY, "Decimal Guy", rank=2, line=24.5, predicted=26.15)
    rows.result(DAY, "decimalguy", 27, 31.0)
    env = {"SOURCE_DATE_EPOCH": "1770478200"}
    outputs = []
    for name, change in (("plain", None), ("exact", alter)):
        warehouse = write_warehouse(tmp_path / f"{name}.duckdb", rows.rows())
        if change:
            import duckdb

            with duckdb.connect(str(warehouse)) as con:
                con.execute(change)
        dest = tmp_path / name
        result = CliRunner().invoke(
            app, ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(dest)], env=env
        )
        assert result.exit_code == 0, result.output
        outputs.append(published_bytes(dest))
    assert outputs[0] == outputs[1]
    assert b'"prediction":26.2' in outputs[1][f"v1/picks/{DAY}.json"]


def test_a_timestamp_without_time_zone_means_utc_whatever_the_hosts_time_zone(tmp_path):
    """computed_at stored without time zone: the lock must not depend on TZ (America/Los_Angeles is UTC-8)."""
    import os
    import subprocess
    import sys

    import duckdb
    import orjson

    rows = WarehouseRows()
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Early", version="v1", computed="12:00")
    rows.pick(DAY, "Before Tipoff", version="v2", computed="20:00")  # read as Los Angeles time: 04:00 UTC next day
    rows.pick(DAY, "After Tipoff", version="v3", computed="23:30")
    warehouse = write_warehouse(tmp_path / "naive.duckdb", rows.rows())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("ALTER TABLE nba_predictions.subset_picks ALTER computed_at TYPE TIMESTAMP")
        assert con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = 'subset_picks' AND column_name = 'computed_at'"
        ).fetchone() == ("TIMESTAMP",)
    script = Path(sys.executable).parent / "picks-export"
    outputs = []
    for zone in ("UTC", "America/Los_Angeles"):
        dest = tmp_path / zone.replace("/", "-")
        env = {**os.environ, "TZ": zone, "SOURCE_DATE_EPOCH": "1770478200"}
        done = subprocess.run(
            [str(script), "daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(dest)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(published_bytes(dest))
    assert outputs[0] == outputs[1]
    document = orjson.loads(outputs[0][f"v1/picks/{DAY}.json"])
    (top,) = [group for group in document["groups"] if group["id"] == "top"]
    assert [pick["player"] for pick in top["picks"]] == ["Before Tipoff"]


# Names: NULL, empty and blank (white space only) are one rule (contract, section 5): bad input, exit 3.
@pytest.mark.parametrize(
    "player", ["", "   ", "\t"], ids=["empty", "spaces", "tab"]
)  # printable ids: a test run can name them
def test_an_empty_or_blank_player_name_is_bad_input(tmp_path, player):
    rows = valid_rows()
    rows.pick(DAY, player, version="v1", rank=2, lookup="blank")
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    line = result.stderr.strip()
    assert line.startswith(f"Error: table subset_picks, date {DAY}, row (") and "player_lookup='blank'" in line
    assert line.endswith("player_name is empty or blank")


@pytest.mark.parametrize("name", ["", "  "], ids=["empty", "spaces"])
def test_an_empty_or_blank_subset_or_model_name_is_bad_input(tmp_path, name):
    rows = valid_rows()
    rows.subsets = [("top", name, 1, True)]
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(result, "table subset_definitions, row (", f"subset_id='top', name={name!r}): name is empty or blank")
    assert untouched
    rows = valid_rows()
    rows.models[0] = (*rows.models[0][:2], name, *rows.models[0][3:])
    result, untouched = run_after_a_good_run(tmp_path, rows)
    assert_bad(result, "table models: model 'A' (system_id 'sys-a'): name is empty or blank")
    assert untouched
