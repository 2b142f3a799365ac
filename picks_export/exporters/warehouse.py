"""Reads what one run needs from the warehouse in a constant number of queries, and checks it.

Everything a run publishes comes from a `Snapshot`: the chosen model, the active groups, the shown picks of
a date range with their results, and the signals. Bad rows stop the run here, before any document is built.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .engine import Engine, QueryValue, Row
from .errors import BadInputError, ExportError

# A model code becomes part of a published path (v1/models/{code}/...).
MODEL_CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
DIRECTIONS = ("OVER", "UNDER")
SIGNALS = ("favorable", "neutral", "challenging")


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


@dataclass(frozen=True)
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

    def sort_key(self) -> tuple[int, str, str]:
        return (self.rank, self.player, self.player_lookup)

    def as_json(self) -> dict[str, Any]:
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


@dataclass
class Snapshot:
    """The shown picks of one model over [first_date, last_date], grouped and checked."""

    model: Model
    groups: list[Group]
    first_date: dt.date
    last_date: dt.date
    signals: dict[dt.date, str] = field(default_factory=dict)
    # group id -> date -> picks of that date, in published order
    picks: dict[str, dict[dt.date, list[Pick]]] = field(default_factory=dict)

    def dates_with_picks(self) -> list[dt.date]:
        """Every date on which some active group has shown picks, oldest first."""
        return sorted({day for by_date in self.picks.values() for day in by_date})


def read_snapshots(
    engine: Engine, model_code: str | None, first_date: dt.date, last_date: dt.date, *, all_models: bool = False
) -> Iterator[Snapshot]:
    """One snapshot per model of the run, in four queries whatever the range or the number of models.

    The shown picks stream in model order, so only one model's picks are in memory at a time; a bad row stops
    the run when its model is reached, before anything is published.
    """
    models = choose_models(list(engine.query("models", {})), model_code, all_models)
    subsets = list(engine.query("subsets", {}))
    groups = [Group(row["subset_id"], row["name"]) for row in subsets if row["is_active"]]
    by_id = {model.system_id: model for model in models}
    params = range_params(list(by_id), first_date, last_date)
    problems = _Problems()
    signals = _signals(engine.query("signals", params), problems)
    problems.raise_if_any()
    known, active = {row["subset_id"] for row in subsets}, {group.id for group in groups}
    pending = dict(by_id)
    for system_id, rows in groupby(engine.query("shown_picks", params), key=itemgetter("system_id")):
        model = pending.pop(system_id)
        picks = _shown_picks(rows, known, active, model, problems)
        problems.raise_if_any()
        yield Snapshot(model, groups, first_date, last_date, signals.get(system_id, {}), picks)
    for model in pending.values():  # no shown picks in the range: still a snapshot (a day file may be due)
        yield Snapshot(model, groups, first_date, last_date, signals.get(model.system_id, {}), {})


def choose_models(rows: list[Row], code: str | None, all_models: bool) -> list[Model]:
    """The run's models: every enabled one (the champion first), or the one `choose_model` picks."""
    if not all_models:
        return [choose_model(rows, code)]
    if code is not None:
        raise ExportError("--model and --all-models exclude each other")
    enabled = [choose_model(rows, row["code"]) for row in rows if row["enabled"]]
    if not enabled:
        raise BadInputError("table models: no enabled model")
    return sorted(enabled, key=lambda model: (not model.is_default, model.code))


def range_params(system_ids: list[str], first_date: dt.date, last_date: dt.date) -> dict[str, QueryValue]:
    return {"system_ids": system_ids, "first_date": first_date, "last_date": last_date}


def snapshot_queries(
    system_ids: list[str], first_date: dt.date, last_date: dt.date
) -> list[tuple[str, dict[str, QueryValue]]]:
    """The four queries of `read_snapshots` with their parameters, in order (`estimate` dry-runs this list)."""
    params = range_params(system_ids, first_date, last_date)
    return [("models", {}), ("subsets", {}), ("signals", params), ("shown_picks", params)]


