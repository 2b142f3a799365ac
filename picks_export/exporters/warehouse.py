"""Reads what one run needs from the warehouse in a constant number of queries, and checks it.

Everything a run publishes comes from a `Snapshot`: the chosen model, the active groups, the shown picks of
a date range with their results, and the signals. Bad rows stop the run here, before any document is built.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, groupby
from operator import attrgetter, is_not, itemgetter
from typing import TYPE_CHECKING, Any

from . import rules
from .common import and_more
from .engines.engine import Engine, QueryValue, Row
from .errors import BadInputError, ExportError, WarehouseError, literal
from .tables import TABLES, accepts

if TYPE_CHECKING:
    import pyarrow

# A model code becomes part of a published path (v1/models/{code}/...).
MODEL_CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
DIRECTIONS = ("OVER", "UNDER")
SIGNALS = ("favorable", "neutral", "challenging")
# No player scores this many points: a larger line or prediction is a broken row (and could not be rounded).
MAX_POINTS = 1000
# Reading the shown picks as Arrow costs importing pyarrow (about 0.12 s), more than a small run's rows cost as
# tuples: a read of fewer days (summed over its models) takes them as tuples.
ARROW_MIN_MODEL_DAYS = 1_500
ROUNDED_MEMO = 1 << 16  # predictions rounded once per read, kept up to this many values (about 6 MB)


@dataclass(frozen=True)
class Model:
    system_id: str
    code: str
    name: str
    is_default: bool  # the champion: its files live at the prefix's root, the others' under models/{code}/


@dataclass(frozen=True)
class Group:
    id: str
    name: str


# Not frozen: a frozen dataclass sets each field through object.__setattr__, several times the cost of a plain
# one, and a backfill makes a Pick per shown pick (millions). Nothing changes a Pick once it is made.
@dataclass(slots=True)
class Pick:
    game_date: dt.date
    rank: int
    player: str
    player_lookup: str
    team: str
    opponent: str
    prediction: float
    line: float
    direction: str
    actual: int | None
    result: rules.Result | None
    box_score: bool = True  # whether the box scores have a row for the player that day (the quality gate's grading)
    _json: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[int, str, str]:
        return (self.rank, self.player, self.player_lookup)

    def as_json(self) -> dict[str, Any]:
        """The pick as published; built once and shared by the day and season documents (never changed)."""
        cached = self._json
        if cached is None:
            cached = self._json = self._build_json()
        return cached

    def _build_json(self) -> dict[str, Any]:
        return {
            "player": self.player,
            "team": self.team,
            "opponent": self.opponent,
            "prediction": self.prediction,
            "line": self.line,
            "direction": self.direction,
            "actual": self.actual,
            "result": self.result,
        }


@dataclass(frozen=True)
class DaySchedule:
    """One date's games as the `schedule` query counts them (postponed games left out)."""

    games: int
    final_games: int
    first_tipoff: dt.datetime | None  # UTC

    @property
    def all_final(self) -> bool:
        return self.games > 0 and self.final_games == self.games


@dataclass
class Snapshot:
    """The shown picks of one model over [first_date, last_date] (one season of a run's range), grouped and checked.

    Its picks also hold the days before first_date of first_date's Monday-Sunday week (the end of the season
    before): the week records of the season's first days count them."""

    model: Model
    groups: list[Group]
    first_date: dt.date
    last_date: dt.date
    signals: dict[dt.date, str] = field(default_factory=dict)
    # group id -> date -> picks of that date, in published order
    picks: dict[str, dict[dt.date, list[Pick]]] = field(default_factory=dict)
    run_models: int = 1  # how many models the run reads: lets progress estimate the files still to come
    # For the quality checks: every date's schedule (all models share it), the shown version's computed_at
    schedule: dict[dt.date, DaySchedule] = field(default_factory=dict)
    computed_at: dict[dt.date, dt.datetime] = field(default_factory=dict)
    run_seasons: int = 1  # how many snapshots (seasons) of this model the run reads, for progress too

    def dates_with_picks(self) -> list[dt.date]:
        """Every date on which some active group has shown picks, oldest first (the carried-over days too)."""
        return sorted({day for by_date in self.picks.values() for day in by_date})

    def covers(self, day: dt.date) -> bool:
        """Whether `day` is one of the dates whose files this snapshot builds (not a carried-over one)."""
        return self.first_date <= day <= self.last_date


