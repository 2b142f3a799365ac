"""The demo warehouse generator: span, determinism, types and every edge case the spec asks it to contain."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from picks_export.exporters.demo import demo_span, generate_demo
from picks_export.exporters.tables import TABLES, Rows

MID_SEASON_TODAY = dt.date(2026, 1, 15)
OFF_SEASON_TODAY = dt.date(2026, 8, 15)
OPENER_2025 = dt.date(2025, 10, 21)
FINALE_2026 = dt.date(2026, 6, 15)
NBA_TEAMS = frozenset(
    "ATL BOS BKN CHA CHI CLE DAL DEN DET GSW HOU IND LAC LAL MEM MIA MIL MIN NOP NYK "
    "OKC ORL PHI PHX POR SAC SAS TOR UTA WAS".split()
)
NULLABLE = {("player_game_summary", "points"), ("player_game_summary", "minutes")}
EASTERN = ZoneInfo("America/New_York")

P_DATE, P_SYSTEM, P_VERSION, P_COMPUTED, P_SUBSET, P_LOOKUP, P_NAME, P_TEAM, P_OPP, P_PRED, P_LINE, P_DIR, P_RANK = (
    range(13)
)


@pytest.fixture(scope="module")
def mid_season() -> Rows:
    return generate_demo(MID_SEASON_TODAY)


@pytest.fixture(scope="module")
def full_season() -> Rows:
    return generate_demo(OFF_SEASON_TODAY)


def enabled_ids(rows: Rows) -> list[str]:
    return sorted(system_id for system_id, _, _, _, enabled in rows["models"] if enabled)


def active_subsets(rows: Rows) -> set[str]:
    return {subset_id for subset_id, _, _, active in rows["subset_definitions"] if active}


def versions(rows: Rows) -> dict[tuple[dt.date, str], dict[str, list[tuple]]]:
    """(date, system_id) -> version_id -> pick rows."""
    grouped: dict[tuple[dt.date, str], dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for pick in rows["subset_picks"]:
        grouped[pick[P_DATE], pick[P_SYSTEM]][pick[P_VERSION]].append(pick)
    return grouped


def first_tipoffs(rows: Rows) -> tuple[set[dt.date], dict[dt.date, dt.datetime]]:
    """Dates with games rows, and the first non-postponed tip-off of each date that has one."""
    dates = {game[0] for game in rows["games"]}
    firsts: dict[dt.date, dt.datetime] = {}
    for day, _, _, _, tipoff, status in rows["games"]:
        if status != "postponed" and (day not in firsts or tipoff < firsts[day]):
            firsts[day] = tipoff
    return dates, firsts


def shown_versions(rows: Rows) -> dict[tuple[dt.date, str], str]:
    """The contract's lock rule, written out independently of the generator."""
    _, firsts = first_tipoffs(rows)
    shown = {}
    for key, by_version in versions(rows).items():
        lock = firsts.get(key[0])
        candidates = [v for v, picks in by_version.items() if lock is None or picks[0][P_COMPUTED] < lock]
        if candidates:
            shown[key] = max(candidates)
    return shown


def digest(rows: Rows) -> str:
    return hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()


# --- span ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (MID_SEASON_TODAY, (OPENER_2025, MID_SEASON_TODAY)),
        (OPENER_2025, (OPENER_2025, OPENER_2025)),
        (FINALE_2026, (OPENER_2025, FINALE_2026)),
        (OFF_SEASON_TODAY, (OPENER_2025, FINALE_2026)),  # new season not started: last full season
        (dt.date(2026, 10, 20), (OPENER_2025, FINALE_2026)),
        (dt.date(2026, 7, 1), (OPENER_2025, FINALE_2026)),  # after the last game of its own season
        (dt.date(2025, 9, 1), (dt.date(2024, 10, 21), dt.date(2025, 6, 15))),
    ],
)
def test_span(today: dt.date, expected: tuple[dt.date, dt.date]) -> None:
    assert demo_span(today) == expected


def test_mid_season_rows_cover_opener_through_today(mid_season: Rows) -> None:
    pick_dates = {pick[P_DATE] for pick in mid_season["subset_picks"]}
    assert min(pick_dates) == OPENER_2025 and max(pick_dates) == MID_SEASON_TODAY
    todays_games = [game for game in mid_season["games"] if game[0] == MID_SEASON_TODAY]
    assert todays_games and {game[5] for game in todays_games} <= {"scheduled", "postponed"}
    assert all(game[5] in ("final", "postponed") for game in mid_season["games"] if game[0] < MID_SEASON_TODAY)


