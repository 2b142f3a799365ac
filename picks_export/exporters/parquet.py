"""Each season as a Parquet table beside its JSON file (`subsets/seasons/{season}.parquet`): one row per pick.

The rows are read from the season document itself, so they are the JSON's picks by construction. The writer's
options are all fixed, so the same picks give the same bytes on every run (skip-unchanged compares the bytes'
hash). pyarrow is imported only when a season file is built.
"""

from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .errors import InvalidDocumentError
from .publish import Payload, Spool

if TYPE_CHECKING:
    import pyarrow as pa

_DATED_SEASON = re.compile(r"(?:^|/)subsets/seasons/\d{4}-\d{2}\.json$")
# The columns in order: name, Arrow type, whether it may be null, meaning (docs/files.md is generated from these).
COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("model", "string", False, "The season file's model code."),
    ("season", "string", False, "The season file's label, YYYY-YY."),
    ("subset_id", "string", False, "The group's id (a tab of the site)."),
    ("subset", "string", False, "The group's display name."),
    ("date", "date32", False, "The game date the pick is listed under."),
    ("signal", "string", True, "That date's market signal for the model; null when it has none."),
    ("player", "string", False, "The player's display name."),
    ("team", "string", False, "The player's team."),
    ("opponent", "string", False, "The opposing team."),
    ("prediction", "float64", False, "The model's predicted points."),
    ("line", "float64", False, "The points line the pick is against."),
    ("direction", "string", False, "OVER or UNDER."),
    ("actual", "int64", True, "The points scored; null when not graded yet or the player did not play (dnp)."),
    (
        "result",
        "string",
        True,
        "hit, miss or push against the line; dnp when the player did not play; null when not graded yet.",
    ),
)
_PICK_FIELDS = ("player", "team", "opponent", "prediction", "line", "direction", "actual", "result")
# Fixed writer options: one row group, one codec and level, no page index; statistics are a function of the rows.
_WRITER_OPTIONS: dict[str, Any] = {
    "version": "2.6",
    "data_page_version": "1.0",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "write_page_index": False,
    "store_schema": True,
    "row_group_size": 1 << 22,
}


def parquet_path(season_path: str) -> str | None:
    """The Parquet file beside a dated season file; None for any other path (the current season's fixed address,
    `subsets/season.json`, has none: its dated file's table is the same)."""
    return season_path.removesuffix(".json") + ".parquet" if _DATED_SEASON.search(season_path) else None


def columns(content: dict[str, Any]) -> dict[str, list[Any]]:
    """The season document's picks as the table's columns, a row per pick: by date, then in the subsets' display
    order, then in pick order. Made column by column (a row of eight picks' fields is not made per pick)."""
    by_date: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for group in content["groups"]:
        for entry in group["dates"]:
            by_date.setdefault(entry["date"], []).append((group, entry))
    picks: list[dict[str, Any]] = []
    found: dict[str, list[Any]] = {name: [] for name in ("subset_id", "subset", "date", "signal")}
    for day in sorted(by_date):
        date = dt.date.fromisoformat(day)
        for group, entry in by_date[day]:
            count = len(entry["picks"])
            picks += entry["picks"]
            found["subset_id"] += [group["id"]] * count
            found["subset"] += [group["name"]] * count
            found["date"] += [date] * count
            found["signal"] += [entry["signal"]] * count
    head = {"model": [content["model"]] * len(picks), "season": [content["season"]] * len(picks)}
    fields = {name: list(map(itemgetter(name), picks)) for name in _PICK_FIELDS}
    merged = {**head, **found, **fields}
    return {name: merged[name] for name, *_ in COLUMNS}


def schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(name, getattr(pa, kind)(), nullable=nullable) for name, kind, nullable, _ in COLUMNS])


def table_bytes(content: dict[str, Any]) -> bytes:
    """The season document's Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pydict(columns(content), schema=schema())
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **_WRITER_OPTIONS)
    return bytes(sink.getvalue().to_pybytes())


def check_table(path: str, data: bytes, content: dict[str, Any]) -> None:
    """Raise unless the file reads back with the contract's columns and one row per pick of the season document."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.ParquetFile(pa.BufferReader(data)).read()  # not read_table: it loads pyarrow.dataset (~0.1 s)
    picks = sum(len(entry["picks"]) for group in content["groups"] for entry in group["dates"])
    if not table.schema.equals(schema()) or table.num_rows != picks:
        raise InvalidDocumentError(
            f"invalid document, nothing written: {path} reads back as {table.num_rows} rows of"
            f" ({', '.join(table.schema.names)}), not {picks} rows of the season's columns"
        )


def season_table(season_path: str, content: dict[str, Any], spool: Spool | None = None) -> list[Payload]:
    """The Parquet file to publish beside the season file at `season_path`, built and checked (none beside the
    current season's fixed address)."""
    path = parquet_path(season_path)
    if path is None:
        return []
    data = table_bytes(content)
    check_table(path, data, content)
    return [Payload.raw(path, "parquet", data, spool)]