@dataclass(frozen=True)
class RunPlan:
    """What the first six queries of a run decide, before the shown picks are read: the models, the groups and
    the signals, checked. Plain data, so a build worker can take its share of the models from it."""

    models: list[Model]
    groups: list[Group]
    known_subsets: frozenset[str]
    active_subsets: frozenset[str]
    signals: dict[str, dict[dt.date, str]]
    first_date: dt.date
    last_date: dt.date
    schedule: dict[dt.date, DaySchedule]  # every date's games, for the quality gate (all models share it)


def read_plan(
    engine: Engine, model_code: str | None, first_date: dt.date, last_date: dt.date, *, all_models: bool = False
) -> RunPlan:
    """The first six queries of a run (columns, models, subsets, problems, signals, schedule), checked: the column
    types first, then the models and groups, then the range's problem rows, before any pick is read."""
    check_columns(engine.query("columns", columns_params(engine.dataset)), engine.dataset)
    models = choose_models(list(engine.query("models", {})), model_code, all_models)
    subsets = list(engine.query("subsets", {}))
    groups = _groups(subsets)
    params = range_params([model.system_id for model in models], first_date, last_date)
    _check_problem_rows(engine.query("problems", params))
    problems = _Problems()
    signals = _signals(engine.query("signals", params), problems)
    problems.raise_if_any()
    schedule = _schedule(engine.query("schedule", schedule_params(first_date, last_date)))
    known, active = frozenset(row["subset_id"] for row in subsets), frozenset(group.id for group in groups)
    return RunPlan(models, groups, known, active, signals, first_date, last_date, schedule)


def read_shown_picks(
    engine: Engine, plan: RunPlan, models: list[Model], *, arrow: bool | None = None
) -> Iterator[Iterator[Snapshot]]:
    """For each of `models` (some of the plan's, in its order), its snapshots season by season, from one
    shown_picks query. Each model's snapshots are to be taken in turn, all of them, before the next model's.

    `arrow`: read the rows as Arrow record batches (None: when the run reads at least ARROW_MIN_MODEL_DAYS)."""
    by_id = {model.system_id: model for model in models}
    params = range_params(list(by_id), plan.first_date, plan.last_date)
    problems = _Problems()
    pending = dict(by_id)
    if arrow is None:
        arrow = len(models) * ((plan.last_date - plan.first_date).days + 1) >= ARROW_MIN_MODEL_DAYS
    if arrow:
        batches = _ShownBatches(engine.query_batches("shown_picks", params))
        while (system_id := batches.next_model()) is not None:
            model = pending.pop(system_id)
            yield _season_snapshots(plan, model, _arrow_spans(batches, plan, model, problems), problems)
    else:
        columns, tuples = engine.query_tuples("shown_picks", params)
        if tuple(columns) != SHOWN_COLUMNS:  # in the order _shown_picks unpacks, whatever the engine's
            reorder = itemgetter(*(list(columns).index(name) for name in SHOWN_COLUMNS))
            tuples = map(reorder, tuples)
        for system_id, rows in groupby(tuples, key=itemgetter(0)):
            model = pending.pop(system_id)
            yield _season_snapshots(plan, model, _tuple_spans(rows, plan, model, problems), problems)
    for model in pending.values():  # no shown picks in the range: still snapshots (a day file may be due)
        yield _season_snapshots(plan, model, _tuple_spans(iter(()), plan, model, problems), problems)


