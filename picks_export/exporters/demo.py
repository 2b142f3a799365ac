"""A seeded, deterministic demo warehouse: one NBA season of player-points props in the contract's six tables.

The data is built to exercise every rule of the contract: versions computed after the first tip-off (the lock),
a postponed first game, a game day missing from `games`, DNPs, integer lines that push, days without a signal,
an inactive subset and a disabled model.

Randomness comes only from `random.Random` instances seeded with integers derived from `seed`: one for the
rosters, one per season (off days, special days) and one per game day. A day's rows therefore depend only on
(seed, day) and do not change when `today` moves on, except for the game status and the arrival of box scores.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from picks_export.exporters.tables import TABLES, Rows

EASTERN = ZoneInfo("America/New_York")
UTC = dt.UTC

TEAMS: tuple[str, ...] = (
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW",
    "HOU", "IND", "LAC", "LAL", "MEM", "MIA", "MIL", "MIN", "NOP", "NYK",
    "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
)  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "Marcus", "Jalen", "Tyrese", "De'Andre", "Malik", "Darius", "Isaiah", "Keon", "Andre", "Caleb",
    "Jordan", "Terrence", "Quentin", "Elijah", "Xavier", "Brandon", "Nico", "Omari", "Dante", "Trey",
    "Julian", "Kendrick", "Luca", "Mateo", "Rashad", "Theo", "Victor", "Zaire", "Amir", "Bennett",
    "Cedric", "Dorian", "Emeka", "Felix", "Grant", "Hakeem", "Ivan", "Jamal", "Kobe", "Lamar",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Whitfield", "Okafor", "Branson", "McAllister", "Delacroix", "Holloway", "Prescott", "Vance", "Abernathy",
    "Castellanos", "Dunmore", "Eastwood", "Fairbanks", "Gallagher", "Hargrove", "Ingram-Shaw", "Jefferson Jr.",
    "Kowalski", "Lindqvist", "Mbeki", "Northcutt", "O'Connell", "Pemberton", "Quarles", "Redmond", "Sterling",
    "Thornbury", "Underwood", "Valdez", "Winslow", "Yarborough", "Zeller-Ruiz", "Ashby", "Blackwood",
    "Crenshaw", "Dawkins", "Ellison", "Fontaine", "Greer", "Hollis",
)  # fmt: skip

# Emitted with a non-champion first so that nothing may take "the first row" for the default model.
MODELS: tuple[tuple[str, str, str, bool, bool], ...] = (
    ("sys-phoenix-v1", "phoenix", "Model Phoenix", False, True),
    ("sys-926a-v3", "926A", "Model 926A", True, True),
    ("sys-legacy-v0", "legacy", "Model Legacy", False, False),
)
ENABLED_SYSTEM_IDS: tuple[str, ...] = ("sys-926a-v3", "sys-phoenix-v1")
DISABLED_SYSTEM_ID = "sys-legacy-v0"
SIGNAL_LESS_MODEL = "sys-phoenix-v1"  # the model whose signal is surely missing on one day

# Emitted out of display order on purpose; best_unders and best_overs share display_order 4, so only the
# tie-break by subset_id puts best_overs first.
SUBSETS: tuple[tuple[str, str, int, bool], ...] = (
    ("value_plays", "Value Plays", 5, True),
    ("top_pick", "Top Pick", 1, True),
    ("best_unders", "Best Unders", 4, True),
    ("top_3", "Top 3", 2, True),
    ("legacy_picks", "Legacy Picks", 7, False),
    ("best_overs", "Best Overs", 4, True),
    ("top_5", "Top 5", 3, True),
    ("longshots", "Longshots", 6, True),
)

SIGNALS: tuple[str, ...] = ("favorable", "neutral", "challenging")
SIGNAL_WEIGHTS: tuple[int, ...] = (35, 40, 25)
SIGNAL_MISSING_RATE = 0.08

OPENER_MONTH_DAY = (10, 21)
FINALE_MONTH_DAY = (6, 15)
REGULAR_SEASON_LAST_MONTH_DAY = (4, 12)
PLAYOFF_TEAM_COUNT = 16
SCATTERED_OFF_DAYS = 8

GAME_COUNTS: tuple[int, ...] = tuple(range(3, 13))
GAME_COUNT_WEIGHTS: tuple[int, ...] = (1, 2, 3, 4, 5, 5, 5, 4, 3, 2)
TIPOFF_SLOTS_AFTER_7PM: tuple[int, ...] = (0, 30, 60, 90, 120, 150, 180, 210)  # 19:00 .. 22:30 ET
TIPOFF_SLOT_WEIGHTS: tuple[int, ...] = (6, 8, 4, 3, 2, 1, 3, 2)
RANDOM_POSTPONE_RATE = 0.005

LATE_VERSION_RATE = 1 / 3
MAX_EXTRA_VERSIONS = 24  # generate_scaled's extra versions a day: each takes a distinct minute of the morning
INTEGER_LINE_RATE = 0.04
PUSH_RATE = 0.5  # chance that a shown pick on an integer line scores exactly the line
DNP_ZERO_MINUTES_RATE = 0.03
DNP_NULL_MINUTES_RATE = 0.02
POINTS_MISSING_RATE = 0.01

ROLE_POINTS: tuple[tuple[float, float], ...] = ((22.0, 31.0), (16.0, 23.0), (12.0, 18.0), (8.0, 14.0), (5.0, 11.0))
ROLE_MINUTES: tuple[float, ...] = (35.0, 32.0, 29.0, 25.0, 20.0)


@dataclass(frozen=True)
class _Player:
    lookup: str
    name: str
    team: str
    mean_points: float
    mean_minutes: float


@dataclass(frozen=True)
class _Game:
    game_id: str
    home: str
    away: str
    tipoff_at: dt.datetime
    postponed: bool


@dataclass(frozen=True)
class _Evaluation:
    """One model version's view of one player: the basis of every subset that version picks from."""

    player: _Player
    opponent: str
    predicted_points: float
    line: float
    direction: str

    @property
    def edge(self) -> float:
        return self.predicted_points - self.line


