"""The status file (`v1/status.json`): what state the published data is in, for the frontend and the operator.

Pure builders and checks. Every publishing run writes it last, rebuilt from a fresh listing of its models' folders
just before it is written (like the manifest): the run's own entry, and per model its latest published and fully
graded dates, the dates still waiting for grading and the quality gate's warnings. A run for one model keeps the
other models' entries. `picks-export status` reads it back and alerts (exit 9) on an old run or late grading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .common import and_more, parse_utc_timestamp
from .errors import OptionError, StatusAlert
from .layout import status_path as status_path  # where the file is: beside the manifest


def status_model_entry(
    *,
    code: str,
    index: str,
    today: dt.date,
    run: str,
    checked_at: str,
    days: Mapping[dt.date, tuple[int, bool]],
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:
    """One model's entry from its published per-day files (picks, fully graded) and this run's gate warnings."""
    with_picks = sorted(day for day, (picks, _) in days.items() if picks > 0)
    graded = [day for day in with_picks if days[day][1]]
    return {
        "code": code,
        "index": index,
        "checked_by_run": run,
        "checked_at": checked_at,
        "latest_date": with_picks[-1].isoformat() if with_picks else None,
        "latest_graded_date": graded[-1].isoformat() if graded else None,
        # Today's games have not been played: only earlier dates wait for grading.
        "waiting_for_grading": [day.isoformat() for day in with_picks if day < today and not days[day][1]],
        "warnings": warnings,
    }


def status_document(
    run: Mapping[str, Any], entries: list[dict[str, Any]], previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The status file: this run, its models' entries, and the previous file's entries of other models."""
    codes = {entry["code"] for entry in entries}
    indexes = {entry["index"] for entry in entries}
    kept = (
        []
        if previous is None
        else [
            entry
            for entry in previous.get("models", [])
            if entry["code"] not in codes and entry["index"] not in indexes
        ]
    )
    return {"run": dict(run), "models": sorted([*entries, *kept], key=lambda entry: entry["code"])}


