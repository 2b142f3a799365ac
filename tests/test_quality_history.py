"""The quality gate on regenerations: a finding in a season's history is a warning, a failure readers would see
now (today's picks, a published file losing picks) still refuses the run (exit 7)."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from conftest import WarehouseRows
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters.errors import VolumeDropError
from picks_export.exporters.quality import QualityOptions

TODAY = dt.date(2026, 2, 7)
FIRST = dt.date(2025, 10, 1)  # the first game day of the generated seasons
SEASON_START = dt.date(2025, 8, 1)
runner = CliRunner()


def season(
    rows: WarehouseRows,
    subsets: dict[str, tuple[dt.date, dt.date]],
    *,
    skip: tuple[dt.date, dt.date] | None = None,
    picks: int = 1,
    last: dt.date = TODAY,
) -> None:
    """A game day from FIRST to `last`, each subset with `picks` graded picks from its first to its last date;
    no picks (the games still scheduled) on the dates of `skip`."""
    day = FIRST
    while day <= last:
        final = day < TODAY
        for number in range(2):
            rows.game(day, status="final" if final else "scheduled", game_id=f"{day}-{number}")
        if skip is None or not skip[0] <= day <= skip[1]:
            for subset, (start, end) in subsets.items():
                if start <= day <= end:
                    for rank in range(1, picks + 1):
                        player = f"{subset} {rank} {day}"
                        if final:
                            rows.graded_pick(day, player, "hit", subset=subset, rank=rank)
                        else:
                            rows.pick(day, player, subset=subset, rank=rank)
        day += dt.timedelta(days=1)


def cli(*args: str):
    return runner.invoke(app, list(args), env={"PICKS_EXPORT_TODAY": str(TODAY)})


def backfill(made, start: dt.date = SEASON_START, end: dt.date = TODAY):
    return cli(
        "backfill",
        "--start",
        str(start),
        "--end",
        str(end),
        "--warehouse",
        str(made.warehouse),
        "--dest",
        str(made.dest),
    )


def volume_warnings(made) -> list[dict]:
    (entry,) = made.read("v1/status.json")["models"]
    return [warning for warning in entry["warnings"] if warning["check"] == "volume"]


WHOLE = (FIRST, TODAY)


@pytest.mark.parametrize(
    ("name", "subsets", "skip", "finding"),
    [
        # A subset shown only in the preseason (October), with picks on each of its 30 dates.
        (
            "preseason-only subset",
            {"top": WHOLE, "second": (FIRST, dt.date(2025, 10, 30))},
            None,
            "2025-10-31: subset second has no shown picks, after picks on each of the previous 30 dates with picks",
        ),
        # A subset discontinued on Dec 15.
        (
            "discontinued subset",
            {"top": WHOLE, "second": (FIRST, dt.date(2025, 12, 15))},
            None,
            "2025-12-16: subset second has no shown picks, after picks on each of the previous 76 dates with picks",
        ),
        # Two weeks of games without picks (the model paused), then picks again: a backfill builds the dates with
        # picks, whose volume and subsets are as before the break.
        ("two-week break", {"top": WHOLE, "second": WHOLE}, (dt.date(2026, 1, 5), dt.date(2026, 1, 18)), None),
    ],
)
def test_a_whole_season_backfill_with_a_finding_in_its_history_exits_0_with_warnings(
    run, rows, name, subsets, skip, finding
):
    season(rows, subsets, skip=skip)
    made = run(rows, today=TODAY)
    result = backfill(made)
    assert result.exit_code == 0, result.output
    warnings = volume_warnings(made)
    if finding is None:
        assert warnings == [] and "Warning" not in result.output
        assert f"v1/picks/{skip[1] + dt.timedelta(days=1)}.json" in made.published()
    else:
        assert f"Warning: model A: {finding}" in result.stderr  # the summary's warnings
        assert {"check": "volume", "date": finding[:10], "message": finding} in warnings
        assert f"v1/picks/{finding[:10]}.json" in made.published()  # published anyway
    # A second backfill over the published site finds the same history, loses no picks: still a warning.
    again = backfill(made)
    assert again.exit_code == 0, again.output
    assert volume_warnings(made) == warnings


def test_a_whole_season_backfill_of_the_demo_exits_0(tmp_path):
    warehouse, dest = tmp_path / "w.duckdb", tmp_path / "public"
    assert cli("demo", "--warehouse", str(warehouse)).exit_code == 0
    result = cli(
        "backfill",
        "--start",
        "2025-08-01",
        "--end",
        str(TODAY),
        "--all-models",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
    )
    assert result.exit_code == 0, result.output
    assert "files:" in result.stdout
    status = orjson.loads((dest / "v1/status.json").read_bytes())
    assert [entry["code"] for entry in status["models"]] == ["926A", "phoenix"]
    assert all((dest / entry["index"]).is_file() for entry in status["models"])


@pytest.mark.parametrize("command", ["daily", "backfill"])
def test_todays_picks_at_a_tenth_of_the_median_still_refuse_the_run(run, rows, command):
    season(rows, {"top": WHOLE}, picks=10, last=TODAY - dt.timedelta(days=1))
    rows.game(TODAY, game_id="today-0")
    rows.game(TODAY, game_id="today-1")
    rows.pick(TODAY, "Only One")  # a tenth of the 10 picks of each earlier date
    made = run(rows, today=TODAY)
    args = ["--warehouse", str(made.warehouse), "--dest", str(made.dest)]
    result = cli(command, *args) if command == "daily" else backfill(made)
    assert result.exit_code == 7, result.output
    assert result.stderr == (
        f"Error: refusing to publish anything: model A: {TODAY}: 1 shown picks, 0.50 per game, below 0.5 of the"
        " trailing 14-day median 5.00 per game (10 picks) (--allow-drop publishes it anyway; --min-volume 0 turns"
        " the volume check off)\n"
    )
    assert made.published() == []


def test_a_published_day_that_would_lose_picks_refuses_a_backfill_of_the_past(run, rows):
    """An old date whose published file has 10 picks, and a warehouse that now holds one: upstream lost rows."""
    season(rows, {"top": WHOLE}, picks=10, last=TODAY - dt.timedelta(days=1))
    made = run(rows, today=TODAY)
    assert backfill(made).exit_code == 0
    before = {path: (made.dest / path).read_bytes() for path in made.published() if path != "v1/status.json"}
    lost = dt.date(2026, 1, 20)
    rows.picks = [pick for pick in rows.picks if pick[0] != lost or pick[-1] == 1]
    made = run(rows, today=TODAY)
    result = backfill(made, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert result.exit_code == 7, result.output
    assert f"model A: {lost}: 1 shown picks" in result.stderr
    assert {path: (made.dest / path).read_bytes() for path in before} == before
    # Into an empty destination the same history is a warning: nothing published loses picks.
    fresh = run(rows, today=TODAY, quality=QualityOptions())
    fresh.dest = made.dest.with_name("fresh")
    outcome = fresh.exporter().backfill(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [each.date for each in outcome.warnings if each.check == "volume"] == [lost]
    # allow_drop publishes it, saying so.
    allowed = run(rows, today=TODAY, quality=QualityOptions(allow_drop=True))
    warned = allowed.exporter().backfill(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [each.date for each in warned.warnings if each.check == "volume"] == [lost]
    assert allowed.read(f"v1/picks/{lost}.json") != orjson.loads(before[f"v1/picks/{lost}.json"])


def test_the_library_names_the_options_that_get_past_the_gate_by_concept(run, rows):
    season(rows, {"top": WHOLE}, picks=10, last=TODAY - dt.timedelta(days=1))
    rows.game(TODAY)
    made = run(rows, today=TODAY)
    with pytest.raises(VolumeDropError) as refused:
        made.exporter().daily(TODAY)
    assert refused.value.with_names(lambda concept: f"<{concept}>").endswith(
        "(<allow_drop> publishes it anyway; <min_volume> 0 turns the volume check off)"
    )
    assert "--allow-drop publishes it anyway" in str(refused.value)


def test_min_volume_zero_turns_the_steady_subset_check_off_too(run, rows):
    season(rows, {"top": WHOLE, "second": (FIRST, TODAY - dt.timedelta(days=1))})
    made = run(rows, today=TODAY, quality=QualityOptions(min_volume=0.0))
    outcome = made.exporter().daily(TODAY)
    assert [each for each in outcome.warnings if each.check == "volume"] == []
    with pytest.raises(VolumeDropError, match=f"{TODAY}: subset second has no shown picks"):
        run(rows, today=TODAY).exporter().daily(TODAY)


def test_the_volume_check_needs_exactly_seven_earlier_dates(run, rows):
    """With 7 earlier dates with picks a drop is found; with 6 there is no median yet."""
    for earlier, found in ((7, True), (6, False)):  # literals: the contract's figure, not the module's constant
        rows = WarehouseRows()
        for back in range(1, earlier + 1):
            day = TODAY - dt.timedelta(days=back)
            rows.game(day, status="final", game_id=f"{day}")
            for rank in range(1, 5):
                rows.graded_pick(day, f"P{rank} {day}", "hit", rank=rank)
        rows.game(TODAY, game_id="today")
        rows.pick(TODAY, "Only One")
        made = run(rows, today=TODAY, quality=QualityOptions(allow_drop=True))
        made.dest = made.dest.with_name(f"dest-{earlier}")
        warnings = [each.message for each in made.exporter().daily(TODAY).warnings if each.check == "volume"]
        assert bool(warnings) is found, (earlier, warnings)


def test_the_steady_subset_check_needs_exactly_28_earlier_dates(run, rows):
    """A subset with picks on each of the 28 earlier dates with picks is steady; on 27, not yet."""
    for earlier, found in ((28, True), (27, False)):
        rows = WarehouseRows()
        for back in range(1, earlier + 1):
            day = TODAY - dt.timedelta(days=back)
            rows.game(day, status="final", game_id=f"{day}")
            rows.graded_pick(day, f"Top {day}", "hit")
            rows.graded_pick(day, f"Second {day}", "hit", subset="second")
        rows.game(TODAY, game_id="today")
        rows.pick(TODAY, "Top Today")
        rows.pick(TODAY, "Top Today Two", rank=2)  # the same volume: only the subset is missing
        made = run(rows, today=TODAY, quality=QualityOptions(allow_drop=True))
        made.dest = made.dest.with_name(f"dest-{earlier}")
        warnings = [each.message for each in made.exporter().daily(TODAY).warnings if each.check == "volume"]
        expected = [
            f"{TODAY}: subset second has no shown picks, after picks on each of the previous 28 dates with picks"
        ]
        assert warnings == (expected if found else []), (earlier, warnings)