@dataclass(frozen=True)
class _SeasonPlan:
    """Days chosen once per season so that the span surely contains each edge case."""

    opener: dt.date
    playoffs_start: dt.date
    playoff_teams: tuple[str, ...]
    postponed_day: dt.date  # its earliest game is postponed
    gap_day: dt.date | None  # picks but no `games` rows
    signal_less_day: dt.date


def _season_start_year(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _season_game_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last game day of the season that starts on Aug 1 of `year`."""
    return dt.date(year, *OPENER_MONTH_DAY), dt.date(year + 1, *FINALE_MONTH_DAY)


def demo_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """First game day and last day the demo covers for this 'today'."""
    year = _season_start_year(today)
    opener, finale = _season_game_bounds(year)
    if today < opener:  # off-season before the first game: show the last full season
        return _season_game_bounds(year - 1)
    if today > finale:  # off-season after the last game: this season is complete
        return opener, finale
    return opener, today


def _derive_seed(seed: int, salt: int) -> int:
    """An integer seed per (seed, salt); injective for 0 <= salt < 1_000_003, and free of hash()."""
    return seed * 1_000_003 + salt


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _build_roster(rng: random.Random) -> dict[str, tuple[_Player, ...]]:
    """About five made-up players per team, a star first; lookups are unique slugs of the names."""
    roster: dict[str, tuple[_Player, ...]] = {}
    used_lookups: set[str] = set()
    for team in TEAMS:
        players = []
        for (low, high), minutes in zip(ROLE_POINTS, ROLE_MINUTES, strict=True):
            while True:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                lookup = _slug(name)
                if lookup not in used_lookups:
                    break
            used_lookups.add(lookup)
            players.append(_Player(lookup, name, team, round(rng.uniform(low, high), 2), minutes))
        roster[team] = tuple(players)
    return roster


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _fixed_off_days(year: int) -> list[dt.date]:
    """Thanksgiving, Christmas Eve and the All-Star break (Thursday to Tuesday around the third Sunday of Feb)."""
    november_first = dt.date(year, 11, 1)
    thanksgiving = november_first + dt.timedelta(days=(3 - november_first.weekday()) % 7 + 21)
    february_first = dt.date(year + 1, 2, 1)
    all_star_sunday = february_first + dt.timedelta(days=(6 - february_first.weekday()) % 7 + 14)
    all_star_break = [all_star_sunday + dt.timedelta(days=offset) for offset in range(-3, 3)]
    return [thanksgiving, dt.date(year, 12, 24), *all_star_break]


def _season_game_days(year: int, rng: random.Random) -> tuple[list[dt.date], list[dt.date]]:
    """Every game day of the season (opener to finale but the fixed and a few scattered off days), and the
    scattered off days."""
    opener, finale = _season_game_bounds(year)
    off_days = set(_fixed_off_days(year))
    scatter_pool = [day for day in _days(opener + dt.timedelta(days=7), finale - dt.timedelta(days=1))
                    if day not in off_days]  # fmt: skip
    scattered = rng.sample(scatter_pool, SCATTERED_OFF_DAYS)
    off_days.update(scattered)
    return [day for day in _days(opener, finale) if day not in off_days], sorted(scattered)


def _plan_season(
    year: int, rng: random.Random, game_days: list[dt.date], span_days: list[dt.date], today: dt.date
) -> _SeasonPlan:
    """Choose the edge-case days among the season's `game_days` (independent of today, so they stay put as the
    span grows); when the span is too short to reach one, fall back to the span's end."""
    opener, _ = _season_game_bounds(year)
    playoff_teams = tuple(rng.sample(TEAMS, PLAYOFF_TEAM_COUNT))
    postponed_index = rng.randint(2, 7)
    gap_index = rng.randint(8, 20)
    signal_less_index = rng.randint(1, 12)

    last_day = span_days[-1]
    graded_days = [day for day in span_days if day < today]

    def preferred_or_last(index: int) -> dt.date:
        return game_days[index] if game_days[index] <= last_day else span_days[-1]

    postponed_day = preferred_or_last(postponed_index)
    # The gap day must lie before today (today's schedule is what the site shows) and apart from the postponed day.
    gap_day: dt.date | None = game_days[gap_index]
    if gap_day not in graded_days:
        gap_day = next((day for day in reversed(graded_days) if day != postponed_day), None)
    return _SeasonPlan(
        opener=opener,
        playoffs_start=dt.date(year + 1, *REGULAR_SEASON_LAST_MONTH_DAY) + dt.timedelta(days=1),
        playoff_teams=playoff_teams,
        postponed_day=postponed_day,
        gap_day=gap_day,
        signal_less_day=preferred_or_last(signal_less_index),
    )