_NUMBER = r"\d+(?:\.\d+)?"
_AGE_PART = re.compile(rf"({_NUMBER})([dhms])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_age(text: str) -> dt.timedelta:
    """`26h`, `1h30m`, `90m`, `2d`, `1d12h` or plain seconds: each unit once, the larger ones first."""
    compact = "".join(text.lower().split())
    parts = _AGE_PART.findall(compact)
    units = [unit for _, unit in parts]
    if re.fullmatch(_NUMBER, compact):
        seconds = float(compact)
    elif parts and "".join(number + unit for number, unit in parts) == compact and units == _ordered(units):
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    else:
        seconds = 0.0
    shown = repr(text).replace("{", "{{").replace("}", "}}")  # braces in an OptionError's message name concepts
    if seconds <= 0:
        raise OptionError(f"{{max_age}} {shown} is not a positive duration like 26h, 90m or 2d")
    if seconds >= dt.timedelta.max.total_seconds():  # more than a timedelta holds: no run is that old
        raise OptionError(f"{{max_age}} {shown} is too long a duration: at most 999999999d")
    return dt.timedelta(seconds=seconds)


def _ordered(units: list[str]) -> list[str]:
    """`units` as they may be written: each once, days before hours before minutes before seconds."""
    return sorted(set(units), key=list(_UNIT_SECONDS).index)


def human_duration(age: dt.timedelta) -> str:
    """A duration as a person reads it, to two units at most: `40 s`, `12 min`, `26 h`, `27 h 5 min`, `3 d 4 h`.
    Hours up to two days (a `--max-age 26h` reads as it was given), then days."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


def _moment(text: Any) -> dt.datetime | None:
    try:
        return parse_utc_timestamp(text)
    except (TypeError, ValueError):
        return None


def grading_behind(index: Any, today: dt.date) -> list[dt.date]:
    """The game days (dates with picks, before today) after a model's latest fully graded date, when there are more
    than one: its grading is more than one game day behind. Yesterday's games may still be graded today, so one
    such day is normal; a day left ungraded before the latest graded one is listed in the status file's
    `waiting_for_grading`, not alerted on."""
    dates = index.get("dates") if isinstance(index, dict) else None
    played: list[tuple[dt.date, bool]] = []
    for entry in dates if isinstance(dates, list) else []:
        try:
            day = dt.date.fromisoformat(entry["date"])
        except (TypeError, KeyError, ValueError):
            continue
        if entry.get("picks") and day < today:
            played.append((day, bool(entry.get("graded"))))
    latest_graded = max((day for day, graded in played if graded), default=None)
    behind = sorted(day for day, _ in played if latest_graded is None or day > latest_graded)
    return behind if len(behind) > 1 else []


def alerts(
    status: Any, indexes: Mapping[str, Any], now: dt.datetime, today: dt.date, max_age: dt.timedelta
) -> list[str]:
    """What an operator should be told: a run older than `max_age`, a model whose grading is stuck."""
    run = status.get("run", {}) if isinstance(status, dict) else {}
    finished = _moment(run.get("finished_at"))
    found = []
    if finished is None:
        found.append("the status file names no finished run")
    elif now - finished > max_age:
        found.append(
            f"the last successful run finished {human_duration(now - finished)} ago ({run.get('finished_at')}),"
            f" more than {human_duration(max_age)}"
        )
    for entry in status.get("models", []) if isinstance(status, dict) else []:
        behind = grading_behind(indexes.get(entry.get("index", "")), today)
        if behind:
            found.append(
                f"model {entry.get('code')}: grading is {len(behind)} game days behind (latest fully graded date"
                f" {entry.get('latest_graded_date')}; not graded: {', '.join(map(str, behind))})"
            )
    return found


def raise_alerts(found: list[str]) -> None:
    if found:
        raise StatusAlert(found[0] + and_more(len(found)))


MAX_WARNINGS_SHOWN = 5  # the rest are in the file (`status --json`)


class StatusReport:
    """A published status file as `picks-export status` reads it, with what it alerts on."""

    def __init__(self, document: Any, alerts: list[str], now: dt.datetime) -> None:
        self.document = document
        self.alerts = alerts
        self.now = now

    def raise_alerts(self) -> None:
        raise_alerts(self.alerts)

    def verdict(self) -> str:
        """One line first: ok or alert, the last run's age and command, and how far grading has got, like
        `ok: last run 12 min ago (daily --date 2026-02-07); graded through 2026-02-06; 1 date waiting for
        grading`. With several models, each model's grading is a line of its own (`lines`)."""
        run = self.document["run"]
        finished = _moment(run.get("finished_at"))
        ago = "no finished run" if finished is None else f"last run {human_duration(self.now - finished)} ago"
        head = f"{'alert' if self.alerts else 'ok'}: {ago} ({run.get('command') or 'run from the library'})"
        models = self.document["models"]
        return head + (f"; {_grading(models[0])}" if len(models) == 1 else f"; {len(models)} models")

    def lines(self) -> list[str]:
        """The verdict, each model's grading when there are several, and the quality gate's warnings."""
        models = self.document["models"]
        lines = [self.verdict()]
        if len(models) > 1:
            lines += [f"model {entry['code']}: {_grading(entry)}" for entry in models]
        warnings = [(entry["code"], each) for entry in models for each in entry["warnings"]]
        for code, warning in warnings[:MAX_WARNINGS_SHOWN]:
            lines.append(f"warning: model {code}: {warning['message']}")
        if len(warnings) > MAX_WARNINGS_SHOWN:
            lines.append(f"... and {len(warnings) - MAX_WARNINGS_SHOWN} more warnings (--json lists them)")
        return lines


def _grading(entry: Mapping[str, Any]) -> str:
    """How far a model's grading has got: `graded through 2026-02-06; 1 date waiting for grading`."""
    graded = entry.get("latest_graded_date")
    waiting = len(entry.get("waiting_for_grading") or [])
    through = f"graded through {graded}" if graded else "nothing graded yet"
    dates = "no date" if waiting == 0 else f"{waiting} date" if waiting == 1 else f"{waiting} dates"
    return f"{through}; {dates} waiting for grading"


def read_status(sink: Any, prefix: str, today: dt.date, max_age: str, now: dt.datetime | None = None) -> StatusReport:
    """Read `{prefix}status.json` and each of its models' indexes from a sink; a missing or unreadable file alerts."""
    import orjson

    from .layout import publishing_prefix
    from .validation import problems

    age = parse_age(max_age)
    path = status_path(publishing_prefix(prefix))
    data = sink.read(path)
    if data is None:
        raise StatusAlert(f"{sink.describe(path)} does not exist: no run has published a status file yet")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise StatusAlert(f"{sink.describe(path)} is not JSON") from None
    found = problems("status", document, path)
    if found:
        raise StatusAlert(f"{sink.describe(path)} is not a valid status file: {found[0]}")
    indexes = {}
    for entry in document["models"]:
        index = sink.read(entry["index"])
        try:
            indexes[entry["index"]] = orjson.loads(index) if index is not None else None
        except orjson.JSONDecodeError:
            indexes[entry["index"]] = None
    moment = now or dt.datetime.now(dt.UTC)
    return StatusReport(document, alerts(document, indexes, moment, today, age), moment)
