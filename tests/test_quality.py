"""The quality gate (grading, volume, stale), the status file and the `status` command, on folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from conftest import WarehouseRows, published_bytes
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters.errors import NotGradedError, StatusAlert, VolumeDropError
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.publish import PublishPolicy
from picks_export.exporters.quality import QualityOptions
from picks_export.exporters.status import alerts, grading_behind
from picks_export.exporters.validation import problems

TODAY = dt.date(2026, 2, 7)
YESTERDAY = TODAY - dt.timedelta(days=1)
runner = CliRunner()


def history(rows: WarehouseRows, days: int = 10, games: int = 2, subsets: tuple[str, ...] = ("top", "second")) -> None:
    """`days` graded game days before yesterday, each with `games` games and one pick per subset."""
    for back in range(2, days + 2):
        day = TODAY - dt.timedelta(days=back)
        for number in range(games):
            rows.game(day, status="final", game_id=f"h{back}-{number}")
        for subset in subsets:
            rows.graded_pick(day, f"Player {subset} {back}", "hit", subset=subset)


def exporter(run, rows: WarehouseRows, policy: PublishPolicy | None = None, **quality):
    made = run(rows, today=TODAY, quality=QualityOptions(**quality))
    from picks_export.exporters.engines.duckdb_engine import DuckDBEngine
    from picks_export.exporters.exporter import Exporter
    from picks_export.exporters.stores import FolderStore

    return made, Exporter(DuckDBEngine(made.warehouse), FolderStore(made.dest), made.options, policy)


# Grading not landed


def test_a_final_day_without_box_scores_is_a_grading_warning_in_the_report_and_the_status_file(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.pick(YESTERDAY, "Waiting One", subset="second")  # final game, no box score
    rows.game(TODAY)
    rows.pick(TODAY, "Today One")
    rows.pick(TODAY, "Today Two", subset="second")
    made, export = exporter(run, rows)
    outcome = export.daily(TODAY)
    assert [str(each) for each in outcome.warnings] == [
        f"model A: {YESTERDAY}: 1 of 2 picks not graded: no box score yet"
    ]
    status = made.read("v1/status.json")
    (entry,) = status["models"]
    assert entry["warnings"] == [
        {
            "check": "grading",
            "date": str(YESTERDAY),
            "message": f"{YESTERDAY}: 1 of 2 picks not graded: no box score yet",
        }
    ]
    assert entry["waiting_for_grading"] == [str(YESTERDAY)]
    # The daily job published its season up to today: the latest fully graded date is the history's last.
    graded = max(day for day, *_ in rows.picks if day < YESTERDAY)
    assert entry["latest_date"] == str(TODAY) and entry["latest_graded_date"] == str(graded)
    assert problems("status", status, "status.json") == []


def test_a_box_score_without_points_has_landed_and_is_no_grading_warning(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.result(YESTERDAY, rows.pick(YESTERDAY, "No Points", subset="second"), None, 31.0)  # result null, row there
    _, export = exporter(run, rows, require_graded=True)
    assert export.daily(TODAY).warnings == []


def test_a_day_whose_games_are_not_final_yet_is_no_grading_warning(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="in_progress")
    rows.pick(YESTERDAY, "Waiting One")
    rows.pick(YESTERDAY, "Waiting Two", subset="second")
    rows.game(TODAY)
    rows.pick(TODAY, "Today One")
    rows.pick(TODAY, "Today Two", subset="second")
    _, export = exporter(run, rows)
    assert export.daily(TODAY).warnings == []


def test_require_graded_publishes_nothing_while_yesterday_waits_for_box_scores(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.pick(YESTERDAY, "Waiting One", subset="second")
    made, export = exporter(run, rows, require_graded=True)
    with pytest.raises(NotGradedError, match=f"{YESTERDAY}: 1 of 2 picks not graded yet") as refused:
        export.daily(TODAY)
    assert refused.value.exit_code == 8
    assert made.published() == []


def test_require_graded_publishes_once_yesterday_is_graded(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.graded_pick(YESTERDAY, "Graded Two", "dnp", subset="second")  # a DNP is a result
    made, export = exporter(run, rows, require_graded=True)
    export.daily(TODAY)
    assert f"v1/picks/{YESTERDAY}.json" in made.published() and "v1/status.json" in made.published()


# Volume drop


def test_a_day_with_games_and_no_picks_is_refused_naming_the_date_the_figure_and_the_median(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.graded_pick(YESTERDAY, "Graded Two", "hit", subset="second")
    rows.game(TODAY)
    rows.game(TODAY, game_id="second-game")  # two games tonight, and the model produced nothing
    made, export = exporter(run, rows)
    with pytest.raises(VolumeDropError) as refused:
        export.daily(TODAY)
    assert refused.value.exit_code == 7
    assert f"{TODAY}: 0 shown picks, 0.00 per game, below 0.5 of the trailing 11-day median 1.00 per game" in str(
        refused.value
    )
    assert made.published() == []
    shrink_only = exporter(run, rows, PublishPolicy(allow_shrink=True))[1]
    with pytest.raises(VolumeDropError):  # the shrink guard's option is not the gate's
        shrink_only.daily(TODAY)
    assert made.published() == []
    allowed = exporter(run, rows, allow_drop=True)[1]
    outcome = allowed.daily(TODAY)
    assert [each.check for each in outcome.warnings] == ["volume"]  # published anyway, and said so
    assert f"v1/picks/{TODAY}.json" in made.published()


def test_a_light_night_is_no_drop_nor_a_heavy_one(run, rows):
    history(rows, games=8)  # 2 picks on 8-game nights: 0.25 per game
    rows.game(YESTERDAY, status="final")  # 1 game: 2 picks (fewer in number, not per game)
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.graded_pick(YESTERDAY, "Graded Two", "hit", subset="second")
    for number in range(20):  # 20 games, the same 2 picks: fewer per game, not in number
        rows.game(TODAY, game_id=f"t{number}")
    rows.pick(TODAY, "Today One")
    rows.pick(TODAY, "Today Two", subset="second")
    made, export = exporter(run, rows)
    assert export.backfill(YESTERDAY, TODAY).warnings == []
    assert export.daily(TODAY).warnings == []
    assert len(made.read(f"v1/picks/{TODAY}.json")["groups"][0]["picks"]) == 1


def test_a_steady_subset_without_picks_is_refused(run, rows):
    history(rows, days=30)
    rows.game(TODAY)
    rows.pick(TODAY, "Today One")  # "second" had picks on each of the previous 10 dates
    made, export = exporter(run, rows)
    with pytest.raises(
        VolumeDropError, match=f"{TODAY}: subset second has no shown picks, after picks on each of the previous 30"
    ):
        export.daily(TODAY)
    assert made.published() == []


def test_min_volume_zero_turns_the_volume_check_off(run, rows):
    history(rows, subsets=("top",))
    rows.game(TODAY)
    rows.game(TODAY, game_id="g-other")
    made, export = exporter(run, rows, min_volume=0.0)
    assert export.daily(TODAY).warnings == []
    assert made.read(f"v1/picks/{TODAY}.json")["groups"][0]["picks"] == []  # published, empty


def test_a_dry_run_ends_as_the_run_would_with_its_plan(run, rows):
    history(rows)
    rows.game(TODAY)
    _, export = exporter(run, rows, PublishPolicy(dry_run=True))
    with pytest.raises(
        VolumeDropError, match="dry run: the volume check would refuse the run: model A: 2026-02-07"
    ) as refused:
        export.daily(TODAY)
    assert refused.value.exit_code == 7 and refused.value.report.dry_run  # the plan is shown with the error


def test_the_demo_season_never_trips_the_gate_for_any_model(tmp_path):
    warehouse, dest = tmp_path / "w.duckdb", tmp_path / "public"
    env = {"PICKS_EXPORT_TODAY": "2026-07-01"}
    assert runner.invoke(app, ["demo", "--warehouse", str(warehouse)], env=env).exit_code == 0
    result = runner.invoke(
        app,
        [
            "backfill",
            "--start",
            "2025-10-01",
            "--end",
            "2026-06-30",
            "--all-models",
            "--warehouse",
            str(warehouse),
            "--dest",
            str(dest),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    status = orjson.loads((dest / "v1/status.json").read_bytes())
    assert [entry["code"] for entry in status["models"]] == ["926A", "phoenix"]
    # Days with a box score without points stay "not graded" in the index (the contract), yet raise no warning.
    assert all(entry["warnings"] == [] for entry in status["models"])


# Stale picks


@pytest.mark.parametrize(("computed", "stale"), [("01:00", True), ("12:00", False)])
def test_todays_picks_computed_long_before_tip_off_are_a_stale_warning(run, rows, computed, stale):
    history(rows)
    rows.game(TODAY, tipoff="23:00")
    rows.pick(TODAY, "Today One", computed=computed)
    rows.pick(TODAY, "Today Two", subset="second", computed=computed)
    made, export = exporter(run, rows)
    warnings = export.daily(TODAY).warnings
    if stale:
        assert [each.message for each in warnings] == [
            f"{TODAY}: shown picks computed 22.0 h before the first tip-off (more than 18 h): stale?"
        ]
        assert made.read("v1/status.json")["models"][0]["warnings"][0]["check"] == "stale"
    else:
        assert warnings == []


# The status file


def test_a_run_for_one_model_keeps_the_other_models_entry(run, rows):
    history(rows)
    for back in range(2, 12):
        rows.pick(TODAY - dt.timedelta(days=back), "B Player", system="sys-b")
    made = run(rows, today=TODAY)
    made.exporter().daily(TODAY)
    first = made.read("v1/status.json")
    made.options = ExportOptions(**{**made.options.__dict__, "model": "B"})
    made.exporter().backfill(TODAY - dt.timedelta(days=20), TODAY)
    second = made.read("v1/status.json")
    assert [entry["code"] for entry in second["models"]] == ["A", "B"]
    assert second["models"][0] == first["models"][0]  # A's entry kept as A's run wrote it
    assert second["models"][1]["index"] == "v1/models/B/picks/index.json"
    assert second["models"][1]["waiting_for_grading"] == [
        str(TODAY - dt.timedelta(days=back)) for back in range(11, 1, -1)
    ]
    assert second["run"]["id"] != first["run"]["id"]


def test_every_run_writes_the_status_file_even_when_nothing_else_changed(run, rows):
    history(rows)
    made = run(rows, today=TODAY)
    made.exporter().daily(TODAY)
    before = published_bytes(made.dest, with_status=True)
    outcome = made.exporter().daily(TODAY)
    assert [result.path for result in outcome.report.results if result.status == "written"] == ["v1/status.json"]
    after = published_bytes(made.dest, with_status=True)
    assert {path for path in after if after[path] != before[path]} == {"v1/status.json"}


def index(*dates: tuple[str, int, bool]) -> dict:
    return {"dates": [{"date": day, "picks": picks, "graded": graded} for day, picks, graded in dates]}


def test_grading_is_behind_when_more_than_one_game_day_follows_the_latest_graded_one():
    today = dt.date(2026, 2, 10)
    assert grading_behind(index(("2026-02-09", 5, False), ("2026-02-08", 5, True)), today) == []  # yesterday waits
    two = index(("2026-02-09", 5, False), ("2026-02-08", 5, False), ("2026-02-07", 5, True))
    assert grading_behind(two, today) == [dt.date(2026, 2, 8), dt.date(2026, 2, 9)]
    # Game days, not calendar days: one day with picks since the latest graded one is one game day behind.
    assert grading_behind(index(("2026-02-08", 5, False), ("2026-02-07", 5, True)), today) == []
    assert (
        grading_behind(index(("2026-02-09", 0, False), ("2026-02-08", 5, False), ("2026-02-07", 5, True)), today) == []
    )
    assert (
        grading_behind(index(("2026-02-10", 5, False), ("2026-02-09", 5, False), ("2026-02-08", 5, True)), today) == []
    )
    # A hole before the latest graded date is listed as waiting for grading, not alerted on.
    assert grading_behind(index(("2026-02-08", 5, True), ("2026-02-05", 5, False)), today) == []
    assert grading_behind(index(("2026-02-09", 5, False), ("2026-02-08", 5, False)), today) == [  # none graded yet
        dt.date(2026, 2, 8),
        dt.date(2026, 2, 9),
    ]
    assert grading_behind({"dates": "junk"}, today) == []


def test_alerts_on_an_old_run():
    status = {"run": {"finished_at": "2026-02-09T10:00:00Z"}, "models": []}
    now = dt.datetime(2026, 2, 10, 11, 0, tzinfo=dt.UTC)
    assert alerts(status, {}, now, dt.date(2026, 2, 10), dt.timedelta(hours=26)) == []
    (found,) = alerts(status, {}, now, dt.date(2026, 2, 10), dt.timedelta(hours=24))
    assert "finished 25 h ago (2026-02-09T10:00:00Z), more than 24 h" in found


def cli(*args: str, today: str = str(TODAY)):
    return runner.invoke(app, list(args), env={"PICKS_EXPORT_TODAY": today})


def test_status_command_exits_0_after_a_run_and_9_when_grading_is_behind(run, rows, tmp_path):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.pick(YESTERDAY, "Waiting One")
    rows.pick(YESTERDAY, "Waiting Two", subset="second")
    rows.game(TODAY)
    rows.pick(TODAY, "Tonight One")
    made = run(rows, today=TODAY)
    made.exporter().daily(TODAY)
    fine = cli("status", "--dest", str(made.dest), "--json")
    assert fine.exit_code == 0, fine.output
    assert orjson.loads(fine.stdout)["models"][0]["waiting_for_grading"] == [str(YESTERDAY)]
    verdict = cli("status", "--dest", str(made.dest))
    assert verdict.exit_code == 0 and verdict.stdout.startswith("ok: last run ")
    assert verdict.stdout.splitlines()[0].endswith("; nothing graded yet; 1 date waiting for grading") or (
        "; graded through " in verdict.stdout and "; 1 date waiting for grading" in verdict.stdout
    )
    # A day later, neither yesterday's nor today's picks are graded: two game days behind.
    behind = cli("status", "--dest", str(made.dest), today=str(TODAY + dt.timedelta(days=1)))
    assert behind.exit_code == 9 and behind.stdout.startswith("alert: last run ")
    assert "Error: model A: grading is 2 game days behind (latest fully graded date" in behind.stderr
    assert f"not graded: {YESTERDAY}, {TODAY})" in behind.stderr


def test_status_command_exits_9_on_an_old_run_a_missing_file_or_junk(run, rows, tmp_path):
    history(rows)
    made = run(rows, today=TODAY)
    made.exporter().daily(TODAY)
    path = made.dest / "v1/status.json"
    status = orjson.loads(path.read_bytes())
    status["run"]["finished_at"] = "2020-01-01T00:00:00Z"
    path.write_bytes(orjson.dumps(status))
    old = cli("status", "--dest", str(made.dest), "--max-age", "26h")
    assert old.exit_code == 9 and "the last successful run finished" in old.stderr and "more than 26 h" in old.stderr
    path.write_bytes(b'{"run": 1}')
    assert (
        "is not a valid status file" in (junk := cli("status", "--dest", str(made.dest))).stderr and junk.exit_code == 9
    )
    path.unlink()
    missing = cli("status", "--dest", str(made.dest))
    assert missing.exit_code == 9 and "no run has published a status file yet" in missing.stderr
    bad_age = cli("status", "--dest", str(made.dest), "--max-age", "soon")
    assert bad_age.exit_code == 1 and "--max-age 'soon' is not a positive duration" in bad_age.stderr


def test_status_alert_is_exit_9():
    assert StatusAlert.exit_code == 9


def test_a_bad_max_age_names_its_concept_and_the_command_line_its_flag(tmp_path):
    from picks_export.cli import error_message
    from picks_export.exporters.errors import OptionError
    from picks_export.exporters.status import parse_age

    assert parse_age("26h") == dt.timedelta(hours=26) and parse_age("90") == dt.timedelta(seconds=90)
    with pytest.raises(OptionError) as refused:
        parse_age("{soon}")
    assert str(refused.value) == "max age '{soon}' is not a positive duration like 26h, 90m or 2d"
    assert error_message(refused.value) == "--max-age '{soon}' is not a positive duration like 26h, 90m or 2d"
    result = runner.invoke(app, ["status", "--dest", str(tmp_path), "--max-age", "0h"])
    assert result.exit_code == 1
    assert result.stderr == "Error: --max-age '0h' is not a positive duration like 26h, 90m or 2d\n"


# Logs for the scheduler


def test_log_format_json_writes_one_object_per_event_on_stderr(run, rows):
    history(rows)
    rows.game(YESTERDAY, status="final")
    rows.graded_pick(YESTERDAY, "Graded One", "hit")
    rows.pick(YESTERDAY, "Waiting One", subset="second")
    made = run(rows, today=TODAY)
    args = ["daily", "--warehouse", str(made.warehouse), "--dest", str(made.dest), "--log-format", "json"]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in result.stderr.splitlines()]
    assert all(event["run"] == events[-1]["run"] and event["command"] == "daily" for event in events)
    warning = next(event for event in events if event["severity"] == "WARNING")
    assert warning["check"] == "grading" and warning["date"] == str(YESTERDAY) and warning["model"] == "A"
    summary = events[-1]
    assert summary["severity"] == "INFO" and summary["queries"] == 7 and summary["warnings"] == 1
    assert summary["written"] == summary["files"] and "files:" in summary["message"]
    assert orjson.loads(made.dest.joinpath("v1/status.json").read_bytes())["run"]["id"] == summary["run"]
    failed = runner.invoke(
        app, [*args, "--require-graded"], env={"PICKS_EXPORT_TODAY": str(TODAY), "PICKS_EXPORT_LOG_FORMAT": "json"}
    )
    assert failed.exit_code == 8
    (error,) = [orjson.loads(line) for line in failed.stderr.splitlines()]
    assert error["severity"] == "ERROR" and error["exit_code"] == 8 and "not graded yet" in error["message"]


def test_text_logs_keep_the_error_line(run, rows):
    history(rows)
    rows.game(TODAY)
    made = run(rows, today=TODAY)
    result = cli("daily", "--warehouse", str(made.warehouse), "--dest", str(made.dest))
    assert result.exit_code == 7
    assert result.stderr.startswith("Error: refusing to publish anything: model A: 2026-02-07: 0 shown picks")
    assert result.stderr.endswith("(--allow-drop publishes it anyway; --min-volume 0 turns the volume check off)\n")
    assert not Path(made.dest, "v1").exists()
    allowed = cli("daily", "--warehouse", str(made.warehouse), "--dest", str(made.dest), "--allow-drop")
    assert allowed.exit_code == 0, allowed.stderr
    assert "model A: 2026-02-07: 0 shown picks" in allowed.stderr  # a warning now, not a refusal
    status = orjson.loads(Path(made.dest, "v1/status.json").read_bytes())
    assert any(warning["check"] == "volume" for model in status["models"] for warning in model["warnings"])