def _eastern(day: dt.date, minutes_after_midnight: int, seconds: int = 0) -> dt.datetime:
    """A US Eastern wall-clock time on `day`, as an aware UTC datetime."""
    hour, minute = divmod(minutes_after_midnight, 60)
    local = dt.datetime(day.year, day.month, day.day, tzinfo=EASTERN) + dt.timedelta(
        hours=hour, minutes=minute, seconds=seconds
    )
    return local.astimezone(UTC)


def _schedule_day(day: dt.date, rng: random.Random, plan: _SeasonPlan, first_game_number: int) -> list[_Game]:
    """The day's games in tip-off order; on the plan's postponed day the earliest game is postponed."""
    is_playoffs = day >= plan.playoffs_start
    pool = plan.playoff_teams if is_playoffs else TEAMS
    game_count = rng.randint(3, 4) if is_playoffs else rng.choices(GAME_COUNTS, GAME_COUNT_WEIGHTS)[0]
    teams = rng.sample(pool, 2 * game_count)
    slots = sorted(rng.choices(TIPOFF_SLOTS_AFTER_7PM, TIPOFF_SLOT_WEIGHTS, k=game_count))
    postponed = [False] * game_count
    if day == plan.postponed_day:
        # The postponed game tips first, so a lock that forgets to skip postponed games picks the wrong version.
        slots = [0] + [max(slot, 60) for slot in slots[1:]]
        postponed[0] = True
    else:
        for index in range(game_count):
            if rng.random() < RANDOM_POSTPONE_RATE and postponed.count(False) > 1:
                postponed[index] = True

    season_prefix = f"00{4 if is_playoffs else 2}{plan.opener.year % 100:02d}"
    return [
        _Game(
            game_id=f"{season_prefix}{first_game_number + index:05d}",
            home=teams[2 * index + 1],
            away=teams[2 * index],
            tipoff_at=_eastern(day, 19 * 60 + slots[index]),
            postponed=postponed[index],
        )
        for index in range(game_count)
    ]