def season_spans(first_date: dt.date, last_date: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """[first_date, last_date] cut at each Aug 1: the part of each season it touches, oldest first."""
    start = first_date
    while start <= last_date:
        _, end = rules.season_bounds(rules.season_label(start))
        yield start, min(end, last_date)
        start = end + dt.timedelta(days=1)


# Reads one model's shown picks up to a date (its rows after the previous call's date), filling in each date's
# shown version's computed_at.
SpanReader = Callable[[dt.date, dict[dt.date, dt.datetime]], dict[str, dict[dt.date, list[Pick]]]]


def _tuple_spans(rows: Iterator[tuple[Any, ...]], plan: RunPlan, model: Model, problems: _Problems) -> SpanReader:
    """Reads one model's rows (SHOWN_COLUMNS tuples, in date order) span by span, each row checked."""
    days = groupby(rows, key=itemgetter(1))  # (game_date, its rows)
    current = next(days, None)

    def rows_until(last: dt.date) -> Iterator[tuple[Any, ...]]:
        nonlocal current
        while current is not None and current[0] <= last:
            yield from current[1]
            current = next(days, None)

    def read(last: dt.date, computed_at: dict[dt.date, dt.datetime]) -> dict[str, dict[dt.date, list[Pick]]]:
        return _shown_picks(rows_until(last), plan.known_subsets, plan.active_subsets, model, problems, computed_at)

    return read


def _season_snapshots(plan: RunPlan, model: Model, read: SpanReader, problems: _Problems) -> Iterator[Snapshot]:
    """One model's snapshots, one per season of the plan's range (the empty ones too), each made from its rows as
    they stream (in date order), so that a run holds one season of the model's picks rather than its history.

    The picks of the last week of a season reaching into the next one's Aug 1 are carried into the next
    snapshot (its week records count them). A bad row stops the model once all its rows are read, so that the
    error counts them all, as it would over the whole range."""
    signals = plan.signals.get(model.system_id, {})
    carried: dict[str, dict[dt.date, list[Pick]]] = {}
    carried_at: dict[dt.date, dt.datetime] = {}
    spans = list(season_spans(plan.first_date, plan.last_date))
    # A range read from the Monday before an Aug 1 starts with the days before its first season (the rest of that
    # season's first week): they are only carried into it, not a snapshot of their own.
    lead_in = spans[0][0] != rules.period_start("season", spans[0][0])
    seasons = len(spans) - lead_in
    for number, (first, last) in enumerate(spans):
        computed_at: dict[dt.date, dt.datetime] = {}
        picks = read(last, computed_at)
        if problems.messages:
            continue  # the model's other rows are still read, for the error's count
        if lead_in and number == 0:
            carried, carried_at = picks, computed_at
            continue
        groups = carried.keys() | picks.keys()
        merged = {group: {**carried.get(group, {}), **picks.get(group, {})} for group in groups}
        yield Snapshot(model, plan.groups, first, last, signals, merged, len(plan.models), plan.schedule,
                       {**carried_at, **computed_at}, seasons)  # fmt: skip
        week = rules.period_start("week", last + dt.timedelta(days=1))  # the next season's first week
        carried = {
            group: {day: each for day, each in by_date.items() if day >= week} for group, by_date in picks.items()
        }
        carried_at = {day: moment for day, moment in computed_at.items() if day >= week}
        del picks, merged
    problems.raise_if_any()


def choose_models(rows: list[Row], code: str | None, all_models: bool) -> list[Model]:
    """The run's models: every enabled one (the champion first), or the one `choose_model` picks."""
    _check_codes(rows)
    if not all_models:
        return [choose_model(rows, code)]
    if code is not None:
        raise ExportError.naming("{model} and {all_models} exclude each other")
    enabled = [choose_model(rows, row["code"]) for row in rows if row["enabled"]]
    if not enabled:
        raise BadInputError("table models: no enabled model")
    return sorted(enabled, key=lambda model: (not model.is_default, model.code))


def _check_codes(rows: list[Row]) -> None:
    """Two enabled models sharing a code would publish into one folder: bad data, whichever model is asked for."""
    by_code: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        if row["enabled"]:
            by_code[row["code"]].append(row)
    for code, same in by_code.items():
        if len(same) > 1:
            system_ids = ", ".join(repr(row["system_id"]) for row in same)
            raise BadInputError(
                f"table models: {len(same)} enabled rows have code {code!r} (system_id {system_ids}); codes must be unique"
            )


def range_params(system_ids: list[str], first_date: dt.date, last_date: dt.date) -> dict[str, QueryValue]:
    return {"system_ids": system_ids, "first_date": first_date, "last_date": last_date}


def schedule_params(first_date: dt.date, last_date: dt.date) -> dict[str, QueryValue]:
    return {"first_date": first_date, "last_date": last_date}


def columns_params(dataset: str) -> dict[str, QueryValue]:
    return {"dataset": dataset}


def snapshot_queries(
    dataset: str, system_ids: list[str], first_date: dt.date, last_date: dt.date
) -> list[tuple[str, dict[str, QueryValue]]]:
    """The seven queries of a run (`read_plan`'s six, then `read_shown_picks`') with their parameters, in order
    (`estimate` dry-runs this list)."""
    params = range_params(system_ids, first_date, last_date)
    return [
        ("columns", columns_params(dataset)),
        ("models", {}),
        ("subsets", {}),
        ("problems", params),
        ("signals", params),
        ("schedule", schedule_params(first_date, last_date)),
        ("shown_picks", params),
    ]


def check_columns(rows: Iterable[Row], dataset: str) -> None:
    """Every table and column of the contract is there with an accepted type (tables.accepts), or WarehouseError."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        found[row["table_name"]][row["column_name"]] = row["data_type"]
    if not found:
        raise WarehouseError(
            f"dataset {dataset} does not exist or holds none of the contract's tables ({', '.join(TABLES)})"
        )
    problems: list[str] = []
    for table, columns in TABLES.items():
        if table not in found:
            problems.append(f"table {table} is missing")
            continue
        for column, expected in columns:
            actual = found[table].get(column)
            if actual is None:
                problems.append(f"column {table}.{column} is missing (expected type {expected})")
            elif not accepts(expected, actual):
                problems.append(f"column {table}.{column} has type {actual}, expected {expected}")
    if problems:
        suffix = and_more(len(problems), "column problem")
        raise WarehouseError(f"dataset {dataset} breaks the contract's column types: {problems[0]}{suffix}")


def choose_model(rows: list[Row], code: str | None) -> Model:
    """The model named by `code`, or the one enabled champion."""
    champions = [row for row in rows if row["enabled"] and row["is_champion"]]
    if code is None:
        if len(champions) != 1:
            found = "no row" if not champions else f"{len(champions)} rows ({_codes(champions)})"
            raise BadInputError.naming(
                f"table models: {literal(found)} with enabled and is_champion true; exactly one is needed"
                " (or name a model with {model})"
            )
        chosen = champions[0]
    else:
        # A code nobody enabled is the option's mistake (exit 1); _check_codes has refused enabled duplicates.
        matches = [row for row in rows if row["code"] == code]
        if not matches:
            known = literal(_codes(rows) or "none")
            raise ExportError.naming(
                f"{{model}}: no model with code {literal(repr(code))} in table models (known: {known})"
            )
        enabled = [row for row in matches if row["enabled"]]
        if not enabled:
            raise ExportError.naming(f"{{model}}: model {literal(repr(code))} is not enabled in table models")
        chosen = enabled[0]
    if not isinstance(chosen["code"], str) or not MODEL_CODE_PATTERN.fullmatch(chosen["code"]):
        raise BadInputError(
            f"table models: code {chosen['code']!r} (system_id {chosen['system_id']!r}) cannot name a published"
            " folder: use 1 to 64 letters, digits, '_' and '-', the first a letter or a digit"
        )
    problem = name_problem(chosen["name"])
    if problem:
        raise BadInputError(
            f"table models: model {chosen['code']!r} (system_id {chosen['system_id']!r}): name {problem}"
        )
    is_default = len(champions) == 1 and champions[0]["system_id"] == chosen["system_id"]
    return Model(chosen["system_id"], chosen["code"], chosen["name"], is_default)


def name_problem(value: Any) -> str | None:
    """The one rule for a value that names something (a model, a subset; a pick's player, team and opponent):
    NULL is "is NULL", an empty or blank string (white space only) "is empty or blank"; both are bad input."""
    if value is None:
        return "is NULL"
    if isinstance(value, str) and not value.strip():
        return "is empty or blank"
    return None


def _codes(rows: list[Row]) -> str:
    return ", ".join(str(row["code"]) for row in rows)


class _Problems:
    """Collects bad rows so that the error names the first one and counts the rest."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.total = 0  # at least len(messages): a query may count more bad rows than it returns

    def add(self, message: str) -> None:
        self.messages.append(message)
        self.total += 1

    def raise_if_any(self) -> None:
        if self.messages:
            raise BadInputError(self.messages[0] + and_more(max(self.total, len(self.messages)), "bad row"))


def _groups(rows: list[Row]) -> list[Group]:
    """The active groups, in the subsets query's order; a row that cannot name or order a group stops the run."""
    problems = _Problems()
    seen: set[str] = set()
    for row in rows:
        where = f"table subset_definitions, row (subset_id={row['subset_id']!r}, name={row['name']!r})"
        for column in ("subset_id", "name", "display_order", "is_active"):
            problem = name_problem(row[column])
            if problem:
                problems.add(f"{where}: {column} {problem}")
                break
        else:
            if row["subset_id"] in seen:
                problems.add(f"{where}: a second row with this subset_id; subset_id must be unique")
            seen.add(row["subset_id"])
    problems.raise_if_any()
    return [Group(row["subset_id"], row["name"]) for row in rows if row["is_active"]]


_GAME_STATUSES = "scheduled, in_progress, final, postponed"
_PROBLEM_TEXT = {
    ("games", "game_date"): "game_date is NULL: the game belongs to no date, so no date's lock can count it",
    ("games", "status"): f"status is not one of {_GAME_STATUSES}",
    ("games", "tipoff_at"): "tipoff_at is NULL but the game is not postponed, so the date's lock cannot be computed",
    ("player_game_summary", "game_date"): "game_date is NULL: the box score belongs to no date",
    ("daily_signals", "game_date"): "game_date is NULL: the signal belongs to no date",
    ("daily_signals", "system_id"): "system_id is NULL: the signal belongs to no model",
}


def _check_problem_rows(rows: Iterable[Row]) -> None:
    """The `problems` query's rows (the first few, each with the count of all) become one BadInputError."""
    problems = _Problems()
    for row in rows:
        source, problem, day = row["source"], row["problem"], row["game_date"]
        date = "NULL" if day is None else str(day)
        if source == "games":
            where = f"table games, date {date}, row (game_id={row['game_id']!r}, status={row['status']!r})"
        elif source == "subset_picks":
            where = (
                f"table subset_picks, date {date}, row (system_id={row['system_id']!r},"
                f" version_id={row['version_id']!r}, subset_id={row['subset_id']!r},"
                f" player_lookup={row['player_lookup']!r})"
            )
        elif source == "player_game_summary":
            where = f"table player_game_summary, date {date}, player_lookup {row['player_lookup']!r}"
        else:
            where = f"table daily_signals, date {date}, row (system_id={row['system_id']!r})"
        if source == "subset_picks":
            text = f"{problem} is NULL, so the shown version or the pick cannot be decided"
        elif source == "player_game_summary" and problem != "game_date":
            text = f"{problem} {_number(row['number'])} is negative or not a number"
        else:
            text = _PROBLEM_TEXT[source, problem]
        problems.add(f"{where}: {text}")
        problems.total = row["problem_rows"]
    problems.raise_if_any()


def _number(value: float | None) -> str:
    if value is None or not math.isfinite(value) or value != int(value):
        return repr(value)
    return str(int(value))


def _pick_row_name(row: Row, model: Model) -> str:
    return (
        f"table subset_picks, date {row['game_date']}, row (system_id={model.system_id!r},"
        f" version_id={row['version_id']!r}, subset_id={row['subset_id']!r}, player_lookup={row['player_lookup']!r})"
    )


# The shown_picks query's columns, in the order `_shown_picks` unpacks them.
SHOWN_COLUMNS = (
    "system_id", "game_date", "version_id", "subset_id", "player_lookup", "player_name", "team", "opponent",
    "predicted_points", "line", "direction", "pick_rank", "computed_at_us", "points", "minutes", "summary_rows",
)  # fmt: skip


def _shown_picks(
    rows: Iterable[tuple[Any, ...]],
    known_subsets: frozenset[str],
    active_subsets: frozenset[str],
    model: Model,
    problems: _Problems,
    computed_at: dict[dt.date, dt.datetime],
) -> dict[str, dict[dt.date, list[Pick]]]:
    """One model's shown picks from its rows (SHOWN_COLUMNS tuples, unpacked rather than made dicts); `computed_at`
    receives each date's shown version's computed_at (for the quality gate)."""
    picks: dict[str, dict[dt.date, list[Pick]]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple[Any, ...]] = set()
    round_half_away, pick_result = rules.round_half_away, rules.pick_result
    names: dict[str, str] = {}  # names repeat across a model's history: one string each, not one per pick
    share = names.setdefault
    latest: dict[dt.date, int] = {}  # each date's latest computed_at, in microseconds since the epoch
    # Predictions repeat across a model's history: each value rounded once (exactly: Decimal arithmetic is slow);
    rounded: dict[float, float] = {}  # never zero, for 0.0 and -0.0 are one key but not one rounding
    for values in rows:
        (_, game_date, version_id, subset_id, player_lookup, player_name, team, opponent, predicted_points, line,
         direction, pick_rank, row_computed_us, points, minutes, summary_rows) = values  # fmt: skip
        problem = _pick_problem(
            direction, line, subset_id, predicted_points, player_name, team, opponent, pick_rank, known_subsets
        )
        key = (game_date, version_id, subset_id, player_lookup)
        if problem is None and key in seen:
            problem = "duplicate pick: the same player twice in one subset of one version"
        seen.add(key)
        if problem:
            problems.add(f"{_pick_row_name(dict(zip(SHOWN_COLUMNS, values, strict=True)), model)}: {problem}")
            continue
        if summary_rows > 1:
            problems.add(_summary_problem(game_date, player_lookup, summary_rows))
            continue
        if row_computed_us is not None and row_computed_us > latest.get(game_date, row_computed_us - 1):
            latest[game_date] = row_computed_us
        if subset_id not in active_subsets:
            continue
        actual, result = pick_result(direction, line, points, minutes, graded=summary_rows > 0)
        prediction = rounded.get(predicted_points) if predicted_points else None
        if prediction is None:
            prediction = rounded[predicted_points] = round_half_away(predicted_points)
        picks[subset_id][game_date].append(  # positional, in the fields' order: keywords cost a dict per pick
            Pick(
                game_date,
                pick_rank,
                share(player_name, player_name),
                share(player_lookup, player_lookup),
                share(team, team),
                share(opponent, opponent),
                prediction,
                line,
                direction,
                actual,
                result,
                summary_rows > 0,
            )
        )
    computed_at.update((day, _utc_micros(micros)) for day, micros in latest.items())
    return _in_order(picks)


def _summary_problem(game_date: dt.date, player_lookup: str, summary_rows: int) -> str:
    return (
        f"table player_game_summary, date {game_date}, player_lookup {player_lookup!r}:"
        f" {summary_rows} rows where one is expected"
    )


def _in_order(picks: dict[str, dict[dt.date, list[Pick]]]) -> dict[str, dict[dt.date, list[Pick]]]:
    """Each date's picks in the contract's order (rank, then player, then player_lookup)."""
    for by_date in picks.values():
        for day_picks in by_date.values():
            day_picks.sort(key=_PUBLISHED_ORDER)
    return {group: dict(by_date) for group, by_date in picks.items()}


_PUBLISHED_ORDER = attrgetter("rank", "player", "player_lookup")  # Pick.sort_key, without a Python call per pick
_NOT_NONE = partial(is_not, None)


def _pick_problem(
    direction: Any,
    line: Any,
    subset_id: Any,
    prediction: Any,
    player_name: Any,
    team: Any,
    opponent: Any,
    pick_rank: Any,
    known_subsets: frozenset[str],
) -> str | None:
    """What is wrong with one shown pick row, or None."""
    if direction not in DIRECTIONS:
        return f"direction {direction!r} is not OVER or UNDER"
    if line is None:
        return "line is missing"
    if not math.isfinite(line) or line < 0:
        return f"line {line!r} is negative or not a number"
    if line > MAX_POINTS:
        return f"line {line!r} is beyond {MAX_POINTS:,}"
    if subset_id not in known_subsets:
        return f"subset_id {subset_id!r} is not in table subset_definitions"
    if prediction is None or not math.isfinite(prediction):
        return f"predicted_points {prediction!r} is missing or not a number"
    if abs(prediction) > MAX_POINTS:
        return f"predicted_points {prediction!r} is beyond {MAX_POINTS:,}"
    for column, value in (("player_name", player_name), ("team", team), ("opponent", opponent)):
        if not value or value.isspace():
            return f"{column} is missing" if value is None else f"{column} is empty or blank"
    if pick_rank is None:
        return "pick_rank is missing"
    return None


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _ShownBatches:
    """The shown_picks result as Arrow record batches, cut into one model's rows up to a date at a time.

    Only pyarrow's core is used here (no pyarrow.compute or acero: importing them costs about 20 MB a process)."""

    def __init__(self, batches: Iterator[pyarrow.RecordBatch]) -> None:
        self._batches = batches
        self._batch: pyarrow.RecordBatch | None = None
        self._model: str | None = None
        self.rounded: dict[float, float] = {}  # predictions rounded as published, shared by the read's seasons
        self._advance()

    def _advance(self) -> None:
        self._batch = next((batch for batch in self._batches if batch.num_rows), None)

    def next_model(self) -> str | None:
        """The next model's system_id, the rest of the previous model's rows skipped; None after the last."""
        if self._model is not None:
            self.take(self._model, dt.date.max)
        if self._batch is None:
            return None
        self._model = self._batch.column("system_id")[0].as_py()
        return self._model

    def take(self, system_id: str, last: dt.date) -> pyarrow.Table | None:
        """The rows of `system_id` up to `last` from where the stream is. The rows are in model and date order, so
        the wanted rows are a prefix of the batch: its end is found by bisection."""
        import pyarrow

        pieces = []
        while (batch := self._batch) is not None:
            end = _prefix(batch, system_id, last)
            if end == batch.num_rows:
                pieces.append(batch)
                self._advance()
                continue
            pieces.append(batch.slice(0, end))
            self._batch = batch.slice(end)
            break
        return pyarrow.Table.from_batches(pieces) if pieces else None


def _prefix(batch: pyarrow.RecordBatch, system_id: str, last: dt.date) -> int:
    """How many of the batch's first rows are of `system_id` up to `last` (they are a prefix: model and date order)."""
    models, days = batch.column("system_id"), batch.column("game_date")

    def beyond(row: int) -> bool:
        return bool(models[row].as_py() != system_id or days[row].as_py() > last)

    return bisect_left(range(batch.num_rows), True, key=beyond)


def _arrow_spans(batches: _ShownBatches, plan: RunPlan, model: Model, problems: _Problems) -> SpanReader:
    """Reads one model's rows span by span from the Arrow batches."""

    def read(last: dt.date, computed_at: dict[dt.date, dt.datetime]) -> dict[str, dict[dt.date, list[Pick]]]:
        return _arrow_span(batches, last, plan, model, problems, computed_at)

    return read


def _arrow_span(
    batches: _ShownBatches,
    last: dt.date,
    plan: RunPlan,
    model: Model,
    problems: _Problems,
    computed_at: dict[dt.date, dt.datetime],
) -> dict[str, dict[dt.date, list[Pick]]]:
    """The picks of one model's rows up to `last`, read from the batches: column by column when no check can
    refuse a row (`_clean`), else through the row-by-row check, which names the first bad row exactly as when
    reading tuples."""
    table = batches.take(model.system_id, last)
    if table is None or not table.num_rows:
        return {}
    with collection_paused():  # the columns as lists, then the picks: no cycles among them
        columns = _columns(table)
        if columns is not None and _clean(columns, plan.known_subsets):
            return _column_picks(columns, plan.active_subsets, computed_at, batches.rounded)
    rows = zip(*(table.column(name).to_pylist() for name in SHOWN_COLUMNS), strict=True)
    return _shown_picks(rows, plan.known_subsets, plan.active_subsets, model, problems, computed_at)


_NUMBER_COLUMNS = ("line", "predicted_points")
_TEXT_COLUMNS = ("direction", "subset_id", "player_name", "team", "opponent", "player_lookup")
_CHECKED_COLUMNS = (*_NUMBER_COLUMNS, *_TEXT_COLUMNS, "pick_rank", "summary_rows")
_OTHER_COLUMNS = ("pick_rank", "points", "minutes", "summary_rows", "computed_at_us")


def _columns(table: pyarrow.Table) -> dict[str, list[Any]] | None:
    """The columns the picks are made of, as lists (a name or a date one object per distinct value); None when a
    checked column holds a NULL or has a type the checks do not expect (the rows are then checked one by one)."""
    import pyarrow
    import pyarrow.types as types

    if any(table.column(name).null_count for name in _CHECKED_COLUMNS):
        return None
    kinds = table.schema
    if not all(types.is_floating(kinds.field(name).type) for name in _NUMBER_COLUMNS):
        return None
    if not all(types.is_string(kinds.field(name).type) for name in _TEXT_COLUMNS):
        return None
    if not types.is_date32(kinds.field("game_date").type):
        return None
    shared: dict[Any, Any] = {}  # names repeat: one string each, whose hash is then computed once
    share = shared.setdefault
    found: dict[str, list[Any]] = {}
    for name in _TEXT_COLUMNS:
        values = table.column(name).to_pylist()
        found[name] = list(map(share, values, values))
    for name in (*_NUMBER_COLUMNS, *_OTHER_COLUMNS):
        found[name] = table.column(name).to_pylist()
    # A DATE as its days since the epoch (no date object per row), then one date object per distinct day.
    numbers = [n for chunk in table.column("game_date").chunks for n in chunk.view(pyarrow.int32()).to_pylist()]
    dates = {number: _EPOCH_DAY + dt.timedelta(days=number) for number in set(numbers)}
    found["game_date"] = list(map(dates.__getitem__, numbers))
    return found


_EPOCH_DAY = dt.date(1970, 1, 1)


def _clean(columns: dict[str, list[Any]], known_subsets: frozenset[str]) -> bool:
    """Whether no row can be refused by `_pick_problem`, the duplicate check or the box scores' count (NULLs were
    ruled out by `_columns`). Conservative: two rows of one date, subset and player are a suspected duplicate
    whatever their versions, and then the rows are checked one by one."""
    lines, predictions = columns["line"], columns["predicted_points"]
    if not (all(map(math.isfinite, lines)) and all(map(math.isfinite, predictions))):
        return False
    if min(lines) < 0 or max(lines) > MAX_POINTS or max(map(abs, predictions)) > MAX_POINTS:
        return False
    if not set(columns["direction"]) <= set(DIRECTIONS) or not set(columns["subset_id"]) <= known_subsets:
        return False
    for name in ("player_name", "team", "opponent"):
        if any(not value or value.isspace() for value in set(columns[name])):
            return False
    if max(columns["summary_rows"]) > 1:
        return False
    keys = zip(columns["game_date"], columns["subset_id"], columns["player_lookup"], strict=True)
    return len(set(keys)) == len(lines)


def _column_picks(
    columns: dict[str, list[Any]],
    active_subsets: frozenset[str],
    computed_at: dict[dt.date, dt.datetime],
    rounded: dict[float, float],
) -> dict[str, dict[dt.date, list[Pick]]]:
    """The picks of rows `_clean` passed, column by column: what `_shown_picks` makes of the same rows."""
    latest: dict[dt.date, int] = {}  # every row's version counts for its date's computed_at, whatever its subset
    for day, rows in groupby(zip(columns["game_date"], columns["computed_at_us"], strict=True), key=itemgetter(0)):
        moment = max(filter(_NOT_NONE, map(itemgetter(1), rows)), default=None)  # no Python code per row
        if moment is not None:
            latest[day] = max(moment, latest.get(day, moment))
    computed_at.update((day, _utc_micros(micros)) for day, micros in latest.items())
    keep = list(map(active_subsets.__contains__, columns["subset_id"]))
    if not all(keep):
        columns = {name: list(compress(values, keep)) for name, values in columns.items()}
    if not columns["subset_id"]:
        return {}
    days, subsets, directions, lines = (columns[name] for name in ("game_date", "subset_id", "direction", "line"))
    graded = list(map((0).__lt__, columns["summary_rows"]))  # rows > 0
    outcomes = map(rules.pick_result, directions, lines, columns["points"], columns["minutes"], graded)
    actuals, results = zip(*outcomes, strict=True)
    players, teams, opponents = columns["player_name"], columns["team"], columns["opponent"]
    predictions = _rounded(columns["predicted_points"], rounded)
    picks: dict[str, dict[dt.date, list[Pick]]] = defaultdict(lambda: defaultdict(list))
    with collection_paused():
        # Each pick as published (`Pick.as_json`), made here column by column rather than pick by pick
        published = [
            {"player": player, "team": team, "opponent": opponent, "prediction": prediction, "line": line,
             "direction": direction, "actual": actual, "result": result}
            for player, team, opponent, prediction, line, direction, actual, result
            in zip(players, teams, opponents, predictions, lines, directions, actuals, results, strict=True)
        ]  # fmt: skip
        made = map(Pick, days, columns["pick_rank"], players, columns["player_lookup"], teams, opponents,
                   predictions, lines, directions, actuals, results, graded, published)  # fmt: skip
        for subset_id, day, pick in zip(subsets, days, made, strict=True):
            picks[subset_id][day].append(pick)
    return _in_order(picks)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection while a season's picks are made: they form no cycles, and the collections their
    allocations set off would traverse every object alive, several times the cost of making them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rounded(predictions: list[float], memo: dict[float, float]) -> list[float]:
    """Each prediction rounded as published, each distinct value once per read: `memo` keeps those rounded before,
    up to ROUNDED_MEMO values (a warehouse's predictions repeat across seasons and models). 0.0 and -0.0 are one
    key but not one rounding: zeros are rounded each."""
    distinct = set(predictions)
    distinct.discard(0.0)  # and -0.0
    new = {value: rules.round_half_away(value) for value in distinct.difference(memo)}
    if len(memo) + len(new) <= ROUNDED_MEMO:
        memo.update(new)
        known = memo
    else:
        known = {**memo, **new}
    return [known[value] if value else rules.round_half_away(value) for value in predictions]


def _schedule(rows: Iterable[Row]) -> dict[dt.date, DaySchedule]:
    return {
        row["game_date"]: DaySchedule(
            int(row["games"] or 0),
            int(row["final_games"] or 0),
            None if row["first_tipoff_us"] is None else _utc_micros(row["first_tipoff_us"]),
        )
        for row in rows
        if row["game_date"] is not None
    }


def _utc_micros(micros: int) -> dt.datetime:
    """A warehouse timestamp the queries give as microseconds since the epoch (UTC), as an aware datetime."""
    return EPOCH + dt.timedelta(microseconds=micros)


def _signals(rows: Iterable[Row], problems: _Problems) -> dict[str, dict[dt.date, str]]:
    signals: dict[str, dict[dt.date, str]] = defaultdict(dict)
    for row in rows:
        model_signals = signals[row["system_id"]]
        where = (
            f"table daily_signals, date {row['game_date']}, row (system_id={row['system_id']!r},"
            f" signal={row['signal']!r})"
        )
        if row["signal"] not in SIGNALS:
            problems.add(f"{where}: signal is not one of {', '.join(SIGNALS)}")
        elif row["game_date"] in model_signals:
            problems.add(f"{where}: a second signal row for the model on this date")
        else:
            model_signals[row["game_date"]] = row["signal"]
    return dict(signals)