def test_off_season_covers_the_whole_last_season_all_final(full_season: Rows) -> None:
    rows = full_season
    game_dates = sorted({game[0] for game in rows["games"]})
    assert game_dates[0] == OPENER_2025 and game_dates[-1] == FINALE_2026
    assert len(game_dates) > 180
    assert {game[5] for game in rows["games"]} == {"final", "postponed"}
    assert max(pick[P_DATE] for pick in rows["subset_picks"]) == FINALE_2026
    # the All-Star break: several days in a row without games in mid-February
    february = [day for day in game_dates if day.month == 2]
    assert max((later - earlier).days for earlier, later in zip(february, february[1:])) >= 5


def test_first_game_day_has_only_todays_scheduled_games() -> None:
    rows = generate_demo(OPENER_2025)
    assert {game[0] for game in rows["games"]} == {OPENER_2025}
    assert {game[5] for game in rows["games"]} <= {"scheduled", "postponed"}
    assert "scheduled" in {game[5] for game in rows["games"]}
    assert {pick[P_DATE] for pick in rows["subset_picks"]} == {OPENER_2025}
    assert rows["player_game_summary"] == []


# --- determinism ------------------------------------------------------------------------------------


def test_same_inputs_give_the_same_rows_and_another_seed_differs() -> None:
    today = dt.date(2025, 11, 20)
    first, again = generate_demo(today), generate_demo(today)
    assert first == again
    other = generate_demo(today, seed=8)
    for table in ("games", "subset_picks", "player_game_summary"):
        assert other[table] != first[table]


def test_rows_do_not_depend_on_the_hash_seed() -> None:
    today = dt.date(2025, 10, 25)
    script = (
        "import datetime, hashlib; from picks_export.exporters.demo import generate_demo; "
        f"rows = generate_demo(datetime.date({today.year}, {today.month}, {today.day})); "
        "print(hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest())"
    )
    root = str(Path(__file__).resolve().parents[1])
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": root}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout.strip())
    assert outputs == {digest(generate_demo(today))}


def test_past_days_stay_put_as_today_moves_on() -> None:
    today = dt.date(2025, 11, 10)
    earlier, later = generate_demo(today), generate_demo(today + dt.timedelta(days=7))
    assert [pick for pick in later["subset_picks"] if pick[P_DATE] <= today] == earlier["subset_picks"]
    assert [row for row in later["player_game_summary"] if row[0] < today] == earlier["player_game_summary"]


# --- shape and types ------------------------------------------------------------------------------------------


def test_every_row_matches_the_table_columns_and_python_types(mid_season: Rows) -> None:
    assert list(mid_season) == list(TABLES)
    for table, columns in TABLES.items():
        assert mid_season[table], table
        for row in mid_season[table]:
            assert isinstance(row, tuple) and len(row) == len(columns), (table, row)
            for (column, bq_type), value in zip(columns, row):
                if value is None:
                    assert (table, column) in NULLABLE, (table, column, row)
                elif bq_type == "TIMESTAMP":
                    assert type(value) is dt.datetime and value.utcoffset() == dt.timedelta(0), (table, row)
                else:
                    expected = {"STRING": str, "INT64": int, "FLOAT64": float, "BOOL": bool, "DATE": dt.date}
                    assert type(value) is expected[bq_type], (table, column, row)


# --- models, subsets, schedule ----------------------------------------------------------------------------------


def test_models_two_enabled_one_disabled_one_champion(mid_season: Rows) -> None:
    models = mid_season["models"]
    assert len(models) == 3
    assert len({model[0] for model in models}) == 3 and len({model[1] for model in models}) == 3
    assert [model[1] for model in models if model[3] and model[4]] == ["926A"]
    assert sorted(model[1] for model in models if not model[4]) == ["legacy"]


def test_subsets_one_inactive_and_a_display_order_tie(mid_season: Rows) -> None:
    subsets = mid_season["subset_definitions"]
    assert 6 <= len(subsets) <= 10
    assert len({subset[0] for subset in subsets}) == len(subsets)
    assert [subset[0] for subset in subsets if not subset[3]] == ["legacy_picks"]
    orders = Counter(order for _, _, order, active in subsets if active)
    assert max(orders.values()) >= 2
    assert "Top Pick" in {subset[1] for subset in subsets}


