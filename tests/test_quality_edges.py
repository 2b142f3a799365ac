"""The quality gate's boundaries, one by one: its options' bounds, which findings refuse, the volume figure on a date
without games, the thresholds themselves, a run across two seasons, and the messages."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import WarehouseRows

from picks_export.cli.errors import error_message
from picks_export.exporters.errors import ExportError, NotGradedError, VolumeDropError
from picks_export.exporters.quality import Gate, QualityOptions, QualityWarning, refuse

TODAY = dt.date(2026, 2, 7)
YESTERDAY = TODAY - dt.timedelta(days=1)


def test_the_options_bounds_and_their_messages():
    assert QualityOptions(min_volume=1.0).min_volume == 1.0 and QualityOptions(min_volume=0.0).min_volume == 0.0
    with pytest.raises(ExportError) as refused:
        QualityOptions(min_volume=1.5)
    assert error_message(refused.value) == "--min-volume must be between 0 and 1, not 1.5"
    assert QualityOptions(stale_hours=0.5).stale_hours == 0.5
    with pytest.raises(ExportError) as refused:
        QualityOptions(stale_hours=0)
    assert error_message(refused.value) == "--stale-hours must be positive, not 0"
    assert str(refused.value) == "stale hours must be positive, not 0"  # the library speaks of the concept


def test_which_findings_refuse_the_run():
    gate = Gate(TODAY, QualityOptions())
    old = TODAY - dt.timedelta(days=30)
    assert gate.daily is False
    assert gate.refuses(TODAY, False) and gate.refuses(YESTERDAY, False)
    assert not gate.refuses(TODAY - dt.timedelta(days=2), False) and not gate.refuses(old, False)
    assert gate.refuses(old, True)  # a published file would lose picks
    assert Gate(TODAY, QualityOptions(), daily=True).refuses(old, False)  # a daily run for an old date
    assert not Gate(TODAY, QualityOptions(allow_drop=True), daily=True).refuses(TODAY, True)
    gate.refusals.append(QualityWarning("volume", "A", TODAY, "drop"))
    assert gate.result().refusals == gate.refusals


def test_a_refusal_keeps_braces_of_the_warehouse_and_names_the_options():
    finding = QualityWarning("volume", "A{1}", TODAY, f"{TODAY}: subset {{top}} has no shown picks")
    with pytest.raises(VolumeDropError) as refused:
        refuse([finding, finding])
    assert str(refused.value) == (
        f"refusing to publish anything: model A{{1}}: {TODAY}: subset {{top}} has no shown picks (and 1 more)"
        " (--allow-drop publishes it anyway; --min-volume 0 turns the volume check off)"
    )


def history(rows: WarehouseRows, days: int, picks: int, games: int) -> None:
    """`days` graded dates before yesterday with `picks` picks and `games` games each."""
    for back in range(2, days + 2):
        day = TODAY - dt.timedelta(days=back)
        for number in range(games):
            rows.game(day, status="final", game_id=f"{day}-{number}")
        for rank in range(1, picks + 1):
            rows.graded_pick(day, f"P{rank} {day}", "hit", rank=rank)


def volume_findings(run, rows: WarehouseRows, name: str) -> list[str]:
    made = run(rows, today=TODAY, quality=QualityOptions(allow_drop=True))
    made.dest = made.dest.with_name(name)
    return [each.message for each in made.exporter().daily(TODAY).warnings if each.check == "volume"]


@pytest.mark.parametrize(
    ("games", "picks", "drop"),
    [
        (1, 1, False),  # 1.0 per game is exactly half the median of 2.0: not below it
        (4, 2, False),  # 2 picks are exactly half the median of 4: not below it
        (4, 1, True),  # below both
    ],
)
def test_a_drop_is_strictly_below_half_the_median_per_game_and_in_number(run, rows, games, picks, drop):
    history(rows, days=8, picks=4, games=2)
    for number in range(games):
        rows.game(TODAY, game_id=f"today-{number}")
    for rank in range(1, picks + 1):
        rows.pick(TODAY, f"Today {rank}", rank=rank)
    assert bool(volume_findings(run, rows, f"d-{games}-{picks}")) is drop


def test_every_drop_of_a_run_is_reported_not_only_the_first(run, rows):
    history(rows, days=8, picks=4, games=2)
    for day in (YESTERDAY, TODAY):
        rows.game(day, game_id=f"{day}-a")
        rows.game(day, game_id=f"{day}-b")
    rows.pick(YESTERDAY, "Yesterday One")
    rows.pick(TODAY, "Today One")
    assert [message[:10] for message in volume_findings(run, rows, "both")] == [str(YESTERDAY), str(TODAY)]


def test_dates_without_games_are_compared_by_their_plain_count(run, rows):
    """Picks on dates the schedule does not hold (no games rows): the figure is the number of picks."""
    for back in range(2, 10):
        day = TODAY - dt.timedelta(days=back)
        for rank in range(1, 5):
            rows.graded_pick(day, f"P{rank} {day}", "hit", rank=rank)
    rows.pick(TODAY, "Only One")
    rows.pick(YESTERDAY, "Yesterday One")
    rows.pick(YESTERDAY, "Yesterday Two", rank=2)
    rows.pick(YESTERDAY, "Yesterday Three", rank=3)
    assert volume_findings(run, rows, "plain") == [
        f"{TODAY}: 1 shown picks, 1.00 per game, below 0.5 of the trailing 9-day median 4.00 per game (4 picks)"
    ]


def test_a_steady_subset_counts_only_its_own_seasons_dates_in_a_run_across_two_seasons(run):
    rows = WarehouseRows()
    day = dt.date(2025, 7, 20)  # 12 dates of the season before, then 28 of the new one, then "second" stops
    while day <= dt.date(2025, 8, 29):
        rows.game(day, status="final", game_id=f"{day}")
        rows.graded_pick(day, f"Top {day}", "hit")
        if day < dt.date(2025, 8, 29):
            rows.graded_pick(day, f"Second {day}", "hit", subset="second")
        else:
            rows.graded_pick(day, f"Top Two {day}", "hit", rank=2)
        day += dt.timedelta(days=1)
    made = run(rows, today=dt.date(2025, 9, 5))
    outcome = made.exporter().backfill(dt.date(2025, 7, 1), dt.date(2025, 8, 31))
    assert [each.message for each in outcome.warnings if each.check == "volume"] == [
        "2025-08-29: subset second has no shown picks, after picks on each of the previous 28 dates with picks"
    ]


def test_grading_and_stale_warnings_of_every_season_of_a_run_are_kept(run):
    rows = WarehouseRows()
    for day in (dt.date(2025, 7, 30), dt.date(2025, 8, 2)):  # a final game without box scores in each season
        rows.game(day, status="final", game_id=f"{day}")
        rows.pick(day, f"Waiting {day}")
    for day in (dt.date(2026, 7, 31), dt.date(2026, 8, 1)):  # picks computed long before tip-off in each season
        rows.game(day, tipoff="23:00", game_id=f"{day}")
        rows.pick(day, f"Early {day}", computed="01:00")
    made = run(rows, today=dt.date(2026, 7, 31))
    outcome = made.exporter().backfill(dt.date(2025, 7, 29), dt.date(2026, 8, 1))
    found = [(each.check, str(each.date)) for each in outcome.warnings]
    assert found == [
        ("grading", "2025-07-30"),
        ("grading", "2025-08-02"),
        ("stale", "2026-07-31"),
        ("stale", "2026-08-01"),
    ]
    assert str(outcome.warnings[-1]).startswith("model A: 2026-08-01: shown picks computed 22.0 h")


@pytest.mark.parametrize(("hours", "stale"), [(18.0, False), (17.999, True)])
def test_stale_is_strictly_more_than_the_hours_before_tip_off(run, rows, hours, stale):
    rows.game(TODAY, tipoff="23:00")
    rows.pick(TODAY, "Today One", computed="05:00")  # exactly 18 h before
    made = run(rows, today=TODAY, quality=QualityOptions(stale_hours=hours))
    assert bool([each for each in made.exporter().daily(TODAY).warnings if each.check == "stale"]) is stale


def test_a_date_without_a_known_tip_off_is_skipped_not_the_dates_after_it(run, rows):
    tomorrow = TODAY + dt.timedelta(days=1)
    rows.games.append((TODAY, "g-postponed", "LAL", "BOS", None, "postponed"))  # no tip-off known today
    rows.pick(TODAY, "Today One", computed="01:00")
    rows.game(tomorrow, tipoff="23:00")
    rows.pick(tomorrow, "Tomorrow One", computed="01:00")
    made = run(rows, today=TODAY)
    outcome = made.exporter().backfill(TODAY, tomorrow)
    assert [(each.check, each.date) for each in outcome.warnings] == [("stale", tomorrow)]


def test_require_graded_passes_when_yesterday_has_no_picks_and_names_what_waits(run, rows):
    rows.game(TODAY)
    rows.pick(TODAY, "Today One")
    made = run(rows, today=TODAY, quality=QualityOptions(require_graded=True))
    made.exporter().daily(TODAY)  # nothing to wait for
    assert f"v1/picks/{TODAY}.json" in made.published()
    rows.game(YESTERDAY, status="final")
    rows.pick(YESTERDAY, "Waiting One")
    waiting = run(rows, today=TODAY, quality=QualityOptions(require_graded=True))
    with pytest.raises(NotGradedError) as refused:
        waiting.exporter().daily(TODAY)
    assert str(refused.value) == (
        f"model A: {YESTERDAY}: 1 of 1 picks not graded yet (--require-graded): nothing published;"
        " run again once grading has landed"
    )


def test_a_published_date_that_lost_every_pick_is_the_gates_refusal_and_no_grading_warning(run, rows):
    day = TODAY - dt.timedelta(days=20)
    history(rows, days=30, picks=1, games=1)
    made = run(rows, today=TODAY)
    made.exporter().backfill(TODAY - dt.timedelta(days=40), YESTERDAY)
    rows.picks = [pick for pick in rows.picks if pick[0] != day]  # its game is still final, its pick gone
    again = run(rows, today=TODAY)
    with pytest.raises(VolumeDropError, match=f"model A: {day}: 0 shown picks"):  # before the shrink guard
        again.exporter().backfill(day, day)
    allowed = run(rows, today=TODAY, quality=QualityOptions(allow_drop=True))
    from picks_export.exporters.publish import PublishPolicy

    exporter = allowed.exporter()
    exporter.publisher.policy = PublishPolicy(allow_shrink=True)
    outcome = exporter.backfill(day, day)
    assert [(each.check, each.date) for each in outcome.warnings] == [("volume", day)]  # no grading warning


def test_a_date_that_is_no_longer_a_game_day_does_not_end_the_check_of_the_dates_after_it(run, rows):
    history(rows, days=20, picks=4, games=2)
    made = run(rows, today=TODAY)
    made.exporter().backfill(TODAY - dt.timedelta(days=30), YESTERDAY)
    gone = TODAY - dt.timedelta(days=5)  # its games and picks gone from the warehouse, its file still published
    rows.picks = [pick for pick in rows.picks if pick[0] != gone]
    rows.games = [game for game in rows.games if game[0] != gone]
    rows.game(TODAY, game_id="today-a")
    rows.game(TODAY, game_id="today-b")
    rows.pick(TODAY, "Only One")  # a drop today, after the date that is no longer a game day
    again = run(rows, today=TODAY)
    with pytest.raises(VolumeDropError, match=f"model A: {TODAY}: 1 shown picks"):
        again.exporter().backfill(gone, TODAY)
