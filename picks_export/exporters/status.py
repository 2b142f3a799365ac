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


def status_path(prefix: str) -> str:
    return f"{prefix}status.json"


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


_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_age(text: str) -> dt.timedelta:
    """`26h`, `90m`, `2d` or plain seconds."""
    found = _AGE.fullmatch(text.strip().lower())
    if not found or float(found.group(1)) <= 0:
        shown = repr(text).replace("{", "{{").replace("}", "}}")  # braces in an OptionError's message name concepts
        raise OptionError(f"{{max_age}} {shown} is not a positive duration like 26h, 90m or 2d")
    return dt.timedelta(seconds=float(found.group(1)) * _UNIT_SECONDS[found.group(2)])


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
        hours = (now - finished).total_seconds() / 3600
        found.append(
            f"the last successful run finished {hours:.1f} h ago ({run.get('finished_at')}), more than {_hours(max_age)}"
        )
    for entry in status.get("models", []) if isinstance(status, dict) else []:
        behind = grading_behind(indexes.get(entry.get("index", "")), today)
        if behind:
            found.append(
                f"model {entry.get('code')}: grading is {len(behind)} game days behind (latest fully graded date"
                f" {entry.get('latest_graded_date')}; not graded: {', '.join(map(str, behind))})"
            )
    return found


def _hours(age: dt.timedelta) -> str:
    return f"{age.total_seconds() / 3600:g} h"


def raise_alerts(found: list[str]) -> None:
    if found:
        raise StatusAlert(found[0] + and_more(len(found)))


class StatusReport:
    """A published status file as `picks-export status` reads it, with what it alerts on."""

    def __init__(self, document: Any, alerts: list[str]) -> None:
        self.document = document
        self.alerts = alerts

    def raise_alerts(self) -> None:
        raise_alerts(self.alerts)


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
    return StatusReport(document, alerts(document, indexes, moment, today, age))