def _opening_line(mean_points: float, rng: random.Random) -> float:
    """A book's line near the player's mean: x.5 mostly, a whole number sometimes (those can push)."""
    value = mean_points + rng.gauss(0.0, 1.5)
    line = float(round(value)) if rng.random() < INTEGER_LINE_RATE else int(value) + 0.5
    return max(line, 0.5)


def _version_times(
    rng: random.Random,
    day: dt.date,
    first_tipoff: dt.datetime,
    postponed_tipoff: dt.datetime | None,
    late: bool,
    extra_versions: int = 0,
) -> list[dt.datetime]:
    """computed_at of the day's versions, ascending: 1-4 (plus `extra_versions`) from 10:00 ET until 15 min before
    the first tip-off, plus one after it when `late`. With an earlier postponed game, the last pre-lock version
    falls between the postponed game's time and the real first tip-off."""
    window_start = _eastern(day, 10 * 60)
    lock_margin = dt.timedelta(minutes=15)
    pre_lock_count = (rng.randint(1, 3) if late else rng.randint(2, 4)) + extra_versions

    def sample_minutes(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
        width = int((end - start).total_seconds() // 60)
        offsets = sorted(rng.sample(range(width), count))
        return [start + dt.timedelta(minutes=offset, seconds=rng.randint(0, 59)) for offset in offsets]

    if postponed_tipoff is not None:
        times = sample_minutes(window_start, postponed_tipoff, pre_lock_count - 1)
        times += sample_minutes(postponed_tipoff + dt.timedelta(minutes=10), first_tipoff - lock_margin, 1)
    else:
        times = sample_minutes(window_start, first_tipoff - lock_margin, pre_lock_count)
    if late:
        times.append(first_tipoff + dt.timedelta(minutes=rng.randint(5, 100), seconds=rng.randint(0, 59)))
    return times


def _evaluate(
    rng: random.Random,
    candidates: list[tuple[_Player, str]],
    opening_lines: list[float],
    model_means: list[float],
    late: bool,
) -> list[_Evaluation]:
    """One version's predictions. A late run sees late scratches, more line moves and noisier predictions."""
    move_rate, noise = (0.35, 2.2) if late else (0.12, 0.6)
    evaluations = []
    for (player, opponent), opening, model_mean in zip(candidates, opening_lines, model_means, strict=True):
        if late and rng.random() < 0.1:
            continue  # scratched after the morning runs
        line = opening
        if rng.random() < move_rate:
            line = max(line + rng.choice((-1.0, 1.0)), 0.5)  # moves by whole points keep x.5 lines x.5
        predicted = max(model_mean + rng.gauss(0.0, noise), 0.5)
        if abs(predicted - line) < 0.05:  # never a prediction on the line: the direction would be arbitrary
            predicted = line + 0.1
        direction = "OVER" if predicted > line else "UNDER"
        evaluations.append(_Evaluation(player, opponent, round(predicted, 3), line, direction))
    return evaluations


def _select_subsets(
    rng: random.Random, evaluations: list[_Evaluation], extra_subset_ids: tuple[str, ...] = ()
) -> dict[str, list[_Evaluation]]:
    """Each subset's picks in rank order; a player appears at most once per subset. Extra subsets (scaled
    warehouses only) are short runs of the strongest picks from a random starting rank."""
    by_strength = sorted(evaluations, key=lambda e: (-abs(e.edge), e.player.lookup))
    overs = [e for e in by_strength if e.direction == "OVER"]
    unders = [e for e in by_strength if e.direction == "UNDER"]
    value = sorted((e for e in evaluations if e.line <= 15.5), key=lambda e: (-abs(e.edge) / e.line, e.player.lookup))
    longshots = [e for e in overs if e.line >= 24.5]
    chosen = {
        "top_pick": by_strength[:1],
        "top_3": by_strength[:3],
        "top_5": by_strength[:5],
        "best_overs": overs[: rng.randint(2, 6)],
        "best_unders": unders[: rng.randint(2, 6)],
        "value_plays": value[: rng.randint(2, 6)],
        "longshots": longshots[: rng.randint(0, 4)],
        "legacy_picks": by_strength[5 : 5 + rng.randint(1, 3)],
    }
    # Drawn after the demo's own subsets, so that without extras the demo's random stream is unchanged.
    for subset_id in extra_subset_ids:
        start = rng.randint(0, 8)
        chosen[subset_id] = by_strength[start : start + rng.randint(1, 5)]
    return chosen


def _version_id(computed_at: dt.datetime, sequence: int) -> str:
    """`20251104T1400Z-01`: sorts in time order; the sequence keeps two runs in one minute apart."""
    return f"{computed_at:%Y%m%dT%H%MZ}-{sequence:02d}"


def _pick_rows(
    day: dt.date, system_id: str, version_id: str, computed_at: dt.datetime, subsets: dict[str, list[_Evaluation]]
) -> list[tuple]:
    return [
        (day, system_id, version_id, computed_at, subset_id, e.player.lookup, e.player.name, e.player.team,
         e.opponent, e.predicted_points, e.line, e.direction, rank)
        for subset_id, picks in subsets.items()
        for rank, e in enumerate(picks, start=1)
    ]  # fmt: skip


def _summary_rows(
    day: dt.date, rng: random.Random, players: list[_Player], push_lines: dict[str, float]
) -> list[tuple]:
    """Box scores of everyone who was due to play, with DNPs, a few missing points and forced pushes."""
    rows: list[tuple[dt.date, str, int | None, float | None]] = []
    for player in players:
        minutes = round(min(max(rng.gauss(player.mean_minutes, 4.5), 6.0), 46.0), 1)
        push_line = push_lines.get(player.lookup)
        if push_line is not None and rng.random() < PUSH_RATE:
            rows.append((day, player.lookup, int(push_line), minutes))
            continue
        roll = rng.random()
        if roll < DNP_ZERO_MINUTES_RATE:
            rows.append((day, player.lookup, 0 if rng.random() < 0.5 else None, 0.0))
        elif roll < DNP_ZERO_MINUTES_RATE + DNP_NULL_MINUTES_RATE:
            rows.append((day, player.lookup, None, None))
        elif roll < DNP_ZERO_MINUTES_RATE + DNP_NULL_MINUTES_RATE + POINTS_MISSING_RATE:
            rows.append((day, player.lookup, None, minutes))
        else:
            spread = 0.25 * player.mean_points + 2.5
            points = int(max(rng.gauss(player.mean_points, spread), 0.0) + 0.5)
            rows.append((day, player.lookup, points, minutes))
    return rows


def _model_day_picks(
    rng: random.Random,
    day: dt.date,
    system_id: str,
    candidates: list[tuple[_Player, str]],
    opening_lines: list[float],
    first_tipoff: dt.datetime,
    postponed_tipoff: dt.datetime | None,
    late: bool,
    shows_latest: bool,
    extra_subset_ids: tuple[str, ...] = (),
    extra_versions: int = 0,
) -> tuple[list[tuple], dict[str, list[_Evaluation]]]:
    """All versions of one model's picks for one day, and the subsets of the version the lock will show:
    the last one before the first tip-off, or the very last one when `shows_latest` (no games rows)."""
    model_means = [player.mean_points + rng.gauss(0.0, 2.0) for player, _ in candidates]
    times = _version_times(rng, day, first_tipoff, postponed_tipoff, late, extra_versions)
    shown_index = len(times) - 2 if late and not shows_latest else len(times) - 1
    rows: list[tuple] = []
    shown: dict[str, list[_Evaluation]] = {}
    for index, computed_at in enumerate(times):
        is_late = late and index == len(times) - 1
        evaluations = _evaluate(rng, candidates, opening_lines, model_means, is_late)
        subsets = _select_subsets(rng, evaluations, extra_subset_ids)
        rows += _pick_rows(day, system_id, _version_id(computed_at, index + 1), computed_at, subsets)
        if index == shown_index:
            shown = subsets
    return rows, shown


@dataclass(frozen=True)
class _Shape:
    """What a warehouse holds besides its seasons: the models (and which are enabled) and the subsets."""

    models: tuple[tuple[str, str, str, bool, bool], ...] = MODELS
    enabled_system_ids: tuple[str, ...] = ENABLED_SYSTEM_IDS
    subsets: tuple[tuple[str, str, int, bool], ...] = SUBSETS
    extra_subset_ids: tuple[str, ...] = ()
    late_rate: float = LATE_VERSION_RATE  # the share of days with a version computed after the first tip-off
    extra_versions: int = 0  # versions computed before the lock on each model's day beyond the demo's 1-4


# The day after the 2025-26 finale: a scaled warehouse holds only full, graded seasons ending with 2025-26.
SCALED_TODAY = dt.date(2026, 7, 1)


def generate_demo(today: dt.date, seed: int = 7) -> Rows:
    """Rows per table (keys = all six table names of TABLES), tuples in TABLES' column order."""
    return _generate(today, seed, seasons=1, shape=_Shape())


def generate_scaled(
    seasons: int,
    models: int,
    subsets: int,
    seed: int = 7,
    late_rate: float = LATE_VERSION_RATE,
    extra_versions: int = 0,
) -> Rows:
    """A bigger warehouse for benchmarks, built by the demo's own machinery: `seasons` consecutive full seasons
    ending with 2025-26, `models` enabled models (the demo's two, then `m3`, `m4`, ... with system ids
    `sys-m3`, ...; the champion stays 926A) and `subsets` subset definitions (the demo's eight, then active
    `mix_09`, `mix_10`, ...). `late_rate` is the share of days on which each model also computes a version after
    the first tip-off (which the lock hides); `extra_versions` adds that many versions before the lock to each
    model's day (rows the query reads and the lock hides: a warehouse with more versions per date).
    `generate_scaled(1, 2, 8, seed)` is `generate_demo(SCALED_TODAY, seed)`."""
    if seasons < 1 or models < len(ENABLED_SYSTEM_IDS) or subsets < len(SUBSETS):
        raise ValueError(
            f"need seasons >= 1, models >= {len(ENABLED_SYSTEM_IDS)}, subsets >= {len(SUBSETS)};"
            f" got {seasons}, {models}, {subsets}"
        )
    if not 0 <= late_rate <= 1:
        raise ValueError(f"late_rate must be between 0 and 1, not {late_rate}")
    if not 0 <= extra_versions <= MAX_EXTRA_VERSIONS:
        raise ValueError(f"extra_versions must be between 0 and {MAX_EXTRA_VERSIONS}, not {extra_versions}")
    extra_models = tuple(
        (f"sys-m{number}", f"m{number}", f"Model M{number}", False, True)
        for number in range(len(ENABLED_SYSTEM_IDS) + 1, models + 1)
    )
    extra_subsets = tuple(
        (f"mix_{number:02d}", f"Mix {number}", number, True) for number in range(len(SUBSETS) + 1, subsets + 1)
    )
    shape = _Shape(
        models=MODELS + extra_models,
        enabled_system_ids=ENABLED_SYSTEM_IDS + tuple(model[0] for model in extra_models),
        subsets=SUBSETS + extra_subsets,
        extra_subset_ids=tuple(subset[0] for subset in extra_subsets),
        late_rate=late_rate,
        extra_versions=extra_versions,
    )
    return _generate(SCALED_TODAY, seed, seasons=seasons, shape=shape)


def _generate(today: dt.date, seed: int, seasons: int, shape: _Shape) -> Rows:
    """The demo's span for `today`, preceded by `seasons - 1` full seasons."""
    _, last_day = demo_span(today)
    last_year = _season_start_year(last_day)
    roster = _build_roster(random.Random(seed))
    rows: Rows = {table: [] for table in TABLES}
    rows["models"] = list(shape.models)
    rows["subset_definitions"] = list(shape.subsets)
    for year in range(last_year - seasons + 1, last_year + 1):
        _season_rows(rows, year, today, last_day, seed, roster, shape)
    return rows


def _legacy_rows(
    day: dt.date, rng: random.Random, candidates: list[tuple[_Player, str]], opening_lines: list[float]
) -> list[tuple]:
    """The disabled model's picks of the season's opening day: a handful of old rows it left behind."""
    computed_at = _eastern(day, 11 * 60)
    evaluations = _evaluate(rng, candidates, opening_lines, [p.mean_points for p, _ in candidates], False)
    subsets = _select_subsets(rng, evaluations)
    legacy_subsets = {"top_pick": subsets["top_pick"], "top_3": subsets["top_3"]}
    return _pick_rows(day, DISABLED_SYSTEM_ID, _version_id(computed_at, 1), computed_at, legacy_subsets)


def _season_rows(
    rows: Rows,
    year: int,
    today: dt.date,
    last_day: dt.date,
    seed: int,
    roster: dict[str, tuple[_Player, ...]],
    shape: _Shape,
) -> None:
    """Append the rows of the season starting in `year`, up to `last_day`, to `rows`."""
    season_rng = random.Random(_derive_seed(seed, year))
    season_days, scattered_off_days = _season_game_days(year, season_rng)
    # The demo's "today" has games unless it is a fixed off day (Thanksgiving, Christmas Eve, All-Star break).
    game_days = sorted([*season_days, today]) if today in scattered_off_days else season_days
    span_days = [day for day in game_days if day <= last_day]
    plan = _plan_season(year, season_rng, season_days, span_days, today)

    game_number = 1
    for day in span_days:
        rng = random.Random(_derive_seed(seed, day.toordinal()))
        games = _schedule_day(day, rng, plan, game_number)
        game_number += len(games)
        if day != plan.gap_day:
            status = "final" if day < today else "scheduled"
            rows["games"].extend(
                (day, g.game_id, g.home, g.away, g.tipoff_at, "postponed" if g.postponed else status) for g in games
            )

        for system_id in shape.enabled_system_ids:
            forced_off = system_id == SIGNAL_LESS_MODEL and day == plan.signal_less_day
            if rng.random() >= SIGNAL_MISSING_RATE and not forced_off:
                rows["daily_signals"].append((day, system_id, rng.choices(SIGNALS, SIGNAL_WEIGHTS)[0]))

        played = [g for g in games if not g.postponed]
        candidates = [(p, g.away) for g in played for p in roster[g.home]]
        candidates += [(p, g.home) for g in played for p in roster[g.away]]
        opening_lines = [_opening_line(player.mean_points, rng) for player, _ in candidates]
        first_tipoff = played[0].tipoff_at
        postponed_first = games[0].tipoff_at if games[0].postponed and day == plan.postponed_day else None
        late = day in (plan.opener, plan.gap_day) or rng.random() < shape.late_rate

        push_lines: dict[str, float] = {}
        for system_id in shape.enabled_system_ids:
            pick_rows, shown = _model_day_picks(
                rng, day, system_id, candidates, opening_lines, first_tipoff, postponed_first, late,
                shows_latest=day == plan.gap_day, extra_subset_ids=shape.extra_subset_ids,
                extra_versions=shape.extra_versions,
            )  # fmt: skip
            rows["subset_picks"].extend(pick_rows)
            for evaluation in (e for picks in shown.values() for e in picks):
                if evaluation.line.is_integer():  # let the grading make some of these pushes
                    push_lines.setdefault(evaluation.player.lookup, evaluation.line)

        if day == plan.opener:  # the disabled model leaves a handful of old rows behind
            rows["subset_picks"].extend(_legacy_rows(day, rng, candidates, opening_lines))

        if day < today:  # box scores exist only for games already played
            rows["player_game_summary"].extend(_summary_rows(day, rng, [p for p, _ in candidates], push_lines))