def choose_model(rows: list[Row], code: str | None) -> Model:
    """The model named by `code`, or the one enabled champion."""
    champions = [row for row in rows if row["enabled"] and row["is_champion"]]
    if code is None:
        if len(champions) != 1:
            found = "no row" if not champions else f"{len(champions)} rows ({_codes(champions)})"
            raise BadInputError(
                f"table models: {found} with enabled and is_champion true; exactly one is needed"
                " (or name a model with --model)"
            )
        chosen = champions[0]
    else:
        matches = [row for row in rows if row["code"] == code]
        if not matches:
            raise BadInputError(f"table models: no model with code {code!r} (known: {_codes(rows) or 'none'})")
        if len(matches) > 1:
            raise BadInputError(f"table models: {len(matches)} rows have code {code!r}; codes must be unique")
        chosen = matches[0]
        if not chosen["enabled"]:
            raise BadInputError(f"table models: model {code!r} is not enabled")
    if not isinstance(chosen["code"], str) or not MODEL_CODE_PATTERN.fullmatch(chosen["code"]):
        raise BadInputError(
            f"table models: code {chosen['code']!r} (system_id {chosen['system_id']!r}) cannot name a published"
            " folder: use letters, digits, '_' and '-' only"
        )
    is_default = len(champions) == 1 and champions[0]["system_id"] == chosen["system_id"]
    return Model(chosen["system_id"], chosen["code"], chosen["name"], is_default)


def _codes(rows: list[Row]) -> str:
    return ", ".join(str(row["code"]) for row in rows)


class _Problems:
    """Collects bad rows so that the error names the first one and counts the rest."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            more = len(self.messages) - 1
            suffix = f" (and {more} more bad row{'s' if more > 1 else ''})" if more else ""
            raise BadInputError(self.messages[0] + suffix)


def _pick_row_name(row: Row, model: Model) -> str:
    return (
        f"table subset_picks, date {row['game_date']}, row (system_id={model.system_id!r},"
        f" version_id={row['version_id']!r}, subset_id={row['subset_id']!r}, player_lookup={row['player_lookup']!r})"
    )


def _shown_picks(
    rows: Iterable[Row], known_subsets: set[str], active_subsets: set[str], model: Model, problems: _Problems
) -> dict[str, dict[dt.date, list[Pick]]]:
    picks: dict[str, dict[dt.date, list[Pick]]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        problem = _pick_problem(row, known_subsets)
        key = (row["game_date"], row["version_id"], row["subset_id"], row["player_lookup"])
        if problem is None and key in seen:
            problem = "duplicate pick: the same player twice in one subset of one version"
        seen.add(key)
        if problem:
            problems.add(f"{_pick_row_name(row, model)}: {problem}")
            continue
        if row["summary_rows"] > 1:
            problems.add(
                f"table player_game_summary, date {row['game_date']}, player_lookup {row['player_lookup']!r}:"
                f" {row['summary_rows']} rows where one is expected"
            )
            continue
        if row["subset_id"] not in active_subsets:
            continue
        actual, result = rules.pick_result(
            row["direction"], row["line"], row["points"], row["minutes"], graded=row["summary_rows"] > 0
        )
        picks[row["subset_id"]][row["game_date"]].append(
            Pick(
                game_date=row["game_date"],
                rank=row["pick_rank"],
                player=row["player_name"],
                player_lookup=row["player_lookup"],
                team=row["team"],
                opponent=row["opponent"],
                prediction=rules.round_half_away(row["predicted_points"]),
                line=row["line"],
                direction=row["direction"],
                actual=actual,
                result=result,
            )
        )
    for by_date in picks.values():
        for day_picks in by_date.values():
            day_picks.sort(key=Pick.sort_key)
    return {group: dict(by_date) for group, by_date in picks.items()}


def _pick_problem(row: Row, known_subsets: set[str]) -> str | None:
    """What is wrong with one shown pick row, or None."""
    if row["direction"] not in DIRECTIONS:
        return f"direction {row['direction']!r} is not OVER or UNDER"
    line = row["line"]
    if line is None:
        return "line is missing"
    if not math.isfinite(line) or line < 0:
        return f"line {line!r} is negative or not a number"
    if row["subset_id"] not in known_subsets:
        return f"subset_id {row['subset_id']!r} is not in table subset_definitions"
    prediction = row["predicted_points"]
    if prediction is None or not math.isfinite(prediction):
        return f"predicted_points {prediction!r} is missing or not a number"
    for column in ("player_name", "team", "opponent"):
        if not row[column]:
            return f"{column} is missing"
    if row["pick_rank"] is None:
        return "pick_rank is missing"
    return None


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