def test_schedule_is_plausible(mid_season: Rows) -> None:
    games = mid_season["games"]
    assert len({game[1] for game in games}) == len(games)
    by_day: dict[dt.date, list[tuple]] = defaultdict(list)
    for game in games:
        by_day[game[0]].append(game)
    for day, day_games in by_day.items():
        assert 3 <= len(day_games) <= 12, day
        teams = [team for game in day_games for team in (game[2], game[3])]
        assert len(set(teams)) == len(teams) and set(teams) <= NBA_TEAMS, day
        for game in day_games:
            local = game[4].astimezone(EASTERN)
            assert local.date() == day and dt.time(19, 0) <= local.time() <= dt.time(22, 30), game
    days = sorted(by_day)
    assert any((later - earlier).days > 1 for earlier, later in zip(days, days[1:])), "no off day"


def test_a_postponed_game_and_no_box_scores_for_it(mid_season: Rows) -> None:
    postponed = [game for game in mid_season["games"] if game[5] == "postponed"]
    assert postponed
    teams_of = {(pick[P_DATE], pick[P_LOOKUP]): pick[P_TEAM] for pick in mid_season["subset_picks"]}
    played = {(row[0], teams_of.get((row[0], row[1]))) for row in mid_season["player_game_summary"]}
    for day, _, home, away, _, _ in postponed:
        assert (day, home) not in played and (day, away) not in played


# --- picks ------------------------------------------------------------------------------------------------------


def test_picks_per_version_follow_the_spec(mid_season: Rows) -> None:
    active = active_subsets(mid_season)
    game_dates, _ = first_tipoffs(mid_season)
    matchups = {(g[0], g[2], g[3]) for g in mid_season["games"] if g[5] != "postponed"}
    matchups |= {(day, away, home) for day, home, away in matchups}
    enabled = enabled_ids(mid_season)
    for (day, system_id), by_version in versions(mid_season).items():
        if system_id not in enabled:
            assert sum(map(len, by_version.values())) <= 6  # a handful from the disabled model at most
            continue
        assert 2 <= len(by_version) <= 4, (day, system_id)
        ids = sorted(by_version)
        assert [by_version[v][0][P_COMPUTED] for v in ids] == sorted(by_version[v][0][P_COMPUTED] for v in ids)
        for version_id, picks in by_version.items():
            assert len({pick[P_COMPUTED] for pick in picks}) == 1, version_id
            assert 10 <= sum(pick[P_SUBSET] in active for pick in picks) <= 40, version_id
            assert any(pick[P_SUBSET] not in active for pick in picks), version_id
            keys = [(pick[P_SUBSET], pick[P_LOOKUP]) for pick in picks]
            assert len(set(keys)) == len(keys), version_id
            ranks: dict[str, list[int]] = defaultdict(list)
            for pick in picks:
                ranks[pick[P_SUBSET]].append(pick[P_RANK])
                assert pick[P_DIR] in ("OVER", "UNDER") and pick[P_LINE] >= 0
                assert (pick[P_DIR] == "OVER") == (pick[P_PRED] > pick[P_LINE]), pick
                if day in game_dates:
                    assert (day, pick[P_TEAM], pick[P_OPP]) in matchups, pick
            assert all(sorted(r) == list(range(1, len(r) + 1)) for r in ranks.values()), version_id


def test_postponed_first_game_makes_the_lock_skip_it(mid_season: Rows) -> None:
    """A version computed after a postponed game's tip-off but before the first real one must exist."""
    earliest: dict[dt.date, tuple] = {}
    for game in mid_season["games"]:
        if game[0] not in earliest or game[4] < earliest[game[0]][4]:
            earliest[game[0]] = game
    _, firsts = first_tipoffs(mid_season)
    between = [
        (day, system_id)
        for (day, system_id), by_version in versions(mid_season).items()
        if earliest.get(day, (None,) * 6)[5] == "postponed"
        if any(earliest[day][4] <= picks[0][P_COMPUTED] < firsts[day] for picks in by_version.values())
    ]
    assert between


def test_subsets_hold_what_their_names_say(mid_season: Rows) -> None:
    for pick in mid_season["subset_picks"]:
        if pick[P_SUBSET] in ("best_overs", "longshots"):
            assert pick[P_DIR] == "OVER", pick
        elif pick[P_SUBSET] == "best_unders":
            assert pick[P_DIR] == "UNDER", pick


def test_version_ids_look_like_their_computed_at(mid_season: Rows) -> None:
    for pick in mid_season["subset_picks"][:500]:
        assert re.fullmatch(r"\d{8}T\d{4}Z-\d{2}", pick[P_VERSION])
        assert pick[P_VERSION].startswith(f"{pick[P_COMPUTED]:%Y%m%dT%H%MZ}")


def test_some_versions_are_computed_after_the_first_tipoff(mid_season: Rows) -> None:
    _, firsts = first_tipoffs(mid_season)
    late_days = {
        day
        for (day, system_id), by_version in versions(mid_season).items()
        if system_id in enabled_ids(mid_season) and day in firsts
        if any(picks[0][P_COMPUTED] >= firsts[day] for picks in by_version.values())
    }
    share = len(late_days) / len(firsts)
    assert 0.15 <= share <= 0.6, share
    # the late version changes the picks
    for day in sorted(late_days)[:5]:
        by_version = versions(mid_season)[day, "sys-926a-v3"]
        contents = [{(p[P_SUBSET], p[P_LOOKUP], p[P_PRED], p[P_LINE]) for p in picks} for picks in by_version.values()]
        assert len({frozenset(c) for c in contents}) == len(contents)


def test_player_lookups_are_unique_slugs_of_names(mid_season: Rows) -> None:
    identity = {(pick[P_LOOKUP], pick[P_NAME], pick[P_TEAM]) for pick in mid_season["subset_picks"]}
    assert len({lookup for lookup, _, _ in identity}) == len(identity) == len({name for _, name, _ in identity})
    for lookup, name, _ in identity:
        assert lookup == re.sub(r"[^a-z0-9]", "", name.lower())


def test_integer_lines_exist_and_some_shown_picks_push(mid_season: Rows) -> None:
    picks = mid_season["subset_picks"]
    integer_share = sum(pick[P_LINE] == int(pick[P_LINE]) for pick in picks) / len(picks)
    assert 0 < integer_share < 0.15
    summary = {(row[0], row[1]): row for row in mid_season["player_game_summary"]}
    shown = shown_versions(mid_season)
    pushes = {
        (pick[P_DATE], pick[P_LOOKUP])
        for pick in picks
        if shown.get((pick[P_DATE], pick[P_SYSTEM])) == pick[P_VERSION]
        and (row := summary.get((pick[P_DATE], pick[P_LOOKUP])))
        and row[3]
        and row[2] == pick[P_LINE]
    }
    assert len(pushes) >= 3


def test_schedule_gap_day_has_picks_but_no_games(mid_season: Rows) -> None:
    game_dates, _ = first_tipoffs(mid_season)
    enabled = enabled_ids(mid_season)
    pick_dates = {pick[P_DATE] for pick in mid_season["subset_picks"] if pick[P_SYSTEM] in enabled}
    gaps = pick_dates - game_dates
    assert gaps and all(day < MID_SEASON_TODAY for day in gaps)
    assert {row[0] for row in mid_season["player_game_summary"]} >= gaps  # the games were played nonetheless


# --- box scores and signals -----------------------------------------------------------------------------------


def test_box_scores_only_before_today_with_dnps(mid_season: Rows) -> None:
    summary = mid_season["player_game_summary"]
    assert all(row[0] < MID_SEASON_TODAY for row in summary)
    assert len({(row[0], row[1]) for row in summary}) == len(summary)
    zero_minutes = [row for row in summary if row[3] == 0.0]
    null_minutes = [row for row in summary if row[3] is None]
    points_missing = [row for row in summary if row[3] and row[2] is None]
    assert zero_minutes and null_minutes and points_missing
    assert all(row[2] in (0, None) for row in zero_minutes + null_minutes)
    assert all(row[2] >= 0 and row[3] > 0 for row in summary if row[2] is not None and row[3])


def test_signals_one_per_model_and_day_with_gaps(mid_season: Rows) -> None:
    signals = mid_season["daily_signals"]
    enabled = enabled_ids(mid_season)
    keys = [(day, system_id) for day, system_id, _ in signals]
    assert len(set(keys)) == len(keys)
    assert {signal for _, _, signal in signals} == {"favorable", "neutral", "challenging"}
    assert {system_id for _, system_id in keys} == set(enabled)
    pick_days = {pick[P_DATE] for pick in mid_season["subset_picks"]}
    missing = {(day, system_id) for day in pick_days for system_id in enabled} - set(keys)
    assert missing and len(missing) < 0.2 * len(pick_days) * len(enabled)
